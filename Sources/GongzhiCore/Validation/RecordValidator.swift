/// The outcome of validating one data row.
public enum RowOutcome: Sendable, Equatable {
    /// Every cell is valid: `values` in the indicator's field order (`nil` = empty optional cell), with the
    /// normalisations the report lists.
    case accepted(values: [FieldValue?], normalizations: [Normalization])
    /// The row is rejected whole; `issues` sorted by the field's position.
    case rejected([ImportIssue])
}

/// Validates rows of one submission in file order (附件1 第八条; samples/README.md).
///
/// Applies the cell rules of ``FieldValidator``, then the row rules: required fields, `one_of` groups,
/// whole-row duplicates (a row equal to an earlier accepted row in every field after normalisation), and
/// `unique` fields. Keeps one 128-bit fingerprint per accepted row in a ``FingerprintTable``, so memory grows by
/// about 25-35 bytes a row.
public struct RecordValidator: Sendable {
    public let indicator: Indicator
    public let cells: FieldValidator
    /// Field index → index of its id-type sibling field, or -1 (person_id fields with `id_type_field`).
    private let siblingOf: [Int]
    /// The fields with a sibling, validated after the others.
    private let fieldsWithSibling: [Int]
    private let oneOfGroups: [[Int]]
    private let inOneOf: Set<Int>
    private let uniqueFields: [Int]
    /// `required` of each field (read per row without touching the `Field` values).
    private let requiredField: [Bool]
    /// Reused per row for the cell outcomes (saves an allocation a row).
    private var outcomeBuffer: [CellOutcome] = []
    private var seenRows = FingerprintTable()
    private var seenUnique: [Fingerprint: Int] = [:]

    /// - Parameters:
    ///   - indicator: the indicator the rows belong to.
    ///   - cells: the cell rules (identifier rules, date system).
    public init(indicator: Indicator, cells: FieldValidator) {
        self.indicator = indicator
        self.cells = cells
        var siblings: [Int: Int] = [:]
        for (i, f) in indicator.fields.enumerated() {
            if let sibling = f.idTypeField, let j = indicator.fields.firstIndex(where: { $0.key == sibling }) {
                siblings[i] = j
            }
        }
        siblingOf = indicator.fields.indices.map { siblings[$0] ?? -1 }
        fieldsWithSibling = siblings.keys.sorted()
        let position = Dictionary(uniqueKeysWithValues: indicator.fields.enumerated().map { ($1.key, $0) })
        oneOfGroups = (indicator.oneOf ?? []).map { $0.compactMap { position[$0] } }.filter { !$0.isEmpty }
        inOneOf = Set(oneOfGroups.flatMap { $0 })
        uniqueFields = indicator.fields.indices.filter { indicator.fields[$0].unique == true }
        requiredField = indicator.fields.map(\.required)
    }

    /// Validates the row numbered `row` (as the spreadsheet shows it). `cells` holds one raw cell per
    /// indicator field, in field order (`.empty` for a field with no column). `rowIssues` are problems the
    /// reader found with the row as a whole (e.g. more CSV fields than header columns): they reject it too.
    public mutating func validate(row: Int, cells raw: [RawCell], rowIssues: [ImportIssue] = []) -> RowOutcome {
        let fields = indicator.fields
        var outcomes: [CellOutcome] = []
        swap(&outcomes, &outcomeBuffer)
        defer { swap(&outcomes, &outcomeBuffer) }
        if outcomes.count != fields.count {
            outcomes = [CellOutcome](repeating: .empty(raw: nil), count: fields.count)
        }
        // every outcome is overwritten below: first the fields without a sibling, then those with one
        fields.withUnsafeBufferPointer { fields in
            for i in fields.indices where siblingOf[i] < 0 {
                outcomes[i] = cells.validate(raw[i], as: fields[i])
            }
            for i in fieldsWithSibling {
                let sibling = siblingOf[i]
                var passport = false
                if case .value(.text(let kind), _) = outcomes[sibling] { passport = kind == "护照" }
                outcomes[i] = cells.validate(raw[i], as: fields[i], passport: passport)
            }
        }

        var issues: [ImportIssue] = rowIssues
        for i in fields.indices {
            switch outcomes[i] {
            case .empty(let rawText):
                if requiredField[i] && !inOneOf.contains(i) {
                    issues.append(issue(row, i, .missingRequired, rawText,
                                        "「\(fields[i].header)」为必填项，不能为空：请补充后重新上传。"))
                }
            case .failure(let code, let message):
                issues.append(issue(row, i, code, raw[i].rawValue, message))
            case .value:
                break
            }
        }
        for group in oneOfGroups {
            let allEmpty = group.allSatisfy { if case .empty = outcomes[$0] { true } else { false } }
            if allEmpty, let first = group.first {
                let names = group.map { "「\(fields[$0].header)」" }.joined(separator: "与")
                issues.append(issue(row, first, .missingRequired, raw[first].isBlank ? raw[first].rawValue : nil,
                                    "\(names)至少要填写一项：个人填写身份证号码，单位填写统一社会信用代码。"))
            }
        }

        var values = [FieldValue?](repeating: nil, count: fields.count)
        for i in fields.indices {
            if case .value(let v, _) = outcomes[i] { values[i] = v }
        }

        var rowFingerprint: Fingerprint? = nil
        if issues.isEmpty {
            let fp = Fingerprint(values: values)
            if let earlier = seenRows[fp] {
                return .rejected([ImportIssue(row: row, field: nil, column: nil, code: .duplicateRow, value: nil,
                                              message: "与第\(earlier)行的内容完全相同（重复记录）：请删除重复行。",
                                              duplicateOfRow: earlier)])
            }
            rowFingerprint = fp
        }
        var uniqueKeys: [Fingerprint] = []
        for i in uniqueFields {
            guard let v = values[i] else { continue }
            let key = Fingerprint([String(i), v.comparisonKey])
            if let earlier = seenUnique[key] {
                issues.append(ImportIssue(row: row, field: fields[i].key, column: fields[i].header, code: .duplicateRow,
                                          value: raw[i].rawValue,
                                          message: "与第\(earlier)行重复：「\(fields[i].header)」每个值只能出现一次，请核对。",
                                          duplicateOfRow: earlier))
            } else {
                uniqueKeys.append(key)
            }
        }
        guard issues.isEmpty, let rowFingerprint else {
            issues.sort { position(of: $0) < position(of: $1) }
            // The row's valid fields, by which a corrected copy of it in a 补报 file is recognised.
            let wrong = Set(issues.compactMap(\.field))
            let kept = fields.indices.filter { !wrong.contains(fields[$0].key) }
            if kept.count < fields.count {
                let key = CorrectionKey.make(fields: kept) { values[$0]?.canonicalText }
                for i in issues.indices { issues[i].correctionKey = key }
            }
            return .rejected(issues)
        }
        seenRows.insert(rowFingerprint, row: row)
        for key in uniqueKeys { seenUnique[key] = row }

        var normalizations: [Normalization] = []
        for i in fields.indices {
            if case .value(let v, let from?) = outcomes[i] {
                normalizations.append(Normalization(row: row, field: fields[i].key, from: from, to: v.canonicalText))
            }
        }
        return .accepted(values: values, normalizations: normalizations)
    }

    private func position(of issue: ImportIssue) -> Int {
        guard let key = issue.field else { return -1 }
        return indicator.fields.firstIndex { $0.key == key } ?? Int.max
    }

    private func issue(_ row: Int, _ i: Int, _ code: ImportErrorCode, _ value: String?, _ message: String) -> ImportIssue {
        let field = indicator.fields[i]
        return ImportIssue(row: row, field: field.key, column: field.header, code: code, value: value, message: message)
    }
}

/// A set of ``Fingerprint``s with the row each was first seen in, kept compact for a million rows: open
/// addressing (linear probing) in 256 shards chosen by the fingerprint's top byte, each shard three arrays
/// (two 64-bit halves and a 32-bit row: 20 bytes a slot), filled to at most 7/8 and grown by half, one shard
/// at a time, so there is no moment where the whole table exists twice. Row numbers past `UInt32.max - 1`
/// go to a plain dictionary.
struct FingerprintTable: Sendable {
    private struct Shard: Sendable {
        var a: [UInt64] = []
        var b: [UInt64] = []
        /// 0 = empty slot, else the row number.
        var rows: [UInt32] = []
        var count = 0

        /// The slot holding `fp`, or the empty slot where it would go (the shard must not be full).
        @inline(__always)
        func slot(_ fp: Fingerprint) -> Int {
            let capacity = rows.count
            var i = Int(truncatingIfNeeded: fp.b.multipliedFullWidth(by: UInt64(capacity)).high)
            while rows[i] != 0 {
                if a[i] == fp.a && b[i] == fp.b { return i }
                i += 1
                if i == capacity { i = 0 }
            }
            return i
        }

        func row(of fp: Fingerprint) -> Int? {
            guard count > 0 else { return nil }
            let i = slot(fp)
            return rows[i] == 0 ? nil : Int(rows[i])
        }

        mutating func insert(_ fp: Fingerprint, row: UInt32) {
            if (count + 1) * 8 > rows.count * 7 { grow() }
            let i = slot(fp)
            if rows[i] == 0 { count += 1 }
            a[i] = fp.a
            b[i] = fp.b
            rows[i] = row
        }

        private mutating func grow() {
            let capacity = max(16, rows.count + rows.count / 2)
            var bigger = Shard(a: [UInt64](repeating: 0, count: capacity), b: [UInt64](repeating: 0, count: capacity),
                               rows: [UInt32](repeating: 0, count: capacity), count: 0)
            for i in rows.indices where rows[i] != 0 {
                let j = bigger.slot(Fingerprint(a: a[i], b: b[i]))
                bigger.a[j] = a[i]
                bigger.b[j] = b[i]
                bigger.rows[j] = rows[i]
            }
            bigger.count = count
            self = bigger
        }
    }

    private var shards = [Shard](repeating: Shard(), count: 256)
    private var overflow: [Fingerprint: Int] = [:]

    /// The row `fp` was first recorded with, or `nil`.
    subscript(fp: Fingerprint) -> Int? {
        if let row = shards[Int(truncatingIfNeeded: fp.a >> 56)].row(of: fp) { return row }
        return overflow.isEmpty ? nil : overflow[fp]
    }

    /// Records `fp` as first seen in `row` (replacing an earlier entry).
    mutating func insert(_ fp: Fingerprint, row: Int) {
        if row > 0 && row < Int(UInt32.max) {
            shards[Int(truncatingIfNeeded: fp.a >> 56)].insert(fp, row: UInt32(row))
        } else {
            overflow[fp] = row
        }
    }
}

/// A 128-bit fingerprint of a sequence of optional strings (two independent 64-bit hashes: FNV-1a and a
/// multiply-xorshift hash). Collisions among a million rows are practically impossible (≈ 2⁻⁸⁸).
struct Fingerprint: Hashable, Sendable {
    let a: UInt64
    let b: UInt64

    init(a: UInt64, b: UInt64) {
        self.a = a
        self.b = b
    }

    init(_ parts: [String?]) {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x9E37_79B9_7F4A_7C15
        @inline(__always) func mix(_ byte: UInt8) {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b &+ UInt64(byte) &+ 1) &* 0xBF58_476D_1CE4_E5B9
            b ^= b >> 31
        }
        for part in parts {
            if let part {
                mix(1)
                for byte in part.utf8 { mix(byte) }
            } else {
                mix(0)
            }
            mix(0x1F)
        }
        self.a = a
        self.b = b
    }

    /// The fingerprint of `values.map { $0?.comparisonKey }`, hashed from the values' bytes without building
    /// the key strings (same bytes, so the same fingerprint).
    init(values: [FieldValue?]) {
        var h = Hasher128()
        for value in values {
            if let value {
                h.mix(1)
                switch value {
                case .text(let s), .integer(let s):
                    h.mix(s)
                case .decimal(let s):
                    // DecimalText.comparisonForm: trailing fraction zeros and a bare point removed, -0 → 0
                    let hashed: Void? = s.utf8.withContiguousStorageIfAvailable { u in
                        var end = u.count
                        let point = u.contains(UInt8(ascii: "."))
                        if point {
                            while end > 0, u[end - 1] == UInt8(ascii: "0") { end -= 1 }
                            if end > 0, u[end - 1] == UInt8(ascii: ".") { end -= 1 }
                        }
                        if (point && end == 0) || (end == 2 && u[0] == UInt8(ascii: "-") && u[1] == UInt8(ascii: "0")) {
                            h.mix(UInt8(ascii: "0"))
                        } else {
                            h.mix(UnsafeBufferPointer(rebasing: u[0..<end]))
                        }
                    }
                    if hashed == nil { h.mix(value.comparisonKey) }
                case .date(let d):
                    // CalendarDate.isoString: yyyy-mm-dd (year 1...9999)
                    h.mixDigits(d.year, count: 4); h.mix(UInt8(ascii: "-"))
                    h.mixDigits(d.month, count: 2); h.mix(UInt8(ascii: "-"))
                    h.mixDigits(d.day, count: 2)
                case .dateTime, .boolean:
                    h.mix(value.comparisonKey)
                }
            } else {
                h.mix(0)
            }
            h.mix(0x1F)
        }
        self.a = h.a
        self.b = h.b
    }

    /// The two running hashes of ``init(_:)``, byte by byte.
    private struct Hasher128 {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x9E37_79B9_7F4A_7C15

        @inline(__always)
        mutating func mix(_ byte: UInt8) {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b &+ UInt64(byte) &+ 1) &* 0xBF58_476D_1CE4_E5B9
            b ^= b >> 31
        }

        @inline(__always)
        mutating func mix(_ bytes: UnsafeBufferPointer<UInt8>) {
            var a = self.a, b = self.b
            for byte in bytes {
                a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                b = (b &+ UInt64(byte) &+ 1) &* 0xBF58_476D_1CE4_E5B9
                b ^= b >> 31
            }
            self.a = a
            self.b = b
        }

        mutating func mix(_ s: String) {
            let hashed: Void? = s.utf8.withContiguousStorageIfAvailable { mix($0) }
            if hashed == nil { for byte in s.utf8 { mix(byte) } }
        }

        /// `n` as exactly `count` decimal digits (zero-padded).
        mutating func mixDigits(_ n: Int, count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor &*= 10 }
            while divisor > 0 { mix(UInt8(truncatingIfNeeded: 48 + n / divisor % 10)); divisor /= 10 }
        }
    }
}
