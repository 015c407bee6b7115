import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiTestSupport
import Testing

/// What the importer does with files a clerk gets slightly wrong.
@Suite("Importer behaviour on imperfect files")
struct ImporterBehaviourTests {
    static let indicator = Indicator(
        code: "CASE-T01", unit: "case", name: "测试", period: .monthly, subject: "person", sharing: .registered,
        fields: [
            Field(key: "name", label: "姓名", type: .text, required: true),
            Field(key: "address", label: "地址", type: .text, required: true),
            Field(key: "amount", label: "金额", type: .decimal, required: true, unit: "元"),
        ])

    static func run(_ data: Data, name: String) async throws -> (ImportReport, [AcceptedRecord]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-\(UUID().uuidString)-\(name)")
        defer { try? FileManager.default.removeItem(at: url) }
        try data.write(to: url)
        let job = ImportJob(indicator: indicator, period: "2024-03", fileName: name,
                            identifiers: IdentifierValidator(divisions: try CatalogLoader.divisions(), today: SharedData.today))
        var records: [AcceptedRecord] = []
        let report = try await SubmissionImporter.run(file: url, job: job) { records += $0.records }
        return (report, records)
    }

    @Test("a CSV row with more fields than the header is rejected with a hint about unquoted commas")
    func unquotedComma() async throws {
        let csv = "姓名,地址,金额（元）\r\n张三,扬州市广陵区,100\r\n李四,扬州市,邗江区,200\r\n"
        let (report, records) = try await Self.run(Data(csv.utf8), name: "comma.csv")
        #expect(records.map(\.row) == [2])
        let issue = try #require(report.errors.first)
        #expect(issue.row == 3 && issue.field == nil && issue.code == .badFormat)
        #expect(issue.message.contains("英文双引号"))
        #expect(issue.message.contains("4 列"))
    }

    @Test("files with nothing in them, or only a header, are refused, not accepted with 0 rows")
    func emptyAndHeaderOnly() async throws {
        await #expect(throws: IngestError.emptyFile) { _ = try await Self.run(Data(), name: "empty.csv") }
        await #expect(throws: IngestError.emptyFile) { _ = try await Self.run(Data("\r\n,,\r\n".utf8), name: "blank.csv") }
        await #expect(throws: IngestError.noDataRows(headerRow: 1)) {
            _ = try await Self.run(Data("姓名,地址,金额（元）\r\n,,\r\n".utf8), name: "header.csv")
        }
    }

    @Test("a formula whose result was never saved is bad_format with the formula shown, not a missing value")
    func formulaWithoutCachedValue() async throws {
        let sheet = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
        <row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>地址</t></is></c><c r="C1" t="inlineStr"><is><t>金额（元）</t></is></c></row>
        <row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2" t="inlineStr"><is><t>扬州</t></is></c><c r="C2"><f>1000*2</f><v></v></c></row>
        <row r="3"><c r="A3" t="inlineStr"><is><t>李四</t></is></c><c r="B3" t="inlineStr"><is><t>扬州</t></is></c><c r="C3"><f>1000*3</f><v>3000</v></c></row>
        </sheetData></worksheet>
        """
        let (report, records) = try await Self.run(try TestWorkbook.xlsx(sheet: sheet), name: "formula.xlsx")
        #expect(records.map(\.row) == [3])
        #expect(records.first?.values[2] == .decimal("3000"))
        let issue = try #require(report.errors.first)
        #expect(issue.row == 2 && issue.field == "amount" && issue.code == .badFormat && issue.value == "=1000*2")
        #expect(issue.message.contains("公式"))
    }
}
