import Foundation

/// A cross-matching rule (信息比对规则, 扬府办发〔2017〕100号 三(三); issue 12 §1): rules are data.
///
/// A rule takes the *left* records — one indicator's records of the reporting periods asked for, narrowed
/// by ``LeftSide/filters`` — and looks for each one's counterpart among the *right* records of one or more
/// indicators, in every current submission whatever its period. Records join on canonical keys
/// (``MatchKeys``) of their key fields; a right record counts when its date lies in ``window`` relative to
/// the left record's date. Each left record yields at most one lead (``TaxLeadKind``):
/// - `no_match`: no right record shares a key;
/// - `out_of_window`: right records share a key, none inside the window;
/// - `underpaid`: right records inside the window, but none reaches the left base less ``Underpayment/tolerance``
///   (an exempt right record always reaches it).
///
/// The potential tax of a lead is ``estimate``. Persisted as JSON (``Codable``) beside its code and
/// version; a stored version is never edited, a change is a new version (``MatchRuleState``).
public struct MatchRule: Sendable, Equatable, Codable {
    /// Stable code, lower-case words and hyphens, e.g. `deed-tax`.
    public var code: String
    /// 1, 2, …: a change to a rule is a new version; leads are unique per (code, version, left record).
    public var version: Int
    /// Chinese name shown on pages, e.g. 房产交易未缴契税.
    public var name: String
    /// Where the rule comes from (policy, law article).
    public var source: String
    /// The records that may lack a counterpart.
    public var left: LeftSide
    /// Indicators searched for the counterpart; at least one.
    public var right: [RightSide]
    /// When a right record counts, relative to the left date.
    public var window: DayWindow
    /// When set, matched records are checked for an underdeclared amount.
    public var underpayment: Underpayment?
    /// How the potential tax of a lead is estimated.
    public var estimate: TaxEstimate

    /// A rule from its parts; check it with ``problems(in:)`` before storing it.
    public init(code: String, version: Int, name: String, source: String, left: LeftSide, right: [RightSide],
                window: DayWindow, underpayment: Underpayment? = nil, estimate: TaxEstimate) {
        self.code = code
        self.version = version
        self.name = name
        self.source = source
        self.left = left
        self.right = right
        self.window = window
        self.underpayment = underpayment
        self.estimate = estimate
    }

    /// A key field of a side and how its values are read.
    public struct KeyField: Sendable, Equatable, Hashable, Codable {
        /// The field key in the catalog, e.g. `buyer_id_no`.
        public var field: String
        /// How the field's values are read into keys.
        public var form: MatchKeyForm

        /// `field` read as `form`.
        public init(_ field: String, _ form: MatchKeyForm) {
            self.field = field
            self.form = form
        }
    }

    /// A condition on a left record: the field's stored value is one of `values`.
    public struct FieldFilter: Sendable, Equatable, Codable {
        /// The field key (an enum field, usually) and the values it may hold.
        public var field: String
        public var values: [String]

        /// `field` ∈ `values`.
        public init(_ field: String, _ values: [String]) {
            self.field = field
            self.values = values
        }
    }

    /// The left side: whose records may lack a counterpart.
    public struct LeftSide: Sendable, Equatable, Codable {
        /// The left indicator's code, e.g. `HOU-001`.
        public var indicator: String
        /// Every filter must hold (e.g. 交易类型 = 买卖).
        public var filters: [FieldFilter]
        /// Identifier fields; a left record matches through any of them.
        public var keys: [KeyField]
        /// The `date` field the window is measured from (e.g. 合同签订日期).
        public var dateField: String
        /// When set, only records with a key whose ``MatchKey/division`` does not start with this prefix
        /// (e.g. `3210`: registered outside Yangzhou) are matched.
        public var registeredOutside: String?
        /// The name field of the second pass (issue 12 §2), e.g. 企业名称; `nil`: no second pass.
        public var nameField: String?

        /// The left side from its parts.
        public init(indicator: String, filters: [FieldFilter] = [], keys: [KeyField], dateField: String,
                    registeredOutside: String? = nil, nameField: String? = nil) {
            self.indicator = indicator
            self.filters = filters
            self.keys = keys
            self.dateField = dateField
            self.registeredOutside = registeredOutside
            self.nameField = nameField
        }
    }

    /// One right-side indicator: where a counterpart may be.
    public struct RightSide: Sendable, Equatable, Codable {
        /// The right indicator's code, e.g. `LTS-009`, and its key fields (any of them may match).
        public var indicator: String
        public var keys: [KeyField]
        /// The `date` field compared with the window (e.g. 完税日期).
        public var dateField: String
        /// The amount compared with the left base for ``Underpayment`` (e.g. 成交价格), in the left base's unit.
        public var amountField: String?
        /// An enum field whose value other than ``notExemptValue`` marks an exempt record (e.g. 减免性质).
        public var exemptionField: String?
        /// The value of ``exemptionField`` that means "no exemption" (e.g. 无).
        public var notExemptValue: String?
        /// The name field compared with the left ``LeftSide/nameField`` in the second pass: only for right
        /// records with no identifier key of a kind the left record's keys have (the identifier is missing or
        /// of another kind, e.g. an old registration number), by normalised name and 信息属地.
        public var nameField: String?

        /// A right side from its parts.
        public init(indicator: String, keys: [KeyField], dateField: String, amountField: String? = nil,
                    exemptionField: String? = nil, notExemptValue: String? = nil, nameField: String? = nil) {
            self.indicator = indicator
            self.keys = keys
            self.dateField = dateField
            self.amountField = amountField
            self.exemptionField = exemptionField
            self.notExemptValue = notExemptValue
            self.nameField = nameField
        }
    }

    /// Days relative to the left date, both ends inclusive; `nil` = open. `from: 0, to: 90` is "within 90
    /// days after"; `from: nil, to: 0` is "on or before".
    public struct DayWindow: Sendable, Equatable, Codable {
        /// First and last day counted, in days after the left date (negative: before); `nil`: open.
        public var from: Int?
        public var to: Int?

        /// The window from `from` to `to` days (both inclusive).
        public init(from: Int?, to: Int?) {
            self.from = from
            self.to = to
        }

        /// Whether `days` (right date − left date) lies in the window.
        public func contains(_ days: Int) -> Bool {
            (from.map { days >= $0 } ?? true) && (to.map { days <= $0 } ?? true)
        }

        /// Chinese description, e.g. 左侧日期当日至左侧日期后 90 天之间, 不晚于左侧日期当日.
        public var chineseDescription: String {
            func offset(_ d: Int) -> String { d == 0 ? "左侧日期当日" : d > 0 ? "左侧日期后 \(d) 天" : "左侧日期前 \(-d) 天" }
            switch (from, to) {
            case (nil, nil): return "不限日期"
            case (nil, let to?): return "不晚于" + offset(to)
            case (let from?, nil): return "不早于" + offset(from)
            case (let from?, let to?): return offset(from) + "至" + offset(to) + "之间"
            }
        }
    }

    /// The underdeclaration check: a matched right amount below `leftBaseField × (1 − tolerance)`.
    public struct Underpayment: Sendable, Equatable, Codable {
        /// The left `decimal` field the right amount is compared with (e.g. 成交价格, 元).
        public var leftBaseField: String
        /// The fraction the right amount may be below the base, 0 ≤ tolerance < 1 (0.05 = 5 %).
        public var tolerance: Decimal

        /// Underpaid when a right amount is below `leftBaseField × (1 − tolerance)`.
        public init(leftBaseField: String, tolerance: Decimal) {
            self.leftBaseField = leftBaseField
            self.tolerance = tolerance
        }
    }

    /// The potential tax of a lead, in 元: `base × multiplier × rate` for `no_match` and `out_of_window`;
    /// `(base − the largest matched right amount) × multiplier × rate` for `underpaid`. Without a base field
    /// the estimate is 0 (such leads rank last).
    public struct TaxEstimate: Sendable, Equatable, Codable {
        /// The tax the estimate is of (契税, 车辆购置税…).
        public var taxKind: TaxKind
        /// A left `decimal` field, e.g. 成交价格 (元).
        public var baseField: String?
        /// Converts the base to 元 over the taxed span: 10,000 for 万元, 3 for a monthly rent over a quarter.
        public var multiplier: Decimal
        /// The tax rate as a fraction (0.03 = 3 %).
        public var rate: Decimal

        /// `baseField × multiplier × rate` of `taxKind`.
        public init(taxKind: TaxKind, baseField: String?, multiplier: Decimal = 1, rate: Decimal) {
            self.taxKind = taxKind
            self.baseField = baseField
            self.multiplier = multiplier
            self.rate = rate
        }

        /// `base × multiplier × rate`, in 元 rounded to the fen (the same arithmetic the database does).
        public func tax(onBase base: Decimal) -> Decimal {
            var product = base * multiplier * rate
            var rounded = Decimal()
            NSDecimalRound(&rounded, &product, 2, .plain)
            return rounded
        }
    }

    /// Every indicator the rule reads, left first.
    public var indicators: [String] {
        [left.indicator] + right.map(\.indicator).filter { $0 != left.indicator }
    }
}

/// Why a rule cannot be stored or run, with a Chinese message the rule's author can act on.
public enum MatchRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The code is not lower-case letters, digits and hyphens.
    case badCode(String)
    /// The version is below 1.
    case badVersion(Int)
    /// An indicator the catalog does not have.
    case unknownIndicator(String)
    /// A field the indicator does not have.
    case unknownField(indicator: String, field: String)
    /// A field of the wrong type for its use (`expected`: the types allowed, in Chinese).
    case wrongFieldType(indicator: String, field: String, expected: String)
    /// A filter value the enum field does not allow.
    case valueNotAllowed(indicator: String, field: String, value: String)
    /// A side without key fields, or a rule without right indicators.
    case noKeys(indicator: String)
    case noRightSide
    /// A key field whose form never meets any key form of the other side.
    case keysNeverMeet(left: String, right: String)
    /// The window's start is after its end.
    case badWindow(from: Int, to: Int)
    /// Tolerance outside 0 ≤ t < 1.
    case badTolerance(Decimal)
    /// Underpayment checked but no right indicator names an amount.
    case noRightAmount
    /// Negative or zero multiplier, rate outside 0 < r ≤ 1.
    case badEstimate(String)

    /// Chinese message naming what to fix.
    public var message: String {
        switch self {
        case .badCode(let code): "规则代码“\(code)”只能由小写字母、数字和连字符组成（如 deed-tax）"
        case .badVersion(let v): "规则版本 \(v) 无效：版本号从 1 开始"
        case .unknownIndicator(let code): "目录中没有指标项“\(code)”，请核对指标项代码"
        case .unknownField(let indicator, let field): "指标项 \(indicator) 没有数据项“\(field)”，请按目录核对字段"
        case .wrongFieldType(let indicator, let field, let expected): "指标项 \(indicator) 的数据项“\(field)”类型不符：应为\(expected)"
        case .valueNotAllowed(let indicator, let field, let value): "指标项 \(indicator) 的数据项“\(field)”没有取值“\(value)”，请按目录的取值填写"
        case .noKeys(let indicator): "指标项 \(indicator) 没有指定用于比对的标识字段"
        case .noRightSide: "规则没有指定比对的右侧指标项"
        case .keysNeverMeet(let left, let right): "左侧 \(left) 与右侧 \(right) 的标识类型不同，无法比对（如身份证号与车辆识别代号）"
        case .badWindow(let from, let to): "时间窗口起点 \(from) 天晚于终点 \(to) 天"
        case .badTolerance(let t): "容差 \(t) 无效：应在 0 至 1 之间（0.05 表示 5%）"
        case .noRightAmount: "规则检查少缴，但右侧指标项都没有指定金额字段"
        case .badEstimate(let what): "税款估算参数无效：\(what)"
        }
    }

    /// The Chinese message.
    public var description: String { message }
}

extension MatchRule {
    /// Every problem of the rule against `catalog`, in a stable order; empty when the rule may be stored.
    ///
    /// Checks: the code and version; each indicator and field exists; key fields are identifier fields of a
    /// type their form reads (`person` ← person_id, `organization` ← org_id/uscc, `vehicle`/`plate` ← text);
    /// date fields are `date`; amounts and bases `decimal`; filter values are allowed enum values; each right
    /// side shares at least one key kind with the left; the window, tolerance and estimate are in range.
    public func problems(in catalog: Catalog) -> [MatchRuleError] {
        var problems: [MatchRuleError] = []
        if code.isEmpty || !code.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) {
            problems.append(.badCode(code))
        }
        if version < 1 { problems.append(.badVersion(version)) }

        func field(_ indicator: Indicator, _ key: String, _ types: Set<FieldType>, _ expected: String) {
            guard let f = indicator.field(key) else {
                problems.append(.unknownField(indicator: indicator.code, field: key))
                return
            }
            if !types.contains(f.type) { problems.append(.wrongFieldType(indicator: indicator.code, field: key, expected: expected)) }
        }
        func keys(_ indicator: Indicator, _ keys: [KeyField]) {
            if keys.isEmpty { problems.append(.noKeys(indicator: indicator.code)) }
            for key in keys {
                switch key.form {
                case .person: field(indicator, key.field, [.personID], "公民身份号码（person_id）")
                case .organization: field(indicator, key.field, [.orgID, .uscc], "单位代码（org_id 或 uscc）")
                case .vehicle, .plate, .name: field(indicator, key.field, [.text], "文本（text）")
                }
            }
        }

        guard let leftIndicator = catalog.indicator(code: left.indicator) else {
            problems.append(.unknownIndicator(left.indicator))
            return problems
        }
        keys(leftIndicator, left.keys)
        field(leftIndicator, left.dateField, [.date], "日期（date）")
        if let name = left.nameField { field(leftIndicator, name, [.text], "文本（text）") }
        for filter in left.filters {
            guard let f = leftIndicator.field(filter.field) else {
                problems.append(.unknownField(indicator: leftIndicator.code, field: filter.field))
                continue
            }
            if let allowed = f.values {
                for value in filter.values where !allowed.contains(value) {
                    problems.append(.valueNotAllowed(indicator: leftIndicator.code, field: filter.field, value: value))
                }
            }
        }
        if let base = underpayment?.leftBaseField { field(leftIndicator, base, [.decimal], "数值（decimal）") }
        if let base = estimate.baseField { field(leftIndicator, base, [.decimal, .integer], "数值（decimal）") }

        if right.isEmpty { problems.append(.noRightSide) }
        let leftKinds = Set(left.keys.flatMap { Self.kinds(of: $0.form) })
        for side in right {
            guard let indicator = catalog.indicator(code: side.indicator) else {
                problems.append(.unknownIndicator(side.indicator))
                continue
            }
            keys(indicator, side.keys)
            field(indicator, side.dateField, [.date], "日期（date）")
            if let name = side.nameField { field(indicator, name, [.text], "文本（text）") }
            if let amount = side.amountField { field(indicator, amount, [.decimal], "数值（decimal）") }
            if let exemption = side.exemptionField {
                field(indicator, exemption, [.enum], "枚举（enum）")
                if let value = side.notExemptValue, let allowed = indicator.field(exemption)?.values, !allowed.contains(value) {
                    problems.append(.valueNotAllowed(indicator: indicator.code, field: exemption, value: value))
                }
            }
            let rightKinds = Set(side.keys.flatMap { Self.kinds(of: $0.form) })
            if !side.keys.isEmpty, !left.keys.isEmpty, leftKinds.isDisjoint(with: rightKinds) {
                problems.append(.keysNeverMeet(left: left.indicator, right: side.indicator))
            }
        }
        if let from = window.from, let to = window.to, from > to { problems.append(.badWindow(from: from, to: to)) }
        if let underpayment {
            if underpayment.tolerance < 0 || underpayment.tolerance >= 1 { problems.append(.badTolerance(underpayment.tolerance)) }
            if !right.contains(where: { $0.amountField != nil }) { problems.append(.noRightAmount) }
        }
        if estimate.multiplier <= 0 { problems.append(.badEstimate("倍数 \(estimate.multiplier) 应大于 0")) }
        if estimate.rate <= 0 || estimate.rate > 1 { problems.append(.badEstimate("税率 \(estimate.rate) 应在 0 至 1 之间（0.03 表示 3%）")) }
        return problems
    }

    /// The rule when it has no problem in `catalog`.
    /// - Throws: the first of ``problems(in:)``.
    public func validated(in catalog: Catalog) throws(MatchRuleError) -> MatchRule {
        if let first = problems(in: catalog).first { throw first }
        return self
    }

    /// The key kinds a form can produce (an organisation field may hold a person's taxpayer id).
    static func kinds(of form: MatchKeyForm) -> [MatchKeyKind] {
        switch form {
        case .person: [.person]
        case .organization: [.organization, .person, .registrationNumber]
        case .vehicle: [.vehicle]
        case .plate: [.plate]
        case .name: [.name]
        }
    }

    /// Whether the rule has the second pass by name and 信息属地.
    public var matchesNames: Bool { left.nameField != nil && right.contains { $0.nameField != nil } }

    /// The key fields of `indicator` (identifiers, and the name fields of the second pass) with their forms.
    public func keyFields(of indicator: String) -> [KeyField] {
        var fields: [KeyField] = []
        if left.indicator == indicator {
            fields += left.keys
            if matchesNames, let name = left.nameField { fields.append(KeyField(name, .name)) }
        }
        for side in right where side.indicator == indicator {
            fields += side.keys
            if left.nameField != nil, let name = side.nameField { fields.append(KeyField(name, .name)) }
        }
        var seen = Set<KeyField>()
        return fields.filter { seen.insert($0).inserted }
    }

    /// The rule as canonical JSON (sorted keys): what is stored with each version.
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A rule read back from ``jsonText()``.
    public init(jsonText: String) throws {
        self = try JSONDecoder().decode(MatchRule.self, from: Data(jsonText.utf8))
    }
}

/// Where a rule version is in its life (issue 12 §1):
///
/// ```
/// draft ──startTrial──▶ trial ──activate──▶ active ──retire──▶ retired
///   ▲                     │
///   └───────revise────────┘        draft | trial ──retire──▶ retired
/// ```
///
/// A trial (试跑) runs and records its leads, but they are not sent to the tax officers' queue; an active
/// rule's leads are. A retired rule does not run. Raw values are the stored spellings.
public enum MatchRuleState: String, Sendable, Codable, CaseIterable {
    case draft, trial, active, retired

    /// What happens to a rule version.
    public enum Event: String, Sendable, Codable {
        case startTrial = "start_trial"
        case revise
        case activate
        case retire
    }

    /// Chinese label: 草稿, 试跑, 启用, 停用.
    public var chineseName: String {
        switch self {
        case .draft: "草稿"
        case .trial: "试跑"
        case .active: "启用"
        case .retired: "停用"
        }
    }

    /// Whether a run of the rule is allowed.
    public var runs: Bool { self == .trial || self == .active }

    /// Whether leads found go to the tax officers' queue.
    public var sendsLeads: Bool { self == .active }

    /// The state after `event`.
    /// - Throws: ``MatchRuleTransitionError`` when the state does not allow the event.
    public func applying(_ event: Event) throws(MatchRuleTransitionError) -> MatchRuleState {
        switch (self, event) {
        case (.draft, .startTrial): .trial
        case (.trial, .revise): .draft
        case (.trial, .activate): .active
        case (.draft, .retire), (.trial, .retire), (.active, .retire): .retired
        default: throw MatchRuleTransitionError(from: self, event: event)
        }
    }
}

/// A rule-state change the workflow does not allow, e.g. activating a draft that was never tried.
public struct MatchRuleTransitionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state the rule version was in and the event refused.
    public var from: MatchRuleState
    public var event: MatchRuleState.Event

    /// `event` refused in state `from`.
    public init(from: MatchRuleState, event: MatchRuleState.Event) {
        self.from = from
        self.event = event
    }

    /// Chinese message naming what to do first.
    public var message: String {
        switch event {
        case .activate: "规则处于“\(from.chineseName)”状态，不能启用：启用前须先试跑"
        case .startTrial: "规则处于“\(from.chineseName)”状态，不能试跑：只有草稿可以试跑"
        case .revise: "规则处于“\(from.chineseName)”状态，不能退回修改：只有试跑中的规则可以退回草稿"
        case .retire: "规则已停用"
        }
    }

    public var description: String { message }
}
