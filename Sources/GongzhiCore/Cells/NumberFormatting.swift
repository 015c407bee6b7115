/// Number format classification (date or not) and display of xlsx number cells as Excel would show them.
///
/// Everything here works on the decimal text of the cell XML; no value goes through `Double`.

extension NumberFormat {
    /// Classifies a built-in or custom number format.
    ///
    /// - `code == nil`: the built-in code for `id` (unknown ids → `General`).
    /// - `isDateTime`: built-in ids 14-22, 27-36, 45-47, 50-58, or a code with `y`, `m`, `d`, `h` or `s`
    ///   outside quotes, brackets and escapes (elapsed-time brackets `[h]`, `[mm]`, `[ss]` count as times).
    public init(id: Int, code: String?) {
        let resolved = code ?? NumberFormat.builtInCode(id) ?? "General"
        let isDate = NumberFormat.isBuiltInDateId(id) || NumberFormat.codeIsDateTime(resolved)
        self.init(id: id, code: resolved, isDateTime: isDate)
    }

    /// Whether `id` is one of the built-in date/time formats (14-22, 27-36, 45-47, 50-58).
    public static func isBuiltInDateId(_ id: Int) -> Bool {
        (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id)
    }

    /// The format code Excel uses for a built-in `numFmtId` (East Asian ids in their zh-CN form), or `nil`.
    public static func builtInCode(_ id: Int) -> String? {
        switch id {
        case 0: "General"
        case 1: "0"
        case 2: "0.00"
        case 3: "#,##0"
        case 4: "#,##0.00"
        case 5: "\"¥\"#,##0;\"¥\"\\-#,##0"
        case 6: "\"¥\"#,##0;[Red]\"¥\"\\-#,##0"
        case 7: "\"¥\"#,##0.00;\"¥\"\\-#,##0.00"
        case 8: "\"¥\"#,##0.00;[Red]\"¥\"\\-#,##0.00"
        case 9: "0%"
        case 10: "0.00%"
        case 11: "0.00E+00"
        case 12: "# ?/?"
        case 13: "# ??/??"
        case 14: "yyyy/m/d"
        case 15: "d-mmm-yy"
        case 16: "d-mmm"
        case 17: "mmm-yy"
        case 18: "h:mm AM/PM"
        case 19: "h:mm:ss AM/PM"
        case 20: "h:mm"
        case 21: "h:mm:ss"
        case 22: "yyyy/m/d h:mm"
        case 27, 36, 50, 52, 57: "yyyy\"年\"m\"月\""
        case 28, 29, 51, 53, 54, 58: "m\"月\"d\"日\""
        case 30: "m-d-yy"
        case 31: "yyyy\"年\"m\"月\"d\"日\""
        case 32: "h\"时\"mm\"分\""
        case 33: "h\"时\"mm\"分\"ss\"秒\""
        case 34, 55: "上午/下午h\"时\"mm\"分\""
        case 35, 56: "上午/下午h\"时\"mm\"分\"ss\"秒\""
        case 37: "#,##0 ;(#,##0)"
        case 38: "#,##0 ;[Red](#,##0)"
        case 39: "#,##0.00;(#,##0.00)"
        case 40: "#,##0.00;[Red](#,##0.00)"
        case 45: "mm:ss"
        case 46: "[h]:mm:ss"
        case 47: "mmss.0"
        case 48: "##0.0E+0"
        case 49: "@"
        default: nil
        }
    }

    /// Whether a format code shows a date or time: `y`, `m`, `d`, `h` or `s` outside quoted text, `\` escapes,
    /// `_`/`*` padding and brackets (except elapsed-time brackets such as `[h]`).
    public static func codeIsDateTime(_ code: String) -> Bool {
        let u = Array(code.utf8)
        var i = 0
        while i < u.count {
            let b = u[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                while i < u.count, u[i] != UInt8(ascii: "\"") { i += 1 }
                i += 1
            case UInt8(ascii: "\\"), UInt8(ascii: "_"), UInt8(ascii: "*"):
                i += 2
            case UInt8(ascii: "["):
                var j = i + 1
                while j < u.count, u[j] != UInt8(ascii: "]") { j += 1 }
                let inner = u[min(i + 1, u.count)..<min(j, u.count)]
                if !inner.isEmpty, inner.allSatisfy({ [UInt8(ascii: "h"), UInt8(ascii: "H"), UInt8(ascii: "m"),
                                                       UInt8(ascii: "M"), UInt8(ascii: "s"), UInt8(ascii: "S")].contains($0) }) {
                    return true
                }
                i = j + 1
            default:
                switch b | 0x20 {
                case UInt8(ascii: "y"), UInt8(ascii: "m"), UInt8(ascii: "d"), UInt8(ascii: "h"), UInt8(ascii: "s"):
                    // "General" has none of these letters; anything else with them is a date/time part.
                    return true
                default:
                    i += 1
                }
            }
        }
        return false
    }

    /// The number as Excel would display it in this format (for a number cell read into a text field).
    ///
    /// General → shortest form (`1`, `10010`, `256.9`; fractions to at most 15 significant digits, integers exact,
    /// very large or small exponent forms kept as stored); digit placeholders `0 # ?`, grouping `,`, decimal point,
    /// `%`, literal text, colours and `[$X-nnn]` currency are understood; anything else (dates, scientific,
    /// fractions, conditions, scaling commas, `@`) is shown as General.
    public func display(_ xmlNumber: String) -> String {
        guard let value = NumberFormatDecimal(xmlNumber) else { return xmlNumber }
        if isDateTime { return value.generalString(stored: xmlNumber) }
        if let s = NumberFormatRenderer.render(value, code: code, stored: xmlNumber) { return s }
        return value.generalString(stored: xmlNumber)
    }
}

/// A decimal number parsed exactly from its text: `0.digits × 10^pointPos`, no leading or trailing zero digits.
struct NumberFormatDecimal: Sendable, Equatable {
    var negative: Bool
    /// ASCII digits, no leading or trailing zeros; empty for zero.
    var digits: [UInt8]
    var pointPos: Int
    /// Whether the text used an exponent (`3.2e+17`).
    var hadExponent: Bool

    init?(_ text: String) {
        var u = Array(text.utf8)
        // Tolerate surrounding ASCII spaces.
        while let l = u.last, l == 0x20 { u.removeLast() }
        var i = 0
        while i < u.count, u[i] == 0x20 { i += 1 }
        var neg = false
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { neg = u[i] == UInt8(ascii: "-"); i += 1 }
        var ds: [UInt8] = []
        ds.reserveCapacity(u.count)
        var intCount = 0
        var sawDigit = false
        var sawPoint = false
        while i < u.count {
            let b = u[i]
            if b >= 48, b <= 57 {
                sawDigit = true
                ds.append(b)
                if !sawPoint { intCount += 1 }
            } else if b == UInt8(ascii: "."), !sawPoint {
                sawPoint = true
            } else { break }
            i += 1
        }
        guard sawDigit else { return nil }
        var exp = 0
        var hadExp = false
        if i < u.count, u[i] | 0x20 == UInt8(ascii: "e") {
            hadExp = true
            i += 1
            var eneg = false
            if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { eneg = u[i] == UInt8(ascii: "-"); i += 1 }
            var any = false
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                any = true
                if exp < 100_000 { exp = exp * 10 + Int(u[i] - 48) }
                i += 1
            }
            guard any else { return nil }
            if eneg { exp = -exp }
        }
        guard i == u.count else { return nil }
        // Strip leading zeros.
        var lead = 0
        while lead < ds.count, ds[lead] == 48 { lead += 1 }
        var point = intCount - lead + exp
        ds.removeFirst(lead)
        while let l = ds.last, l == 48 { ds.removeLast() }
        if ds.isEmpty { point = 0; neg = false }
        negative = neg
        digits = ds
        pointPos = point
        hadExponent = hadExp
    }

    init(negative: Bool, digits: [UInt8], pointPos: Int) {
        self.negative = negative
        self.digits = digits
        self.pointPos = pointPos
        self.hadExponent = false
    }

    var isZero: Bool { digits.isEmpty }

    /// Integer-part digits (no leading zeros; empty for |x| < 1).
    var integerDigits: [UInt8] {
        guard pointPos > 0, !digits.isEmpty else { return [] }
        if pointPos >= digits.count { return digits + [UInt8](repeating: 48, count: pointPos - digits.count) }
        return Array(digits[0..<pointPos])
    }

    /// Fraction digits (no trailing zeros).
    var fractionDigits: [UInt8] {
        if digits.isEmpty { return [] }
        if pointPos >= digits.count { return [] }
        if pointPos >= 0 { return Array(digits[pointPos...]) }
        return [UInt8](repeating: 48, count: -pointPos) + digits
    }

    /// Multiplied by 10^n.
    func shifted(_ n: Int) -> NumberFormatDecimal {
        var c = self
        if !c.digits.isEmpty { c.pointPos += n }
        return c
    }

    /// Rounded (half away from zero) to `places` fraction digits: (integer digits, fraction digits padded to `places`).
    func rounded(toPlaces places: Int) -> (int: [UInt8], frac: [UInt8]) {
        var int = integerDigits
        var frac = fractionDigits
        if frac.count > places {
            let roundUp = frac[places] >= 53
            frac.removeSubrange(places...)
            if roundUp {
                var carry = true
                var k = frac.count - 1
                while carry, k >= 0 {
                    if frac[k] == 57 { frac[k] = 48; k -= 1 } else { frac[k] += 1; carry = false }
                }
                if carry {
                    k = int.count - 1
                    while carry, k >= 0 {
                        if int[k] == 57 { int[k] = 48; k -= 1 } else { int[k] += 1; carry = false }
                    }
                    if carry { int.insert(49, at: 0) }
                }
            }
        }
        if frac.count < places { frac += [UInt8](repeating: 48, count: places - frac.count) }
        return (int, frac)
    }

    /// Excel's General display: integers exact, fractions to at most 15 significant digits, trailing zeros dropped;
    /// a stored exponent form too large or small for a plain form is returned as stored.
    func generalString(stored: String) -> String {
        if digits.isEmpty { return "0" }
        if hadExponent, pointPos > 15 || pointPos < -8 { return stored }
        let intCount = max(pointPos, 0)
        let places: Int
        if intCount >= 15 {
            places = 0
        } else if pointPos >= 0 {
            places = 15 - intCount
        } else {
            places = 15 - pointPos // leading zeros after the point do not count as significant
        }
        var (int, frac) = rounded(toPlaces: places)
        if digits.count <= pointPos { (int, frac) = (integerDigits, []) } // integer: exact
        while let l = frac.last, l == 48 { frac.removeLast() }
        var out: [UInt8] = []
        let allZero = int.allSatisfy { $0 == 48 } && frac.allSatisfy { $0 == 48 }
        if negative, !allZero { out.append(UInt8(ascii: "-")) }
        if int.isEmpty { out.append(48) } else { out += int }
        if !frac.isEmpty { out.append(UInt8(ascii: ".")); out += frac }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Renders a number through a (subset of) Excel number-format code; `nil` when the code is not understood.
enum NumberFormatRenderer {
    enum Token: Equatable {
        case literal([UInt8])
        case digit(UInt8)     // '0', '#', '?'
        case point
        case percent
        case general
    }

    struct Section {
        var tokens: [Token] = []
        var grouping = false
    }

    static func render(_ value: NumberFormatDecimal, code: String, stored: String) -> String? {
        guard let sections = parse(code), !sections.isEmpty else { return nil }
        var section = sections[0]
        var signPrefix = value.negative
        if value.negative, sections.count >= 2 {
            section = sections[1]
            signPrefix = false
        } else if value.isZero, sections.count >= 3 {
            section = sections[2]
        }
        var v = value
        v.negative = false
        return renderSection(section, value: v, negative: signPrefix, stored: stored)
    }

    /// Splits and tokenises the code; `nil` for anything not understood.
    static func parse(_ code: String) -> [Section]? {
        let u = Array(code.utf8)
        var sections: [Section] = []
        var cur = Section()
        var i = 0
        func lit(_ bytes: [UInt8]) {
            if case .literal(let prev)? = cur.tokens.last {
                cur.tokens[cur.tokens.count - 1] = .literal(prev + bytes)
            } else {
                cur.tokens.append(.literal(bytes))
            }
        }
        while i < u.count {
            let b = u[i]
            switch b {
            case UInt8(ascii: ";"):
                sections.append(cur)
                cur = Section()
                i += 1
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < u.count, u[j] != UInt8(ascii: "\"") { j += 1 }
                lit(Array(u[(i + 1)..<min(j, u.count)]))
                i = j + 1
            case UInt8(ascii: "\\"):
                guard i + 1 < u.count else { return nil }
                var j = i + 1
                // Escape one whole UTF-8 scalar.
                j += 1
                while j < u.count, u[j] & 0xC0 == 0x80 { j += 1 }
                lit(Array(u[(i + 1)..<j]))
                i = j
            case UInt8(ascii: "_"), UInt8(ascii: "*"):
                // Padding/fill with the next character: shown as nothing here.
                i += 2
                while i < u.count, u[i] & 0xC0 == 0x80 { i += 1 }
            case UInt8(ascii: "["):
                var j = i + 1
                while j < u.count, u[j] != UInt8(ascii: "]") { j += 1 }
                guard j < u.count else { return nil }
                let inner = Array(u[(i + 1)..<j])
                if inner.first == UInt8(ascii: "$") {
                    // [$¥-804] currency/locale: the text before '-' is shown.
                    let body = inner.dropFirst()
                    let text = body.prefix { $0 != UInt8(ascii: "-") }
                    if !text.isEmpty { lit(Array(text)) }
                } else if isColour(inner) {
                    // colour: not shown
                } else {
                    return nil // conditions, DBNum, elapsed time...
                }
                i = j + 1
            case UInt8(ascii: "0"), UInt8(ascii: "#"), UInt8(ascii: "?"):
                cur.tokens.append(.digit(b))
                i += 1
            case UInt8(ascii: "."):
                if cur.tokens.contains(.point) { lit([b]) } else { cur.tokens.append(.point) }
                i += 1
            case UInt8(ascii: ","):
                let prevIsDigit: Bool = { if case .digit? = cur.tokens.last { return true }; return false }()
                let nextIsDigit = i + 1 < u.count && [UInt8(ascii: "0"), UInt8(ascii: "#"), UInt8(ascii: "?")].contains(u[i + 1])
                if prevIsDigit, nextIsDigit, !cur.tokens.contains(.point) {
                    cur.grouping = true
                } else if prevIsDigit {
                    return nil // scaling by 1000
                } else {
                    lit([b])
                }
                i += 1
            case UInt8(ascii: "%"):
                cur.tokens.append(.percent)
                i += 1
            case UInt8(ascii: "@"), UInt8(ascii: "/"):
                return nil
            case UInt8(ascii: "E"), UInt8(ascii: "e"):
                return nil
            case UInt8(ascii: "G"), UInt8(ascii: "g"):
                if i + 7 <= u.count, String(decoding: u[i..<(i + 7)], as: UTF8.self).lowercased() == "general" {
                    cur.tokens.append(.general)
                    i += 7
                } else {
                    return nil
                }
            default:
                switch b | 0x20 {
                case UInt8(ascii: "y"), UInt8(ascii: "m"), UInt8(ascii: "d"), UInt8(ascii: "h"), UInt8(ascii: "s"),
                     UInt8(ascii: "a"), UInt8(ascii: "b"):
                    return nil
                default:
                    var j = i + 1
                    while j < u.count, u[j] & 0xC0 == 0x80 { j += 1 }
                    lit(Array(u[i..<j]))
                    i = j
                }
            }
        }
        sections.append(cur)
        return sections
    }

    static func isColour(_ inner: [UInt8]) -> Bool {
        let s = String(decoding: inner, as: UTF8.self).lowercased()
        return ["black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"].contains(s) || s.hasPrefix("color")
    }

    static func renderSection(_ section: Section, value: NumberFormatDecimal, negative: Bool, stored: String) -> String? {
        let tokens = section.tokens
        var v = value
        let percents = tokens.filter { $0 == .percent }.count
        if percents > 0 { v = v.shifted(2 * percents) }
        let hasGeneral = tokens.contains(.general)
        let pointIndex = tokens.firstIndex(of: .point)
        var intPlaceholders: [Int] = []   // token indices
        var fracPlaceholders: [Int] = []
        for (k, t) in tokens.enumerated() {
            if case .digit = t {
                if let p = pointIndex, k > p { fracPlaceholders.append(k) } else { intPlaceholders.append(k) }
            }
        }
        if hasGeneral {
            // e.g. "¥"General: literals around the General form.
            if !intPlaceholders.isEmpty || !fracPlaceholders.isEmpty { return nil }
            var out: [UInt8] = []
            if negative { out.append(UInt8(ascii: "-")) }
            for t in tokens {
                switch t {
                case .literal(let l): out += l
                case .general:
                    // The stored text (less its sign, shown separately) when no percent scaling applies.
                    let unsigned = stored.hasPrefix("-") || stored.hasPrefix("+") ? String(stored.dropFirst()) : stored
                    out += Array(v.generalString(stored: percents > 0 ? v.plainString : unsigned).utf8)
                case .percent: out.append(UInt8(ascii: "%"))
                case .point: out.append(UInt8(ascii: "."))
                case .digit: break
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        if intPlaceholders.isEmpty, fracPlaceholders.isEmpty {
            // Literal-only section (e.g. "-" for zero): shown as is.
            var out: [UInt8] = []
            for t in tokens { if case .literal(let l) = t { out += l } else if t == .percent { out.append(UInt8(ascii: "%")) } }
            return String(decoding: out, as: UTF8.self)
        }
        let (intDigits, fracDigits) = v.rounded(toPlaces: fracPlaceholders.count)

        // Integer part: fill placeholders right to left; the leftmost takes all remaining digits.
        var intOut = [Int: [UInt8]]() // token index -> text
        if section.grouping {
            var minDigits = 0
            for k in intPlaceholders { if case .digit(let d) = tokens[k], d != UInt8(ascii: "#") { minDigits += 1 } }
            var ds = intDigits
            if ds.count < minDigits { ds = [UInt8](repeating: 48, count: minDigits - ds.count) + ds }
            var grouped: [UInt8] = []
            for (n, d) in ds.enumerated() {
                if n > 0, (ds.count - n) % 3 == 0 { grouped.append(UInt8(ascii: ",")) }
                grouped.append(d)
            }
            for k in intPlaceholders { intOut[k] = [] }
            if let first = intPlaceholders.first { intOut[first] = grouped }
        } else {
            var remaining = intDigits[...]
            for (n, k) in intPlaceholders.enumerated().reversed() {
                guard case .digit(let d) = tokens[k] else { continue }
                if n == 0 {
                    if !remaining.isEmpty {
                        intOut[k] = Array(remaining)
                    } else {
                        intOut[k] = d == UInt8(ascii: "0") ? [48] : d == UInt8(ascii: "?") ? [0x20] : []
                    }
                    remaining = []
                } else if let last = remaining.last {
                    intOut[k] = [last]
                    remaining = remaining.dropLast()
                } else {
                    intOut[k] = d == UInt8(ascii: "0") ? [48] : d == UInt8(ascii: "?") ? [0x20] : []
                }
            }
            if intPlaceholders.isEmpty, !intDigits.isEmpty {
                // ".00" with an integer part: Excel still shows the integer digits before the point.
                if let p = pointIndex { intOut[p] = intDigits }
            }
        }
        // Fraction part: trailing '#' drop zeros, trailing '?' become spaces.
        var fracOut = [Int: [UInt8]]()
        var dropping = true
        for (n, k) in fracPlaceholders.enumerated().reversed() {
            guard case .digit(let d) = tokens[k] else { continue }
            let digit = fracDigits[n]
            if dropping, digit == 48, d != UInt8(ascii: "0") {
                fracOut[k] = d == UInt8(ascii: "?") ? [0x20] : []
            } else {
                dropping = false
                fracOut[k] = [digit]
            }
        }
        var out: [UInt8] = []
        let allZero = intDigits.allSatisfy { $0 == 48 } && fracDigits.allSatisfy { $0 == 48 }
        if negative, !allZero { out.append(UInt8(ascii: "-")) }
        for (k, t) in tokens.enumerated() {
            switch t {
            case .literal(let l): out += l
            case .digit: out += intOut[k] ?? fracOut[k] ?? []
            case .point:
                out += intOut[k] ?? []
                out.append(UInt8(ascii: "."))
            case .percent: out.append(UInt8(ascii: "%"))
            case .general: break
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension NumberFormatDecimal {
    /// Plain decimal text of the value (no exponent).
    var plainString: String {
        if digits.isEmpty { return "0" }
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        let int = integerDigits
        out += int.isEmpty ? [48] : int
        let frac = fractionDigits
        if !frac.isEmpty { out.append(UInt8(ascii: ".")); out += frac }
        return String(decoding: out, as: UTF8.self)
    }
}
