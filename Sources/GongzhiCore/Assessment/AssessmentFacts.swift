/// The facts of one member unit for one quarter, the input of the quarterly assessment (附件2 考核评分表).
///
/// Shape and meaning follow `fixtures/scoring/README.md` ("Input: the facts"); the JSON form is read by
/// ``init(json:)`` and written back by ``json`` in the same schema, key order included, so a stored run's
/// facts can be fed to `gongzhi score --facts` and give the same scorecard.
///
/// Scope is the platform's job: every task listed is in scope (附注1: 月报指标项应报3次, 季报指标项应报1次;
/// yearly tasks only in the Q4 assessment). Scoring never reads a clock.
public struct AssessmentFacts: Sendable, Equatable {
    /// One reporting task (报送任务) of the quarter and what became of it.
    public struct Task: Sendable, Equatable {
        /// Indicator code (指标项), e.g. `HOU-001`.
        public var indicator: String
        /// 归集周期 of the indicator; `period` is of this kind.
        public var collection: CollectionPeriod
        /// The reporting period the task covers (`2024-04`, `2024Q2`, `2024`).
        public var period: ReportingPeriod
        /// Last day on which a submission is on time (inclusive: "20日前" is read as "by the 20th").
        public var deadline: CalendarDate
        /// Day of the first submission that discharged the task; `nil` when never submitted (未报).
        public var submittedOn: CalendarDate?
        /// Submitted by the info center on the unit's behalf (代为报送): 10 % of the task's format share.
        public var proxy: Bool
        /// Followed the template / collection standard; `false` costs 50 % of the task's format share.
        public var formatOK: Bool
        /// Rows submitted, ≥ 0.
        public var records: Int
        /// Erroneous or omitted rows (错(漏)报), 0...records.
        public var erroneous: Int
        /// A zero-data submission (报送0数据); then `records` is 0.
        public var zeroData: Bool
        /// The written explanation (情况说明) of a zero-data submission was filed.
        public var zeroDataExplained: Bool
        /// Duplicate rows among `records`, 0...records; at least half of them makes the task missed.
        public var duplicateRows: Int

        public init(indicator: String, collection: CollectionPeriod, period: ReportingPeriod, deadline: CalendarDate,
                    submittedOn: CalendarDate?, proxy: Bool = false, formatOK: Bool = true, records: Int = 0, erroneous: Int = 0,
                    zeroData: Bool = false, zeroDataExplained: Bool = false, duplicateRows: Int = 0) {
            self.indicator = indicator
            self.collection = collection
            self.period = period
            self.deadline = deadline
            self.submittedOn = submittedOn
            self.proxy = proxy
            self.formatOK = formatOK
            self.records = records
            self.erroneous = erroneous
            self.zeroData = zeroData
            self.zeroDataExplained = zeroDataExplained
            self.duplicateRows = duplicateRows
        }
    }

    /// Catalog unit code, e.g. `housing`.
    public var unit: String
    /// The assessed quarter; always a `.quarter` period.
    public var quarter: ReportingPeriod
    /// Exactly the tasks in scope for the quarter.
    public var tasks: [Task]
    /// Times the responsible persons were missing or changed without notice (领导重视: 每次扣1分).
    public var contactIncidents: Int
    /// Unexcused absences from joint meetings and trainings (其他: 2 points each).
    public var meetingsAbsent: Int
    /// Late arrivals / early departures (其他: 1 point each).
    public var meetingsLateOrEarly: Int
    /// Survey forms (调研反馈表) not returned (其他: 2 points each).
    public var surveysMissing: Int
    /// Survey forms returned late (其他: 1 point each).
    public var surveysLate: Int
    /// Indicators whose unique-identifier fields were completed (完善数据标识: 1 each, at most 5).
    public var identifierCompleteIndicators: Int
    /// The assessor's grade of application results (数据应用成效); clamped to 0...5 when scored.
    public var applicationEffect: Int
    /// Tax leads / important data the city adopted (信息报送: 1 each, at most 5).
    public var adoptedLeads: Int
    /// Place in the contribution ranking (特别贡献), ≥ 1, or `nil`.
    public var specialContributionRank: Int?
    /// 0, or the assessor's 5...10 for a data leak (减分项).
    public var leakPenalty: Int

    public init(unit: String, quarter: ReportingPeriod, tasks: [Task], contactIncidents: Int = 0, meetingsAbsent: Int = 0,
                meetingsLateOrEarly: Int = 0, surveysMissing: Int = 0, surveysLate: Int = 0, identifierCompleteIndicators: Int = 0,
                applicationEffect: Int = 0, adoptedLeads: Int = 0, specialContributionRank: Int? = nil, leakPenalty: Int = 0) {
        self.unit = unit
        self.quarter = quarter
        self.tasks = tasks
        self.contactIncidents = contactIncidents
        self.meetingsAbsent = meetingsAbsent
        self.meetingsLateOrEarly = meetingsLateOrEarly
        self.surveysMissing = surveysMissing
        self.surveysLate = surveysLate
        self.identifierCompleteIndicators = identifierCompleteIndicators
        self.applicationEffect = applicationEffect
        self.adoptedLeads = adoptedLeads
        self.specialContributionRank = specialContributionRank
        self.leakPenalty = leakPenalty
    }

    /// The leak penalties the table allows: none, or 5–10 by severity (减分项: 扣减5-10分).
    public static let allowedLeakPenalties: Set<Int> = [0, 5, 6, 7, 8, 9, 10]

    /// The largest count accepted (records, days and the like), so exact sums never overflow.
    public static let maximumCount = 1_000_000_000_000

    /// The facts in the `--facts` JSON schema, keys in schema order.
    public var json: JSONValue {
        .object([
            ("unit", .string(unit)),
            ("quarter", .string(quarter.description)),
            ("tasks", .array(tasks.map(\.json))),
            ("contact_incidents", .int(contactIncidents)),
            ("meetings", .object([("absent", .int(meetingsAbsent)), ("late_or_early", .int(meetingsLateOrEarly))])),
            ("surveys", .object([("missing", .int(surveysMissing)), ("late", .int(surveysLate))])),
            ("identifier_complete_indicators", .int(identifierCompleteIndicators)),
            ("application_effect", .int(applicationEffect)),
            ("adopted_leads", .int(adoptedLeads)),
            ("special_contribution_rank", specialContributionRank.map(JSONValue.int) ?? .null),
            ("leak_penalty", .int(leakPenalty)),
        ])
    }
}

extension AssessmentFacts.Task {
    /// The task in the `--facts` JSON schema, keys in schema order.
    public var json: JSONValue {
        .object([
            ("indicator", .string(indicator)),
            ("collection", .string(collection.rawValue)),
            ("period", .string(period.description)),
            ("deadline", .string(deadline.isoString)),
            ("submitted_on", .optional(submittedOn?.isoString)),
            ("proxy", .bool(proxy)),
            ("format_ok", .bool(formatOK)),
            ("records", .int(records)),
            ("erroneous", .int(erroneous)),
            ("zero_data", .bool(zeroData)),
            ("zero_data_explained", .bool(zeroDataExplained)),
            ("duplicate_rows", .int(duplicateRows)),
        ])
    }
}
