import Testing
import GongzhiCore

@Suite("CalendarDate and CalendarDateTime")
struct CalendarDateTests {
    @Test("leap years follow the Gregorian rule", arguments: [
        (2000, true), (2024, true), (1996, true), (2400, true),
        (1900, false), (2100, false), (2023, false), (2025, false),
    ])
    func leapYears(year: Int, leap: Bool) {
        #expect(CalendarDate.isLeap(year) == leap)
        #expect(CalendarDate.daysIn(month: 2, year: year) == (leap ? 29 : 28))
    }

    @Test("only real dates exist", arguments: [
        (2024, 2, 29, true), (2000, 2, 29, true), (2023, 2, 29, false), (1900, 2, 29, false),
        (2024, 2, 30, false), (2024, 4, 31, false), (2024, 12, 31, true), (2024, 13, 5, false),
        (2024, 0, 12, false), (2024, 3, 0, false), (0, 1, 1, false), (10000, 1, 1, false), (1, 1, 1, true),
    ])
    func existence(year: Int, month: Int, day: Int, exists: Bool) {
        #expect((CalendarDate(year: year, month: month, day: day) != nil) == exists)
    }

    @Test("days since 1970-01-01", arguments: [
        ("1970-01-01", 0), ("1969-12-31", -1), ("2000-03-01", 11017), ("2024-02-29", 19782),
        ("1900-03-01", -25508), ("0001-01-01", -719162), ("9999-12-31", 2932896), ("2026-11-29", 20786),
    ])
    func daysSinceEpoch(iso: String, days: Int) throws {
        // given
        let date = try #require(CalendarDate(iso: iso))
        // when / then
        #expect(date.daysSinceEpoch == days)
        #expect(CalendarDate(daysSinceEpoch: days) == date)
        #expect(CalendarDate(daysSinceEpoch: days)?.isoString == iso)
    }

    @Test("every day of 1999-2001 round-trips through daysSinceEpoch")
    func roundTrip() throws {
        // given the first day of the span
        var date = try #require(CalendarDate(year: 1999, month: 1, day: 1))
        let start = date.daysSinceEpoch
        // when walking day by day
        for offset in 0..<(365 + 366 + 365) {
            // then each step is one day later and reads back
            #expect(date.daysSinceEpoch == start + offset)
            #expect(CalendarDate(daysSinceEpoch: date.daysSinceEpoch) == date)
            date = try #require(date.adding(days: 1))
        }
        #expect(date.isoString == "2002-01-01")
    }

    @Test("days outside years 1...9999 give nil")
    func outOfRange() {
        #expect(CalendarDate(daysSinceEpoch: -719163) == nil)
        #expect(CalendarDate(daysSinceEpoch: 2932897) == nil)
    }

    @Test("adding days crosses month and year ends", arguments: [
        ("2024-02-28", 1, "2024-02-29"), ("2024-02-28", 2, "2024-03-01"), ("2023-02-28", 1, "2023-03-01"),
        ("2023-12-31", 1, "2024-01-01"), ("2024-03-01", -1, "2024-02-29"), ("2024-01-01", 366, "2025-01-01"),
    ])
    func adding(from: String, days: Int, to: String) throws {
        let date = try #require(CalendarDate(iso: from))
        #expect(date.adding(days: days)?.isoString == to)
    }

    @Test("iso parsing accepts exactly yyyy-mm-dd of a real date", arguments: [
        ("2024-02-29", "2024-02-29" as String?), ("2024-03-05", "2024-03-05"),
        ("2023-02-29", nil), ("2024-2-29", nil), ("2024/02/29", nil), ("2024-02-29 ", nil),
        ("20240229", nil), ("2024-13-01", nil), ("２０２４-02-29", nil), ("", nil),
    ])
    func isoParsing(text: String, iso: String?) {
        #expect(CalendarDate(iso: text)?.isoString == iso)
    }

    @Test("iso string pads year, month and day")
    func isoString() throws {
        let date = try #require(CalendarDate(year: 987, month: 3, day: 5))
        #expect(date.isoString == "0987-03-05")
        #expect(date.description == "0987-03-05")
    }

    @Test("dates order by year, month, day")
    func ordering() throws {
        let a = try #require(CalendarDate(iso: "2024-02-29"))
        let b = try #require(CalendarDate(iso: "2024-03-01"))
        let c = try #require(CalendarDate(iso: "2025-01-01"))
        #expect(a < b && b < c && !(b < a))
    }

    @Test("date-time fields and iso string", arguments: [
        (9, 5, 7, "2024-03-05T09:05:07" as String?), (0, 0, 0, "2024-03-05T00:00:00"),
        (23, 59, 59, "2024-03-05T23:59:59"), (24, 0, 0, nil), (12, 60, 0, nil), (12, 0, 60, nil), (-1, 0, 0, nil),
    ])
    func dateTime(hour: Int, minute: Int, second: Int, iso: String?) throws {
        // given
        let date = try #require(CalendarDate(iso: "2024-03-05"))
        // when
        let dateTime = CalendarDateTime(date: date, hour: hour, minute: minute, second: second)
        // then
        #expect(dateTime?.isoString == iso)
        if let dateTime { #expect(dateTime.secondOfDay == hour * 3600 + minute * 60 + second) }
    }

    @Test("date-times order by date, then time")
    func dateTimeOrdering() throws {
        let d1 = try #require(CalendarDate(iso: "2024-03-05"))
        let d2 = try #require(CalendarDate(iso: "2024-03-06"))
        let late = try #require(CalendarDateTime(date: d1, hour: 23, minute: 0, second: 0))
        let early = try #require(CalendarDateTime(date: d2, hour: 1, minute: 0, second: 0))
        let earlier = try #require(CalendarDateTime(date: d1, hour: 22, minute: 59, second: 59))
        #expect(earlier < late && late < early)
    }
}

@Suite("ReportingPeriod")
struct ReportingPeriodTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var canonical: String
        var chinese: String
        var first: String
        var last: String
        var collection: CollectionPeriod
        var testDescription: String { text }
    }

    @Test("periods parse, print and span their days", arguments: [
        Case(text: "2024-03", canonical: "2024-03", chinese: "2024年3月", first: "2024-03-01", last: "2024-03-31", collection: .monthly),
        Case(text: "2024-02", canonical: "2024-02", chinese: "2024年2月", first: "2024-02-01", last: "2024-02-29", collection: .monthly),
        Case(text: "2023-02", canonical: "2023-02", chinese: "2023年2月", first: "2023-02-01", last: "2023-02-28", collection: .monthly),
        Case(text: "2024-04", canonical: "2024-04", chinese: "2024年4月", first: "2024-04-01", last: "2024-04-30", collection: .monthly),
        Case(text: "2024-12", canonical: "2024-12", chinese: "2024年12月", first: "2024-12-01", last: "2024-12-31", collection: .monthly),
        Case(text: "2024Q1", canonical: "2024Q1", chinese: "2024年第1季度", first: "2024-01-01", last: "2024-03-31", collection: .quarterly),
        Case(text: "2024Q2", canonical: "2024Q2", chinese: "2024年第2季度", first: "2024-04-01", last: "2024-06-30", collection: .quarterly),
        Case(text: "2024Q3", canonical: "2024Q3", chinese: "2024年第3季度", first: "2024-07-01", last: "2024-09-30", collection: .quarterly),
        Case(text: "2024q4", canonical: "2024Q4", chinese: "2024年第4季度", first: "2024-10-01", last: "2024-12-31", collection: .quarterly),
        Case(text: "2024", canonical: "2024", chinese: "2024年", first: "2024-01-01", last: "2024-12-31", collection: .yearly),
        Case(text: " 2024-03 ", canonical: "2024-03", chinese: "2024年3月", first: "2024-03-01", last: "2024-03-31", collection: .monthly),
        Case(text: "２０２４－０３", canonical: "2024-03", chinese: "2024年3月", first: "2024-03-01", last: "2024-03-31", collection: .monthly),
    ])
    func parse(c: Case) throws {
        // given / when
        let period = try #require(ReportingPeriod(c.text))
        // then
        #expect(period.description == c.canonical)
        #expect(period.chineseName == c.chinese)
        #expect(period.firstDay.isoString == c.first)
        #expect(period.lastDay.isoString == c.last)
        #expect(period.collectionPeriod == c.collection)
        #expect(ReportingPeriod(period.description) == period)
    }

    @Test("parsed periods are the expected cases")
    func cases() {
        #expect(ReportingPeriod("2024-03") == .month(year: 2024, month: 3))
        #expect(ReportingPeriod("2024Q1") == .quarter(year: 2024, quarter: 1))
        #expect(ReportingPeriod("2024") == .year(2024))
    }

    @Test("invalid periods give nil", arguments: [
        "2024-13", "2024-00", "2024Q5", "2024Q0", "24-03", "2024/03", "202403", "2024年13月",
        "1899", "1899-12", "", "2024-03-01", "2024Q", "Q1", "2024H1", "abcd",
    ])
    func invalid(text: String) {
        #expect(ReportingPeriod(text) == nil)
    }

    @Test("periods order by their first day")
    func ordering() throws {
        let feb = try #require(ReportingPeriod("2024-02"))
        let mar = try #require(ReportingPeriod("2024-03"))
        let q2 = try #require(ReportingPeriod("2024Q2"))
        let y2025 = try #require(ReportingPeriod("2025"))
        #expect(feb < mar && mar < q2 && q2 < y2025)
    }
}
