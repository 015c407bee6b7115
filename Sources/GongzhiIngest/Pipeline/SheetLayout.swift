import GongzhiCore

/// Where an indicator's table sits in a sheet: its header rows and which column holds which field
/// (catalog header comment on multi-row headers; cases/realworld/README.md B07).
public struct SheetLayout: Sendable, Equatable {
    /// First and last header row (equal for a one-row header).
    public var headerRows: ClosedRange<Int>
    /// 0-based column → index of the indicator field it holds.
    public var columns: [Int: Int]
}

/// Fills merged ranges as rows stream by: a merged cell's value applies to every cell it covers
/// (header parts and data cells alike).
struct MergeFiller {
    private var startingAt: [Int: [MergedRange]] = [:]
    private var active: [(range: MergedRange, value: RawCell)] = []

    init(_ ranges: [MergedRange]) {
        for r in ranges where r.lastRow > r.firstRow || r.lastColumn > r.firstColumn {
            startingAt[r.firstRow, default: []].append(r)
        }
    }

    /// `row` with the cells covered by merged ranges filled from each range's top-left cell.
    mutating func fill(_ row: SheetRow) -> SheetRow {
        if active.isEmpty && startingAt.isEmpty { return row }
        active.removeAll { $0.range.lastRow < row.number }
        if let starting = startingAt.removeValue(forKey: row.number) {
            for range in starting {
                let anchor = row.cells.first { $0.column == range.firstColumn }?.value ?? .empty
                active.append((range, anchor))
            }
        }
        // Ranges whose first row was never delivered (a blank row skipped by the reader) are dropped.
        for key in startingAt.keys where key < row.number { startingAt.removeValue(forKey: key) }
        guard !active.isEmpty else { return row }
        var byColumn: [Int: RawCell] = [:]
        for cell in row.cells { byColumn[cell.column] = cell.value }
        var changed = false
        for (range, value) in active where !value.isBlank {
            for column in range.firstColumn...range.lastColumn where byColumn[column]?.isBlank ?? true {
                byColumn[column] = value
                changed = true
            }
        }
        guard changed else { return row }
        return SheetRow(number: row.number,
                        cells: byColumn.sorted { $0.key < $1.key }.map { SheetCell(column: $0.key, value: $0.value) })
    }
}

/// Finds the header of an indicator's table among the first rows of a sheet.
enum LayoutDetector {
    /// How many non-blank rows from the top are searched for the header.
    static let searchDepth = 20
    /// Header rows at most (B07 has two).
    static let maxHeaderRows = 3

    /// The outcome of the search: a layout, or the best guess at the header row with the mismatch.
    enum Outcome {
        case found(SheetLayout)
        case notFound(headerRow: Int, mismatch: TemplateMismatch, score: (matched: Int, cells: Int))
    }

    /// Searches `rows` (already merge-filled, blank rows left out, in sheet order).
    static func detect(in rows: [SheetRow], matcher: TemplateMatcher) -> Outcome {
        var best: (row: Int, mismatch: TemplateMismatch, score: (Int, Int))? = nil
        for start in rows.indices {
            for depth in 1...maxHeaderRows where start + depth <= rows.count {
                let headerRows = Array(rows[start..<(start + depth)])
                // header rows are adjacent in the sheet
                if depth > 1, headerRows.last!.number - headerRows.first!.number != depth - 1 { continue }
                let headers = combinedHeaders(headerRows)
                guard !headers.isEmpty else { continue }
                switch matcher.match(headers) {
                case .success(let columns):
                    return .found(SheetLayout(headerRows: headerRows.first!.number...headerRows.last!.number, columns: columns))
                case .failure(let mismatch):
                    guard depth == 1 else { continue }
                    let score = (mismatch.matched, headers.count)
                    if best == nil || score > best!.score {
                        best = (headerRows[0].number, mismatch, score)
                    }
                }
            }
        }
        if let best { return .notFound(headerRow: best.row, mismatch: best.mismatch, score: best.score) }
        let mismatch = TemplateMismatch(indicatorName: matcher.indicator.name, matched: 0,
                                        missing: matcher.indicator.fields.filter(\.required).map(\.header),
                                        unknown: [], repeated: [])
        return .notFound(headerRow: rows.first?.number ?? 1, mismatch: mismatch, score: (0, 0))
    }

    /// Each column's header: its header cells from top to bottom, empty parts skipped and a part repeated
    /// by a vertical merge written once, joined with `/`.
    static func combinedHeaders(_ rows: [SheetRow]) -> [(column: Int, text: String)] {
        var parts: [Int: [String]] = [:]
        for row in rows {
            for cell in row.cells {
                let text = TextNormalization.trim(headerText(cell.value))
                guard !text.isEmpty else { continue }
                if parts[cell.column]?.last == text { continue }
                parts[cell.column, default: []].append(text)
            }
        }
        return parts.sorted { $0.key < $1.key }.map { ($0.key, $0.value.joined(separator: "/")) }
    }

    static func headerText(_ cell: RawCell) -> String {
        switch cell {
        case .number(let v, let format): format.display(v)
        default: cell.rawValue ?? ""
        }
    }
}
