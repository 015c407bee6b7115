/// What the assessor (综合治税办) enters for what the platform cannot know yet (issue 11 §3): the 数据应用成效
/// grade, adopted leads (信息报送), the special-contribution rank (特别贡献), data leaks (第十六条, 减分项), and a
/// task marked off-format (issue 11 §2: 未按模板或归集标准报送, beyond the platform's whole-file refusals).
/// Each entry names who entered it and why; the latest entry of a kind for a unit and quarter is the one in
/// force (an earlier one stays as history). When the cross-matching engine and the effectiveness reports
/// exist, their numbers replace these entries through ``AssessmentFacts/applying(_:)``.
public struct AssessorEntry: Sendable, Equatable {
    /// The facts key an entry sets.
    public enum Kind: String, Sendable, CaseIterable {
        /// `application_effect`: the grade 0–5 (数据应用成效, 加1-5分).
        case applicationEffect = "application_effect"
        /// `adopted_leads`: tax leads or important data the city adopted (每采用1条,加1分).
        case adoptedLeads = "adopted_leads"
        /// `special_contribution_rank`: the place in the contribution ranking, or none.
        case specialContributionRank = "special_contribution_rank"
        /// `leak_penalty`: 5–10 by severity, or 0 to withdraw (第十六条; 扣减5-10分).
        case leakPenalty = "leak_penalty"
        /// `identifier_complete_indicators`: indicators whose unique-identifier fields the unit completed in the
        /// quarter (完善数据标识, 每指标项加计1分); the platform cannot tell a completed identifier from one that
        /// was always there, so the assessor enters it with the indicators named in `detail`.
        case identifierCompleteIndicators = "identifier_complete_indicators"
        /// A task's `format_ok` set to false: `detail` names the task (`HOU-001 2024-02`); value 1 marks it,
        /// 0 withdraws the mark (the platform's own finding then stands).
        case offFormat = "off_format"

        /// 数据应用成效评分, 被采用的涉税信息, 特别贡献名次, 数据泄露扣分.
        public var chineseName: String {
            switch self {
            case .applicationEffect: "数据应用成效评分"
            case .adoptedLeads: "被采用的涉税信息条数"
            case .specialContributionRank: "特别贡献名次"
            case .leakPenalty: "数据泄露扣分"
            case .identifierCompleteIndicators: "完善数据标识的指标项数"
            case .offFormat: "任务格式不符"
            }
        }
    }

    public var unit: String
    public var quarter: ReportingPeriod
    public var kind: Kind
    /// The value; `nil` only for a special-contribution rank that is withdrawn (no rank).
    public var value: Int?
    /// Why: the grounds the assessor gives (the effectiveness report, the adopted lead, the incident).
    public var reason: String
    /// For a leak: what leaked and when; for an off-format mark: the task, `INDICATOR PERIOD`; empty otherwise.
    public var detail: String

    public init(unit: String, quarter: ReportingPeriod, kind: Kind, value: Int?, reason: String, detail: String = "") {
        self.unit = unit
        self.quarter = quarter
        self.kind = kind
        self.value = value
        self.reason = reason
        self.detail = detail
    }

    /// Why an entry cannot be taken.
    public enum Problem: Error, Sendable, Equatable {
        /// The value is not allowed for the kind (the text as typed).
        case badValue(Kind, String)
        case missingReason
        /// A leak of 5–10 points must say what leaked and when.
        case missingLeakDetail
        /// An off-format mark must name one task as `HOU-001 2024-02` (the text as typed).
        case badTask(String)

        /// A sentence the assessor can act on.
        public var message: String {
            switch self {
            case .badValue(let kind, let text):
                let allowed = switch kind {
                case .applicationEffect: "0–5 的整数"
                case .adoptedLeads: "不小于 0 的整数"
                case .specialContributionRank: "1 起的整数，或留空表示无名次"
                case .leakPenalty: "0（撤销）或 5–10 的整数"
                case .identifierCompleteIndicators: "不小于 0 的整数"
                case .offFormat: "1（标记格式不符）或 0（撤销标记）"
                }
                return "\(kind.chineseName)应为\(allowed)，收到「\(text)」。"
            case .missingReason: return "请写明录入依据。"
            case .missingLeakDetail: return "数据泄露扣分须写明泄露的内容和时间。"
            case .badTask(let text): return "请写明格式不符的任务，如「HOU-001 2024-02」，收到「\(text)」。"
            }
        }
    }

    /// An entry from what the assessor typed, checked: `valueText` by the kind's range (the same as the facts
    /// schema), a non-blank `reason`, and for a leak above 0 a non-blank `detail`.
    /// - Throws: ``Problem``.
    public static func checked(unit: String, quarter: ReportingPeriod, kind: Kind, valueText: String, reason: String,
                               detail: String = "") throws(Problem) -> AssessorEntry {
        let text = TextNormalization.trim(TextNormalization.foldWidth(valueText))
        let value: Int?
        if text.isEmpty, kind == .specialContributionRank {
            value = nil
        } else {
            guard let n = Int(text), text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else { throw .badValue(kind, valueText) }
            let ok = switch kind {
            case .applicationEffect: (0...5).contains(n)
            case .adoptedLeads, .identifierCompleteIndicators: (0...AssessmentFacts.maximumCount).contains(n)
            case .specialContributionRank: n >= 1 && n <= AssessmentFacts.maximumCount
            case .leakPenalty: AssessmentFacts.allowedLeakPenalties.contains(n)
            case .offFormat: n == 0 || n == 1
            }
            guard ok else { throw .badValue(kind, valueText) }
            value = n
        }
        let reason = TextNormalization.trim(reason), detail = TextNormalization.trim(detail)
        guard !reason.isEmpty else { throw .missingReason }
        if kind == .leakPenalty, (value ?? 0) > 0, detail.isEmpty { throw .missingLeakDetail }
        if kind == .offFormat {
            guard let task = taskKey(detail) else { throw .badTask(detail) }
            return AssessorEntry(unit: unit, quarter: quarter, kind: kind, value: value, reason: reason,
                                 detail: task.indicator + " " + task.period.description)
        }
        return AssessorEntry(unit: unit, quarter: quarter, kind: kind, value: value, reason: reason, detail: detail)
    }

    /// `HOU-001 2024-02` → the indicator and the period; `nil` for anything else.
    public static func taskKey(_ text: String) -> (indicator: String, period: ReportingPeriod)? {
        let parts = TextNormalization.trim(TextNormalization.foldWidth(text)).split(whereSeparator: { $0 == " " })
        guard parts.count == 2, let period = ReportingPeriod(String(parts[1])) else { return nil }
        return (String(parts[0]).uppercased(), period)
    }
}

extension AssessmentFacts {
    /// The facts with the assessor's entries applied, `entries` oldest first: for each kind the latest entry of
    /// this unit and quarter sets its key; for off-format marks, the latest entry per task (a task still marked
    /// gets `format_ok` false). Entries of other units or quarters are ignored.
    public func applying(_ entries: [AssessorEntry]) -> AssessmentFacts {
        var facts = self
        var marked: [String: Bool] = [:]
        for entry in entries where entry.unit == unit && entry.quarter == quarter {
            switch entry.kind {
            case .applicationEffect: facts.applicationEffect = entry.value ?? 0
            case .adoptedLeads: facts.adoptedLeads = entry.value ?? 0
            case .specialContributionRank: facts.specialContributionRank = entry.value
            case .leakPenalty: facts.leakPenalty = entry.value ?? 0
            case .identifierCompleteIndicators: facts.identifierCompleteIndicators = entry.value ?? 0
            case .offFormat:
                if let task = AssessorEntry.taskKey(entry.detail) { marked["\(task.indicator) \(task.period)"] = entry.value == 1 }
            }
        }
        for i in facts.tasks.indices where marked["\(facts.tasks[i].indicator) \(facts.tasks[i].period)"] == true {
            facts.tasks[i].formatOK = false
        }
        return facts
    }
}
