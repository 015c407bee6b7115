import Foundation
import GongzhiCore

/// What an import needs besides the file: the indicator, the period, the identifier rules.
public struct ImportJob: Sendable {
    public var indicator: Indicator
    /// The reporting period as given (`2024-03`); echoed in the report.
    public var period: String
    /// The file name as uploaded, echoed in the report.
    public var fileName: String
    public var identifiers: IdentifierValidator
    /// Accepted rows are handed to the sink in batches of this many.
    public var batchSize: Int
    /// Told the number of data rows read so far, every ``progressInterval`` rows and once at the end.
    public var progress: (@Sendable (Int) -> Void)?
    public var progressInterval: Int

    public init(indicator: Indicator, period: String, fileName: String, identifiers: IdentifierValidator,
                batchSize: Int = 1000, progress: (@Sendable (Int) -> Void)? = nil, progressInterval: Int = 5000) {
        self.indicator = indicator
        self.period = period
        self.fileName = fileName
        self.identifiers = identifiers
        self.batchSize = batchSize
        self.progress = progress
        self.progressInterval = progressInterval
    }
}

/// Accepted rows handed on by the importer, with the worksheet they came from (`nil` for CSV).
public struct RecordBatch: Sendable {
    public var sheet: String?
    public var records: [AcceptedRecord]

    public init(sheet: String?, records: [AcceptedRecord]) {
        self.sheet = sheet
        self.records = records
    }
}

/// The file formats a submission may come in, told by content, not by name.
public enum SubmissionFormat: String, Sendable {
    case xlsx, csv

    /// Sniffs the file at `url` by its content: a zip archive is an xlsx workbook (``XlsxWorkbook`` tells an
    /// Office document or a plain zip apart by its entries); a file that is recognisably something else — an
    /// OLE2 compound file (legacy `.xls`, encrypted workbook, `.doc`), a PDF, an image, an archive, RTF, a web
    /// page, XML, text without a comma, other binary content — is refused saying what it is
    /// (``ForeignFormat/identify(head:compoundFileAt:)``); anything else is read as CSV text.
    /// - Throws: ``IngestError/cannotOpen(path:detail:)``, ``IngestError/unsupportedFormat(_:)``,
    ///   ``IngestError/corruptWorkbook(detail:)`` (`PK` without a zip record after it).
    public static func sniff(fileAt url: URL) throws(IngestError) -> SubmissionFormat {
        let head: [UInt8]
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = [UInt8](try handle.read(upToCount: ForeignFormat.headLength) ?? Data())
        } catch {
            throw .cannotOpen(path: url.lastPathComponent, detail: String(describing: error))
        }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .xlsx }
        if head.starts(with: [0x50, 0x4B]) { throw .corruptWorkbook(detail: "zip without a local file header") }
        if let foreign = ForeignFormat.identify(head: head, compoundFileAt: url) { throw .unsupportedFormat(foreign) }
        return .csv
    }
}

/// The main job's read-and-validate half: a department's file in, a report and a stream of accepted rows
/// out (DESIGN.md "The main job, as data flows"). The CLI, the web upload and the tests all call this.
public enum SubmissionImporter {
    /// Reads `url`, finds the indicator's table, validates every row and hands accepted rows to `sink` in
    /// file order, in batches of `job.batchSize`.
    ///
    /// A file whose headers do not fit the indicator gives a refused report (`wrong_template`), not an error.
    /// - Throws: ``IngestError`` when the file cannot be read at all; whatever `sink` throws.
    public static func run(
        file url: URL,
        job: ImportJob,
        maxInflatedBytes: Int = 2_000_000_000,
        sink: (RecordBatch) async throws -> Void
    ) async throws -> ImportReport {
        switch try SubmissionFormat.sniff(fileAt: url) {
        case .xlsx:
            let workbook = try XlsxWorkbook(url: url, maxInflatedBytes: maxInflatedBytes)
            guard !workbook.sheets.isEmpty else { throw IngestError.noWorksheet }
            var bestRefusal: (report: ImportReport, score: (Int, Int))? = nil
            var anyContent = false
            for sheet in workbook.sheets {
                var source = XlsxRowSource(reader: try workbook.open(sheet), name: sheet.name)
                // The source reads ahead on a helper thread: stop it before the workbook is read again.
                defer { source.close() }
                let cells = FieldValidator(identifiers: job.identifiers, indicator: job.indicator, date1904: workbook.date1904)
                switch try await process(&source, job: job, cells: cells, encoding: nil, sink: sink) {
                case .done(let report):
                    return report
                case .refused(let report, let score):
                    anyContent = true
                    if bestRefusal == nil || score > bestRefusal!.score { bestRefusal = (report, score) }
                case .empty:
                    continue
                }
            }
            guard anyContent, let bestRefusal else { throw IngestError.emptyFile }
            return bestRefusal.report
        case .csv:
            var source = try CsvReader(url: url)
            let cells = FieldValidator(identifiers: job.identifiers, indicator: job.indicator)
            switch try await process(&source, job: job, cells: cells, encoding: source.encoding.rawValue, sink: sink) {
            case .done(let report), .refused(let report, _):
                return report
            case .empty:
                throw IngestError.emptyFile
            }
        }
    }

    private enum SheetOutcome {
        case done(ImportReport)
        case refused(ImportReport, score: (Int, Int))
        /// The sheet holds nothing but blank rows.
        case empty
    }

    private static func process<Source: RowSource>(
        _ source: inout Source,
        job: ImportJob,
        cells: FieldValidator,
        encoding: String?,
        sink: (RecordBatch) async throws -> Void
    ) async throws -> SheetOutcome {
        let indicator = job.indicator
        var report = ImportReport(indicator: indicator.code, period: job.period, file: job.fileName,
                                  sheet: source.sheetName, encoding: encoding)
        var filler = MergeFiller(source.mergedRanges)
        var top: [SheetRow] = []
        while top.count < LayoutDetector.searchDepth, let row = try source.nextRow() {
            let filled = filler.fill(row)
            if !filled.isBlank { top.append(filled) }
        }
        if top.isEmpty { return .empty }
        let layout: SheetLayout
        switch LayoutDetector.detect(in: top, matcher: TemplateMatcher(indicator: indicator)) {
        case .found(let found):
            layout = found
        case .notFound(let headerRow, let mismatch, let score):
            return .refused(.refusing(indicator: indicator.code, period: job.period, file: job.fileName, code: .wrongTemplate,
                                     message: mismatch.message, row: headerRow, sheet: report.sheet, encoding: encoding),
                            score: score)
        }
        report.headerRow = layout.headerRows.upperBound
        report.title = top.filter { $0.number < layout.headerRows.lowerBound }
            .flatMap { $0.cells.map { LayoutDetector.headerText($0.value) } }.filter { !$0.isEmpty }.joined(separator: " ")
        // Where each date field's dates fall against the period (PeriodSanity).
        let chosenPeriod = ReportingPeriod(job.period)
        let dateFields = indicator.fields.indices.filter { [.date, .datetime].contains(indicator.fields[$0].type) }
        report.dateTallies = dateFields.map { PeriodSanity.DateTally(label: indicator.fields[$0].label) }

        var validator = RecordValidator(indicator: indicator, cells: cells)
        var batch: [AcceptedRecord] = []
        batch.reserveCapacity(job.batchSize)
        let fieldCount = indicator.fields.count
        let columns = layout.columns
        let sheetName = source.sheetName
        let lastHeaderColumn = columns.keys.max() ?? 0
        // 0-based column → field index, or -1 (an array instead of a dictionary lookup per cell)
        var fieldOfColumn = [Int](repeating: -1, count: lastHeaderColumn + 1)
        for (column, field) in columns where column >= 0 { fieldOfColumn[column] = field }
        let checkFieldCount = source.isDelimitedText

        // One raw cell per field, reused row after row (cleared before each row).
        var raw = [RawCell](repeating: .empty, count: fieldCount)

        func handle(_ row: SheetRow) async throws {
            guard row.number > layout.headerRows.upperBound, !row.isBlank else { return }
            for i in raw.indices { raw[i] = .empty }
            for cell in row.cells where cell.column >= 0 && cell.column < fieldOfColumn.count {
                let i = fieldOfColumn[cell.column]
                if i >= 0 { raw[i] = cell.value }
            }
            report.rowsTotal += 1
            if report.rowsTotal % job.progressInterval == 0 { job.progress?(report.rowsTotal) }
            var rowIssues: [ImportIssue] = []
            if checkFieldCount, let last = row.cells.last(where: { !$0.value.isBlank }), last.column > lastHeaderColumn {
                rowIssues.append(ImportIssue(
                    row: row.number, field: nil, column: nil, code: .badFormat, value: nil,
                    message: "本行有 \(last.column + 1) 列，比表头的 \(lastHeaderColumn + 1) 列多：可能某个内容里有英文逗号却没有用英文双引号括起来，导致后面的列错位，请检查本行。"))
            }
            switch validator.validate(row: row.number, cells: raw, rowIssues: rowIssues) {
            case .accepted(let values, let normalizations):
                report.rowsAccepted += 1
                if let chosenPeriod {
                    for (t, i) in dateFields.enumerated() {
                        switch values[i] {
                        case .date(let d)?: report.dateTallies[t].add(d, period: chosenPeriod)
                        case .dateTime(let d)?: report.dateTallies[t].add(d.date, period: chosenPeriod)
                        default: break
                        }
                    }
                }
                report.normalized.append(contentsOf: normalizations)
                batch.append(AcceptedRecord(row: row.number, values: values))
                if batch.count >= job.batchSize {
                    try await sink(RecordBatch(sheet: sheetName, records: batch))
                    batch.removeAll(keepingCapacity: true)
                }
            case .rejected(let issues):
                report.rowsRejected += 1
                report.errors.append(contentsOf: issues)
            }
        }

        for row in top { try await handle(row) }
        while let row = try source.nextRow() {
            try await handle(filler.fill(row))
        }
        if !batch.isEmpty { try await sink(RecordBatch(sheet: sheetName, records: batch)) }
        job.progress?(report.rowsTotal)
        if report.rowsTotal == 0 { throw IngestError.noDataRows(headerRow: layout.headerRows.upperBound) }
        return .done(report)
    }
}
