import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiTestSupport
import Testing

/// Issue 10: a file that is no xlsx or CSV is refused saying what it is — told by its content, not its name.
@Suite("Files that are not xlsx or CSV")
struct ForeignFormatTests {
    static func bytes(_ text: String) -> Data { Data(text.utf8) }

    /// (file name as uploaded, content, what it is)
    static let cases: [(String, Data, ForeignFormat)] = [
        ("说明.doc", TestFiles.compoundFile(streams: ["WordDocument", "1Table", "\u{5}SummaryInformation"]), .legacyWord),
        ("房产交易.xls", TestFiles.compoundFile(streams: ["Workbook", "\u{5}SummaryInformation", "\u{5}DocumentSummaryInformation"]), .legacyExcel),
        ("加密.xlsx", TestFiles.compoundFile(streams: ["\u{6}DataSpaces", "Version", "DataSpaceMap", "DataSpaceInfo",
                                                     "StrongEncryptionDataSpace", "TransformInfo", "EncryptionInfo", "EncryptedPackage"]),
         .encryptedOffice),
        ("演示.ppt", TestFiles.compoundFile(streams: ["PowerPoint Document", "Current User"]), .legacyPowerPoint),
        ("其他.msg", TestFiles.compoundFile(streams: ["__properties_version1.0"]), .compoundFile),
        ("截断.xls", Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0]), .compoundFile),
        ("扫描件.pdf", bytes("%PDF-1.7\n%\u{E2}\u{E3}\n1 0 obj\n"), .pdf),
        ("截图.png", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52]), .png),
        ("照片.jpg", Data([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00]), .jpeg),
        ("动图.gif", bytes("GIF89a\u{1}\u{0}\u{1}\u{0}"), .gif),
        ("信.rtf", bytes("{\\rtf1\\ansi\\ansicpg936 房产交易}"), .rtf),
        ("导出.xls", bytes("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><body><table><tr><td>合同编号</td></tr></table></body></html>"), .html),
        ("导出2.xls", bytes("\u{FEFF}<!DOCTYPE html>\n<html><table><tr><td>1</td></tr></table></html>"), .html),
        ("表格.xml", bytes("<?xml version=\"1.0\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"></Workbook>"), .spreadsheetXML),
        ("说明.txt", bytes("本月没有房产交易数据。\r\n经办人：张三\r\n"), .text),
        ("压缩包.gz", Data([0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0]), .gzip),
        ("程序.exe", Data([0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00]), .binary),
    ]

    @Test("a file is told by its magic bytes and, for OLE2 compound files, its directory", arguments: cases)
    func sniffed(_ file: (String, Data, ForeignFormat)) throws {
        let url = try Self.write(file.1, name: file.0)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: IngestError.unsupportedFormat(file.2)) { try SubmissionFormat.sniff(fileAt: url) }
        // and the importer refuses it with the Chinese name of what it is
        let message = IngestError.unsupportedFormat(file.2).message
        #expect(message.hasPrefix("这是") && message.contains(file.2.chineseName) && message.contains("请"))
    }

    @Test("a zip that is a Word document, an OpenDocument file or a plain archive is no workbook", arguments: [
        ("word.xlsx", ForeignFormat.word),
        ("ods.xlsx", ForeignFormat.openDocument),
        ("plain.zip", ForeignFormat.zipArchive),
    ])
    func zips(_ file: (String, ForeignFormat)) async throws {
        let data = switch file.1 {
        case .word: try TestFiles.docx()
        case .openDocument: try TestFiles.zip([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", "<office:document-content/>")])
        default: try TestFiles.zip([("readme.txt", "hello")])
        }
        let url = try Self.write(data, name: file.0)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try SubmissionFormat.sniff(fileAt: url) == .xlsx, "a zip goes to the workbook reader, which looks inside")
        #expect(throws: IngestError.unsupportedFormat(file.1)) { try XlsxWorkbook(url: url) }
        // the importer refuses it the same way (a Word file no longer gets "no worksheet")
        await #expect(throws: IngestError.unsupportedFormat(file.1)) {
            _ = try await ImporterBehaviourTests.run(data, name: file.0)
        }
    }

    @Test("CSV text, blank text and Excel's UTF-16 text are still read as CSV")
    func textStaysCSV() throws {
        for text in [Data("合同编号,房屋坐落\r\n1,2\r\n".utf8), Data("\r\n\r\n".utf8), Data("标题\r\n姓名\t地址\r\n".utf8),
                     Data([0xFF, 0xFE, 0x61, 0x00, 0x09, 0x00, 0x62, 0x00]), Data("BMI,身高\r\n1,2\r\n".utf8)] {
            let url = try Self.write(text, name: "x.csv")
            defer { try? FileManager.default.removeItem(at: url) }
            #expect(try SubmissionFormat.sniff(fileAt: url) == .csv)
        }
    }

    @Test("every refusal kind has its own file-level code, and the report has the one shape")
    func refusalReports() {
        let cases: [(IngestError, ImportErrorCode, Int?)] = [
            (.unsupportedFormat(.pdf), .unsupportedFormat, nil), (.corruptWorkbook(detail: "x"), .unreadableFile, nil),
            (.undecodableText, .unreadableFile, nil), (.noWorksheet, .unreadableFile, nil),
            (.forbiddenXMLDeclaration(part: "p"), .unsafeFile, nil), (.compressionRatioExceeded(limit: 500), .unsafeFile, nil),
            (.inflationLimitExceeded(limitBytes: 1 << 30), .fileTooLarge, nil), (.emptyFile, .emptyFile, nil),
            (.noDataRows(headerRow: 2), .noDataRows, 2), (.overlongRecord(limitBytes: 64 << 20), .unreadableFile, nil),
        ]
        for (error, code, row) in cases {
            let report = ImportReport(refusing: error, indicator: "HOU-001", period: "2024-03", file: "f")
            #expect(report.refused && report.rowsTotal == 0 && report.rowsAccepted == 0 && report.rowsRejected == 0)
            #expect(report.errors.count == 1 && report.errors[0].code == code && report.errors[0].row == row)
            #expect(code.isFileLevel && report.refusal == error.message)
            guard case .object(let members) = report.contractJSON(),
                  case .array(let errors)? = members.first(where: { $0.0 == "errors" })?.1,
                  case .object(let issue)? = errors.first else { Issue.record("no errors array"); continue }
            #expect(issue.map(\.0) == ["row", "field", "code", "value"])
            #expect(issue.first { $0.0 == "row" }?.1 == (row.map(JSONValue.int) ?? .null))
            #expect(members.first { $0.0 == "error" }?.1 == .string(code == .wrongTemplate ? "wrong_template" : "unreadable_file"))
        }
    }

    static func write(_ data: Data, name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-\(UUID().uuidString)-\(name)")
        try data.write(to: url)
        return url
    }
}
