/// A day of the proleptic Gregorian calendar, with no time zone: the date a clerk writes on a form.
///
/// Shape: `year` 1...9999, `month` 1...12, `day` 1...31; `isoString` is `yyyy-mm-dd`.
/// Only ``init(year:month:day:)`` that returns non-nil values for real dates
/// (2000-02-29 exists, 1900-02-29 and 2023-02-29 do not).
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates the date, or `nil` when it does not exist in the Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Gregorian leap-year rule: divisible by 4, except centuries not divisible by 400.
    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Number of days in `month` (1...12) of `year`.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before), by the civil-from-days algorithm (H. Hinnant).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01; `nil` outside years 1...9999.
    public init?(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.init(year: y, month: m, day: d)
    }

    /// Seconds east of UTC of China Standard Time (UTC+8, no daylight saving), where every unit works.
    public static let chinaStandardTimeOffset = 8 * 3600

    /// The date, in a zone `utcOffsetSeconds` east of UTC, of the instant `epochSeconds` seconds after
    /// 1970-01-01T00:00:00Z (floor division, so instants before 1970 work too).
    public init(epochSeconds: Int, utcOffsetSeconds: Int = CalendarDate.chinaStandardTimeOffset) {
        let local = epochSeconds + utcOffsetSeconds
        self.init(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)!
    }

    /// The date `n` days later (earlier when negative).
    public func adding(days n: Int) -> CalendarDate? {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + n)
    }

    /// `yyyy-mm-dd`.
    public var isoString: String {
        pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    public var description: String { isoString }

    /// Parses exactly `yyyy-mm-dd`; `nil` for any other spelling or a date that does not exist.
    public init?(iso text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              let y = Self.digits(u[0..<4]), let m = Self.digits(u[5..<7]), let d = Self.digits(u[8..<10])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var v = 0
        for b in bytes {
            guard b >= 48, b <= 57 else { return nil }
            v = v * 10 + Int(b - 48)
        }
        return bytes.isEmpty ? nil : v
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// A local date and time to the second, no time zone. `isoString` is `yyyy-mm-ddThh:mm:ss`.
public struct CalendarDateTime: Hashable, Comparable, Sendable {
    public let date: CalendarDate
    /// Seconds since midnight, 0..<86400.
    public let secondOfDay: Int

    /// Creates the date-time, or `nil` when hour, minute or second is out of range.
    public init?(date: CalendarDate, hour: Int, minute: Int, second: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        self.date = date
        self.secondOfDay = hour * 3600 + minute * 60 + second
    }

    /// The local date and time, in a zone `utcOffsetSeconds` east of UTC, of the instant `epochSeconds`
    /// seconds after 1970-01-01T00:00:00Z.
    public init(epochSeconds: Int, utcOffsetSeconds: Int = CalendarDate.chinaStandardTimeOffset) {
        let date = CalendarDate(epochSeconds: epochSeconds, utcOffsetSeconds: utcOffsetSeconds)
        self.date = date
        self.secondOfDay = epochSeconds + utcOffsetSeconds - date.daysSinceEpoch * 86_400
    }

    /// Parses exactly `yyyy-mm-ddThh:mm:ss` (a space instead of `T` is accepted); `nil` otherwise.
    public init?(iso text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 19, u[10] == UInt8(ascii: "T") || u[10] == UInt8(ascii: " "),
              u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
              let date = CalendarDate(iso: String(decoding: u[0..<10], as: UTF8.self)),
              let h = CalendarDate.digits(u[11..<13]), let m = CalendarDate.digits(u[14..<16]), let s = CalendarDate.digits(u[17..<19])
        else { return nil }
        self.init(date: date, hour: h, minute: m, second: s)
    }

    /// `yyyy-mm-ddThh:mm:ss`.
    public var isoString: String {
        date.isoString + "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
    }

    public static func < (a: CalendarDateTime, b: CalendarDateTime) -> Bool {
        (a.date, a.secondOfDay) < (b.date, b.secondOfDay)
    }
}

@inline(__always)
func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
