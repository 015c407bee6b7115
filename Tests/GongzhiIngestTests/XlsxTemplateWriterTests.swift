import Foundation
import GongzhiCore
import GongzhiIngest
import Testing
import Yams
import ZIPFoundation

/// Unzips a generated template and reads the little the tests need out of its XML.
private struct TemplateParts {
    let parts: [String: String]

    init(_ data: Data) throws {
        let archive = try Archive(data: data, accessMode: .read)
        var parts: [String: String] = [:]
        for entry in archive {
            var bytes = Data()
            _ = try archive.extract(entry) { bytes.append($0) }
            parts[entry.path] = String(decoding: bytes, as: UTF8.self)
        }
        self.parts = parts
    }

    var sheet: String { parts["xl/worksheets/sheet1.xml"] ?? "" }

    /// The inline-string cells of `row` in sheet1, in column order, unescaped.
    func rowTexts(_ row: Int) -> [String] {
        let pattern = #/<c r="([A-Z]+)(\d+)"[^>]*t="inlineStr"[^>]*><is><t[^>]*>([^<]*)</t></is></c>/#
        return sheet.matches(of: pattern)
            .filter { Int($0.output.2) == row }
            .map { unescape(String($0.output.3)) }
    }

    /// The `style` attribute of the `<col>` of zero-based column `index`.
    func columnStyle(_ index: Int) -> Int? {
        let n = index + 1
        for m in sheet.matches(of: #/<col min="(\d+)" max="(\d+)"[^>]*style="(\d+)"[^>]*/>/#)
        where Int(m.output.1)! <= n && n <= Int(m.output.2)! {
            return Int(m.output.3)
        }
        return nil
    }

    /// The `<xf>` elements of `cellXfs`, in order.
    var cellXfs: [String] {
        guard let styles = parts["xl/styles.xml"],
              let block = styles.firstMatch(of: #/<cellXfs[^>]*>(.*?)</cellXfs>/#) else { return [] }
        return block.output.1.matches(of: #/<xf [^>]*?(?:/>|>.*?</xf>)/#).map { String($0.output) }
    }

    /// numFmtId of cellXfs entry `style`.
    func numFmtID(ofStyle style: Int) -> Int? {
        let xfs = cellXfs
        guard style < xfs.count, let m = xfs[style].firstMatch(of: #/numFmtId="(\d+)"/#) else { return nil }
        return Int(m.output.1)
    }

    /// formatCode of custom number format `id`, if declared.
    func formatCode(_ id: Int) -> String? {
        guard let styles = parts["xl/styles.xml"] else { return nil }
        for m in styles.matches(of: #/<numFmt numFmtId="(\d+)" formatCode="([^"]*)"/#) where Int(m.output.1) == id {
            return unescape(String(m.output.2)).replacingOccurrences(of: "\\", with: "")
        }
        return nil
    }

    /// The data validations of sheet1: sqref → (type, formula1 unescaped).
    var validations: [String: (type: String, formula: String)] {
        var out: [String: (String, String)] = [:]
        let pattern = #/<dataValidation type="([a-zA-Z]+)"[^>]*sqref="([A-Z0-9:]+)"[^>]*><formula1>([^<]*)</formula1>/#
        for m in sheet.matches(of: pattern) {
            out[String(m.output.2)] = (String(m.output.1), unescape(String(m.output.3)))
        }
        return out
    }

    func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&#10;", with: "\n").replacingOccurrences(of: "&#9;", with: "\t")
            .replacingOccurrences(of: "&#13;", with: "\r").replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// `../shared/catalog/catalog.yaml` beside the package root.
private let catalogURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/catalog/catalog.yaml")

private func sharedCatalog() throws -> Catalog {
    let yaml = try String(contentsOf: catalogURL, encoding: .utf8)
    return try YAMLDecoder().decode(Catalog.self, from: yaml)
}

@Suite("XlsxTemplateWriter")
struct XlsxTemplateWriterTests {
    static let requiredParts = [
        "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
        "xl/styles.xml", "xl/worksheets/sheet1.xml",
    ]

    @Test("column names", arguments: [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA")])
    func columnNames(index: Int, name: String) {
        #expect(XlsxTemplateWriter.columnName(index) == name)
    }

    @Test("XML escaping")
    func escaping() {
        #expect(XlsxTemplateWriter.escape(#"a&b<c>"d"'e'"#) == "a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;")
        #expect(XlsxTemplateWriter.escape("x\u{1}y") == "xy")
        #expect(XlsxTemplateWriter.escape("换行\n") == "换行&#10;")
    }

    @Test("catalog templates", arguments: ["HOU-001", "PSB-002"])
    func catalogTemplate(code: String) throws {
        let catalog = try sharedCatalog()
        let indicator = try #require(catalog.indicator(code: code))
        let unit = try #require(catalog.unit(code: indicator.unit))
        let parts = try TemplateParts(XlsxTemplateWriter.template(for: indicator, unitName: unit.name))

        for name in Self.requiredParts { #expect(parts.parts[name] != nil, "missing part \(name)") }
        #expect(parts.parts["xl/sharedStrings.xml"] == nil)

        // Sheet named after the indicator code.
        #expect(parts.parts["xl/workbook.xml"]?.contains(#"<sheet name="\#(code)" sheetId="1""#) == true)

        // Row 1: the title, merged across all columns; row 2: the headers in order.
        #expect(parts.rowTexts(1) == ["\(unit.name) \(indicator.name) 报送模板"])
        let last = XlsxTemplateWriter.columnName(indicator.fields.count - 1)
        #expect(parts.sheet.contains(#"<mergeCell ref="A1:\#(last)1"/>"#))
        #expect(parts.rowTexts(2) == indicator.fields.map(\.header))
        #expect(parts.sheet.contains("<row r=\"3\"") == false)

        // Frozen below the header row.
        #expect(parts.sheet.contains(#"ySplit="2""#))
        #expect(parts.sheet.contains(#"state="frozen""#))

        let validations = parts.validations
        for (i, field) in indicator.fields.enumerated() {
            let column = XlsxTemplateWriter.columnName(i)
            let style = try #require(parts.columnStyle(i), "no column style for \(field.key)")
            // Identifier and text columns are text-formatted ("@", numFmtId 49).
            if field.type.isIdentifier || field.type == .text {
                #expect(parts.numFmtID(ofStyle: style) == 49, "\(field.key) is not a text column")
            }
            if field.type == .date {
                let id = try #require(parts.numFmtID(ofStyle: style))
                #expect(id == 14 || parts.formatCode(id) == "yyyy-mm-dd", "\(field.key) date format")
            }
            if field.type == .enum, let values = field.values {
                let validation = try #require(validations["\(column)3:\(column)10002"], "no list for \(field.key)")
                #expect(validation.type == "list")
                #expect(validation.formula == "\"" + values.joined(separator: ",") + "\"")
            }
            // Required headers are bold.
            let header = try #require(parts.sheet.firstMatch(of: try Regex(#"<c r="\#(column)2" s="(\d+)""#)))
            let headerStyle = try #require(Int(header.output[1].substring ?? ""))
            let xf = parts.cellXfs[headerStyle]
            let fontID = try #require(xf.firstMatch(of: #/fontId="(\d+)"/#)).output.1
            let styles = parts.parts["xl/styles.xml"] ?? ""
            let fonts = styles.firstMatch(of: #/<fonts[^>]*>(.*?)</fonts>/#)?.output.1.matches(of: #/<font>.*?</font>/#) ?? []
            let font = String(fonts[Int(fontID)!].output)
            #expect(font.contains("<b/>") == field.required, "\(field.key) header bold = required")
        }
    }

    @Test("identifier columns are text in HOU-001")
    func hou001Identifiers() throws {
        let indicator = try #require(try sharedCatalog().indicator(code: "HOU-001"))
        let parts = try TemplateParts(XlsxTemplateWriter.template(for: indicator, unitName: "市住房保障和房产管理局"))
        let ids = indicator.fields.enumerated().filter { $0.element.type.isIdentifier }
        #expect(ids.map(\.element.key) == ["buyer_id_no", "seller_id_no", "division_code"])
        for (i, _) in ids {
            #expect(parts.numFmtID(ofStyle: parts.columnStyle(i) ?? -1) == 49)
        }
        // usage is column C: 住宅,商业,办公,车库,其他.
        #expect(parts.validations["C3:C10002"]?.formula == #""住宅,商业,办公,车库,其他""#)
    }

    @Test("hand-built indicator: escaping, datetime, boolean, long lists")
    func handBuilt() throws {
        let long = (1...40).map { "选项值\($0)号" }
        let indicator = Indicator(
            code: "TST-001", unit: "test", name: "测试<&>\"项\"", period: .monthly, subject: "mixed",
            sharing: .registered,
            fields: [
                Field(key: "name", label: "名称&<简称>", type: .text, required: true, maxLength: 20),
                Field(key: "at", label: "发生时间", type: .datetime),
                Field(key: "flag", label: "是否有效", type: .boolean, required: true),
                Field(key: "kind", label: "类别", type: .enum, values: long),
                Field(key: "comma", label: "逗号", type: .enum, values: ["a,b", "c"]),
                Field(key: "amount", label: "金额", type: .decimal, unit: "万元"),
                Field(key: "uscc", label: "统一社会信用代码", type: .uscc, required: true),
            ])
        let parts = try TemplateParts(XlsxTemplateWriter.template(for: indicator, unitName: "某局 'A'"))
        #expect(parts.rowTexts(1) == ["某局 'A' 测试<&>\"项\" 报送模板"])
        #expect(parts.rowTexts(2) == indicator.fields.map(\.header))
        #expect(parts.rowTexts(2)[5] == "金额（万元）")
        #expect(parts.sheet.contains("名称&amp;&lt;简称&gt;"))

        #expect(parts.formatCode(parts.numFmtID(ofStyle: parts.columnStyle(1) ?? -1) ?? -1) == "yyyy-mm-dd hh:mm:ss")
        #expect(parts.numFmtID(ofStyle: parts.columnStyle(6) ?? -1) == 49)

        let validations = parts.validations
        #expect(validations["A3:A10002"]?.type == "textLength")
        #expect(validations["A3:A10002"]?.formula == "20")
        #expect(validations["C3:C10002"]?.formula == #""是,否""#)
        // Lists that cannot be inline (too long, or a value holding a comma) go to a hidden sheet.
        #expect(validations["D3:D10002"]?.formula == "lists!$A$1:$A$40")
        #expect(validations["E3:E10002"]?.formula == "lists!$B$1:$B$2")
        let workbook = parts.parts["xl/workbook.xml"] ?? ""
        #expect(workbook.contains(#"<sheet name="lists" sheetId="2" state="hidden" r:id="rId3"/>"#))
        #expect(parts.parts["xl/worksheets/sheet2.xml"]?.contains("<t>a,b</t>") == true)
        #expect(parts.parts["xl/worksheets/sheet2.xml"]?.contains("<t>选项值40号</t>") == true)
        #expect(parts.parts["[Content_Types].xml"]?.contains("/xl/worksheets/sheet2.xml") == true)
    }

    @Test("round trip through XlsxWorkbook", arguments: ["HOU-001", "PSB-002"])
    func roundTrip(code: String) throws {
        let catalog = try sharedCatalog()
        let indicator = try #require(catalog.indicator(code: code))
        let unitName = catalog.unit(code: indicator.unit)?.name ?? indicator.unit
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gongzhi-template-\(code)-\(UUID().uuidString).xlsx")
        try XlsxTemplateWriter.template(for: indicator, unitName: unitName).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        let workbook = try XlsxWorkbook(url: url)
        #expect(workbook.sheets.map(\.name) == [code])
        let reader = try workbook.open(try #require(workbook.sheets.first))
        var rows: [XlsxRow] = []
        while let row = try reader.nextRow() { rows.append(row) }
        func texts(_ row: XlsxRow) -> [String] {
            row.cells.compactMap { if case .text(let s) = $0.value { s } else { nil } }
        }
        #expect(rows.map(\.number) == [1, 2])
        #expect(texts(try #require(rows.first)) == ["\(unitName) \(indicator.name) 报送模板"])
        #expect(texts(try #require(rows.last)) == indicator.fields.map(\.header))
        #expect(reader.mergedRanges.count == 1)
    }

    @Test("the output is deterministic")
    func deterministic() throws {
        let indicator = try #require(try sharedCatalog().indicator(code: "PSB-002"))
        let a = try XlsxTemplateWriter.template(for: indicator, unitName: "市公安局")
        let b = try XlsxTemplateWriter.template(for: indicator, unitName: "市公安局")
        #expect(a == b)
        #expect(a.prefix(2) == Data("PK".utf8))
    }
}
