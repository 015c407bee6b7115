/// Excel date serials → calendar dates, with exact decimal arithmetic on the cell text.
public enum ExcelSerial {
    /// Excel serial (1900 system with its fictitious 1900-02-29 at serial 60; or 1904 system) → date-time,
    /// rounded to the nearest second. `serial` is the cell XML text (e.g. "44931", "43942.9654398148").
    ///
    /// 1900 system: serial 1 = 1900-01-01, 59 = 1900-02-28, 60 = the non-existent 1900-02-29 (→ `nil`),
    /// 61 = 1900-03-01; serials below 1 (`1900-01-00`) → `nil`. 1904 system: serial 0 = 1904-01-01.
    /// Negative serials, non-numbers and dates after 9999-12-31 → `nil`.
    public static func dateTime(fromSerial serial: String, date1904: Bool) -> CalendarDateTime? {
        if let days = wholeDays(serial) { return dateTime(days: days, seconds: 0, date1904: date1904) }
        guard let d = NumberFormatDecimal(serial), !d.negative else { return nil }
        let intDigits = d.integerDigits
        guard intDigits.count <= 8 else { return nil }
        var days = 0
        for b in intDigits { days = days * 10 + Int(b - 48) }
        // Fraction of a day → seconds, rounded half up, using at most 13 fraction digits (exact in Int64).
        var frac = d.fractionDigits
        var roundUpDigit = false
        if frac.count > 13 {
            roundUpDigit = frac[13] >= 53
            frac.removeSubrange(13...)
        }
        var numerator = 0
        for b in frac { numerator = numerator * 10 + Int(b - 48) }
        var scale = 1
        for _ in 0..<frac.count { scale *= 10 }
        if roundUpDigit { numerator += 1 }
        // seconds = round(numerator * 86400 / scale)
        let product = numerator * 86_400
        var seconds = product / scale
        if (product % scale) * 2 >= scale { seconds += 1 }
        if seconds >= 86_400 { days += seconds / 86_400; seconds %= 86_400 }
        return dateTime(days: days, seconds: seconds, date1904: date1904)
    }

    /// A serial written as 1-8 digits without a leading zero (a whole day, the usual date cell), or `nil`.
    private static func wholeDays(_ serial: String) -> Int? {
        let days: Int?? = serial.utf8.withContiguousStorageIfAvailable { u in
            guard (1...8).contains(u.count), u[0] != 48 || u.count == 1 else { return nil }
            var days = 0
            for b in u {
                guard b &- 48 < 10 else { return nil }
                days = days * 10 + Int(b - 48)
            }
            return days
        }
        return days ?? nil
    }

    private static func dateTime(days: Int, seconds: Int, date1904: Bool) -> CalendarDateTime? {
        let date: CalendarDate?
        if date1904 {
            date = CalendarDate(year: 1904, month: 1, day: 1)?.adding(days: days)
        } else {
            switch days {
            case ..<1: return nil
            case 60: return nil
            case 1..<60: date = CalendarDate(year: 1899, month: 12, day: 31)?.adding(days: days)
            default: date = CalendarDate(year: 1899, month: 12, day: 30)?.adding(days: days)
            }
        }
        guard let date else { return nil }
        return CalendarDateTime(date: date, hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60)
    }

    /// The date part of ``dateTime(fromSerial:date1904:)`` (after rounding to the second).
    public static func date(fromSerial serial: String, date1904: Bool) -> CalendarDate? {
        dateTime(fromSerial: serial, date1904: date1904)?.date
    }
}
