import GongzhiCore

/// One row of a sheet or CSV file as read, before header matching.
public struct SheetRow: Sendable, Equatable {
    /// The row as the spreadsheet shows it (1-based; for CSV the record number).
    public var number: Int
    /// Cells present in the file, ascending by 0-based column.
    public var cells: [SheetCell]

    public init(number: Int, cells: [SheetCell]) {
        self.number = number
        self.cells = cells
    }

    /// Whether every cell is empty or white space only (a row that only carries formatting is not data).
    public var isBlank: Bool { cells.allSatisfy { $0.value.isBlank } }
}

/// One cell of a ``SheetRow``.
public struct SheetCell: Sendable, Equatable {
    /// 0-based column (A = 0).
    public var column: Int
    public var value: RawCell

    public init(column: Int, value: RawCell) {
        self.column = column
        self.value = value
    }
}

/// A merged cell range: rows 1-based inclusive, columns 0-based inclusive.
public struct MergedRange: Sendable, Equatable, Hashable {
    public var firstRow: Int
    public var lastRow: Int
    public var firstColumn: Int
    public var lastColumn: Int

    public init(firstRow: Int, lastRow: Int, firstColumn: Int, lastColumn: Int) {
        self.firstRow = firstRow
        self.lastRow = lastRow
        self.firstColumn = firstColumn
        self.lastColumn = lastColumn
    }

    /// Whether the range covers the cell at `row` (1-based) and `column` (0-based).
    public func contains(row: Int, column: Int) -> Bool {
        (firstRow...lastRow).contains(row) && (firstColumn...lastColumn).contains(column)
    }
}

extension RowSource {
    public var isDelimitedText: Bool { false }
}

/// A stream of rows from one sheet of a submission file (an xlsx worksheet or a CSV file).
public protocol RowSource {
    /// The worksheet name (`nil` for CSV).
    var sheetName: String? { get }
    /// Merged ranges of the sheet, known before the first row is read.
    var mergedRanges: [MergedRange] { get }
    /// Whether cells are positional fields of delimited text (CSV), where a cell past the last header column
    /// means the row's fields are shifted (an unquoted comma), rather than a note beside the table.
    var isDelimitedText: Bool { get }
    /// The next row in file order, or `nil` at the end.
    mutating func nextRow() throws -> SheetRow?
}
