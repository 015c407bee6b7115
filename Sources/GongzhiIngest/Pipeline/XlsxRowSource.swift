/// Adapts an xlsx worksheet reader to ``RowSource``.
struct XlsxRowSource: RowSource {
    let reader: XlsxSheetReader
    let name: String

    var sheetName: String? { name }

    var mergedRanges: [MergedRange] {
        reader.mergedRanges.map {
            MergedRange(firstRow: $0.firstRow, lastRow: $0.lastRow, firstColumn: $0.firstColumn, lastColumn: $0.lastColumn)
        }
    }

    mutating func nextRow() throws -> SheetRow? {
        guard let row = try reader.nextRow() else { return nil }
        return SheetRow(number: row.number, cells: row.cells.map { SheetCell(column: $0.column, value: $0.value) })
    }
}
