import GongzhiCore

/// A worksheet of the workbook, in workbook order.
public struct XlsxSheetInfo: Sendable, Equatable {
    /// The tab name (`Sheet1`, `采集表`).
    public let name: String
    /// 0-based position among the workbook's worksheets.
    public let index: Int
    /// The part path inside the archive, resolved through `xl/_rels/workbook.xml.rels` (`xl/worksheets/sheet1.xml`).
    public let path: String

    public init(name: String, index: Int, path: String) {
        self.name = name
        self.index = index
        self.path = path
    }
}

/// One `<row>` of a sheet: the common row of both readers (cells with no value are left out).
public typealias XlsxRow = SheetRow
/// One cell of a row.
public typealias XlsxCell = SheetCell
/// A `<mergeCell ref="A2:A3">` range.
public typealias XlsxMergedRange = MergedRange

/// Cell references (`AB12`).
enum XlsxCellReference {
    /// Parses `AB12` / `$AB$12` into (0-based column, 1-based row); either part may be missing.
    static func parse(_ bytes: some Collection<UInt8>) -> (column: Int?, row: Int?) {
        var col = 0
        var row = 0
        var sawLetter = false
        var sawDigit = false
        for b in bytes {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                guard !sawDigit, col < 1_000_000 else { return (nil, nil) }
                col = col * 26 + Int(b - 64); sawLetter = true
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                guard !sawDigit, col < 1_000_000 else { return (nil, nil) }
                col = col * 26 + Int(b - 96); sawLetter = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard row < 100_000_000 else { return (nil, nil) }
                row = row * 10 + Int(b - 48); sawDigit = true
            case UInt8(ascii: "$"):
                continue
            default:
                return (nil, nil)
            }
        }
        return (sawLetter ? col - 1 : nil, sawDigit && row > 0 ? row : nil)
    }

    /// Parses a range `A1:C3` (or a single cell `B2`).
    static func parseRange(_ text: String) -> XlsxMergedRange? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let a = parse(parts[0].utf8)
        let b = parts.count == 2 ? parse(parts[1].utf8) : a
        guard let c1 = a.column, let r1 = a.row, let c2 = b.column, let r2 = b.row else { return nil }
        return XlsxMergedRange(firstRow: min(r1, r2), lastRow: max(r1, r2),
                               firstColumn: min(c1, c2), lastColumn: max(c1, c2))
    }
}
