/// The quarterly scoring of 附件2 考核评分表 (扬府办发〔2017〕100号) with its notes 附注1 and 附注2, read exactly as
/// `fixtures/scoring/README.md` fixes it. Pure: facts in, ``Scorecard`` out; no clock, no I/O, no `Double`.
public enum AssessmentScoring {
    /// Standard scores of the base items (基本项, 100 together).
    public static let leadershipStandard = 10, timelinessStandard = 20, formatStandard = 20, qualityStandard = 40, otherStandard = 10

    /// Scores one unit's quarter.
    ///
    /// - `share = 1/N` for N tasks (附注1: 未报比例 = 未报任务数 / 本季度任务数总和), 0 when N = 0.
    /// - A task is missed when never submitted, zero data without explanation, or `2 × duplicate_rows ≥ records > 0`
    ///   (数据报送质量: 报送0数据但未提交情况说明的、或者报送大量重复数据的,均记为未报数据); it costs its share in
    ///   timeliness (20), format (20) and quality (40).
    /// - 领导重视 1 per contact incident; 数据归集周期 1 per late day; 数据报送格式 50 % (off-template) or 10 % (proxy)
    ///   of the task's share; 数据报送质量 0.5 per full 5 % step above 10 % (附注2); 其他 2/1/2/1. Each capped at its
    ///   standard.
    /// - Bonus and penalty items as the README's tables; `total = base + bonus − penalty`, not clamped.
    /// - Throws: ``AssessmentFactsError`` with field `facts` only when an exact value exceeds 64-bit integers.
    public static func score(_ facts: AssessmentFacts) throws(AssessmentFactsError) -> Scorecard {
        do {
            return try compute(facts)
        } catch {
            throw AssessmentFactsError(field: "facts", path: "facts", reason: .tooLarge, message: "考核事实中的数值过大，无法精确计算")
        }
    }

    /// Why `task` counts as missed (未报), or `nil` when it counts as submitted.
    public static func missedReason(_ task: AssessmentFacts.Task) -> Scorecard.MissedReason? {
        if task.submittedOn == nil { return .notSubmitted }
        if task.zeroData && !task.zeroDataExplained { return .zeroDataUnexplained }
        if task.records > 0 && 2 * task.duplicateRows >= task.records { return .mostlyDuplicates }
        return nil
    }

    /// Full 5 % steps above 10 % of the exact error rate `erroneous / records` (附注2; "以内" includes 10 %):
    /// `floor((rate − 10 %) / 5 %)` = `floor((20 × erroneous − 2 × records) / records)`, 0 at or below 10 %.
    public static func errorSteps(erroneous: Int, records: Int) -> Int {
        guard records > 0, 10 * erroneous > records else { return 0 }
        return (20 * erroneous - 2 * records) / records
    }

    /// The row counts of 数据归集工作量's volume tiers: strictly more than `five` rows earn 5, `three` 3, `one` 1.
    public struct VolumeTiers: Sendable, Equatable {
        public var five: Int
        public var three: Int
        public var one: Int

        public init(five: Int, three: Int, one: Int) {
            self.five = five
            self.three = three
            self.one = one
        }
    }

    /// The quarter's volume tiers: 超过1万条 / 5千条 / 2千条.
    public static let quarterlyVolumeTiers = VolumeTiers(five: 10_000, three: 5_000, one: 2_000)

    /// 数据归集工作量: the highest tier reached, never added together ("该项不累计加分,取最高分").
    /// `monthly` (M) and `quarterly` (Q) count distinct indicators that brought data; `records` (V) is the
    /// period's rows. "以上" includes the bound (M ≥ 6, Q ≥ 5); "超过" excludes it (V > 10000 in a quarter,
    /// V > 50000 in the year with ``AnnualAssessment/volumeTiers``).
    public static func workloadPoints(monthly m: Int, quarterly q: Int, records v: Int,
                                      tiers: VolumeTiers = quarterlyVolumeTiers) -> Int {
        if m >= 6 || q >= 5 || v > tiers.five { return 5 }
        if m >= 4 || q >= 4 || v > tiers.three { return 3 }
        if m >= 1 || q >= 2 || v > tiers.one { return 1 }
        return 0
    }

    /// 特别贡献: rank 1..10 earns `5 − 0.5 × (rank − 1)`; no rank or 11 and below earns 0.
    public static func specialContributionPoints(rank: Int?) -> Rational {
        guard let rank, (1...10).contains(rank) else { return .zero }
        return try! Rational(11 - rank, 2)
    }

    static func compute(_ facts: AssessmentFacts) throws(Rational.Overflow) -> Scorecard {
        let n = facts.tasks.count
        let share = n == 0 ? Rational.zero : try Rational(1, n)
        var outcomes: [Scorecard.TaskOutcome] = []
        var missed = 0, lateDays = 0, records = 0, erroneous = 0
        var formatFaults = Rational.zero
        var monthly: Set<String> = [], quarterly: Set<String> = []
        let formatShare = try Rational(formatStandard) * share
        for (index, task) in facts.tasks.enumerated() {
            if let reason = missedReason(task) {
                missed += 1
                outcomes.append(.init(index: index, missed: reason, lateDays: 0, formatFault: nil, formatDeduction: .zero))
                continue
            }
            let late = max(0, task.submittedOn!.daysSinceEpoch - task.deadline.daysSinceEpoch)
            lateDays += late
            records += task.records
            erroneous += task.erroneous
            let fault: Scorecard.FormatFault? = !task.formatOK ? .offTemplate : task.proxy ? .proxy : nil
            let deduction: Rational = switch fault {
            case .offTemplate?: try formatShare * Rational(1, 2)
            case .proxy?: try formatShare * Rational(1, 10)
            case nil: .zero
            }
            formatFaults = try formatFaults + deduction
            if task.records > 0 {
                switch task.collection {
                case .monthly: monthly.insert(task.indicator)
                case .quarterly: quarterly.insert(task.indicator)
                case .yearly: break
                }
            }
            outcomes.append(.init(index: index, missed: nil, lateDays: late, formatFault: fault, formatDeduction: deduction))
        }
        let missedShare = try share * Rational(missed)
        func item(_ standard: Int, _ deduction: Rational) throws(Rational.Overflow) -> Rational {
            try Rational(standard) - deduction.capped(at: Rational(standard))
        }
        let steps = errorSteps(erroneous: erroneous, records: records)
        let meetingsAndSurveys = 2 * facts.meetingsAbsent + facts.meetingsLateOrEarly + 2 * facts.surveysMissing + facts.surveysLate
        let items = Scorecard.Items(
            leadership: try item(leadershipStandard, Rational(facts.contactIncidents)),
            timeliness: try item(timelinessStandard, try Rational(lateDays) + (try Rational(timelinessStandard) * missedShare)),
            format: try item(formatStandard, try (try Rational(formatStandard) * missedShare) + formatFaults),
            quality: try item(qualityStandard, try (try Rational(steps, 2)) + (try Rational(qualityStandard) * missedShare)),
            other: try item(otherStandard, Rational(meetingsAndSurveys)))
        var base = Rational.zero
        for value in [items.leadership, items.timeliness, items.format, items.quality, items.other] { base = try base + value }
        let bonus = Scorecard.Bonus(
            specialContribution: specialContributionPoints(rank: facts.specialContributionRank),
            workload: workloadPoints(monthly: monthly.count, quarterly: quarterly.count, records: records),
            identifiers: min(5, facts.identifierCompleteIndicators),
            applicationEffect: min(5, max(0, facts.applicationEffect)),
            leads: min(5, facts.adoptedLeads))
        let bonusTotal = try bonus.specialContribution + Rational(bonus.workload + bonus.identifiers + bonus.applicationEffect + bonus.leads)
        let total = try (try base + bonusTotal) - Rational(facts.leakPenalty)
        return Scorecard(
            unit: facts.unit, quarter: facts.quarter, taskCount: n, missedTasks: missed, lateDays: lateDays,
            errorRate: records == 0 ? .zero : try Rational(erroneous, records), errorSteps: steps,
            totalRecords: records, totalErroneous: erroneous,
            monthlyIndicators: monthly.count, quarterlyIndicators: quarterly.count, tasks: outcomes, items: items, base: base,
            bonus: bonus, bonusTotal: bonusTotal, penalty: facts.leakPenalty, total: total)
    }
}
