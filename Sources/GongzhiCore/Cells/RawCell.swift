/// One cell as a reader found it, before any normalisation: the input of field validation.
///
/// Readers never interpret a cell beyond what the file format says it is: a CSV field is always `.text`;
/// an xlsx cell is `.text` (shared, inline or formula string), `.number` (the `<v>` text exactly as stored,
/// with its number format), `.boolean`, `.formula` (a formula without a cached value) or `.error` (`#N/A`).
public enum RawCell: Sendable, Equatable {
    case empty
    case text(String)
    /// `value` is the number exactly as written in the cell XML (`3.21002198001011e+17`, `44931`, `256.9`).
    case number(String, format: NumberFormat)
    case boolean(Bool)
    /// A formula with no cached value, as Excel shows it: `=B3*10000`.
    case formula(String)
    /// An Excel error value such as `#N/A` or `#DIV/0!`.
    case error(String)

    /// The cell as it is in the file, for error reports: text unchanged, numbers as stored, booleans `1`/`0`,
    /// formulas with their `=`; `nil` when empty.
    public var rawValue: String? {
        switch self {
        case .empty: nil
        case .text(let s): s
        case .number(let v, _): v
        case .boolean(let b): b ? "TRUE" : "FALSE"
        case .formula(let f): f
        case .error(let e): e
        }
    }

    /// Whether the cell holds nothing but trimmable white space (or nothing at all).
    public var isBlank: Bool {
        switch self {
        case .empty: true
        case .text(let s): TextNormalization.trim(s).isEmpty
        default: false
        }
    }
}

/// An xlsx number format (`numFmtId` and its format code) as it applies to one cell.
///
/// Built-in ids 14-22, 27-36, 45-47 and 50-58 (the East Asian built-ins) are dates or times; a custom code is
/// a date when it has `y`, `m`, `d`, `h` or `s` outside quotes, brackets and escapes (`yyyy"年"m"月"d"日"`).
public struct NumberFormat: Sendable, Equatable, Hashable {
    /// `numFmtId` from `styles.xml` (0 = General).
    public var id: Int
    /// The format code (`General`, `000000`, `yyyy"年"m"月"d"日"`, `0.00`).
    public var code: String
    /// Whether values in this format are date/time serials.
    public var isDateTime: Bool

    /// The General format (id 0).
    public static let general = NumberFormat(id: 0, code: "General", isDateTime: false)

    public init(id: Int, code: String, isDateTime: Bool) {
        self.id = id
        self.code = code
        self.isDateTime = isDateTime
    }
}
