/// The character-level normalisation rules of the import contract (samples/README.md, fixtures/README.md).
///
/// These are the one place where trimming and width folding are defined; readers, header matching and
/// validators all call them.
public enum TextNormalization {
    /// Whether `scalar` is trimmed at the ends of a cell: Unicode white space (ASCII space, TAB, CR, LF,
    /// VT, FF, U+00A0, U+3000 and the other `White_Space` characters) plus U+FEFF BOM and U+200B ZWSP.
    @inline(__always)
    public static func isTrimmable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }

    /// `text` without trimmable characters at either end (inner ones are kept).
    public static func trim(_ text: String) -> String {
        // ASCII at both ends (the common case): decided from the first and last bytes.
        if let first = text.utf8.first, let last = text.utf8.last, first < 0x80, last < 0x80 {
            @inline(__always) func trimmable(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
            if !trimmable(first) && !trimmable(last) { return text }
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.first, let last = scalars.last,
              isTrimmable(first) || isTrimmable(last) else { return text }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isTrimmable(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isTrimmable(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }

    /// Full-width forms U+FF01...U+FF5E folded to ASCII U+0021...U+007E and U+3000 to a space
    /// (the NFKC width mapping for the characters identifiers, codes, numbers and dates use).
    public static func foldWidth(_ text: String) -> String {
        // Scalars from U+3000 on are the ones encoded with a UTF-8 lead byte of 0xE3 or more.
        guard text.utf8.contains(where: { $0 >= 0xE3 }),
              text.unicodeScalars.contains(where: { $0.value >= 0x3000 }) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s.value {
            case 0xFF01...0xFF5E: out.append(Unicode.Scalar(s.value - 0xFEE0)!)
            case 0x3000: out.append(" ")
            default: out.append(s)
            }
        }
        return String(out)
    }

    /// ASCII letters upper-cased; every other character unchanged.
    public static func upperASCII(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 97 && $0 <= 122 }) else { return text }
        return String(decoding: text.utf8.map { ($0 >= 97 && $0 <= 122) ? $0 - 32 : $0 }, as: UTF8.self)
    }

    /// Trim, fold width, upper-case ASCII: the first three steps of the identifier policy
    /// (fixtures/README.md "Normalisation policy").
    public static func identifierForm(_ raw: String) -> String {
        upperASCII(foldWidth(trim(raw)))
    }
}
