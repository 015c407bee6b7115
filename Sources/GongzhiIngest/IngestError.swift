import GongzhiCore

/// Why a submission file could not be read at all. Row-level problems are never thrown: they are issues in
/// the import report. Each case carries the facts and a Chinese message a clerk can act on.
public enum IngestError: Error, Sendable, Equatable {
    /// The file is neither an xlsx workbook nor a CSV text file: what it is (a legacy `.xls`, an encrypted
    /// workbook, a Word document, a PDF, an image…), told by its content.
    case unsupportedFormat(ForeignFormat)
    /// The xlsx container is damaged or truncated.
    case corruptWorkbook(detail: String)
    /// A workbook part declares a DTD or entities; these are never processed (XXE / billion-laughs defence).
    case forbiddenXMLDeclaration(part: String)
    /// Inflating the workbook would exceed the configured limit (zip bomb defence).
    case inflationLimitExceeded(limitBytes: Int)
    /// A workbook part inflates far more than real spreadsheets do (zip bomb defence).
    case compressionRatioExceeded(limit: Int)
    /// The file has no bytes, or only blank lines and empty cells.
    case emptyFile
    /// The header fits the indicator but no data row follows it.
    case noDataRows(headerRow: Int)
    /// The upload is larger than the configured limit.
    case fileTooLarge(bytes: Int, limitBytes: Int)
    /// The CSV text is in no supported encoding (UTF-8, UTF-8 with BOM, GB18030/GBK).
    case undecodableText
    /// The workbook has no worksheet.
    case noWorksheet
    /// The file could not be opened.
    case cannotOpen(path: String, detail: String)
    /// A CSV record runs on for more than `limitBytes` (an unclosed quote swallowing the rest of the file).
    case overlongRecord(limitBytes: Int)

    /// A message in Chinese for the clerk who uploaded the file.
    public var message: String {
        switch self {
        case .unsupportedFormat(let format):
            format.message
        case .corruptWorkbook:
            "Excel 文件已损坏或不完整，无法读取：请在 Excel 中打开确认后重新保存，再上传。"
        case .forbiddenXMLDeclaration:
            "文件包含不允许的 XML 声明（DOCTYPE/实体），已拒收：请用 Excel 重新保存为标准 .xlsx 后上传。"
        case .inflationLimitExceeded(let limit):
            "文件解压后超过 \(limit / 1_048_576) MB 的上限，疑似异常压缩文件，已拒收：请拆分后分批上传。"
        case .compressionRatioExceeded:
            "文件解压后的体积与压缩后相差过大，疑似异常压缩文件，已拒收：请用 Excel 重新保存后上传。"
        case .emptyFile:
            "文件是空的，没有任何内容：请确认选择了正确的文件。"
        case .noDataRows(let row):
            "表头（第 \(row) 行）下面没有数据行：请填写数据后再上传；如本期确无数据，请改用“零数据报送”并写明情况说明。"
        case .fileTooLarge(_, let limit):
            "文件超过上传上限 \(limit / 1_048_576) MB：请拆分后分批上传。"
        case .undecodableText:
            "CSV 文件的字符编码无法识别：请保存为 UTF-8 或 GB18030（Excel 的“CSV（逗号分隔）”）后上传。"
        case .noWorksheet:
            "Excel 工作簿中没有可以读取的工作表（只有图表页或宏表）：请把数据放在普通工作表中，保存后再上传。"
        case .cannotOpen(let path, _):
            "无法打开文件 \(path)。"
        case .overlongRecord(let limit):
            "CSV 文件中有一条记录超过 \(limit >> 20) MB，无法读取：多半是某处英文双引号没有配对，后面的内容都被当成了一个单元格。请检查后重新保存，再上传。"
        }
    }

    /// Technical detail for the operator's log.
    public var detail: String {
        switch self {
        case .unsupportedFormat(let format): "not xlsx or CSV: \(format.rawValue)"
        case .corruptWorkbook(let d), .cannotOpen(_, let d): d
        case .forbiddenXMLDeclaration(let p): "DOCTYPE/ENTITY in \(p)"
        case .inflationLimitExceeded(let l): "inflated size limit \(l) bytes exceeded"
        case .compressionRatioExceeded(let l): "compression ratio above \(l):1"
        case .emptyFile: "no content"
        case .noDataRows(let row): "no data row after header row \(row)"
        case .fileTooLarge(let b, let l): "\(b) bytes > limit \(l)"
        case .undecodableText: "not UTF-8 and not GB18030"
        case .noWorksheet: "no worksheet in workbook"
        case .overlongRecord(let l): "CSV record longer than \(l) bytes (an unclosed quote?)"
        }
    }

    /// The code of the file-level error a refused file's report carries (``ImportReport/refusing(indicator:period:file:code:message:row:sheet:encoding:)``):
    /// `unsupported_format` (not xlsx or CSV), `unreadable_file` (damaged, undecodable, no worksheet),
    /// `unsafe_file` (XML declarations, zip bombs), `file_too_large`, `empty_file` or `no_data_rows`.
    public var code: ImportErrorCode {
        switch self {
        case .unsupportedFormat: .unsupportedFormat
        case .corruptWorkbook, .undecodableText, .noWorksheet, .cannotOpen, .overlongRecord: .unreadableFile
        case .forbiddenXMLDeclaration, .compressionRatioExceeded: .unsafeFile
        case .inflationLimitExceeded, .fileTooLarge: .fileTooLarge
        case .emptyFile: .emptyFile
        case .noDataRows: .noDataRows
        }
    }
}

extension ImportReport {
    /// The report of a file refused whole because it cannot be read: all counts 0, one file-level error with
    /// the error's ``IngestError/code`` and Chinese message — at the header row for a file without data rows,
    /// without a row otherwise. The same object as a wrong-template refusal (samples/README.md, `unsupported_format`).
    public init(refusing error: IngestError, indicator: String, period: String, file: String) {
        let row: Int? = if case .noDataRows(let header) = error { header } else { nil }
        self = ImportReport.refusing(indicator: indicator, period: period, file: file, code: error.code,
                                    message: error.message, row: row)
    }
}
