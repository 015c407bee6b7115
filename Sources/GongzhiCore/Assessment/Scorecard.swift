/// The result of scoring one unit for one quarter on 附件2 考核评分表: every item exact, with how each task was
/// counted, so that any point can be explained line by line. Rounded only in ``json``.
public struct Scorecard: Sendable, Equatable {
    /// Why a task counts as missed (未报), in the order the README checks them.
    public enum MissedReason: String, Sendable, Equatable {
        /// Never submitted as of scoring.
        case notSubmitted = "not_submitted"
        /// 报送0数据但未提交情况说明的 … 记为未报数据.
        case zeroDataUnexplained = "zero_data_unexplained"
        /// 报送大量重复数据的 … 记为未报数据 ("大量" = at least half of the rows).
        case mostlyDuplicates = "mostly_duplicates"
    }

    /// The format deduction a submitted task took (数据报送格式).
    public enum FormatFault: String, Sendable, Equatable {
        /// Off-template: 50 % of the task's share (only this one when also by proxy).
        case offTemplate = "off_template"
        /// 代为报送: 10 % of the task's share.
        case proxy
    }

    /// How one task of the facts was counted.
    public struct TaskOutcome: Sendable, Equatable {
        /// Position in ``AssessmentFacts/tasks``.
        public var index: Int
        /// Set when the task is missed; a missed task has no late days, records or format fault.
        public var missed: MissedReason?
        /// `max(0, submitted_on − deadline)` in calendar days (缓报1天,扣1分); 0 when missed.
        public var lateDays: Int
        public var formatFault: FormatFault?
        /// Its share of the format item that `formatFault` costs (exact).
        public var formatDeduction: Rational
    }

    /// The five base items (基本项), each after its cap.
    public struct Items: Sendable, Equatable {
        /// 领导重视, standard 10.
        public var leadership: Rational
        /// 数据归集周期, standard 20.
        public var timeliness: Rational
        /// 数据报送格式, standard 20.
        public var format: Rational
        /// 数据报送质量, standard 40.
        public var quality: Rational
        /// 其他, standard 10.
        public var other: Rational
    }

    /// The five bonus items (加分项), at most 25 together.
    public struct Bonus: Sendable, Equatable {
        /// 特别贡献: rank 1..10 → 5, 4.5, … 0.5.
        public var specialContribution: Rational
        /// 数据归集工作量: 5, 3, 1 or 0 (the highest tier reached).
        public var workload: Int
        /// 完善数据标识: at most 5.
        public var identifiers: Int
        /// 数据应用成效: 0...5.
        public var applicationEffect: Int
        /// 信息报送: at most 5.
        public var leads: Int
    }

    public var unit: String
    public var quarter: ReportingPeriod
    /// Tasks in scope (N of 附注1).
    public var taskCount: Int
    public var missedTasks: Int
    public var lateDays: Int
    /// Σ erroneous / Σ records over the non-missed tasks (附注2), a fraction (0 when there are no records).
    public var errorRate: Rational
    /// Full 5 % steps above 10 % (错(漏)报率在10%以内的,不扣分; 每增加5%,扣0.5分).
    public var errorSteps: Int
    public var totalRecords: Int
    public var totalErroneous: Int
    /// M: distinct monthly indicators that brought data (a non-missed task with records).
    public var monthlyIndicators: Int
    /// Q: distinct quarterly indicators that brought data.
    public var quarterlyIndicators: Int
    public var tasks: [TaskOutcome]
    public var items: Items
    /// 100 − the five capped deductions, exact.
    public var base: Rational
    public var bonus: Bonus
    public var bonusTotal: Rational
    /// 减分项: the leak penalty.
    public var penalty: Int
    /// base + bonus − penalty, not clamped.
    public var total: Rational

    /// The scorecard as `gongzhi score --json` prints it: every key of the README's output, in its order, each
    /// number rounded half-up to 2 decimals on its own, plus `workload_basis` (M, Q, V) for explanation.
    public var json: JSONValue {
        func n(_ r: Rational) -> JSONValue { .number(r.roundedText()) }
        let percent = (try? errorRate * Rational(100)) ?? .zero
        return .object([
            ("unit", .string(unit)),
            ("quarter", .string(quarter.description)),
            ("missed_tasks", .int(missedTasks)),
            ("late_days", .int(lateDays)),
            ("error_rate", n(percent)),
            ("items", .object([
                ("leadership", n(items.leadership)), ("timeliness", n(items.timeliness)), ("format", n(items.format)),
                ("quality", n(items.quality)), ("other", n(items.other)),
            ])),
            ("base", n(base)),
            ("bonus", .object([
                ("special_contribution", n(bonus.specialContribution)), ("workload", .int(bonus.workload)),
                ("identifiers", .int(bonus.identifiers)), ("application_effect", .int(bonus.applicationEffect)), ("leads", .int(bonus.leads)),
            ])),
            ("bonus_total", n(bonusTotal)),
            ("penalty", .int(penalty)),
            ("total", n(total)),
            ("workload_basis", .object([
                ("monthly_indicators", .int(monthlyIndicators)), ("quarterly_indicators", .int(quarterlyIndicators)),
                ("records", .int(totalRecords)),
            ])),
        ])
    }
}
