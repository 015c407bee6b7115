import Testing
import GongzhiCore

@Suite("DateText: dates and date-times written as text")
struct DateTextTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var ymd: [Int]
        var hms: [Int]?
        var plain: Bool
        var testDescription: String { text }
    }

    @Test("accepted spellings split into their parts", arguments: [
        Case(text: "2024-03-05", ymd: [2024, 3, 5], hms: nil, plain: true),
        Case(text: "2024-3-5", ymd: [2024, 3, 5], hms: nil, plain: false),
        Case(text: "2023/1/5", ymd: [2023, 1, 5], hms: nil, plain: false),
        Case(text: "2024.3.5", ymd: [2024, 3, 5], hms: nil, plain: false),
        Case(text: "2024年3月5日", ymd: [2024, 3, 5], hms: nil, plain: false),
        Case(text: "2024年03月05日", ymd: [2024, 3, 5], hms: nil, plain: false),
        Case(text: "20240305", ymd: [2024, 3, 5], hms: nil, plain: false),
        Case(text: "2024-03-05 10:20:30", ymd: [2024, 3, 5], hms: [10, 20, 30], plain: true),
        Case(text: "2024-03-05T10:20:30", ymd: [2024, 3, 5], hms: [10, 20, 30], plain: true),
        Case(text: "2024-03-05 10:20", ymd: [2024, 3, 5], hms: [10, 20, 0], plain: false),
        Case(text: "2024-03-05 9:20:30", ymd: [2024, 3, 5], hms: [9, 20, 30], plain: false),
        Case(text: "2024/3/5 8:05", ymd: [2024, 3, 5], hms: [8, 5, 0], plain: false),
        // Not checked against the calendar here: that is CalendarDate's job.
        Case(text: "2024-02-30", ymd: [2024, 2, 30], hms: nil, plain: true),
        Case(text: "2024-13-05", ymd: [2024, 13, 5], hms: nil, plain: true),
    ])
    func parts(c: Case) throws {
        // given a date as written
        // when
        let parts = try #require(DateText.parts(c.text))
        // then
        #expect([parts.year, parts.month, parts.day] == c.ymd)
        if let hms = c.hms {
            #expect([parts.hour, parts.minute, parts.second] == hms.map(Optional.some))
        } else {
            #expect(parts.hour == nil && parts.minute == nil && parts.second == nil)
        }
        #expect(parts.isPlain == c.plain)
    }

    @Test("text not written as a date gives nil", arguments: [
        "", "明天", "2024-03", "24-03-05", "2024/03-05", "2024年3月5", "2024-03-05x", "2024-03-05 10",
        "2024-03-05 10:2", "2024-03-05 10:20:3", "2024303", "202403051", "2024--03-05", "２０２４-03-05",
    ])
    func notADate(text: String) {
        #expect(DateText.parts(text) == nil)
    }
}
