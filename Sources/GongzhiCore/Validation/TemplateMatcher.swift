/// Matches a file's column headers to an indicator's fields (catalog header comment: headers are
/// `label（unit）`, in any order; samples/README.md "Headers").
///
/// Comparison ignores a BOM, all white space (U+00A0 and U+3000 included) and width (`（` = `(`). A header
/// equal to a field's label alone also matches when no other field has that label.
public struct TemplateMatcher: Sendable {
    public let indicator: Indicator
    private let byHeader: [String: Int]
    private let byLabel: [String: Int]

    public init(indicator: Indicator) {
        self.indicator = indicator
        var byHeader: [String: Int] = [:]
        var labelCount: [String: Int] = [:]
        var byLabel: [String: Int] = [:]
        for (i, field) in indicator.fields.enumerated() {
            byHeader[Self.headerKey(field.header)] = i
            let label = Self.headerKey(field.label)
            labelCount[label, default: 0] += 1
            byLabel[label] = i
        }
        self.byHeader = byHeader
        self.byLabel = byLabel.filter { labelCount[$0.key] == 1 }
    }

    /// The comparison form of a header: width folded, with every white-space, BOM and zero-width character removed.
    public static func headerKey(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in TextNormalization.foldWidth(text).unicodeScalars where !TextNormalization.isTrimmable(s) {
            out.append(s)
        }
        return String(out)
    }

    /// The field index a header names, or `nil`.
    public func fieldIndex(forHeader text: String) -> Int? {
        let key = Self.headerKey(text)
        return byHeader[key] ?? byLabel[key]
    }

    /// Matches `headers` (column index and header text; empty headers already left out).
    /// - Returns: column index → field index, or the mismatch naming missing required fields, unknown and
    ///   repeated headers.
    public func match(_ headers: [(column: Int, text: String)]) -> Result<[Int: Int], TemplateMismatch> {
        var mapping: [Int: Int] = [:]
        var used: Set<Int> = []
        var unknown: [String] = []
        var repeated: [String] = []
        for (column, text) in headers {
            guard let i = fieldIndex(forHeader: text) else {
                unknown.append(TextNormalization.trim(text))
                continue
            }
            if used.contains(i) { repeated.append(TextNormalization.trim(text)); continue }
            used.insert(i)
            mapping[column] = i
        }
        let missing = indicator.fields.enumerated().filter { $1.required && !used.contains($0) }.map { $1.header }
        if missing.isEmpty && unknown.isEmpty && repeated.isEmpty { return .success(mapping) }
        return .failure(TemplateMismatch(indicatorName: indicator.name, matched: mapping.count,
                                         missing: missing, unknown: unknown, repeated: repeated))
    }
}

/// Why a file's headers do not fit the indicator (`wrong_template`).
public struct TemplateMismatch: Error, Sendable, Equatable {
    public var indicatorName: String
    /// How many headers did match a field.
    public var matched: Int
    /// Headers of required fields with no column.
    public var missing: [String]
    /// Headers that match no field.
    public var unknown: [String]
    /// Headers that name a field already matched by an earlier column.
    public var repeated: [String]

    public init(indicatorName: String, matched: Int, missing: [String], unknown: [String], repeated: [String]) {
        self.indicatorName = indicatorName
        self.matched = matched
        self.missing = missing
        self.unknown = unknown
        self.repeated = repeated
    }

    /// Chinese explanation naming the missing, unknown and repeated columns.
    public var message: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("缺少必填列：" + missing.joined(separator: "、")) }
        if !unknown.isEmpty { parts.append("无法识别的列：" + unknown.joined(separator: "、")) }
        if !repeated.isEmpty { parts.append("重复的列：" + repeated.joined(separator: "、")) }
        return "表头与「\(indicatorName)」的模板不符（\(parts.joined(separator: "；"))）。请确认选择的数据项正确，并下载该数据项的最新模板填写后重新上传。"
    }
}
