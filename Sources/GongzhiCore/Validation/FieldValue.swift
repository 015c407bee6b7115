/// A cell's canonical value after normalisation and validation (samples/README.md "records.jsonl").
public enum FieldValue: Sendable, Hashable {
    /// Text, enum values and identifiers (upper-case ASCII).
    case text(String)
    /// A whole number as canonical digits with an optional leading `-` (`"12"`, `"-3"`).
    case integer(String)
    /// A decimal as a plain decimal string, never through `Double` (`"256.95"`, `"1234.50"`).
    case decimal(String)
    case date(CalendarDate)
    case dateTime(CalendarDateTime)
    case boolean(Bool)

    /// The canonical value as a string: what `normalized[].to` shows and what storage indexes.
    public var canonicalText: String {
        switch self {
        case .text(let s), .integer(let s), .decimal(let s): s
        case .date(let d): d.isoString
        case .dateTime(let t): t.isoString
        case .boolean(let b): b ? "true" : "false"
        }
    }

    /// The value in `records.jsonl`: integers as JSON numbers, booleans as `true`/`false`, the rest as strings.
    public var json: JSONValue {
        switch self {
        case .integer(let s): .number(s)
        case .boolean(let b): .bool(b)
        default: .string(canonicalText)
        }
    }

    /// A key under which equal values compare equal: decimals by numeric value (`256.9` = `256.90`).
    public var comparisonKey: String {
        switch self {
        case .decimal(let s): DecimalText.comparisonForm(s)
        default: canonicalText
        }
    }
}
