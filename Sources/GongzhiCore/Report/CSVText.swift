/// CSV for clerks (RFC 4180, UTF-8 with a byte-order mark so Excel opens it, CRLF line ends). A cell that
/// starts with `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet never runs it as a formula
/// (OWASP "CSV injection").
public enum CSVText {
    /// The UTF-8 byte-order mark that makes Excel read the file as UTF-8.
    public static let bom = "\u{FEFF}"

    /// The whole document: BOM, header line, then one line per row.
    public static func document(header: [String], rows: [[String]]) -> String {
        var out = bom + line(header)
        for row in rows { out += line(row) }
        return out
    }

    /// One line, with its CRLF.
    public static func line(_ cells: [String]) -> String {
        cells.map(field).joined(separator: ",") + "\r\n"
    }

    /// One cell, quoted when it holds a comma, quote or line break, or was neutralised.
    public static func field(_ text: String) -> String {
        var t = text
        if let first = t.first, "=+-@".contains(first) { t = "'" + t }
        let needsQuotes = t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        return needsQuotes || t != text ? "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : t
    }
}
