import Vapor

/// CSV for downloads opened in Excel: UTF-8 with a BOM, CRLF line ends, fields quoted when needed.
enum CSVText {
    /// The UTF-8 byte-order mark that makes Excel read the file as UTF-8.
    static let bom = "\u{FEFF}"

    /// `text` as one CSV field. A leading `=`, `+`, `-` or `@` would run as a formula when the file is opened
    /// in Excel, so such a field is prefixed with `'` (and quoted).
    static func field(_ text: String) -> String {
        let needsQuotes = text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        var t = text
        if let first = t.first, "=+-@".contains(first) { t = "'" + t }
        return needsQuotes || t != text ? "\"" + t.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : t
    }

    /// One CSV line (with CRLF) of `fields`.
    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// A download response of `csv`, saved as `fallbackName` or, where the browser reads RFC 5987, `name`.
    static func response(_ csv: String, name: String, fallbackName: String) -> Response {
        let response = Response(status: .ok, body: .init(string: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(fallbackName)\"; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? fallbackName)")
        return response
    }
}
