import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiTestSupport
import Testing

/// The xlsx reader against the shared sample and real-world case files.
@Suite struct XlsxReaderTests {
    static let sampleFiles: [URL] = SharedData.directories(in: SharedData.samples).compactMap { dir in
        let folder = SharedData.samples.appendingPathComponent(dir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.first { $0.hasSuffix(".xlsx") }.map { folder.appendingPathComponent($0) }
    }

    static func caseFile(_ prefix: String) throws -> URL {
        let dir = try #require(SharedData.directories(in: SharedData.realworldCases).first { $0.hasPrefix(prefix) })
        return SharedData.realworldCases.appendingPathComponent(dir).appendingPathComponent("input.xlsx")
    }

    static func allRows(_ url: URL, sheet: String? = nil) throws -> (XlsxWorkbook, [XlsxRow], [XlsxMergedRange]) {
        let wb = try XlsxWorkbook(url: url)
        let info = try #require(sheet.map { name in wb.sheets.first { $0.name == name } } ?? wb.sheets.first)
        let reader = try wb.open(info)
        let merges = reader.mergedRanges
        var rows: [XlsxRow] = []
        while let row = try reader.nextRow() { rows.append(row) }
        return (wb, rows, merges)
    }

    static func cell(_ row: XlsxRow?, _ column: Int) -> RawCell? {
        row?.cells.first { $0.column == column }?.value
    }

    @Test func samplesAreAllPresent() {
        #expect(Self.sampleFiles.count == 9)
    }

    @Test(arguments: sampleFiles)
    func sampleLayout(_ url: URL) throws {
        let (wb, rows, merges) = try Self.allRows(url)
        #expect(wb.sheets.map(\.name) == ["Sheet1"])
        #expect(wb.sheets[0].path == "xl/worksheets/sheet1.xml")
        #expect(wb.sheets[0].index == 0)
        #expect(wb.date1904 == false)
        // Row 1: merged title across the header's columns; row 2: header texts.
        let header = try #require(rows.first { $0.number == 2 })
        let title = try #require(rows.first { $0.number == 1 })
        #expect(title.cells.count == 1)
        guard case .text(let t)? = Self.cell(title, 0) else { Issue.record("title is not text"); return }
        #expect(!t.isEmpty)
        #expect(merges.contains(XlsxMergedRange(firstRow: 1, lastRow: 1, firstColumn: 0, lastColumn: header.cells.count - 1)))
        #expect(header.cells.map(\.column) == Array(0..<header.cells.count))
        for c in header.cells {
            guard case .text = c.value else { Issue.record("header cell \(c.column) is \(c.value)"); continue }
        }
        // Rows ascending, cells ascending, no empty cells.
        #expect(rows.map(\.number) == rows.map(\.number).sorted())
        for row in rows {
            #expect(row.cells.map(\.column) == row.cells.map(\.column).sorted())
            #expect(!row.cells.contains { $0.value == .empty })
        }

        // Data rows (non-blank, from row 3) match rows_total of expected.json, unless the file is refused.
        let expectedURL = url.deletingLastPathComponent().appendingPathComponent("expected.json")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: expectedURL)) as? [String: Any])
        if expected["refused"] as? Bool == false {
            let data = rows.filter { $0.number >= 3 && $0.cells.contains { !$0.value.isBlank } }
            #expect(data.count == expected["rows_total"] as? Int)
        }

        // Every date-formatted number cell of an accepted row shows up, converted, in that row's record.
        let recordsURL = url.deletingLastPathComponent().appendingPathComponent("records.jsonl")
        let lines = try String(contentsOf: recordsURL, encoding: .utf8).split(separator: "\n")
        var records: [Int: Set<String>] = [:]
        for line in lines {
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let values = obj["values"] as? [String: Any] ?? [:]
            records[obj["row"] as? Int ?? -1] = Set(values.values.compactMap { $0 as? String })
        }
        var datesChecked = 0
        for row in rows {
            guard let record = records[row.number] else { continue }
            for c in row.cells {
                guard case .number(let v, let format) = c.value, format.isDateTime else { continue }
                let dt = try #require(ExcelSerial.dateTime(fromSerial: v, date1904: wb.date1904))
                let iso = dt.secondOfDay == 0 ? dt.date.isoString : dt.isoString
                #expect(record.contains(iso) || record.contains(dt.isoString), "row \(row.number) col \(c.column): \(v) → \(iso)")
                datesChecked += 1
            }
        }
        if !records.isEmpty { #expect(datesChecked > 0) }
    }

    @Test func s01NumericIdentifierIsKeptAsStored() throws {
        let url = SharedData.samples.appendingPathComponent("S01_HOU-001_xlsx/HOU-001_2024-03.xlsx")
        let (_, rows, _) = try Self.allRows(url)
        let header = try #require(rows.first { $0.number == 2 })
        let buyerIdColumn = try #require(header.cells.first { $0.value == .text("买方证件号码") }?.column)
        #expect(buyerIdColumn == 9)
        let row135 = rows.first { $0.number == 135 }
        guard case .number(let v, let format)? = Self.cell(row135, buyerIdColumn) else {
            Issue.record("J135 is not a number cell: \(String(describing: Self.cell(row135, buyerIdColumn)))")
            return
        }
        #expect(v == "3.2102719850907e+17")
        #expect(format.isDateTime == false)
        #expect(Self.cell(row135, buyerIdColumn)?.rawValue == "3.2102719850907e+17")
        // Row 3: text, decimal, integer and a date serial.
        let row3 = rows.first { $0.number == 3 }
        #expect(Self.cell(row3, 0) == .text("YZ2024000001"))
        guard case .number("256.95", _)? = Self.cell(row3, 3) else { Issue.record("D3"); return }
        guard case .number("45376", let dateFormat)? = Self.cell(row3, 6) else { Issue.record("G3"); return }
        #expect(dateFormat.isDateTime)
        #expect(ExcelSerial.dateTime(fromSerial: "45376", date1904: false)?.date.isoString == "2024-03-25")
        // Trailing formatted-but-empty rows (to 214) are skipped.
        #expect(rows.last?.number ?? 0 < 200)
    }

    @Test func b05DateSerialsAndChineseSheetName() throws {
        let url = try Self.caseFile("B05")
        let wb = try XlsxWorkbook(url: url)
        #expect(wb.sheets == [XlsxSheetInfo(name: "采集表", index: 0, path: "xl/worksheets/sheet1.xml")])
        #expect(wb.sheet(named: "采集表") == wb.sheets[0])
        let (_, rows, merges) = try Self.allRows(url, sheet: "采集表")
        #expect(merges.isEmpty)
        #expect(rows.map(\.number) == [1, 2, 3, 4])
        #expect(Self.cell(rows[0], 0) == .text("单位名称"))

        guard case .number(let b2, let f2)? = Self.cell(rows[1], 1) else { Issue.record("B2"); return }
        #expect(b2 == "44931")
        #expect(f2.isDateTime)
        #expect(f2.code == "yyyy/m/d")
        #expect(ExcelSerial.dateTime(fromSerial: b2, date1904: false)?.date.isoString == "2023-01-05")

        guard case .number(let b3, let f3)? = Self.cell(rows[2], 1) else { Issue.record("B3"); return }
        #expect(b3 == "44931")
        #expect(f3.isDateTime)
        #expect(f3.code == "yyyy\"年\"m\"月\"d\"日\"")

        guard case .number(let c2, let fc2)? = Self.cell(rows[1], 2) else { Issue.record("C2"); return }
        #expect(c2.hasPrefix("43942.9654398148"))
        #expect(fc2.isDateTime)
        #expect(ExcelSerial.dateTime(fromSerial: c2, date1904: false)?.isoString == "2020-04-21T23:10:14")
        #expect(ExcelSerial.dateTime(fromSerial: "43942.9654398148", date1904: false)?.isoString == "2020-04-21T23:10:14")

        guard case .number(let c3, _)? = Self.cell(rows[2], 2) else { Issue.record("C3"); return }
        #expect(ExcelSerial.dateTime(fromSerial: c3, date1904: false)?.isoString == "2020-04-21T08:00:00")
        #expect(Self.cell(rows[3], 1) == .text("2023/1/5"))
        #expect(Self.cell(rows[3], 2) == .text("2020-04-21 08:00:00"))
    }

    @Test func b07MergedRanges() throws {
        let url = try Self.caseFile("B07")
        let (wb, rows, merges) = try Self.allRows(url)
        #expect(wb.sheets.first?.name == "单位信息")
        func range(_ ref: String) -> XlsxMergedRange {
            // Test-local parser: "A2:B3".
            let parts = ref.split(separator: ":").map { part -> (Int, Int) in
                let letters = part.prefix { $0.isLetter }
                let col = letters.unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
                return (Int(part.dropFirst(letters.count))!, col)
            }
            return XlsxMergedRange(firstRow: parts[0].0, lastRow: parts[1].0, firstColumn: parts[0].1, lastColumn: parts[1].1)
        }
        let expected = ["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:F3", "F4:F5"].map(range)
        #expect(Set(merges.map { "\($0.firstRow),\($0.lastRow),\($0.firstColumn),\($0.lastColumn)" })
            == Set(expected.map { "\($0.firstRow),\($0.lastRow),\($0.firstColumn),\($0.lastColumn)" }))
        #expect(merges.count == 7)
        #expect(merges.contains(XlsxMergedRange(firstRow: 2, lastRow: 2, firstColumn: 3, lastColumn: 4)))
        #expect(merges.contains(XlsxMergedRange(firstRow: 4, lastRow: 5, firstColumn: 5, lastColumn: 5)))
        #expect(rows.map(\.number) == [1, 2, 3, 4, 5, 6])
        // Row 3 has only D3/E3 (the sub-headers); F5 is absent (covered by the F4:F5 merge).
        #expect(rows[2].cells.map(\.column) == [3, 4])
        #expect(!rows[4].cells.contains { $0.column == 5 })
        #expect(rows[3].cells.contains { $0.column == 5 })
        guard case .number("250.5", let f)? = Self.cell(rows[4], 3) else { Issue.record("D5"); return }
        #expect(f == .general)
        #expect(f.display("250.5") == "250.5")
        guard case .number(let seq, let fs)? = Self.cell(rows[3], 0) else { Issue.record("A4"); return }
        #expect(fs.display(seq) == "1")
    }

    @Test func b08TrailingFormattedRowsAreNotReturned() throws {
        let url = try Self.caseFile("B08")
        let (_, rows, _) = try Self.allRows(url)
        #expect(rows.map(\.number) == [1, 2, 3, 4])
        // D2 and D4 are styled cells without a value: left out.
        #expect(rows[1].cells.map(\.column) == [0, 1, 2])
        #expect(rows[2].cells.map(\.column) == [0, 1, 2, 3])
    }

    @Test func readingIsLazyAndEndsCleanly() throws {
        let url = SharedData.samples.appendingPathComponent("S05_PSB-002_xlsx/PSB-002_2024-03.xlsx")
        let wb = try XlsxWorkbook(url: url)
        let reader = try wb.open(wb.sheets[0])
        #expect(!reader.mergedRanges.isEmpty)
        let first = try reader.nextRow()
        #expect(first?.number == 1)
        var n = 1
        while try reader.nextRow() != nil { n += 1 }
        #expect(n > 200)
        #expect(try reader.nextRow() == nil)
        #expect(try reader.nextRow() == nil)
        // A second reader of the same sheet starts again from row 1.
        let again = try wb.open(wb.sheets[0])
        #expect(try again.nextRow() == first)
    }
}
