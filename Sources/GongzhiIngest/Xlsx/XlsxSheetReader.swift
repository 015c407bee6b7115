import Foundation
import GongzhiCore

/// Reads one worksheet's rows lazily, in file order, with our byte-level scanner.
///
/// The sheet XML is never held in memory: it is inflated in chunks into a small sliding window that the scanner
/// consumes (an element cut by a chunk boundary is carried over). Opening the sheet streams it once cheaply to find
/// the `<mergeCell>` ranges, so they are known before the first row. Rows without any valued cell (formatting-only
/// rows such as B08's) are skipped; cells without a value are left out. Memory does not grow with the number of
/// rows or with the declared dimension.
public final class XlsxSheetReader {
    /// The `<mergeCell>` ranges of the sheet, in file order (read when the sheet is opened).
    public private(set) var mergedRanges: [XlsxMergedRange] = []

    private var cur: XmlCursor
    private let sharedStrings: XlsxSharedStrings
    private let cellFormats: [NumberFormat]
    private var finished = false
    private var lastRowNumber = 0
    private var cellCapacity = 16
    /// Shared formulas (`<f t="shared" si="0" ref="...">text</f>`) by `si`, for dependent cells without text.
    private var sharedFormulas: [Int: String] = [:]

    init(archive: XlsxArchive, entry: XlsxZipEntry, part: String, sharedStrings: XlsxSharedStrings, cellFormats: [NumberFormat]) throws {
        // First pass: merged ranges; inflation budget, ratio and CRC checked; declarations refused.
        var scan = try archive.cursor(entry, part: part, charged: true)
        var merges: [XlsxMergedRange] = []
        try scan.scanForStartTags(named: "mergeCell") { c, _ in
            if let ref = c.attributeString("ref"), let range = XlsxCellReference.parseRange(ref) {
                merges.append(range)
            }
        }
        mergedRanges = merges
        // Second pass: the rows (the same bytes, not charged again).
        cur = try archive.cursor(entry, part: part, charged: false)
        self.sharedStrings = sharedStrings
        self.cellFormats = cellFormats
        try prepare()
    }

    /// The largest buffer the scanner's window has needed so far (bytes): a memory bound independent of the rows.
    package var bufferHighWater: Int { cur.window?.highWater ?? cur.count }

    /// Scans up to `<sheetData>`.
    private func prepare() throws {
        while let tag = try cur.nextTag() {
            guard tag.kind == .start else { continue }
            if cur.isNamed(tag, "sheetData") {
                if tag.selfClosing { finished = true }
                return
            }
        }
        finished = true
    }

    /// The next row with at least one valued cell, or `nil` after the last one.
    public func nextRow() throws -> XlsxRow? {
        guard !finished else { return nil }
        while let tag = try cur.nextTag() {
            if tag.kind == .end {
                if cur.isNamed(tag, "sheetData") { break }
                continue
            }
            guard cur.isNamed(tag, "row") else { continue }
            let number: Int
            if let r = cur.attribute("r"), let n = cur.parseInt(r.valueStart, r.valueEnd), n > 0 {
                number = n
            } else {
                number = lastRowNumber + 1
            }
            lastRowNumber = number
            if tag.selfClosing { continue }
            let cells = try readCells(row: number)
            if cells.isEmpty { continue }
            return XlsxRow(number: number, cells: cells)
        }
        finished = true
        return nil
    }

    private enum CellType { case number, sharedString, inlineString, formulaString, boolean, error, isoDate }

    /// Reads `<c>` elements up to `</row>`.
    private func readCells(row: Int) throws -> [XlsxCell] {
        var cells: [XlsxCell] = []
        cells.reserveCapacity(cellCapacity)
        var column = -1
        var sorted = true
        while let tag = try cur.nextTag() {
            if tag.kind == .end {
                if cur.isNamed(tag, "row") { break }
                continue
            }
            guard cur.isNamed(tag, "c") else { continue }
            // Attributes of <c>.
            var col = column + 1
            if let r = cur.attribute("r") {
                let ref = XlsxCellReference.parse(UnsafeBufferPointer(rebasing: cur.buf[r.valueStart..<r.valueEnd]))
                if let c = ref.column { col = c }
            }
            if col <= column { sorted = false }
            column = col
            var type = CellType.number
            if let t = cur.attribute("t") {
                type = cellType(t)
            }
            var format = NumberFormat.general
            if type == .number, let s = cur.attributeInt("s"), s < cellFormats.count {
                format = cellFormats[s]
            }
            if tag.selfClosing { continue }

            // Children: <v>, <f>, <is>.
            var value: String?
            var formula: String?
            var inline: String?
            while let child = try cur.nextTag() {
                if child.kind == .end {
                    if cur.isNamed(child, "c") { break }
                    continue
                }
                if cur.isNamed(child, "v") {
                    value = child.selfClosing ? "" : try cur.readText(ooxmlEscapes: type == .formulaString)
                } else if cur.isNamed(child, "f") {
                    formula = try readFormula(child)
                } else if cur.isNamed(child, "is") {
                    inline = child.selfClosing ? "" : try XlsxParts.readRichText(&cur, container: "is")
                } else {
                    try cur.skipElement(child)
                }
            }
            let raw: RawCell
            if let formula, value == nil || (value!.isEmpty && type != .formulaString) {
                // A formula whose result was never saved (an empty or missing <v>): it has no value to read.
                raw = .formula("=" + formula)
            } else if let v = value {
                switch type {
                case .number:
                    raw = v.isEmpty ? .empty : .number(v, format: format)
                case .sharedString:
                    guard let idx = Int(v), idx >= 0, idx < sharedStrings.count else {
                        throw IngestError.corruptWorkbook(detail: "\(cur.part): shared string index \(v) out of range in row \(row)")
                    }
                    raw = .text(try sharedStrings.string(at: idx))
                case .inlineString:
                    raw = .text(inline ?? v)
                case .formulaString, .isoDate:
                    raw = .text(v)
                case .boolean:
                    raw = .boolean(v == "1" || v.lowercased() == "true")
                case .error:
                    raw = .error(v)
                }
            } else if let inline {
                raw = .text(inline)
            } else {
                raw = .empty
            }
            if case .empty = raw { continue }
            cells.append(XlsxCell(column: col, value: raw))
        }
        if !sorted { cells.sort { $0.column < $1.column } }
        if cells.count > cellCapacity { cellCapacity = cells.count }
        return cells
    }

    @inline(__always)
    private func cellType(_ t: XmlAttribute) -> CellType {
        let len = t.valueEnd - t.valueStart
        guard len > 0 else { return .number }
        switch cur.buf[t.valueStart] {
        case UInt8(ascii: "s"):
            return len == 1 ? .sharedString : .formulaString // "s" / "str"
        case UInt8(ascii: "i"):
            return .inlineString
        case UInt8(ascii: "b"):
            return .boolean
        case UInt8(ascii: "e"):
            return .error
        case UInt8(ascii: "d"):
            return .isoDate
        default:
            return .number
        }
    }

    /// The text of an `<f>` element; for a shared formula without text, the master formula's text (unshifted).
    private func readFormula(_ tag: XmlTag) throws -> String? {
        var sharedIndex: Int?
        if let t = cur.attribute("t"), cur.attributeEquals(t, "shared") { sharedIndex = cur.attributeInt("si") }
        if tag.selfClosing {
            return sharedIndex.flatMap { sharedFormulas[$0] }
        }
        let text = try cur.readText(ooxmlEscapes: false)
        if text.isEmpty { return sharedIndex.flatMap { sharedFormulas[$0] } }
        if let si = sharedIndex, sharedFormulas[si] == nil { sharedFormulas[si] = text }
        return text
    }
}
