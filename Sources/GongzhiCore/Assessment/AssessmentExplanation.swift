/// Each point a unit lost or earned, line by line, in Chinese (issue 11: "缓报 3 天：HOU-001 2024-02 截止 03-20，
/// 03-23 报送"). Built from the facts and the scorecard computed from them; points are rounded half-up to 2
/// decimals only for display.
public enum AssessmentExplanation {
    /// One explained deduction or bonus.
    public struct Line: Sendable, Equatable {
        /// The item key of the scorecard: `leadership`, `timeliness`, `format`, `quality`, `other`, a bonus key, or
        /// `penalty`.
        public var item: String
        /// Points: negative for a deduction (before the item's cap), positive for a bonus.
        public var points: Rational
        public var text: String
    }

    /// Chinese names of the scorecard items.
    public static let itemNames: [(key: String, name: String, standard: Int)] = [
        ("leadership", "领导重视", 10), ("timeliness", "数据归集周期", 20), ("format", "数据报送格式", 20),
        ("quality", "数据报送质量", 40), ("other", "其他", 10),
    ]

    static func monthDay(_ d: CalendarDate) -> String { pad(d.month, 2) + "-" + pad(d.day, 2) }

    /// The explained lines, base items first (in table order), then bonus and penalty. A missed task is one
    /// line per item it costs.
    public static func lines(facts: AssessmentFacts, card: Scorecard) -> [Line] {
        var out: [Line] = []
        func add(_ item: String, _ points: Rational, _ text: String) { out.append(Line(item: item, points: points, text: text)) }
        func r(_ n: Int) -> Rational { Rational(n) }
        func share(_ standard: Int) -> Rational { (try? Rational(standard, max(card.taskCount, 1))) ?? .zero }
        if facts.contactIncidents > 0 {
            add("leadership", r(-facts.contactIncidents), "责任人缺位或变更未告知 \(facts.contactIncidents) 次，每次扣 1 分")
        }
        for outcome in card.tasks {
            let t = facts.tasks[outcome.index]
            let name = "\(t.indicator) \(t.period)"
            if let missed = outcome.missed {
                let why: String = switch missed {
                case .notSubmitted: "\(name) 截止 \(monthDay(t.deadline))，未报送"
                case .zeroDataUnexplained: "\(name) 报送0数据但未提交情况说明，记为未报"
                case .mostlyDuplicates: "\(name) 报送 \(t.records) 条中重复 \(t.duplicateRows) 条（达一半），记为未报"
                }
                for (item, standard) in [("timeliness", 20), ("format", 20), ("quality", 40)] {
                    let points = share(standard)
                    add(item, (try? -points) ?? .zero, "未报：\(why)（本季度 \(card.taskCount) 项任务，扣 \(standard)÷\(card.taskCount) = \(points.roundedText()) 分）")
                }
                continue
            }
            if outcome.lateDays > 0, let on = t.submittedOn {
                add("timeliness", r(-outcome.lateDays), "缓报 \(outcome.lateDays) 天：\(name) 截止 \(monthDay(t.deadline))，\(monthDay(on)) 报送")
            }
            switch outcome.formatFault {
            case .offTemplate?:
                add("format", (try? -outcome.formatDeduction) ?? .zero, "格式不符：\(name) 未按模板或归集标准报送，扣该任务份额的 50%")
            case .proxy?:
                add("format", (try? -outcome.formatDeduction) ?? .zero, "代为报送：\(name) 由信息中心代为报送，扣该任务份额的 10%")
            case nil: break
            }
        }
        let percent = (try? card.errorRate * Rational(100)) ?? .zero
        if card.errorSteps > 0 {
            add("quality", (try? Rational(-card.errorSteps, 2)) ?? .zero,
                "错（漏）报率 \(percent.roundedText())%（\(card.totalErroneous)/\(card.totalRecords)），超过 10% 的完整 5% 档 \(card.errorSteps) 个，每档扣 0.5 分")
        }
        if facts.meetingsAbsent > 0 { add("other", r(-2 * facts.meetingsAbsent), "联席会议或培训无故缺席 \(facts.meetingsAbsent) 次，每次扣 2 分") }
        if facts.meetingsLateOrEarly > 0 { add("other", r(-facts.meetingsLateOrEarly), "联席会议或培训迟到早退 \(facts.meetingsLateOrEarly) 次，每次扣 1 分") }
        if facts.surveysMissing > 0 { add("other", r(-2 * facts.surveysMissing), "调研反馈表未反馈 \(facts.surveysMissing) 份，每份扣 2 分") }
        if facts.surveysLate > 0 { add("other", r(-facts.surveysLate), "调研反馈表逾期反馈 \(facts.surveysLate) 份，每份扣 1 分") }
        let b = card.bonus
        if b.specialContribution.numerator > 0, let rank = facts.specialContributionRank {
            add("special_contribution", b.specialContribution, "特别贡献：贡献排名第 \(rank) 名")
        }
        if b.workload > 0 {
            add("workload", r(b.workload), "数据归集工作量：月报指标项 \(card.monthlyIndicators) 个，季报指标项 \(card.quarterlyIndicators) 个，数据 \(card.totalRecords) 条")
        }
        if b.identifiers > 0 { add("identifiers", r(b.identifiers), "完善数据标识：\(facts.identifierCompleteIndicators) 个指标项（至多加 5 分）") }
        if b.applicationEffect > 0 { add("application_effect", r(b.applicationEffect), "数据应用成效评分 \(b.applicationEffect) 分") }
        if b.leads > 0 { add("leads", r(b.leads), "信息报送：被采用 \(facts.adoptedLeads) 条（至多加 5 分）") }
        if card.penalty > 0 { add("penalty", r(-card.penalty), "数据泄露，按情节扣 \(card.penalty) 分") }
        return out
    }

    /// The scorecard and its explained lines as plain text, for `gongzhi score` without `--json`.
    public static func text(facts: AssessmentFacts, card: Scorecard) -> String {
        let items = [card.items.leadership, card.items.timeliness, card.items.format, card.items.quality, card.items.other]
        var text = "\(facts.unit) \(card.quarter.chineseName) 考核得分 \(card.total.roundedText())"
        text += "（基本项 \(card.base.roundedText())，加分项 \(card.bonusTotal.roundedText())，减分项 \(card.penalty)）\n"
        for (i, entry) in itemNames.enumerated() { text += "  \(entry.name)：\(items[i].roundedText()) / \(entry.standard)\n" }
        let lines = lines(facts: facts, card: card)
        for line in lines {
            let sign = line.points.numerator > 0 ? "+" : ""
            text += "  \(sign)\(line.points.roundedText())\t\(line.text)\n"
        }
        return String(text.dropLast())
    }
}
