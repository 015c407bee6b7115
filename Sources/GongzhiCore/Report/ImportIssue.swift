/// Error codes of the import contract (DESIGN.md "Contracts"; samples/README.md).
public enum ImportErrorCode: String, Sendable, CaseIterable, Codable {
    case missingRequired = "missing_required"
    case badCheckDigit = "bad_check_digit"
    case badFormat = "bad_format"
    case badDate = "bad_date"
    case notANumber = "not_a_number"
    case notInEnum = "not_in_enum"
    case duplicateRow = "duplicate_row"
    case precisionLost = "precision_lost"
    /// Whole file: the headers do not fit the indicator.
    case wrongTemplate = "wrong_template"
    /// Whole file: not an xlsx workbook nor CSV text (a legacy `.xls`, an encrypted workbook, a Word, PDF or image
    /// file…); the message says what it is.
    case unsupportedFormat = "unsupported_format"
    /// Whole file: an xlsx or CSV file that cannot be read (damaged or truncated, text in no supported
    /// encoding, a workbook without a worksheet).
    case unreadableFile = "unreadable_file"
    /// Whole file: refused for safety (XML declarations or entities, a zip bomb).
    case unsafeFile = "unsafe_file"
    /// Whole file: larger than the upload limit, or inflating past the xlsx limit.
    case fileTooLarge = "file_too_large"
    /// Whole file: no bytes, or only blank lines and empty cells.
    case emptyFile = "empty_file"
    /// Whole file: the header fits the indicator but no data row follows it.
    case noDataRows = "no_data_rows"
    /// Whole file: the same file is already stored for the same indicator and period.
    case duplicateFile = "duplicate_file"

    /// Short Chinese name for summaries (缺少必填项, 校验位错误…).
    public var chineseName: String {
        switch self {
        case .missingRequired: "必填项为空"
        case .badCheckDigit: "校验位错误"
        case .badFormat: "格式错误"
        case .badDate: "日期无效"
        case .notANumber: "不是数值"
        case .notInEnum: "不在可选值内"
        case .duplicateRow: "重复记录"
        case .precisionLost: "精度丢失"
        case .wrongTemplate: "模板不符"
        case .unsupportedFormat: "文件格式不支持"
        case .unreadableFile: "文件无法读取"
        case .unsafeFile: "文件结构异常"
        case .fileTooLarge: "文件过大"
        case .emptyFile: "空文件"
        case .noDataRows: "没有数据行"
        case .duplicateFile: "重复报送的文件"
        }
    }

    /// Whether the code refuses the whole file (its report is `refused: true` with this one error) rather than
    /// one row.
    public var isFileLevel: Bool {
        switch self {
        case .missingRequired, .badCheckDigit, .badFormat, .badDate, .notANumber, .notInEnum, .duplicateRow, .precisionLost:
            false
        case .wrongTemplate, .unsupportedFormat, .unreadableFile, .unsafeFile, .fileTooLarge, .emptyFile, .noDataRows,
             .duplicateFile:
            true
        }
    }

    /// Whether a whole file refused with this code was off the template or the collection standard (附件2
    /// 数据报送格式; fixtures/scoring/README.md `format_ok`): a wrong template, or a file that is no readable xlsx or
    /// CSV. An empty or header-only file, a file too large and the same file again are refused without
    /// being off-format.
    public var isOffFormat: Bool {
        switch self {
        case .wrongTemplate, .unsupportedFormat, .unreadableFile, .unsafeFile: true
        default: false
        }
    }

    /// The `error` member of a refused file's result: what API clients and scripts switch on —
    /// `wrong_template`, `duplicate_file`, or `unreadable_file` for every file that could not be read (the
    /// error's own code says why). The API answered unreadable files with this code before they were stored.
    public var refusalClass: String {
        switch self {
        case .wrongTemplate, .duplicateFile: rawValue
        default: ImportErrorCode.unreadableFile.rawValue
        }
    }
}

/// One error in a submission: a cell (or a whole row, or the whole file) that cannot be collected.
///
/// `row` is the row as the spreadsheet shows it (1-based, title and header rows counted; for CSV the record
/// number with the header as 1); `nil` for a whole-file error that has no row (a file that is no xlsx or CSV,
/// an empty or duplicate file), written `null` in the contract. `field` is the catalog key (`nil` for whole-row and whole-file errors),
/// `value` the cell exactly as in the file (`nil` when empty), `message` a Chinese sentence that tells the
/// clerk what to fix.
public struct ImportIssue: Sendable, Equatable {
    public var row: Int?
    public var field: String?
    /// The column's header label, for messages and pages.
    public var column: String?
    public var code: ImportErrorCode
    public var value: String?
    public var message: String
    /// For `duplicate_row`: the earlier accepted row this one repeats.
    public var duplicateOfRow: Int?

    /// The rejected row's ``CorrectionKey`` (its valid fields' values), by which a 补报 row that corrects it
    /// is recognised; `nil` for file-level errors and duplicates. Not part of the contract JSON nor of `==`.
    public var correctionKey: String?

    public init(row: Int?, field: String?, column: String?, code: ImportErrorCode, value: String?,
                message: String, duplicateOfRow: Int? = nil) {
        self.row = row
        self.field = field
        self.column = column
        self.code = code
        self.value = value
        self.message = message
        self.duplicateOfRow = duplicateOfRow
    }

    /// The contract's error object: `row`, `field`, `code`, `value` and, for duplicates, `duplicate_of_row`.
    public static func == (a: ImportIssue, b: ImportIssue) -> Bool {
        a.row == b.row && a.field == b.field && a.column == b.column && a.code == b.code && a.value == b.value
            && a.message == b.message && a.duplicateOfRow == b.duplicateOfRow
    }

    public var contractJSON: JSONValue {
        var members: [(String, JSONValue)] = [
            ("row", row.map(JSONValue.int) ?? .null), ("field", .optional(field)), ("code", .string(code.rawValue)), ("value", .optional(value)),
        ]
        if let duplicateOfRow { members.append(("duplicate_of_row", .int(duplicateOfRow))) }
        return .object(members)
    }

    /// `第6行「买方证件号码」：…` — the message with its place, for lists and logs (the bare message for a
    /// whole-file error without a row).
    public var locatedMessage: String {
        guard let row else { return message }
        if let column { return "第\(row)行「\(column)」：\(message)" }
        return "第\(row)行：\(message)"
    }
}

/// A cell that was fixed and accepted: `from` is the raw text, `to` the canonical value as a string.
public struct Normalization: Sendable, Equatable {
    public var row: Int
    public var field: String
    public var from: String
    public var to: String

    public init(row: Int, field: String, from: String, to: String) {
        self.row = row
        self.field = field
        self.from = from
        self.to = to
    }

    public var contractJSON: JSONValue {
        .object([("row", .int(row)), ("field", .string(field)), ("from", .string(from)), ("to", .string(to))])
    }
}
