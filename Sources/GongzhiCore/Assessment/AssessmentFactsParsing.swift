/// Why a facts object cannot be scored: the **first** offending field, checked in schema order
/// (`fixtures/scoring/README.md`, "Validation"), tasks in array order and a task's keys in schema order.
///
/// `field` is the bare key (`erroneous`, `submitted_on`, `absent`, …), or `facts` when the text is not one JSON
/// object, or `tasks` when an element of `tasks` is not an object. `path` locates it (`tasks[3].erroneous`,
/// `meetings.absent`); `message` says in Chinese what is wrong.
public struct AssessmentFactsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the field.
    public enum Reason: String, Sendable, Equatable {
        case notJSON, missing, notString, blank, badQuarter, notArray, notObject, badCollection, badPeriod, badDate,
             notBoolean, notInteger, negative, tooLarge, exceedsRecords, zeroDataWithRecords, badRank, badLeakPenalty
    }

    /// Bare key of the offending field.
    public var field: String
    /// Where the field is, e.g. `tasks[3].erroneous`.
    public var path: String
    public var reason: Reason
    /// A sentence a clerk can act on, in Chinese.
    public var message: String

    public init(field: String, path: String, reason: Reason, message: String) {
        self.field = field
        self.path = path
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// `{"error": field, "path": …, "message": …}`, what `gongzhi score --facts --json` prints.
    public var json: JSONValue {
        .object([("error", .string(field)), ("path", .string(path)), ("message", .string(message))])
    }
}

extension AssessmentFacts {
    /// Reads and validates facts from JSON text (`gongzhi score --facts FILE`).
    /// - Throws: ``AssessmentFactsError`` naming the first invalid field (`facts` when the text is not JSON).
    public init(jsonText text: String) throws(AssessmentFactsError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw AssessmentFactsError(field: "facts", path: "facts", reason: .notJSON, message: "考核事实不是有效的 JSON：\(error.description)")
        }
        try self.init(json: value)
    }

    /// Reads and validates a facts object in the README's schema. Unknown keys are ignored; when a key occurs
    /// twice the last occurrence counts (as in most JSON readers).
    /// - Throws: ``AssessmentFactsError`` naming the first invalid field, checked in schema order.
    public init(json value: JSONValue) throws(AssessmentFactsError) {
        let reader = try FactsObject(value, path: "", whole: "facts", label: "考核事实")
        let unit = try reader.text("unit", label: "单位代码")
        let quarterText = try reader.string("quarter", label: "考核季度")
        guard let quarter = ReportingPeriod(quarterText), case .quarter = quarter, quarter.description == quarterText else {
            throw reader.fail("quarter", .badQuarter, "考核季度应写作 2024Q1 这样的 YYYYQn（n 为 1–4），收到「\(quarterText)」")
        }
        guard let tasksValue = reader.member("tasks") else { throw reader.fail("tasks", .missing, "缺少报送任务列表 tasks") }
        guard case .array(let elements) = tasksValue else { throw reader.fail("tasks", .notArray, "报送任务 tasks 应为数组") }
        var tasks: [Task] = []
        for (index, element) in elements.enumerated() {
            let path = "tasks[\(index)]"
            guard case .object = element else {
                throw AssessmentFactsError(field: "tasks", path: path, reason: .notObject, message: "第 \(index + 1) 个报送任务应为对象")
            }
            let task = try FactsObject(element, path: path + ".", whole: "tasks", label: "报送任务")
            tasks.append(try Task(reading: task, number: index + 1))
        }
        let contactIncidents = try reader.count("contact_incidents", label: "联系人缺位或变更未报次数")
        let meetings = try reader.object("meetings", label: "联席会议")
        let absent = try meetings.count("absent", label: "无故缺席次数")
        let lateOrEarly = try meetings.count("late_or_early", label: "迟到早退次数")
        let surveys = try reader.object("surveys", label: "调研反馈表")
        let missing = try surveys.count("missing", label: "未反馈份数")
        let late = try surveys.count("late", label: "逾期反馈份数")
        let identifiers = try reader.count("identifier_complete_indicators", label: "完善数据标识的指标项数")
        let effect = try reader.integer("application_effect", label: "数据应用成效评分", clampingTo: 0...5)
        let leads = try reader.count("adopted_leads", label: "被采用的涉税信息条数")
        let rank: Int?
        switch reader.member("special_contribution_rank") {
        case nil: throw reader.fail("special_contribution_rank", .missing, "缺少特别贡献名次 special_contribution_rank（无名次写 null）")
        case .null?: rank = nil
        default:
            let r = try reader.integer("special_contribution_rank", label: "特别贡献名次")
            guard r >= 1 else { throw reader.fail("special_contribution_rank", .badRank, "特别贡献名次应为 1 起的整数或 null，收到 \(r)") }
            rank = r
        }
        let leakText = "数据泄露扣分应为 0（无泄露）或 5–10 的整数"
        guard reader.member("leak_penalty") != nil else { throw reader.fail("leak_penalty", .missing, "缺少数据泄露扣分 leak_penalty") }
        let leak: Int
        do { leak = try reader.integer("leak_penalty", label: "数据泄露扣分") } catch {
            throw reader.fail("leak_penalty", .badLeakPenalty, leakText)
        }
        guard AssessmentFacts.allowedLeakPenalties.contains(leak) else {
            throw reader.fail("leak_penalty", .badLeakPenalty, leakText + "，收到 \(leak)")
        }
        self.init(unit: unit, quarter: quarter, tasks: tasks, contactIncidents: contactIncidents, meetingsAbsent: absent,
                  meetingsLateOrEarly: lateOrEarly, surveysMissing: missing, surveysLate: late, identifierCompleteIndicators: identifiers,
                  applicationEffect: effect, adoptedLeads: leads, specialContributionRank: rank, leakPenalty: leak)
    }
}

extension AssessmentFacts.Task {
    /// Reads one task's keys in schema order.
    init(reading t: FactsObject, number: Int) throws(AssessmentFactsError) {
        let indicator = try t.text("indicator", label: "第 \(number) 个任务的指标项代码")
        let collectionText = try t.string("collection", label: "归集周期")
        guard let collection = CollectionPeriod(rawValue: collectionText) else {
            throw t.fail("collection", .badCollection, "第 \(number) 个任务的归集周期应为 monthly、quarterly 或 yearly，收到「\(collectionText)」")
        }
        let periodText = try t.string("period", label: "报送期")
        guard let period = ReportingPeriod(periodText), period.description == periodText, period.collectionPeriod == collection else {
            throw t.fail("period", .badPeriod,
                         "第 \(number) 个任务（\(indicator)）的报送期应写作 \(collection.example)（\(collection.chineseName)），收到「\(periodText)」")
        }
        let deadline = try t.date("deadline", label: "截止日期", nullable: false)!
        let submittedOn = try t.date("submitted_on", label: "报送日期", nullable: true)
        let proxy = try t.bool("proxy", label: "代为报送")
        let formatOK = try t.bool("format_ok", label: "格式合规")
        let records = try t.count("records", label: "报送条数")
        let erroneous = try t.count("erroneous", label: "错（漏）报条数")
        guard erroneous <= records else {
            throw t.fail("erroneous", .exceedsRecords, "第 \(number) 个任务（\(indicator) \(periodText)）的错（漏）报条数 \(erroneous) 超过报送条数 \(records)")
        }
        let zeroData = try t.bool("zero_data", label: "零数据报送")
        guard !zeroData || records == 0 else {
            throw t.fail("zero_data", .zeroDataWithRecords, "第 \(number) 个任务（\(indicator) \(periodText)）标为零数据报送，却有 \(records) 条数据")
        }
        let explained = try t.bool("zero_data_explained", label: "零数据情况说明")
        let duplicates = try t.count("duplicate_rows", label: "重复条数")
        guard duplicates <= records else {
            throw t.fail("duplicate_rows", .exceedsRecords, "第 \(number) 个任务（\(indicator) \(periodText)）的重复条数 \(duplicates) 超过报送条数 \(records)")
        }
        self.init(indicator: indicator, collection: collection, period: period, deadline: deadline, submittedOn: submittedOn,
                  proxy: proxy, formatOK: formatOK, records: records, erroneous: erroneous, zeroData: zeroData,
                  zeroDataExplained: explained, duplicateRows: duplicates)
    }
}

/// Reads typed members of one JSON object, producing ``AssessmentFactsError``s with the bare key and a path.
struct FactsObject {
    let members: [String: JSONValue]
    /// Prefix of member paths: `""`, `"tasks[2]."`, `"meetings."`.
    let path: String

    /// - Throws: reported as `whole` when `value` is not an object.
    init(_ value: JSONValue, path: String, whole: String, label: String) throws(AssessmentFactsError) {
        guard case .object(let list) = value else {
            throw AssessmentFactsError(field: whole, path: path.isEmpty ? whole : String(path.dropLast()), reason: .notObject,
                                       message: "\(label)应为 JSON 对象")
        }
        var members: [String: JSONValue] = [:]
        for (k, v) in list { members[k] = v }
        self.members = members
        self.path = path
    }

    func member(_ key: String) -> JSONValue? { members[key] }

    func fail(_ key: String, _ reason: AssessmentFactsError.Reason, _ message: String) -> AssessmentFactsError {
        AssessmentFactsError(field: key, path: path + key, reason: reason, message: message)
    }

    func required(_ key: String, label: String) throws(AssessmentFactsError) -> JSONValue {
        guard let v = members[key] else { throw fail(key, .missing, "缺少\(label)（\(key)）") }
        return v
    }

    func string(_ key: String, label: String) throws(AssessmentFactsError) -> String {
        guard case .string(let s) = try required(key, label: label) else { throw fail(key, .notString, "\(label)（\(key)）应为字符串") }
        return s
    }

    /// A string that is not empty or blank.
    func text(_ key: String, label: String) throws(AssessmentFactsError) -> String {
        let s = try string(key, label: label)
        guard !TextNormalization.trim(s).isEmpty else { throw fail(key, .blank, "\(label)（\(key)）不能为空") }
        return s
    }

    func bool(_ key: String, label: String) throws(AssessmentFactsError) -> Bool {
        guard case .bool(let b) = try required(key, label: label) else { throw fail(key, .notBoolean, "\(label)（\(key)）应为 true 或 false") }
        return b
    }

    /// A JSON integer written without fraction or exponent; with `clampingTo`, out-of-range and over-long
    /// integers are clamped instead of refused.
    func integer(_ key: String, label: String, clampingTo range: ClosedRange<Int>? = nil) throws(AssessmentFactsError) -> Int {
        guard case .number(let text) = try required(key, label: label) else { throw fail(key, .notInteger, "\(label)（\(key)）应为整数") }
        let bytes = Array(text.utf8)
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw fail(key, .notInteger, "\(label)（\(key)）应为整数，收到 \(text)")
        }
        guard let n = Int(text) else {
            if let range { return bytes.first == UInt8(ascii: "-") ? range.lowerBound : range.upperBound }
            throw fail(key, .tooLarge, "\(label)（\(key)）数值过大：\(text)")
        }
        if let range { return min(max(n, range.lowerBound), range.upperBound) }
        return n
    }

    /// A non-negative integer no greater than ``AssessmentFacts/maximumCount``.
    func count(_ key: String, label: String) throws(AssessmentFactsError) -> Int {
        let n = try integer(key, label: label)
        guard n >= 0 else { throw fail(key, .negative, "\(label)（\(key)）不能为负数，收到 \(n)") }
        guard n <= AssessmentFacts.maximumCount else { throw fail(key, .tooLarge, "\(label)（\(key)）数值过大：\(n)") }
        return n
    }

    /// `YYYY-MM-DD` of a real date; `nil` only when `nullable` and the value is `null`.
    func date(_ key: String, label: String, nullable: Bool) throws(AssessmentFactsError) -> CalendarDate? {
        let value = try required(key, label: label)
        if nullable, case .null = value { return nil }
        guard case .string(let s) = value, let d = CalendarDate(iso: s) else {
            let shown: String = if case .string(let s) = value { "「\(s)」" } else { value.serialized() }
            throw fail(key, .badDate, "\(label)（\(key)）应为真实存在的日期，写作 YYYY-MM-DD\(nullable ? "（未报送写 null）" : "")，收到 \(shown)")
        }
        return d
    }

    /// A nested object such as `meetings`.
    func object(_ key: String, label: String) throws(AssessmentFactsError) -> FactsObject {
        try FactsObject(try required(key, label: label), path: path + key + ".", whole: key, label: label)
    }
}
