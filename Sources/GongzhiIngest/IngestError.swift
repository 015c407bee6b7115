/// Why a submission file could not be read at all. Row-level problems are never thrown: they are issues in
/// the import report. Each case carries the facts and a Chinese message a clerk can act on.
public enum IngestError: Error, Sendable, Equatable {
    /// The file is neither an xlsx workbook nor a CSV text file (e.g. a legacy `.xls`, a PDF, an image).
    case unsupportedFormat(detail: String)
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

    /// A message in Chinese for the clerk who uploaded the file.
    public var message: String {
        switch self {
        case .unsupportedFormat(let detail) where detail.contains("OLE2"):
            "这是旧版 Excel 文件（.xls）或加密的工作簿：请在 Excel 中“另存为” Excel 工作簿（.xlsx）、取消密码后再上传。"
        case .unsupportedFormat:
            "无法识别的文件格式：请上传 Excel 工作簿（.xlsx）或 CSV 文本文件（逗号分隔，UTF-8 或 GB18030 编码）。"
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
            "Excel 文件中没有工作表。"
        case .cannotOpen(let path, _):
            "无法打开文件 \(path)。"
        }
    }

    /// Technical detail for the operator's log.
    public var detail: String {
        switch self {
        case .unsupportedFormat(let d), .corruptWorkbook(let d), .cannotOpen(_, let d): d
        case .forbiddenXMLDeclaration(let p): "DOCTYPE/ENTITY in \(p)"
        case .inflationLimitExceeded(let l): "inflated size limit \(l) bytes exceeded"
        case .compressionRatioExceeded(let l): "compression ratio above \(l):1"
        case .emptyFile: "no content"
        case .noDataRows(let row): "no data row after header row \(row)"
        case .fileTooLarge(let b, let l): "\(b) bytes > limit \(l)"
        case .undecodableText: "not UTF-8 and not GB18030"
        case .noWorksheet: "no worksheet in workbook"
        }
    }
}
