/// An accepted row: its spreadsheet row number and canonical values in the indicator's field order.
public struct AcceptedRecord: Sendable, Equatable {
    public var row: Int
    /// One value per indicator field; `nil` for an empty optional cell.
    public var values: [FieldValue?]

    public init(row: Int, values: [FieldValue?]) {
        self.row = row
        self.values = values
    }

    /// `{"row": 3, "values": {"key": canonical, ...}}` as in `records.jsonl`, every field present.
    public func contractJSON(fields: [Field]) -> JSONValue {
        .object([("row", .int(row)), ("values", valuesJSON(fields: fields))])
    }

    /// `{"key": canonical, ...}` in field order, `null` for empty cells.
    public func valuesJSON(fields: [Field]) -> JSONValue {
        .object(zip(fields, values).map { ($0.key, $1?.json ?? .null) })
    }

    /// `valuesJSON(fields:).serialized()`, written straight into one string (no `JSONValue` tree): what
    /// storage keeps per record. `memberPrefixes` are ``jsonMemberPrefixes(fields:)``, computed once per batch.
    public func valuesJSONText(memberPrefixes: [String]) -> String {
        let n = min(memberPrefixes.count, values.count)  // as `zip` in valuesJSON(fields:)
        // Exact length first, so the text is written into one allocation; a value that needs escaping (or a
        // date-time) takes the general writer.
        var size = 2 + max(0, n - 1)
        for i in 0..<n {
            size += memberPrefixes[i].utf8.count
            switch values[i] {
            case nil: size += 4
            case .integer(let s)?: size += s.utf8.count
            case .boolean(let b)?: size += b ? 4 : 5
            case .text(let s)?, .decimal(let s)?:
                if s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return valuesJSONTextGeneral(n, memberPrefixes) }
                size += s.utf8.count + 2
            case .date?: size += 12  // "yyyy-mm-dd"
            default: return valuesJSONTextGeneral(n, memberPrefixes)
            }
        }
        return String(unsafeUninitializedCapacity: size) { buffer in
            var p = 0
            func put(_ byte: UInt8) { buffer[p] = byte; p += 1 }
            func put(_ s: String) {
                let copied: Void? = s.utf8.withContiguousStorageIfAvailable { u in
                    _ = UnsafeMutableBufferPointer(rebasing: buffer[p..<(p + u.count)]).initialize(from: u)
                    p += u.count
                }
                if copied == nil { for b in s.utf8 { put(b) } }
            }
            put(UInt8(ascii: "{"))
            for i in 0..<n {
                if i > 0 { put(UInt8(ascii: ",")) }
                put(memberPrefixes[i])
                switch values[i] {
                case nil: put("null")
                case .integer(let s)?: put(s)
                case .boolean(let b)?: put(b ? "true" : "false")
                case .text(let s)?, .decimal(let s)?:
                    put(UInt8(ascii: "\""))
                    put(s)
                    put(UInt8(ascii: "\""))
                case .date(let d)?:  // CalendarDate.isoString (year 1...9999)
                    put(UInt8(ascii: "\""))
                    func digits(_ n: Int, _ divisor: Int) {
                        var divisor = divisor
                        while divisor > 0 { put(UInt8(truncatingIfNeeded: 48 + n / divisor % 10)); divisor /= 10 }
                    }
                    digits(d.year, 1000)
                    put(UInt8(ascii: "-"))
                    digits(d.month, 10)
                    put(UInt8(ascii: "-"))
                    digits(d.day, 10)
                    put(UInt8(ascii: "\""))
                default: break  // not reached: handled by the general writer above
                }
            }
            put(UInt8(ascii: "}"))
            return p
        }
    }

    private func valuesJSONTextGeneral(_ n: Int, _ memberPrefixes: [String]) -> String {
        var out = "{"
        for i in 0..<n {
            if i > 0 { out += "," }
            out += memberPrefixes[i]
            switch values[i] {
            case nil: out += "null"
            case .integer(let s)?: out += s
            case .boolean(let b)?: out += b ? "true" : "false"
            case let value?: JSONValue.writeString(value.canonicalText, to: &out)
            }
        }
        out += "}"
        return out
    }

    /// `valuesJSON(fields:).serialized()` without the `JSONValue` tree (see ``valuesJSONText(memberPrefixes:)``).
    public func valuesJSONText(fields: [Field]) -> String {
        valuesJSONText(memberPrefixes: Self.jsonMemberPrefixes(fields: fields))
    }

    /// Each field's `"key":` as written in the values JSON.
    public static func jsonMemberPrefixes(fields: [Field]) -> [String] {
        fields.map { field in
            var prefix = ""
            JSONValue.writeString(field.key, to: &prefix)
            return prefix + ":"
        }
    }
}

/// The result of importing one file: what the clerk sees and what `gongzhi import --json` prints
/// (samples/README.md "expected.json").
public struct ImportReport: Sendable, Equatable {
    public var indicator: String
    public var period: String
    /// The file name as uploaded.
    public var file: String
    /// The whole file was refused: all counts 0, exactly one file-level error whose code says why
    /// (``ImportErrorCode/isFileLevel``; see ``refusing(indicator:period:file:code:message:row:sheet:encoding:)``).
    public var refused: Bool
    public var rowsTotal: Int
    public var rowsAccepted: Int
    public var rowsRejected: Int
    /// Sorted by row, then by the field's position in the indicator.
    public var errors: [ImportIssue]
    /// Sorted like `errors`; only in accepted rows.
    public var normalized: [Normalization]
    /// The worksheet the data was read from (`nil` for CSV).
    public var sheet: String?
    /// The (last) header row.
    public var headerRow: Int?
    /// The text encoding of a CSV file.
    public var encoding: String?
    /// Why the file was refused, in Chinese (refused files only).
    public var refusal: String?
    /// The text of the rows above the header (the title, e.g. "房产交易信息 2024年3月"), for
    /// ``PeriodSanity``. Not part of the contract JSON.
    public var title: String = ""
    /// Where the accepted rows' dates fell against the period, one tally per date field (``PeriodSanity``).
    /// Not part of the contract JSON.
    public var dateTallies: [PeriodSanity.DateTally] = []

    public init(indicator: String, period: String, file: String, refused: Bool = false, rowsTotal: Int = 0,
                rowsAccepted: Int = 0, rowsRejected: Int = 0, errors: [ImportIssue] = [],
                normalized: [Normalization] = [], sheet: String? = nil, headerRow: Int? = nil,
                encoding: String? = nil, refusal: String? = nil) {
        self.indicator = indicator
        self.period = period
        self.file = file
        self.refused = refused
        self.rowsTotal = rowsTotal
        self.rowsAccepted = rowsAccepted
        self.rowsRejected = rowsRejected
        self.errors = errors
        self.normalized = normalized
        self.sheet = sheet
        self.headerRow = headerRow
        self.encoding = encoding
        self.refusal = refusal
    }

    /// The report of a file refused whole: `refused`, all counts 0, one error with `code` and `message` at
    /// `row` (the header row for `wrong_template` and `no_data_rows`, `nil` when the refusal has no row), and
    /// `message` as the refusal. Every kind of refusal gives this one shape (samples/README.md, `wrong_template`
    /// and `unsupported_format`).
    public static func refusing(indicator: String, period: String, file: String, code: ImportErrorCode, message: String,
                               row: Int? = nil, sheet: String? = nil, encoding: String? = nil) -> ImportReport {
        ImportReport(indicator: indicator, period: period, file: file, refused: true,
                     errors: [ImportIssue(row: row, field: nil, column: nil, code: code, value: nil, message: message)],
                     sheet: sheet, headerRow: row, encoding: encoding, refusal: message)
    }

    /// The code of a refused file's one error (`nil` when the file was read).
    public var refusalCode: ImportErrorCode? {
        refused ? errors.first?.code : nil
    }

    /// The contract object: `indicator`, `period`, `file`, `refused`, `rows_total`, `rows_accepted`,
    /// `rows_rejected`, `errors`, `normalized` (exact shapes), then `sheet`, `header_row`, `encoding`,
    /// `message` and `error` (refusals: ``ImportErrorCode/refusalClass`` of the one error) and `error_messages` (one located Chinese sentence per error, same order),
    /// then `extra` members (e.g. a submission id) and, when given, `records`.
    public func contractJSON(extra: [(String, JSONValue)] = [], records: JSONValue? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("indicator", .string(indicator)),
            ("period", .string(period)),
            ("file", .string(file)),
            ("refused", .bool(refused)),
            ("rows_total", .int(rowsTotal)),
            ("rows_accepted", .int(rowsAccepted)),
            ("rows_rejected", .int(rowsRejected)),
            ("errors", .array(errors.map(\.contractJSON))),
            ("normalized", .array(normalized.map(\.contractJSON))),
            ("sheet", .optional(sheet)),
            ("header_row", headerRow.map(JSONValue.int) ?? .null),
            ("encoding", .optional(encoding)),
        ]
        if let refusal { members.append(("message", .string(refusal))) }
        if let refusalCode { members.append(("error", .string(refusalCode.refusalClass))) }
        members.append(("error_messages", .array(errors.map { .string($0.locatedMessage) })))
        members.append(contentsOf: extra)
        if let records { members.append(("records", records)) }
        return .object(members)
    }

    /// Submission status implied by the counts: refused, accepted (no rejected rows) or partially accepted.
    public var outcome: ImportOutcome {
        if refused { return .refused }
        return rowsRejected == 0 ? .accepted : .partiallyAccepted
    }
}

/// How an import ended, for the submission's status.
public enum ImportOutcome: String, Sendable, Codable {
    case accepted
    case partiallyAccepted = "partially_accepted"
    case refused

    public var chineseName: String {
        switch self {
        case .accepted: "全部接收"
        case .partiallyAccepted: "部分接收"
        case .refused: "拒收"
        }
    }
}
