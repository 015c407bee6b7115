/// The year-end assessment (年终综合考核, issue 11 §6): a unit's four quarters side by side and one annual score,
/// the ranking of all units, and the 先进单位 / 后进单位 marks (第十九条). Pure: the quarters' facts in, results out.
///
/// The table fixes only the quarterly score; `fixtures/scoring/README.md` open point 8 leaves the annual rule
/// open. Issue 11 decides it, and the annual page states it:
///
///   annual score = mean of the assessed quarters' base scores (基本项, exact)
///                + the year's bonus items (加分项, at most 25)
///                − the year's leak penalties (减分项, summed).
///
/// The year's bonus items, each computed once over the whole year (the quarterly bonus points are not added up):
/// - 数据归集工作量: the highest tier reached by the year's M (distinct monthly indicators that brought data in the
///   year), Q (distinct quarterly indicators), or V (the year's rows of non-missed tasks) against the annual
///   volume tiers: more than 50 000 rows 5, 20 000 3, 8 000 1 ("本年度数据总量超过5万/2万/8千条");
/// - 特别贡献: the rank in force in the latest quarter that has one ("为当年治税" ranks the year);
/// - 完善数据标识: the most indicators completed in any quarter, at most 5;
/// - 数据应用成效: the highest grade of the year, 0–5 (the effectiveness report is yearly, 第十二条);
/// - 信息报送: the year's adopted leads added up, at most 5 ("总加分不超过5分").
public enum AnnualAssessment {
    /// 数据归集工作量's annual volume tiers: rows strictly above each bound ("超过") earn 5, 3 and 1.
    public static let volumeTiers = AssessmentScoring.VolumeTiers(five: 50_000, three: 20_000, one: 8_000)
    /// 先进单位: at least this annual score …
    public static let advancedMinimum = Rational(90)
    /// … and a rank within this share of the assessed units, rounded up (1/5: the top 20 %) …
    public static let advancedShare = (numerator: 1, denominator: 5)
    /// … and no leak penalty in the year. 后进单位: an annual score below this.
    public static let laggingBelow = Rational(60)

    /// A 第十九条 mark, given only once all four quarters are assessed.
    public enum Mark: String, Sendable, Equatable {
        /// 先进单位.
        case advanced
        /// 后进单位.
        case lagging

        public var chineseName: String {
            switch self {
            case .advanced: "先进单位"
            case .lagging: "后进单位"
            }
        }
    }

    /// The rule as the annual page states it, one sentence per part.
    public static let ruleText: [String] = [
        "年度得分 = 已考核季度基本项得分的平均值 + 全年加分项 − 全年数据泄露减分。",
        "季度得分以该季度已发布简报的考核为准；尚未发布的季度取最近一次考核。",
        "全年加分项按全年计一次：数据归集工作量取全年最高档（月报指标项6个以上、季报指标项5个以上或全年数据总量超过5万条 5分；4个以上、4个以上或超过2万条 3分；1个以上、2个以上或超过8千条 1分），"
            + "特别贡献按年度名次（最近录入的名次），完善数据标识取各季度最多（至多5分），数据应用成效取全年最高评分，信息报送按全年被采用条数（至多5分）。",
        "先进单位：四个季度均已考核，年度得分90分以上，名次在前20%（向上取整），且全年无数据泄露；后进单位：四个季度均已考核，年度得分低于60分（第十九条）。",
    ]

    /// One unit's year.
    public struct Result: Sendable, Equatable {
        public var unit: String
        public var year: Int
        /// The assessed quarters' scorecards, in quarter order (0 to 4 of them).
        public var quarters: [Scorecard]
        /// Mean of the quarters' base scores, exact; 0 when no quarter is assessed.
        public var baseMean: Rational
        /// The year's M, Q and V for 数据归集工作量.
        public var monthlyIndicators: Int
        public var quarterlyIndicators: Int
        public var records: Int
        /// The year's bonus items, computed once over the year.
        public var bonus: Scorecard.Bonus
        public var bonusTotal: Rational
        /// The year's leak penalties, added up.
        public var penalty: Int
        /// baseMean + bonusTotal − penalty, not clamped.
        public var total: Rational

        /// All four quarters are assessed: the score is final and may carry a mark.
        public var isComplete: Bool { quarters.count == 4 }
    }

    /// One unit's year from its assessed quarters' facts (any order; at most one per quarter).
    /// - Throws: ``AssessmentFactsError`` field `quarter` when a facts object is of another unit or year, or a
    ///   quarter comes twice; field `facts` when an exact value exceeds 64-bit integers.
    public static func score(unit: String, year: Int, quarters: [AssessmentFacts]) throws(AssessmentFactsError) -> Result {
        var seen: Set<ReportingPeriod> = []
        for facts in quarters {
            guard facts.unit == unit, case .quarter(year, _) = facts.quarter, seen.insert(facts.quarter).inserted else {
                throw AssessmentFactsError(field: "quarter", path: "quarter", reason: .badQuarter,
                                           message: "年度考核的季度事实须属于 \(unit) 的 \(year) 年，且每季度一份，收到 \(facts.unit) \(facts.quarter)")
            }
        }
        let ordered = quarters.sorted { $0.quarter < $1.quarter }
        var cards: [Scorecard] = []
        for facts in ordered { cards.append(try AssessmentScoring.score(facts)) }
        do {
            return try compute(unit: unit, year: year, facts: ordered, cards: cards)
        } catch {
            throw AssessmentFactsError(field: "facts", path: "facts", reason: .tooLarge, message: "考核事实中的数值过大，无法精确计算")
        }
    }

    static func compute(unit: String, year: Int, facts: [AssessmentFacts], cards: [Scorecard]) throws(Rational.Overflow) -> Result {
        var baseSum = Rational.zero
        for card in cards { baseSum = try baseSum + card.base }
        let baseMean = cards.isEmpty ? Rational.zero : try baseSum / Rational(cards.count)
        var monthly: Set<String> = [], quarterly: Set<String> = []
        var records = 0
        for task in facts.flatMap(\.tasks) where AssessmentScoring.missedReason(task) == nil {
            records += task.records
            guard task.records > 0 else { continue }
            switch task.collection {
            case .monthly: monthly.insert(task.indicator)
            case .quarterly: quarterly.insert(task.indicator)
            case .yearly: break
            }
        }
        let bonus = Scorecard.Bonus(
            specialContribution: AssessmentScoring.specialContributionPoints(rank: facts.last { $0.specialContributionRank != nil }?.specialContributionRank),
            workload: AssessmentScoring.workloadPoints(monthly: monthly.count, quarterly: quarterly.count, records: records, tiers: volumeTiers),
            identifiers: min(5, facts.map(\.identifierCompleteIndicators).max() ?? 0),
            applicationEffect: min(5, max(0, facts.map(\.applicationEffect).max() ?? 0)),
            leads: min(5, facts.reduce(0) { $0 + $1.adoptedLeads }))
        let bonusTotal = try bonus.specialContribution + Rational(bonus.workload + bonus.identifiers + bonus.applicationEffect + bonus.leads)
        let penalty = facts.reduce(0) { $0 + $1.leakPenalty }
        return Result(unit: unit, year: year, quarters: cards, baseMean: baseMean, monthlyIndicators: monthly.count,
                      quarterlyIndicators: quarterly.count, records: records, bonus: bonus, bonusTotal: bonusTotal, penalty: penalty,
                      total: try (try baseMean + bonusTotal) - Rational(penalty))
    }

    /// A result's place in the year's ranking.
    public struct Ranked: Sendable, Equatable {
        public var result: Result
        /// Competition rank by annual score (1, 2, 2, 4); ties share a rank.
        public var rank: Int
        /// 先进单位 / 后进单位, or `nil`; never on an incomplete year.
        public var mark: Mark?
    }

    /// The year's ranking, highest annual score first (ties by unit code), with the 第十九条 marks.
    public static func ranked(_ results: [Result]) -> [Ranked] {
        let sorted = results.sorted { ($0.total, $1.unit) > ($1.total, $0.unit) }
        // ⌈n × 1/5⌉ places count as the top 20 %
        let topPlaces = (sorted.count * advancedShare.numerator + advancedShare.denominator - 1) / advancedShare.denominator
        var out: [Ranked] = []
        for (i, r) in sorted.enumerated() {
            let rank = i > 0 && sorted[i - 1].total == r.total ? out[i - 1].rank : i + 1
            var mark: Mark?
            if r.isComplete {
                if r.total >= advancedMinimum && rank <= topPlaces && r.penalty == 0 { mark = .advanced }
                else if r.total < laggingBelow { mark = .lagging }
            }
            out.append(Ranked(result: r, rank: rank, mark: mark))
        }
        return out
    }
}
