import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiTestSupport
import Testing
import ZIPFoundation

/// Workbooks built in the test (ZIPFoundation writes the zip): reading rules, hostile XML, broken archives.
@Suite struct XlsxSyntheticTests {
    // MARK: - Building workbooks

    static let contentTypes = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>
    """

    static let rootRels = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
    """

    static func workbookXML(_ sheets: [(name: String, rid: String)], date1904: Bool = false) -> String {
        let list = sheets.enumerated().map { i, s in "<sheet name=\"\(s.name)\" sheetId=\"\(i + 1)\" r:id=\"\(s.rid)\"/>" }.joined()
        return """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr\(date1904 ? " date1904=\"1\"" : "")/><sheets>\(list)</sheets></workbook>
        """
    }

    static func workbookRels(_ rels: [(id: String, type: String, target: String)]) -> String {
        let list = rels.map { r in
            "<Relationship Id=\"\(r.id)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/\(r.type)\" Target=\"\(r.target)\"/>"
        }.joined()
        return """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\(list)</Relationships>
        """
    }

    static func sheetXML(_ sheetData: String, tail: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>\(sheetData)</sheetData>\(tail)</worksheet>
        """
    }

    static let styles = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="3"><numFmt numFmtId="164" formatCode="000000"/><numFmt numFmtId="165" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="166" formatCode="#,##0.00&quot;元&quot;"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"><alignment horizontal="center"/></xf><xf numFmtId="14"/><xf numFmtId="2"/><xf numFmtId="166"/></cellXfs></styleSheet>
    """

    /// Writes a zip with these parts (deflated) to a fresh temp file.
    static func makeZip(_ parts: [(String, [UInt8])]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("book.xlsx")
        let archive = try Archive(url: url, accessMode: .create)
        for (path, bytes) in parts {
            let data = Data(bytes)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
        return url
    }

    /// A workbook with one or more sheets, shared strings and styles.
    static func makeWorkbook(sheets: [(name: String, xml: String)], sharedStrings: String? = nil, date1904: Bool = false,
                             workbook: String? = nil, extra: [(String, String)] = []) throws -> URL {
        var rels: [(id: String, type: String, target: String)] = []
        var parts: [(String, [UInt8])] = [("[Content_Types].xml", Array(contentTypes.utf8)), ("_rels/.rels", Array(rootRels.utf8))]
        for (i, s) in sheets.enumerated() {
            // Alternate absolute and relative targets.
            let target = i % 2 == 0 ? "worksheets/sheet\(i + 1).xml" : "/xl/worksheets/sheet\(i + 1).xml"
            rels.append(("rId\(i + 1)", "worksheet", target))
            parts.append(("xl/worksheets/sheet\(i + 1).xml", Array(s.xml.utf8)))
        }
        rels.append(("rIdS", "styles", "styles.xml"))
        parts.append(("xl/styles.xml", Array(styles.utf8)))
        if let sst = sharedStrings {
            rels.append(("rIdSST", "sharedStrings", "sharedStrings.xml"))
            parts.append(("xl/sharedStrings.xml", Array(sst.utf8)))
        }
        parts.append(("xl/_rels/workbook.xml.rels", Array(workbookRels(rels).utf8)))
        let wb = workbook ?? workbookXML(sheets.enumerated().map { i, s in (s.name, "rId\(i + 1)") }, date1904: date1904)
        parts.append(("xl/workbook.xml", Array(wb.utf8)))
        for (p, x) in extra { parts.append((p, Array(x.utf8))) }
        return try makeZip(parts)
    }

    static func rows(_ url: URL, sheet: Int = 0) throws -> [XlsxRow] {
        let wb = try XlsxWorkbook(url: url)
        let reader = try wb.open(wb.sheets[sheet])
        var rows: [XlsxRow] = []
        while let r = try reader.nextRow() { rows.append(r) }
        return rows
    }

    static func value(_ rows: [XlsxRow], _ row: Int, _ column: Int) -> RawCell? {
        rows.first { $0.number == row }?.cells.first { $0.column == column }?.value
    }

    // MARK: - Reading rules

    static let sst = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">\
    <si><t>纯文本</t></si>\
    <si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space="preserve"> 文本 </t></r><rPh sb="0" eb="1"><t>フ</t></rPh></si>\
    <si><t>A&amp;B &lt;c&gt; &quot;q&quot; &apos;a&apos; &#x4E2D;&#20013; &unknown;</t></si>\
    <si><t/></si>\
    <si><t>line1_x000D_
    line2 _x005F_x0041_</t></si>\
    <si><t><![CDATA[<raw & text>]]></t></si>\
    </sst>
    """

    @Test func cellTypesAndStrings() throws {
        let data = """
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c><c r="F1" t="s"><v>5</v></c></row>
        <row r="2"><c r="A2" t="inlineStr"><is><t>内联</t></is></c><c r="B2" t="inlineStr"><is><r><t>多</t></r><r><t>段</t></r><rPh><t>x</t></rPh></is></c><c r="C2" t="str"><f>A1&amp;"x"</f><v>公式结果</v></c><c r="D2" t="b"><v>1</v></c><c r="E2" t="b"><v>0</v></c><c r="F2" t="e"><v>#N/A</v></c></row>
        <row r="3"><c r="A3"><v>10010</v></c><c r="B3" s="1"><v>10010</v></c><c r="C3" s="2" t="n"><v>44931</v></c><c r="D3" s="3"><v>45000</v></c><c r="E3" s="4"><v>256.9</v></c><c r="F3" s="5"><v>1234567.5</v></c><c r="G3" s="99"><v>7</v></c></row>
        <row r="4"><c r="A4"><f>B3*10000</f></c><c r="B4"><f>B3*10000</f><v>100100000</v></c><c r="C4" t="str"><f>TEXT(A3,"0")</f></c><c r="D4" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>
        """
        let url = try Self.makeWorkbook(sheets: [("Sheet1", Self.sheetXML(data))], sharedStrings: Self.sst)
        let rows = try Self.rows(url)
        #expect(rows.map(\.number) == [1, 2, 3, 4])
        #expect(Self.value(rows, 1, 0) == .text("纯文本"))
        #expect(Self.value(rows, 1, 1) == .text("富 文本 "))
        #expect(Self.value(rows, 1, 2) == .text("A&B <c> \"q\" 'a' 中中 &unknown;"))
        #expect(Self.value(rows, 1, 3) == .text(""))
        #expect(Self.value(rows, 1, 4) == .text("line1\r\nline2 _x0041_"))
        #expect(Self.value(rows, 1, 5) == .text("<raw & text>"))

        #expect(Self.value(rows, 2, 0) == .text("内联"))
        #expect(Self.value(rows, 2, 1) == .text("多段"))
        #expect(Self.value(rows, 2, 2) == .text("公式结果"))
        #expect(Self.value(rows, 2, 3) == .boolean(true))
        #expect(Self.value(rows, 2, 4) == .boolean(false))
        #expect(Self.value(rows, 2, 5) == .error("#N/A"))

        #expect(Self.value(rows, 3, 0) == .number("10010", format: .general))
        guard case .number("10010", let zeroPadded)? = Self.value(rows, 3, 1) else { Issue.record("B3"); return }
        #expect(zeroPadded.code == "000000")
        #expect(!zeroPadded.isDateTime)
        #expect(zeroPadded.display("10010") == "010010")
        guard case .number("44931", let chineseDate)? = Self.value(rows, 3, 2) else { Issue.record("C3"); return }
        #expect(chineseDate.isDateTime)
        guard case .number("45000", let builtinDate)? = Self.value(rows, 3, 3) else { Issue.record("D3"); return }
        #expect(builtinDate.id == 14)
        #expect(builtinDate.isDateTime)
        guard case .number("256.9", let twoPlaces)? = Self.value(rows, 3, 4) else { Issue.record("E3"); return }
        #expect(twoPlaces.display("256.9") == "256.90")
        guard case .number("1234567.5", let yuan)? = Self.value(rows, 3, 5) else { Issue.record("F3"); return }
        #expect(yuan.display("1234567.5") == "1,234,567.50元")
        #expect(Self.value(rows, 3, 6) == .number("7", format: .general)) // style index out of range → General

        #expect(Self.value(rows, 4, 0) == .formula("=B3*10000"))
        #expect(Self.value(rows, 4, 1) == .number("100100000", format: .general))
        #expect(Self.value(rows, 4, 2) == .formula("=TEXT(A3,\"0\")"))
        #expect(Self.value(rows, 4, 3) == .error("#DIV/0!"))
    }

    @Test func missingReferencesCountOnAndPrefixesAreIgnored() throws {
        let data = """
        <x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>1</x:v></x:c><x:c r="E1"><x:v>5</x:v></x:c><x:c><x:v>6</x:v></x:c></x:row>\
        <x:row r="7" spans="1:3"><x:c r="c7"><x:v>3</x:v></x:c></x:row>\
        <x:row><!-- a comment --><x:c r="AB8"><x:v>28</x:v></x:c><?pi data?></x:row>\
        <x:row r="9"/>\
        <x:row r="10"><x:c r="A10" s="1"/><x:c r="B10" t="s"/></x:row>
        """
        let sheet = """
        <?xml version="1.0" encoding="UTF-8"?>
        <x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>\(data)</x:sheetData><x:mergeCells count="2"><x:mergeCell ref="A1:B2"/><x:mergeCell ref="C7"/></x:mergeCells></x:worksheet>
        """
        let url = try Self.makeWorkbook(sheets: [("Sheet1", sheet)])
        let wb = try XlsxWorkbook(url: url)
        let reader = try wb.open(wb.sheets[0])
        #expect(reader.mergedRanges == [XlsxMergedRange(firstRow: 1, lastRow: 2, firstColumn: 0, lastColumn: 1),
                                        XlsxMergedRange(firstRow: 7, lastRow: 7, firstColumn: 2, lastColumn: 2)])
        var rows: [XlsxRow] = []
        while let r = try reader.nextRow() { rows.append(r) }
        #expect(rows.map(\.number) == [1, 7, 8])
        #expect(rows[0].cells.map(\.column) == [0, 1, 4, 5])
        #expect(rows[0].cells[0].value == .text("a"))
        #expect(rows[1].cells.map(\.column) == [2])
        #expect(rows[2].cells.map(\.column) == [27])
    }

    @Test func sheetsInWorkbookOrderThroughRels() throws {
        let url = try Self.makeWorkbook(sheets: [
            ("说明", Self.sheetXML("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>readme</t></is></c></row>")),
            ("采集表", Self.sheetXML("<row r=\"3\"><c r=\"B3\"><v>42</v></c></row>")),
            ("Third &amp; last", Self.sheetXML("")),
        ], date1904: true)
        let wb = try XlsxWorkbook(url: url)
        #expect(wb.date1904)
        #expect(wb.sheets.map(\.name) == ["说明", "采集表", "Third & last"])
        #expect(wb.sheets.map(\.index) == [0, 1, 2])
        #expect(wb.sheets.map(\.path) == ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"])
        let second = try wb.open(try #require(wb.sheet(named: "采集表")))
        #expect(try second.nextRow() == XlsxRow(number: 3, cells: [XlsxCell(column: 1, value: .number("42", format: .general))]))
        #expect(try second.nextRow() == nil)
        let third = try wb.open(wb.sheets[2])
        #expect(third.mergedRanges.isEmpty)
        #expect(try third.nextRow() == nil)
    }

    // MARK: - Hostile and broken files

    @Test func doctypeInSheetIsRefused() throws {
        let sheet = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE worksheet [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>
        """
        let url = try Self.makeWorkbook(sheets: [("Sheet1", sheet)])
        let wb = try XlsxWorkbook(url: url) // the sheet is not parsed yet
        #expect(throws: IngestError.forbiddenXMLDeclaration(part: "xl/worksheets/sheet1.xml")) {
            let reader = try wb.open(wb.sheets[0])
            while try reader.nextRow() != nil {}
        }
    }

    @Test func entityDeclarationInsideSheetDataIsRefusedBeforeAnyRow() throws {
        // Opening streams the whole sheet once (for its merged ranges): a declaration anywhere is refused there,
        // before any row reaches the importer.
        let sheet = Self.sheetXML("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><!ENTITY x SYSTEM \"file:///etc/passwd\"><row r=\"2\"><c r=\"A2\"><v>2</v></c></row>")
        let url = try Self.makeWorkbook(sheets: [("Sheet1", sheet)])
        let wb = try XlsxWorkbook(url: url)
        #expect(throws: IngestError.forbiddenXMLDeclaration(part: "xl/worksheets/sheet1.xml")) { try wb.open(wb.sheets[0]) }
    }

    @Test func doctypeInWorkbookOrSharedStringsIsRefused() throws {
        let evilWorkbook = "<?xml version=\"1.0\"?><!DOCTYPE workbook SYSTEM \"http://example.invalid/x.dtd\">" + Self.workbookXML([("Sheet1", "rId1")])
        let a = try Self.makeWorkbook(sheets: [("Sheet1", Self.sheetXML(""))], workbook: evilWorkbook)
        #expect(throws: IngestError.forbiddenXMLDeclaration(part: "xl/workbook.xml")) { try XlsxWorkbook(url: a) }

        let evilSST = "<?xml version=\"1.0\"?><sst><!ENTITY e \"boom\"><si><t>&e;</t></si></sst>"
        let b = try Self.makeWorkbook(sheets: [("Sheet1", Self.sheetXML(""))], sharedStrings: evilSST)
        #expect(throws: IngestError.forbiddenXMLDeclaration(part: "xl/sharedStrings.xml")) { try XlsxWorkbook(url: b) }
    }

    @Test func truncatedArchiveIsCorrupt() throws {
        let source = SharedData.samples.appendingPathComponent("S01_HOU-001_xlsx/HOU-001_2024-03.xlsx")
        let bytes = try Data(contentsOf: source)
        for cut in [bytes.count / 2, bytes.count - 30, 100] {
            let url = try Self.makeZip([]).deletingLastPathComponent().appendingPathComponent("cut-\(cut).xlsx")
            try bytes.prefix(cut).write(to: url)
            #expect {
                try XlsxWorkbook(url: url)
            } throws: { error in
                guard case .corruptWorkbook = error as? IngestError else { return false }
                return true
            }
        }
    }

    @Test func damagedStoredDataFailsTheChecksum() throws {
        // A stored (uncompressed) sheet whose bytes are altered after zipping: only the CRC can tell.
        let sheet = Self.sheetXML("<row r=\"1\"><c r=\"A1\"><v>123456</v></c></row>")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("stored.xlsx")
        let archive = try Archive(url: url, accessMode: .create)
        let parts: [(String, String)] = [
            ("xl/workbook.xml", Self.workbookXML([("Sheet1", "rId1")])),
            ("xl/_rels/workbook.xml.rels", Self.workbookRels([("rId1", "worksheet", "worksheets/sheet1.xml")])),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        for (path, text) in parts {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .none) { p, n in
                data.subdata(in: Int(p)..<(Int(p) + n))
            }
        }
        var bytes = try [UInt8](Data(contentsOf: url))
        let needle = Array("123456".utf8)
        let at = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[at] = UInt8(ascii: "9")
        try Data(bytes).write(to: url)
        let wb = try XlsxWorkbook(url: url)
        #expect {
            try wb.open(wb.sheets[0])
        } throws: { error in
            guard case .corruptWorkbook(let detail) = error as? IngestError else { return false }
            return detail.contains("CRC")
        }
    }

    @Test func notAZipOrNoWorkbookIsUnsupported() throws {
        let dir = try Self.makeZip([]).deletingLastPathComponent()
        let pdf = dir.appendingPathComponent("fake.xlsx")
        try Data("%PDF-1.4\n garbage garbage".utf8).write(to: pdf)
        #expect {
            try XlsxWorkbook(url: pdf)
        } throws: { error in
            guard case .unsupportedFormat = error as? IngestError else { return false }
            return true
        }
        let plainZip = try Self.makeZip([("hello.txt", Array("hi".utf8))])
        #expect {
            try XlsxWorkbook(url: plainZip)
        } throws: { error in
            guard case .unsupportedFormat = error as? IngestError else { return false }
            return true
        }
        #expect {
            try XlsxWorkbook(url: dir.appendingPathComponent("does-not-exist.xlsx"))
        } throws: { error in
            guard case .cannotOpen = error as? IngestError else { return false }
            return true
        }
    }

    @Test func inflationLimitIsEnforcedAcrossParts() throws {
        // A highly compressible sheet: 8 MB of spaces inside sheetData.
        let padding = String(repeating: " ", count: 8_000_000)
        let url = try Self.makeWorkbook(sheets: [("Sheet1", Self.sheetXML("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" + padding))])
        let wb = try XlsxWorkbook(url: url, maxInflatedBytes: 1_000_000) // small parts fit
        #expect(throws: IngestError.inflationLimitExceeded(limitBytes: 1_000_000)) { try wb.open(wb.sheets[0]) }
        // With a big enough limit the same file reads.
        let ok = try XlsxWorkbook(url: url, maxInflatedBytes: 20_000_000)
        #expect(try ok.open(ok.sheets[0]).nextRow()?.number == 1)
        // Limits below the small parts fail at once.
        let sample = SharedData.samples.appendingPathComponent("S01_HOU-001_xlsx/HOU-001_2024-03.xlsx")
        #expect(throws: IngestError.inflationLimitExceeded(limitBytes: 500)) { try XlsxWorkbook(url: sample, maxInflatedBytes: 500) }
    }
}

