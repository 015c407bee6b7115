import GongzhiCore
import Vapor

extension CSVText {
    /// A download response of `csv`, saved as `fallbackName` or, where the browser reads RFC 5987, `name`.
    static func response(_ csv: String, name: String, fallbackName: String) -> Response {
        let response = Response(status: .ok, body: .init(string: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(fallbackName)\"; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? fallbackName)")
        return response
    }
}
