import Foundation

/// How a file for a task that already holds accepted records corrects it (issue 10; 附件1 第十一条, the
/// provider corrects what it submitted):
/// - ``append`` — 补报: the file carries only corrected or missing rows; they join the task's current
///   records, and the rejected rows they correct are marked corrected. Nothing accepted is replaced.
/// - ``replace`` — 更正: the file replaces the whole submission; the earlier one is superseded (kept and
///   readable, no longer what consumers see).
public enum CorrectionMode: String, Sendable, CaseIterable, Codable {
    case append
    case replace

    /// The clerk's name for it.
    public var chineseName: String {
        switch self {
        case .append: "补报"
        case .replace: "更正"
        }
    }

    /// Reads `append`/`replace` or the Chinese names 补报/更正; `nil` for anything else.
    public init?(text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "append", "补报": self = .append
        case "replace", "更正": self = .replace
        default: return nil
        }
    }

    /// Whether a file for a task whose current submissions hold `acceptedRecords` needs a mode: a file
    /// never silently replaces accepted records (issue 10, "corrections never lose data").
    public static func isRequired(acceptedRecords: Int) -> Bool { acceptedRecords > 0 }
}

/// The identity of a rejected row for correction: the canonical values of the fields that were valid,
/// with their positions. A 补报 row corrects a rejected row when it has the same values in those fields
/// (the clerk changed only what was wrong). Text of the form `3=v;7=w;` with `;`, `=` and `\` escaped.
public enum CorrectionKey {
    /// The key over field positions `fields` (ascending), `value(i)` giving field `i`'s canonical value
    /// (`nil` = empty).
    public static func make(fields: [Int], value: (Int) -> String?) -> String {
        var key = ""
        for i in fields {
            key += String(i) + "="
            for c in value(i) ?? "" {
                if c == ";" || c == "=" || c == "\\" { key.append("\\") }
                key.append(c)
            }
            key += ";"
        }
        return key
    }

    /// The field positions a key covers, ascending.
    public static func fields(of key: String) -> [Int] {
        var positions: [Int] = []
        var number = "", inValue = false, escaped = false
        for c in key {
            if inValue {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == ";" { inValue = false }
            } else if c == "=" {
                if let n = Int(number) { positions.append(n) }
                number = ""
                inValue = true
            } else {
                number.append(c)
            }
        }
        return positions
    }
}
