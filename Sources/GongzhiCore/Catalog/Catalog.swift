/// The data-item catalog (归集数据项目录, 扬府办发〔2017〕100号 附件3, reconstructed): member units and the
/// indicators each one submits. Decoded from the schema of `catalog.yaml` (see its header comment).
public struct Catalog: Codable, Sendable, Equatable {
    /// Version header: `version` (e.g. `"2017.1"`), `effective` (ISO date), `source`.
    public struct Header: Codable, Sendable, Equatable {
        public var version: String
        public var effective: String
        public var source: String?
        public var revisionCycleYears: Int?

        public init(version: String, effective: String, source: String? = nil, revisionCycleYears: Int? = nil) {
            self.version = version
            self.effective = effective
            self.source = source
            self.revisionCycleYears = revisionCycleYears
        }

        enum CodingKeys: String, CodingKey {
            case version, effective, source
            case revisionCycleYears = "revision_cycle_years"
        }
    }

    public var catalog: Header
    public var units: [MemberUnit]
    /// Platform operators (info center, city office, tax office): units that use the platform but submit nothing.
    public var operators: [MemberUnit]
    public var indicators: [Indicator]
    /// Deadline rule per collection period (`deadlines` in catalog.yaml); ``DeadlineRule/standard`` for any
    /// period the catalog leaves out.
    public var deadlines: [CollectionPeriod: DeadlineRule]

    public init(catalog: Header, units: [MemberUnit], operators: [MemberUnit] = [], indicators: [Indicator],
                deadlines: [CollectionPeriod: DeadlineRule] = DeadlineRule.standard) {
        self.catalog = catalog
        self.units = units
        self.operators = operators
        self.indicators = indicators
        self.deadlines = deadlines
    }

    /// The deadline rule of `period` (the catalog's, else the policy's).
    public func deadlineRule(for period: CollectionPeriod) -> DeadlineRule {
        deadlines[period] ?? DeadlineRule.standard[period]!
    }

    /// The indicator with `code` (e.g. `HOU-001`), or `nil`.
    public func indicator(code: String) -> Indicator? {
        indicators.first { $0.code == code }
    }

    /// The member unit or operator with `code` (e.g. `housing`), or `nil`.
    public func unit(code: String) -> MemberUnit? {
        units.first { $0.code == code } ?? operators.first { $0.code == code }
    }

    /// The indicators `unit` submits, in catalog order.
    public func indicators(of unit: String) -> [Indicator] {
        indicators.filter { $0.unit == unit }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        catalog = try c.decode(Header.self, forKey: .catalog)
        units = try c.decode([MemberUnit].self, forKey: .units)
        operators = try c.decodeIfPresent([MemberUnit].self, forKey: .operators) ?? []
        indicators = try c.decode([Indicator].self, forKey: .indicators)
        var deadlines = DeadlineRule.standard
        if let named = try c.decodeIfPresent([String: DeadlineRule].self, forKey: .deadlines) {
            for (key, rule) in named {
                guard let period = CollectionPeriod(rawValue: key) else {
                    throw DecodingError.dataCorruptedError(forKey: .deadlines, in: c,
                                                           debugDescription: "unknown collection period \(key)")
                }
                deadlines[period] = rule
            }
        }
        self.deadlines = deadlines
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(catalog, forKey: .catalog)
        try c.encode(units, forKey: .units)
        try c.encode(operators, forKey: .operators)
        try c.encode(indicators, forKey: .indicators)
        try c.encode(Dictionary(uniqueKeysWithValues: deadlines.map { ($0.key.rawValue, $0.value) }), forKey: .deadlines)
    }

    enum CodingKeys: String, CodingKey { case catalog, units, operators, indicators, deadlines }
}

/// 成员单位: a unit that submits data (or, for operators, runs the platform).
public struct MemberUnit: Codable, Sendable, Equatable, Identifiable {
    /// Stable code, e.g. `housing`, `public-security`, `info-center`.
    public var code: String
    /// Indicator-code prefix, e.g. `HOU` (nil for operators).
    public var prefix: String?
    /// Full Chinese name, e.g. 市住房保障和房产管理局.
    public var name: String
    public var kind: String?
    /// Item number in section 四(二) of the opinion.
    public var item: Int?
    /// Short name used in the opinion, e.g. 房管局.
    public var short: String?
    /// An operator's role (operators only).
    public var role: String?

    public var id: String { code }

    public init(code: String, prefix: String? = nil, name: String, kind: String? = nil,
                item: Int? = nil, short: String? = nil, role: String? = nil) {
        self.code = code
        self.prefix = prefix
        self.name = name
        self.kind = kind
        self.item = item
        self.short = short
        self.role = role
    }
}

/// 归集周期: how often an indicator is due.
public enum CollectionPeriod: String, Codable, Sendable, CaseIterable {
    case monthly, quarterly, yearly

    /// 月报 / 季报 / 年报.
    public var chineseName: String {
        switch self {
        case .monthly: "按月"
        case .quarterly: "按季"
        case .yearly: "按年"
        }
    }

    /// How a reporting period of this kind is written, for messages: `2024-03`, `2024Q1`, `2024`.
    public var example: String {
        switch self {
        case .monthly: "2024-03"
        case .quarterly: "2024Q1"
        case .yearly: "2024"
        }
    }
}

/// 共享方式 (附件1 第十条).
public enum SharingMode: String, Codable, Sendable, CaseIterable {
    /// 报备式共享.
    case registered
    /// 审批式共享.
    case approval
    /// 不予共享 (negative list).
    case withheld

    public var chineseName: String {
        switch self {
        case .registered: "报备式共享"
        case .approval: "审批式共享"
        case .withheld: "不予共享"
        }
    }
}

/// 指标项: one data item a unit submits, with its fields.
public struct Indicator: Codable, Sendable, Equatable, Identifiable {
    /// e.g. `HOU-001`.
    public var code: String
    /// The submitting member unit's code.
    public var unit: String
    /// e.g. 房产交易信息.
    public var name: String
    public var period: CollectionPeriod
    /// `organization | person | project | power | mixed` (第八条).
    public var subject: String
    public var sharing: SharingMode
    /// Legal basis for approval or withheld sharing.
    public var legalBasis: String?
    public var note: String?
    /// Groups of field keys of which at least one must be filled (e.g. owner is a person or an organisation).
    public var oneOf: [[String]]?
    public var fields: [Field]

    public var id: String { code }

    public init(code: String, unit: String, name: String, period: CollectionPeriod, subject: String,
                sharing: SharingMode, legalBasis: String? = nil, note: String? = nil,
                oneOf: [[String]]? = nil, fields: [Field]) {
        self.code = code
        self.unit = unit
        self.name = name
        self.period = period
        self.subject = subject
        self.sharing = sharing
        self.legalBasis = legalBasis
        self.note = note
        self.oneOf = oneOf
        self.fields = fields
    }

    /// The field with `key`, or `nil`.
    public func field(_ key: String) -> Field? {
        fields.first { $0.key == key }
    }

    enum CodingKeys: String, CodingKey {
        case code, unit, name, period, subject, sharing, note, fields
        case legalBasis = "legal_basis"
        case oneOf = "one_of"
    }
}

/// 数据项: one column of an indicator.
public struct Field: Codable, Sendable, Equatable, Identifiable {
    /// Machine key, e.g. `buyer_id_no`.
    public var key: String
    /// Column label, e.g. 买方证件号码; `/` separates the parts of a multi-row header.
    public var label: String
    public var type: FieldType
    public var required: Bool
    /// Marks unique-identifier fields (第八条).
    public var identifies: Bool?
    /// Maximum length in characters (text fields).
    public var maxLength: Int?
    /// What a number counts (元, 万元, 平方米, %); shown in the header as `label（unit）`.
    public var unit: String?
    /// Allowed values (enum fields), compared exactly after trimming.
    public var values: [String]?
    /// For a `person_id` field: the sibling enum field saying 居民身份证 or 护照.
    public var idTypeField: String?
    /// A regular expression the trimmed text must match in full (text fields).
    public var pattern: String?
    /// No two accepted rows may share this field's canonical value.
    public var unique: Bool?

    public var id: String { key }

    /// The column header a template carries: `label（unit）`, or `label` without a unit.
    public var header: String {
        if let unit, !unit.isEmpty { return label + "（" + unit + "）" }
        return label
    }

    public init(key: String, label: String, type: FieldType, required: Bool = false, identifies: Bool? = nil,
                maxLength: Int? = nil, unit: String? = nil, values: [String]? = nil,
                idTypeField: String? = nil, pattern: String? = nil, unique: Bool? = nil) {
        self.key = key
        self.label = label
        self.type = type
        self.required = required
        self.identifies = identifies
        self.maxLength = maxLength
        self.unit = unit
        self.values = values
        self.idTypeField = idTypeField
        self.pattern = pattern
        self.unique = unique
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(String.self, forKey: .key)
        label = try c.decode(String.self, forKey: .label)
        type = try c.decode(FieldType.self, forKey: .type)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
        identifies = try c.decodeIfPresent(Bool.self, forKey: .identifies)
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength)
        unit = try c.decodeIfPresent(String.self, forKey: .unit)
        values = try c.decodeIfPresent([String].self, forKey: .values)
        idTypeField = try c.decodeIfPresent(String.self, forKey: .idTypeField)
        pattern = try c.decodeIfPresent(String.self, forKey: .pattern)
        unique = try c.decodeIfPresent(Bool.self, forKey: .unique)
    }

    enum CodingKeys: String, CodingKey {
        case key, label, type, required, identifies, unit, values, pattern, unique
        case maxLength = "max_length"
        case idTypeField = "id_type_field"
    }
}

/// Field types of the catalog header comment.
public enum FieldType: String, Codable, Sendable, CaseIterable {
    case text, integer, decimal, date, datetime, boolean, `enum`
    case uscc
    case orgID = "org_id"
    case personID = "person_id"
    case projectCode = "project_code"
    case powerCode = "power_code"
    case divisionCode = "division_code"
    case phone

    /// Identifiers and codes: trimmed, width-folded and upper-cased before they are checked.
    public var isIdentifier: Bool {
        switch self {
        case .uscc, .orgID, .personID, .projectCode, .powerCode, .divisionCode, .phone: true
        default: false
        }
    }

    /// Short Chinese description for pages and messages.
    public var chineseName: String {
        switch self {
        case .text: "文本"
        case .integer: "整数"
        case .decimal: "数值"
        case .date: "日期"
        case .datetime: "日期时间"
        case .boolean: "是/否"
        case .enum: "枚举"
        case .uscc: "统一社会信用代码"
        case .orgID: "单位证件号码"
        case .personID: "个人证件号码"
        case .projectCode: "投资项目代码"
        case .powerCode: "行政权力事项编码"
        case .divisionCode: "行政区划代码"
        case .phone: "电话号码"
        }
    }
}
