/// Decimal numbers as text, so that no amount ever passes through `Double` (附件1 第八条; samples/README.md:
/// "compare as decimals").
public enum DecimalText {
    /// Reads a number as a clerk writes it, after trimming and width folding: optional sign, digits with
    /// optional thousands separators in correct three-digit groups (`1,234,567.50`), optional fraction.
    /// Returns the canonical text (`-`, digits without leading zeros or separators, the fraction as written:
    /// `1,234.50` → `1234.50`), or `nil` for anything else (`1.234,50`, `1,23,4.5`, `12O00`, `约35万`, `1E5`).
    public static func parseWritten(_ text: String) -> String? {
        if isCanonicalPlain(text) { return text }
        let u = Array(text.utf8)
        var i = 0
        var negative = false
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") {
            negative = u[i] == UInt8(ascii: "-")
            i += 1
        }
        var intDigits: [UInt8] = []
        var groupLength = 0
        var sawSeparator = false
        var firstGroupLength = 0
        while i < u.count, u[i] != UInt8(ascii: ".") {
            let b = u[i]
            if b >= 48 && b <= 57 {
                intDigits.append(b)
                groupLength += 1
            } else if b == UInt8(ascii: ",") {
                if sawSeparator {
                    guard groupLength == 3 else { return nil }
                } else {
                    guard (1...3).contains(groupLength) else { return nil }
                    firstGroupLength = groupLength
                }
                sawSeparator = true
                groupLength = 0
            } else {
                return nil
            }
            i += 1
        }
        if sawSeparator && groupLength != 3 { return nil }
        _ = firstGroupLength
        var fraction: [UInt8] = []
        if i < u.count {
            i += 1 // the point
            while i < u.count {
                let b = u[i]
                guard b >= 48 && b <= 57 else { return nil }
                fraction.append(b)
                i += 1
            }
            if fraction.isEmpty { return nil }
        }
        if intDigits.isEmpty && fraction.isEmpty { return nil }
        return assemble(negative: negative, integer: intDigits, fraction: fraction)
    }

    /// Reads a number cell exactly as stored in xlsx XML (`256.9`, `4789548`, `3.21002198001011e+17`,
    /// `1.5E-3`) into plain decimal text, rounded to Excel's 15 significant digits (so the binary artefact
    /// `256.94999999999999` reads as `256.95`), trailing fraction zeros removed. `nil` if not a number.
    public static func fromExcelNumber(_ text: String) -> String? {
        if isCanonicalPlain(text, maxDigits: 15, fractionEndsNonZero: true) { return text }
        let u = Array(text.utf8)
        var i = 0
        var negative = false
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") {
            negative = u[i] == UInt8(ascii: "-")
            i += 1
        }
        var digits: [UInt8] = []
        var pointPosition: Int? = nil
        while i < u.count {
            let b = u[i]
            if b >= 48 && b <= 57 {
                digits.append(b - 48)
            } else if b == UInt8(ascii: "."), pointPosition == nil {
                pointPosition = digits.count
            } else {
                break
            }
            i += 1
        }
        guard !digits.isEmpty else { return nil }
        var exponent = 0
        if i < u.count {
            guard u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") else { return nil }
            i += 1
            var expNegative = false
            if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") {
                expNegative = u[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < u.count else { return nil }
            while i < u.count {
                let b = u[i]
                guard b >= 48 && b <= 57, exponent < 10_000 else { return nil }
                exponent = exponent * 10 + Int(b - 48)
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        // value = 0.d1d2d3... × 10^(decimalExponent)
        var decimalExponent = (pointPosition ?? digits.count) + exponent
        // strip leading zeros
        while let first = digits.first, first == 0, digits.count > 1 {
            digits.removeFirst()
            decimalExponent -= 1
        }
        if digits.allSatisfy({ $0 == 0 }) { return "0" }
        // round to 15 significant digits, half away from zero
        if digits.count > 15 {
            let roundUp = digits[15] >= 5
            digits.removeSubrange(15...)
            if roundUp {
                var k = 14
                while k >= 0 {
                    if digits[k] == 9 { digits[k] = 0; k -= 1 } else { digits[k] += 1; break }
                }
                if k < 0 { digits.insert(1, at: 0); digits.removeLast(); decimalExponent += 1 }
            }
        }
        while digits.count > 1, digits.last == 0, digits.count > max(decimalExponent, 1) { digits.removeLast() }
        var intPart: [UInt8] = []
        var fracPart: [UInt8] = []
        if decimalExponent <= 0 {
            intPart = [48]
            fracPart = Array(repeating: 48, count: -decimalExponent) + digits.map { $0 + 48 }
        } else if decimalExponent >= digits.count {
            intPart = digits.map { $0 + 48 } + Array(repeating: 48, count: decimalExponent - digits.count)
        } else {
            intPart = digits[..<decimalExponent].map { $0 + 48 }
            fracPart = digits[decimalExponent...].map { $0 + 48 }
        }
        while fracPart.last == 48 { fracPart.removeLast() }
        return assemble(negative: negative, integer: intPart, fraction: fracPart)
    }

    /// Whether `text` is already the canonical result of ``parseWritten(_:)`` (and, with `maxDigits: 15,
    /// fractionEndsNonZero: true`, of ``fromExcelNumber(_:)``): `-?(0|[1-9][0-9]*)(\.[0-9]+)?` with at most
    /// `maxDigits` digits, not a negative zero. Such text is returned as is, without re-assembling it.
    static func isCanonicalPlain(_ text: String, maxDigits: Int = .max, fractionEndsNonZero: Bool = false) -> Bool {
        let result: Bool? = text.utf8.withContiguousStorageIfAvailable { u in
            var i = 0
            let negative = i < u.count && u[i] == UInt8(ascii: "-")
            if negative { i += 1 }
            let intStart = i
            while i < u.count, u[i] &- 48 < 10 { i += 1 }
            let intCount = i - intStart
            guard intCount > 0, intCount == 1 || u[intStart] != 48 else { return false }
            var digits = intCount
            var nonZero = intCount > 1 || u[intStart] != 48
            if i < u.count {
                guard u[i] == UInt8(ascii: ".") else { return false }
                i += 1
                let fracStart = i
                while i < u.count, u[i] &- 48 < 10 {
                    if u[i] != 48 { nonZero = true }
                    i += 1
                }
                guard i == u.count, i > fracStart else { return false }
                if fractionEndsNonZero, u[i - 1] == 48 { return false }
                digits += i - fracStart
            }
            guard digits <= maxDigits else { return false }
            return !negative || nonZero
        }
        return result ?? false
    }

    /// The form under which equal decimals compare equal: trailing fraction zeros and a bare point removed.
    public static func comparisonForm(_ canonical: String) -> String {
        guard canonical.contains(".") else { return canonical == "-0" ? "0" : canonical }
        var s = Substring(canonical)
        while s.last == "0" { s.removeLast() }
        if s.last == "." { s.removeLast() }
        return s == "-0" || s.isEmpty ? "0" : String(s)
    }

    /// The integer a canonical decimal denotes when its fraction is zero (`"12.00"` → `"12"`), else `nil`.
    public static func integerForm(_ canonical: String) -> String? {
        let c = comparisonForm(canonical)
        return c.contains(".") ? nil : c
    }

    private static func assemble(negative: Bool, integer: [UInt8], fraction: [UInt8]) -> String {
        var intDigits = integer[...]
        while intDigits.count > 1, intDigits.first == 48 { intDigits = intDigits.dropFirst() }
        var bytes: [UInt8] = []
        let isZero = intDigits.allSatisfy { $0 == 48 } && fraction.allSatisfy { $0 == 48 }
        if negative && !isZero { bytes.append(UInt8(ascii: "-")) }
        bytes.append(contentsOf: intDigits.isEmpty ? [48] : Array(intDigits))
        if !fraction.isEmpty {
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: fraction)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
