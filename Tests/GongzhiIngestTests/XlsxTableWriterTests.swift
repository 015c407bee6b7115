import Foundation
import GongzhiCore
import GongzhiIngest
import Testing
import ZIPFoundation

/// Issue 10: exports hold numbers and dates as typed cells; identifiers, codes and masked values as text.
@Suite("xlsx exports: typed cells")
struct XlsxTableWriterTests {
    static func sheet(_ table: XlsxTableWriter.Table) throws -> (sheet: String, styles: String) {
        let archive = try Archive(data: try XlsxTableWriter.workbook(sheet: "t", table: table), accessMode: .read)
        var parts: [String: String] = [:]
        for entry in archive {
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            parts[entry.path] = String(decoding: bytes, as: UTF8.self)
        }
        return (parts["xl/worksheets/sheet1.xml"] ?? "", parts["xl/styles.xml"] ?? "")
    }

    @Test("amounts are numbers, dates are date serials with a yyyy-mm-dd format, identifiers and masked values text")
    func typedCells() throws {
        let row: [XlsxTableWriter.Cell] = [
            .typed("4789548.50", as: .decimal), .typed("12", as: .integer), .typed("2024-03-25", as: .date),
            .typed("321027199808098431", as: .personID), .typed("***", as: .decimal), .typed("001234", as: .text),
            .typed("12345678901234567", as: .integer),
        ]
        let (sheet, styles) = try Self.sheet(XlsxTableWriter.Table(title: "T", header: ["a", "b", "c", "d", "e", "f", "g"], rows: [row]))
        #expect(sheet.contains(#"<c r="A3" s="3"><v>4789548.50</v></c>"#))
        #expect(sheet.contains(#"<c r="B3" s="3"><v>12</v></c>"#))
        // 2024-03-25 is day 45376 of Excel's calendar
        #expect(sheet.contains(#"<c r="C3" s="15"><v>45376</v></c>"#))
        for column in ["D", "E", "F", "G"] {
            #expect(sheet.contains("<c r=\"\(column)3\" s=\"3\" t=\"inlineStr\">"), "\(column) stays text")
        }
        #expect(styles.contains(#"<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>"#))
        #expect(styles.contains(#"<cellXfs count="21">"#))
    }
}
