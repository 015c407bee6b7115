import GongzhiCore
import GongzhiIngest
import Vapor

extension Response {
    /// A JSON response whose body is `text`, already serialised JSON.
    static func json(text: String, status: HTTPResponseStatus = .ok) -> Response {
        let response = Response(status: status, body: .init(string: text))
        response.headers.contentType = .json
        return response
    }

    /// A JSON response of `value` (ordered keys, numbers as written).
    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> Response {
        json(text: value.serialized(), status: status)
    }
}

extension Response {
    /// The media type of an xlsx workbook.
    static let xlsxType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    /// The media type of the CSV downloads (UTF-8).
    static let csvType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])

    /// A file download: `body` of `type`, saved as `name` where the browser reads RFC 5987 (Chinese names),
    /// else as the ASCII `fallbackName`.
    static func download(_ body: Response.Body, type: HTTPMediaType, name: String, fallbackName: String) -> Response {
        let response = Response(status: .ok, body: body)
        response.headers.contentType = type
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? fallbackName
        response.headers.replaceOrAdd(name: .contentDisposition,
                                      value: "attachment; filename=\"\(fallbackName)\"; filename*=UTF-8''\(encoded)")
        return response
    }
}

extension Request {
    /// `table` as a one-sheet xlsx download (``XlsxTableWriter``), its `export` audit entry written first with
    /// the row count and `detail` (the export's file kind, e.g. `board.xlsx`).
    /// - Throws: xlsx writing and audit errors.
    func xlsxExport(_ table: XlsxTableWriter.Table, sheet: String, name: String, fallbackName: String, detail: String) async throws -> Response {
        let data = try XlsxTableWriter.workbook(sheet: sheet, table: table)
        try await audit.record(.export, by: auditActor, AuditTarget(query: auditQuery, rowCount: table.rows.count, detail: detail))
        return Response.download(.init(data: data), type: Response.xlsxType, name: name, fallbackName: fallbackName)
    }
}
