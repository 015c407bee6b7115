/// Dates and date-times written as text (附件1 第八条 date fields; samples/README.md "bad_date").
public enum DateText {
    /// The parts of a date (and optional time) as written; not yet checked against the calendar.
    public struct Parts: Sendable, Equatable {
        public var year, month, day: Int
        public var hour, minute, second: Int?
        /// Whether the text is a plain spelling (`yyyy-mm-dd`, `yyyy-mm-dd hh:mm:ss`, `yyyy-mm-ddThh:mm:ss`)
        /// whose reading is not a normalisation.
        public var isPlain: Bool
    }

    /// Splits trimmed, width-folded text into date parts. Accepted spellings: `2024-03-05`, `2024-3-5`,
    /// `2024/3/5`, `2024.3.5`, `2024年3月5日`, `20240305`, each optionally followed by a space or `T` and
    /// `h:mm` or `h:mm:ss`. Returns `nil` when the text is not written as a date at all.
    public static func parts(_ text: String) -> Parts? {
        if let plain = plainDate(text) { return plain }
        let u = Array(text.utf8)
        var i = 0
        func number(maxDigits: Int) -> (value: Int, digits: Int)? {
            var v = 0, n = 0
            while i < u.count, n < maxDigits, u[i] >= 48, u[i] <= 57 {
                v = v * 10 + Int(u[i] - 48); n += 1; i += 1
            }
            return n == 0 ? nil : (v, n)
        }
        func expect(_ bytes: [UInt8]) -> Bool {
            guard i + bytes.count <= u.count, Array(u[i..<(i + bytes.count)]) == bytes else { return false }
            i += bytes.count
            return true
        }
        // Compact yyyymmdd
        if u.count == 8, u.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            let y = Int(text.prefix(4))!, m = Int(text.dropFirst(4).prefix(2))!, d = Int(text.suffix(2))!
            return Parts(year: y, month: m, day: d, isPlain: false)
        }
        guard let y = number(maxDigits: 4), y.digits == 4 else { return nil }
        let year: [UInt8] = Array("年".utf8), month: [UInt8] = Array("月".utf8), day: [UInt8] = Array("日".utf8)
        var separator: UInt8 = 0
        var chinese = false
        if i < u.count, [UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ".")].contains(u[i]) {
            separator = u[i]; i += 1
        } else if expect(year) {
            chinese = true
        } else { return nil }
        guard let m = number(maxDigits: 2) else { return nil }
        if chinese { guard expect(month) else { return nil } } else { guard i < u.count, u[i] == separator else { return nil }; i += 1 }
        guard let d = number(maxDigits: 2) else { return nil }
        if chinese { guard expect(day) else { return nil } }
        var parts = Parts(year: y.value, month: m.value, day: d.value, isPlain: false)
        let plainDate = separator == UInt8(ascii: "-") && m.digits == 2 && d.digits == 2
        if i == u.count {
            parts.isPlain = plainDate
            return parts
        }
        guard u[i] == UInt8(ascii: " ") || u[i] == UInt8(ascii: "T") else { return nil }
        i += 1
        while i < u.count, u[i] == UInt8(ascii: " ") { i += 1 }
        guard let h = number(maxDigits: 2), expect([UInt8(ascii: ":")]), let mi = number(maxDigits: 2), mi.digits == 2 else { return nil }
        var s: (value: Int, digits: Int)? = nil
        if i < u.count {
            guard expect([UInt8(ascii: ":")]), let sec = number(maxDigits: 2), sec.digits == 2 else { return nil }
            s = sec
        }
        guard i == u.count else { return nil }
        parts.hour = h.value
        parts.minute = mi.value
        parts.second = s?.value ?? 0
        parts.isPlain = plainDate && h.digits == 2 && s != nil
        return parts
    }

    /// The parts of exactly `dddd-dd-dd` (the plain spelling, read as ``parts(_:)`` reads it), else `nil`.
    private static func plainDate(_ text: String) -> Parts? {
        let parts: Parts?? = text.utf8.withContiguousStorageIfAvailable { u in
            guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var v = 0
                for i in range {
                    let d = u[i] &- 48
                    guard d < 10 else { return nil }
                    v = v * 10 + Int(d)
                }
                return v
            }
            guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
            return Parts(year: y, month: m, day: d, isPlain: true)
        }
        return parts ?? nil
    }
}
