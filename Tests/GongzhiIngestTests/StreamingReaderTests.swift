import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiTestSupport
import Testing
#if canImport(CZlib)
import CZlib
#elseif canImport(zlib)
import zlib
#endif

/// The streaming readers: every chunk boundary gives the same rows, encodings are detected over the whole file,
/// hostile workbooks are refused early, and the buffers stay small whatever the number of rows.
@Suite struct StreamingReaderTests {
    static let tinyChunks = [1, 2, 3, 7, 64, 4096]

    // MARK: - Shared files

    static func sharedFiles(_ suffix: String) -> [URL] {
        [SharedData.samples, SharedData.realworldCases].flatMap { root in
            SharedData.directories(in: root).flatMap { dir -> [URL] in
                let folder = root.appendingPathComponent(dir)
                let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
                return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder.appendingPathComponent($0) }
            }
        }
    }

    static let csvFiles = sharedFiles(".csv").filter { !$0.lastPathComponent.hasPrefix("divisions") }
    static let xlsxFiles = sharedFiles(".xlsx")

    static func csvRows(_ reader: CsvReader) throws -> [SheetRow] {
        var reader = reader
        var rows: [SheetRow] = []
        while let row = try reader.nextRow() { rows.append(row) }
        return rows
    }

    struct SheetDump: Equatable {
        var name: String
        var merges: [XlsxMergedRange]
        var rows: [XlsxRow]
    }

    static func xlsxDump(_ url: URL, chunkSize: Int?) throws -> [SheetDump] {
        let wb = try chunkSize.map {
            // Tiny chunks, and a shared-string table that spills to its temporary file after a few bytes.
            try XlsxWorkbook(url: url, maxInflatedBytes: 2_000_000_000, maxCompressionRatio: 1000,
                             ratioCheckAfterBytes: 16 << 20, chunkSize: $0,
                             sharedStrings: .init(memoryBytes: $0 * 5, blockSize: $0, cachedBlocks: 2))
        } ?? XlsxWorkbook(url: url)
        return try wb.sheets.map { info in
            let reader = try wb.open(info)
            var rows: [XlsxRow] = []
            while let row = try reader.nextRow() { rows.append(row) }
            return SheetDump(name: info.name, merges: reader.mergedRanges, rows: rows)
        }
    }

    @Test func sharedFilesAreFound() {
        #expect(Self.csvFiles.count >= 5)
        #expect(Self.xlsxFiles.count >= 12)
    }

    @Test("CSV: every chunk size gives the rows of the whole-file reader", arguments: csvFiles)
    func csvChunkBoundaries(_ url: URL) throws {
        let data = try Data(contentsOf: url)
        let expected = try ReferenceCsv.rows(data)
        #expect(!expected.isEmpty)
        let whole = try CsvReader(url: url)
        #expect(try Self.csvRows(whole) == expected)
        for size in Self.tinyChunks {
            let reader = try CsvReader(url: url, chunkSize: size)
            #expect(reader.encoding == whole.encoding)
            #expect(try Self.csvRows(reader) == expected, "chunk size \(size)")
            #expect(try Self.csvRows(CsvReader(data: data, chunkSize: size)) == expected, "in memory, chunk size \(size)")
        }
    }

    @Test("xlsx: every chunk size gives the same rows and merged ranges", arguments: xlsxFiles)
    func xlsxChunkBoundaries(_ url: URL) throws {
        let expected = try Self.xlsxDump(url, chunkSize: nil)
        #expect(!expected.isEmpty && !expected[0].rows.isEmpty)
        for size in Self.tinyChunks {
            #expect(try Self.xlsxDump(url, chunkSize: size) == expected, "chunk size \(size)")
        }
    }

    @Test func xlsxMarkupOfEveryKindAcrossChunkBoundaries() throws {
        // Comments, CDATA, processing instructions, entities, rich text, shared strings, prefixes, merges before
        // and after the data.
        let data = """
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>4</v></c><c r="E1" t="s"><v>5</v></c></row>\
        <!-- a comment with <row r="99"> inside --><?pi <c r="Z9"/> ?>\
        <row r="2"><c r="A2" t="inlineStr"><is><r><t>富</t></r><r><t xml:space="preserve"> 文本 </t></r></is></c>\
        <c r="B2" t="str"><f>A1&amp;"x"</f><v>a&lt;b_x000D_c</v></c><c r="C2"><v><![CDATA[12]]>3</v></c><c r="D2" t="b"><v>1</v></c></row>\
        <x:row r="4"><x:c r="C4"><x:v>4.5</x:v></x:c></x:row>
        """
        let tail = "<mergeCells count=\"2\"><mergeCell ref=\"A1:B1\"/><!-- <mergeCell ref=\"Z1:Z9\"/> --><mergeCell ref=\"C2:C4\"/></mergeCells>"
        let url = try XlsxSyntheticTests.makeWorkbook(sheets: [("Sheet1", XlsxSyntheticTests.sheetXML(data, tail: tail))],
                                                      sharedStrings: XlsxSyntheticTests.sst)
        let expected = try Self.xlsxDump(url, chunkSize: nil)
        #expect(expected[0].rows.map(\.number) == [1, 2, 4])
        #expect(expected[0].merges.count == 2)
        for size in 1...13 {
            #expect(try Self.xlsxDump(url, chunkSize: size) == expected, "chunk size \(size)")
        }
    }

    @Test func doctypeIsRefusedWhateverTheChunkSize() throws {
        let sheet = """
        <?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol "lol">]><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>
        """
        let url = try XlsxSyntheticTests.makeWorkbook(sheets: [("Sheet1", sheet)])
        for size in [1, 2, 3, 7, 11] {
            let wb = try XlsxWorkbook(url: url, maxInflatedBytes: 1 << 30, maxCompressionRatio: 1000,
                                      ratioCheckAfterBytes: 1 << 20, chunkSize: size)
            #expect(throws: IngestError.forbiddenXMLDeclaration(part: "xl/worksheets/sheet1.xml")) { try wb.open(wb.sheets[0]) }
        }
    }

    // MARK: - CSV boundaries and encodings

    @Test func quotedLineBreakSplitAcrossChunks() throws {
        let text = "名称,说明,值\r\nA,\"第一行\r\n第二行 \"\"引号\"\"\",1\r\n\r\nB,\"x\ny\",2"
        let data = Data(text.utf8)
        let expected = [
            SheetRow(number: 1, cells: [Self.cell(0, "名称"), Self.cell(1, "说明"), Self.cell(2, "值")]),
            SheetRow(number: 2, cells: [Self.cell(0, "A"), Self.cell(1, "第一行\n第二行 \"引号\""), Self.cell(2, "1")]),
            SheetRow(number: 3, cells: []),
            SheetRow(number: 4, cells: [Self.cell(0, "B"), Self.cell(1, "x\ny"), Self.cell(2, "2")]),
        ]
        #expect(try ReferenceCsv.rows(data) == expected)
        for size in 1...data.count {
            #expect(try Self.csvRows(CsvReader(data: data, chunkSize: size)) == expected, "chunk size \(size)")
        }
    }

    @Test func gb18030FourByteSequenceSplitAcrossChunks() throws {
        // "名称,值\n𠀀甲,1\n" in GB18030: 𠀀 (U+20000) is the 4-byte sequence 95 32 82 36.
        var bytes: [UInt8] = [0xC3, 0xFB, 0xB3, 0xC6, 0x2C, 0xD6, 0xB5, 0x0A]
        bytes += [0x95, 0x32, 0x82, 0x36, 0xBC, 0xD7, 0x2C, 0x31, 0x0A]
        let data = Data(bytes)
        for size in 1...bytes.count {
            let reader = try CsvReader(data: data, chunkSize: size)
            #expect(reader.encoding == .gb18030)
            let rows = try Self.csvRows(reader)
            #expect(rows == [SheetRow(number: 1, cells: [Self.cell(0, "名称"), Self.cell(1, "值")]),
                             SheetRow(number: 2, cells: [Self.cell(0, "𠀀甲"), Self.cell(1, "1")])], "chunk size \(size)")
        }
    }

    static func asciiRows(_ count: Int) -> String {
        (1...count).map { "row\($0),\($0 * 7),plain ascii text" }.joined(separator: "\n") + "\n"
    }

    @Test func utf8WithNonAsciiOnlyAfter100KiB() throws {
        let head = Self.asciiRows(4000)
        #expect(head.utf8.count > 100 * 1024)
        let data = Data((head + "张三,1,尾行\n").utf8)
        let url = try Self.write(data, "late-utf8.csv")
        let reader = try CsvReader(url: url, chunkSize: 64 * 1024)
        #expect(reader.encoding == .utf8)
        let rows = try Self.csvRows(reader)
        #expect(rows.count == 4001)
        #expect(rows.last == SheetRow(number: 4001, cells: [Self.cell(0, "张三"), Self.cell(1, "1"), Self.cell(2, "尾行")]))
    }

    @Test func gbkWhoseFirst100KiBAreAscii() throws {
        let head = Array(Self.asciiRows(4000).utf8)
        #expect(head.count > 100 * 1024)
        // "张三,1\n" in GBK.
        let data = Data(head + [0xD5, 0xC5, 0xC8, 0xFD, 0x2C, 0x31, 0x0A])
        let url = try Self.write(data, "late-gbk.csv")
        for size in [7, 64 * 1024, 256 * 1024] {
            let reader = try CsvReader(url: url, chunkSize: size)
            #expect(reader.encoding == .gb18030)
            let rows = try Self.csvRows(reader)
            #expect(rows.count == 4001)
            #expect(rows.first == SheetRow(number: 1, cells: [Self.cell(0, "row1"), Self.cell(1, "7"), Self.cell(2, "plain ascii text")]))
            #expect(rows.last == SheetRow(number: 4001, cells: [Self.cell(0, "张三"), Self.cell(1, "1")]))
        }
    }

    @Test func undecodableAndMissingFilesAreRefused() throws {
        // 0x80 and 0xFF are neither UTF-8 nor GB18030.
        #expect(throws: IngestError.undecodableText) { try CsvReader(data: Data([0x61, 0x2C, 0x80, 0x0A])) }
        #expect(throws: IngestError.undecodableText) { try CsvReader(data: Data(Array(Self.asciiRows(5000).utf8) + [0xFF])) }
        // A BOM promises UTF-8: a GBK byte later on is refused, not guessed.
        #expect(throws: IngestError.undecodableText) { try CsvReader(data: Data([0xEF, 0xBB, 0xBF, 0x61, 0x0A, 0xD5, 0xC5])) }
        #expect {
            try CsvReader(url: URL(fileURLWithPath: "/nonexistent/file.csv"))
        } throws: { error in
            guard case .cannotOpen = error as? IngestError else { return false }
            return true
        }
    }

    @Test func utf16WithBOMIsDecoded() throws {
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in "名称\t值\n𠀀,1\n".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        for size in [1, 3, 5, 4096] {
            let reader = try CsvReader(data: Data(bytes), chunkSize: size)
            #expect(reader.encoding == .utf16LE)
            #expect(try Self.csvRows(reader) == [SheetRow(number: 1, cells: [Self.cell(0, "名称"), Self.cell(1, "值")]),
                                                  SheetRow(number: 2, cells: [Self.cell(0, "𠀀,1")])])
        }
    }

    // MARK: - Size and hostile workbooks

    @Test func hugeDeclaredDimensionWithThreeRowsIsCheap() throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/>\
        <sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row><row r="2"><c r="XFD2"><v>2</v></c></row>\
        <row r="1048576"><c r="A1048576"><v>3</v></c></row></sheetData></worksheet>
        """
        let url = try XlsxSyntheticTests.makeWorkbook(sheets: [("Sheet1", xml)])
        let wb = try XlsxWorkbook(url: url)
        let reader = try wb.open(wb.sheets[0])
        var rows: [XlsxRow] = []
        while let row = try reader.nextRow() { rows.append(row) }
        #expect(rows.map(\.number) == [1, 2, 1_048_576])
        #expect(rows[1].cells == [XlsxCell(column: 16383, value: .number("2", format: .general))])
        #expect(reader.bufferHighWater <= 1 << 20)
    }

    @Test func manyRowsKeepTheBuffersSmall() throws {
        // 200,000 rows, xlsx and CSV: the windows never grow past a couple of chunks.
        let rowCount = 200_000
        var sheet = XlsxSyntheticTests.sheetXML("").replacingOccurrences(of: "<sheetData></sheetData>", with: "<sheetData>")
        sheet.reserveCapacity(rowCount * 80)
        var csv = "编号,名称,数量\n"
        for r in 2...(rowCount + 1) {
            sheet += "<row r=\"\(r)\"><c r=\"A\(r)\"><v>\(r)</v></c><c r=\"B\(r)\" t=\"inlineStr\"><is><t>第\(r)行</t></is></c></row>"
            csv += "\(r),第\(r)行,\(r % 97)\n"
        }
        sheet += "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A2:B2\"/></mergeCells></worksheet>"
        let url = try XlsxSyntheticTests.makeWorkbook(sheets: [("Sheet1", sheet)])
        let wb = try XlsxWorkbook(url: url)
        let reader = try wb.open(wb.sheets[0])
        #expect(reader.mergedRanges == [XlsxMergedRange(firstRow: 2, lastRow: 2, firstColumn: 0, lastColumn: 1)])
        var count = 0
        var last: XlsxRow?
        while let row = try reader.nextRow() { count += 1; last = row }
        #expect(count == rowCount)
        #expect(last?.number == rowCount + 1)
        #expect(sheet.utf8.count > 10 << 20)
        #expect(reader.bufferHighWater <= 1 << 20, "xlsx window grew to \(reader.bufferHighWater) bytes")

        let csvURL = try Self.write(Data(csv.utf8), "many.csv")
        var csvReader = try CsvReader(url: csvURL)
        var csvCount = 0
        while try csvReader.nextRow() != nil { csvCount += 1 }
        #expect(csvCount == rowCount + 1)
        #expect(csvReader.bufferHighWater <= 1 << 20, "CSV window grew to \(csvReader.bufferHighWater) bytes")
    }

    @Test func whitespaceZipBombIsRefusedByTheCompressionRatio() throws {
        // ~200 MB of spaces inside sheetData, about 200 KB compressed, sizes declared honestly: under the 2 GB
        // total limit, so only the ratio guard (500:1 once past 16 MB) can refuse it, long before the end.
        let url = try BombBuilder.workbook(repeating: Array(repeating: 0x20, count: 1 << 20), times: 200)
        let wb = try XlsxWorkbook(url: url)
        #expect(throws: IngestError.compressionRatioExceeded(limit: 500)) { try wb.open(wb.sheets[0]) }
        // A lower ratio limit catches it as well; a higher one lets it through to the (flat-memory) end.
        let strict = try XlsxWorkbook(url: url, maxInflatedBytes: 2_000_000_000, maxCompressionRatio: 100,
                                      ratioCheckAfterBytes: 1 << 20, chunkSize: 256 * 1024)
        #expect(throws: IngestError.compressionRatioExceeded(limit: 100)) { try strict.open(strict.sheets[0]) }
    }

    @Test func rowZipBombIsRefusedByTheTotalLimitOrItsDeclaredSize() throws {
        // ~150 MB of "<row/>": compresses about 690:1, past the default ratio limit; with a lax ratio the total
        // limit refuses it.
        let pattern = Array(String(repeating: "<row/>", count: (1 << 20) / 6).utf8)
        let url = try BombBuilder.workbook(repeating: pattern, times: 150)
        let byDefault = try XlsxWorkbook(url: url)
        #expect(throws: IngestError.compressionRatioExceeded(limit: 500)) { try byDefault.open(byDefault.sheets[0]) }
        let wb = try XlsxWorkbook(url: url, maxInflatedBytes: 64 << 20, maxCompressionRatio: 10_000)
        #expect(throws: IngestError.inflationLimitExceeded(limitBytes: 64 << 20)) { try wb.open(wb.sheets[0]) }
        // The same bomb declaring a small size is refused as soon as it inflates past it.
        let liar = try BombBuilder.workbook(repeating: pattern, times: 150, declaredSize: 1 << 20)
        let wb2 = try XlsxWorkbook(url: liar)
        #expect {
            try wb2.open(wb2.sheets[0])
        } throws: { error in
            guard case .corruptWorkbook(let detail) = error as? IngestError else { return false }
            return detail.contains("declared size")
        }
    }

    @Test func damagedDeflateDataIsCorrupt() throws {
        let url = try BombBuilder.workbook(repeating: Array("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>".utf8), times: 1)
        var bytes = try [UInt8](Data(contentsOf: url))
        // Truncate the sheet's compressed data in place: zero its last bytes (the CRC or the stream must fail).
        let sheetName = Array("xl/worksheets/sheet1.xml".utf8)
        let at = try #require((0...(bytes.count - sheetName.count)).first { Array(bytes[$0..<($0 + sheetName.count)]) == sheetName })
        for k in (at + sheetName.count)..<(at + sheetName.count + 12) { bytes[k] ^= 0x5A }
        try Data(bytes).write(to: url)
        let wb = try XlsxWorkbook(url: url)
        #expect {
            try wb.open(wb.sheets[0])
        } throws: { error in
            guard case .corruptWorkbook = error as? IngestError else { return false }
            return true
        }
    }

    // MARK: - Helpers

    static func cell(_ column: Int, _ text: String) -> SheetCell { SheetCell(column: column, value: .text(text)) }

    static func write(_ data: Data, _ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stream-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }
}

/// The whole-file CSV reader this streaming one replaced, kept as the reference the chunked reads must match.
enum ReferenceCsv {
    static func rows(_ data: Data) throws -> [SheetRow] {
        let bytes = Array(try TextDecoding.decode(data).text.utf8)
        var commas = 0, tabs = 0, q = false
        for b in bytes {
            if b == UInt8(ascii: "\"") { q.toggle() }
            if q { continue }
            if b == UInt8(ascii: "\n") { break }
            if b == UInt8(ascii: ",") { commas += 1 }
            if b == UInt8(ascii: "\t") { tabs += 1 }
        }
        let delimiter = tabs > commas ? UInt8(ascii: "\t") : UInt8(ascii: ",")
        var rows: [SheetRow] = []
        var position = 0
        let n = bytes.count
        while position < n {
            var cells: [SheetCell] = []
            var field: [UInt8] = []
            var column = 0
            var quoted = false
            var i = position
            func finishField() {
                if !field.isEmpty || quoted { cells.append(SheetCell(column: column, value: .text(String(decoding: field, as: UTF8.self)))) }
                field.removeAll()
                column += 1
                quoted = false
            }
            while i < n {
                let b = bytes[i]
                if b == UInt8(ascii: "\"") && field.isEmpty && !quoted {
                    quoted = true
                    i += 1
                    while i < n {
                        let c = bytes[i]
                        if c == UInt8(ascii: "\"") {
                            if i + 1 < n && bytes[i + 1] == UInt8(ascii: "\"") { field.append(c); i += 2; continue }
                            i += 1
                            break
                        }
                        if c == UInt8(ascii: "\r") && i + 1 < n && bytes[i + 1] == UInt8(ascii: "\n") { field.append(UInt8(ascii: "\n")); i += 2; continue }
                        field.append(c)
                        i += 1
                    }
                    while i < n, bytes[i] != delimiter, bytes[i] != UInt8(ascii: "\n"), bytes[i] != UInt8(ascii: "\r") { field.append(bytes[i]); i += 1 }
                    continue
                }
                if b == delimiter { finishField(); i += 1; continue }
                if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                    i += 1
                    if b == UInt8(ascii: "\r") && i < n && bytes[i] == UInt8(ascii: "\n") { i += 1 }
                    break
                }
                field.append(b)
                i += 1
            }
            finishField()
            position = i
            rows.append(SheetRow(number: rows.count + 1, cells: cells))
        }
        return rows
    }
}

/// Writes workbooks whose sheet is one highly repetitive deflate stream, without ever holding it inflated:
/// a segment is deflated once with a full flush (which resets the history) and its bytes repeated.
enum BombBuilder {
    static func deflateSegment(_ bytes: [UInt8], finish: Bool) -> [UInt8] {
        var s = z_stream()
        precondition(deflateInit2_(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&s) }
        var out = [UInt8](repeating: 0, count: bytes.count + bytes.count / 100 + 1024)
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { o in
                s.next_in = inp.baseAddress
                s.avail_in = UInt32(inp.count)
                s.next_out = o.baseAddress
                s.avail_out = UInt32(o.count)
                _ = deflate(&s, finish ? Z_FINISH : Z_FULL_FLUSH)
                return o.count - Int(s.avail_out)
            }
        }
        return Array(out[0..<produced])
    }

    static func crc(_ seed: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(uLong(seed), $0.baseAddress, uInt($0.count))) }
    }

    /// A workbook whose only sheet is a valid header, `times` × `pattern` inside `<sheetData>`, and the closing tags.
    static func workbook(repeating pattern: [UInt8], times: Int, declaredSize: Int? = nil) throws -> URL {
        let head = Array("<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>".utf8)
        let tail = Array("</sheetData></worksheet>".utf8)
        var data = deflateSegment(head, finish: false)
        let body = deflateSegment(pattern, finish: false)
        for _ in 0..<times { data += body }
        data += deflateSegment(tail, finish: true)
        var crc = crc(0, head)
        for _ in 0..<times { crc = Self.crc(crc, pattern) }
        crc = Self.crc(crc, tail)
        let size = head.count + times * pattern.count + tail.count

        var parts: [(name: String, method: UInt16, crc: UInt32, usize: Int, data: [UInt8])] = []
        for (name, xml) in [
            ("[Content_Types].xml", XlsxSyntheticTests.contentTypes),
            ("_rels/.rels", XlsxSyntheticTests.rootRels),
            ("xl/workbook.xml", XlsxSyntheticTests.workbookXML([("Sheet1", "rId1")])),
            ("xl/_rels/workbook.xml.rels", XlsxSyntheticTests.workbookRels([("rId1", "worksheet", "worksheets/sheet1.xml")])),
        ] {
            let bytes = Array(xml.utf8)
            parts.append((name, 0, Self.crc(0, bytes), bytes.count, bytes))
        }
        parts.append(("xl/worksheets/sheet1.xml", 8, crc, declaredSize ?? size, data))

        var file: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ v: Int, _ out: inout [UInt8]) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: UInt32, _ out: inout [UInt8]) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
        for p in parts {
            let offset = file.count
            let name = Array(p.name.utf8)
            le32(0x0403_4B50, &file); le16(20, &file); le16(0, &file); le16(Int(p.method), &file); le16(0, &file); le16(0x21, &file)
            le32(p.crc, &file); le32(UInt32(p.data.count), &file); le32(UInt32(p.usize), &file); le16(name.count, &file); le16(0, &file)
            file += name
            file += p.data
            le32(0x0201_4B50, &central); le16(20, &central); le16(20, &central); le16(0, &central); le16(Int(p.method), &central)
            le16(0, &central); le16(0x21, &central); le32(p.crc, &central); le32(UInt32(p.data.count), &central); le32(UInt32(p.usize), &central)
            le16(name.count, &central); le16(0, &central); le16(0, &central); le16(0, &central); le16(0, &central); le32(0, &central)
            le32(UInt32(offset), &central)
            central += name
        }
        let cdOffset = file.count
        file += central
        le32(0x0605_4B50, &file); le16(0, &file); le16(0, &file); le16(parts.count, &file); le16(parts.count, &file)
        le32(UInt32(central.count), &file); le32(UInt32(cdOffset), &file); le16(0, &file)
        return try StreamingReaderTests.write(Data(file), "bomb.xlsx")
    }
}
