/// 报送任务: what one member unit owes for one indicator and one reporting period, and by when.
///
/// Tasks are derived from the catalog (``ReportingCalendar``), never stored: the catalog and the
/// submissions are the facts, the task and its ``TaskStatus`` follow from them.
public struct ReportingTask: Hashable, Sendable {
    /// The unit that owes the data (the indicator's owner), e.g. `housing`.
    public var unit: String
    /// The indicator code, e.g. `HOU-001`.
    public var indicator: String
    /// The reporting period, of the indicator's collection period.
    public var period: ReportingPeriod
    /// The last day on which a submission is on time (inclusive).
    public var deadline: CalendarDate

    public init(unit: String, indicator: String, period: ReportingPeriod, deadline: CalendarDate) {
        self.unit = unit
        self.indicator = indicator
        self.period = period
        self.deadline = deadline
    }
}

/// One filing against a task, as the status rule needs to know it: when it arrived, what it was and how
/// it ended. Built from a stored submission.
public struct TaskFiling: Sendable, Equatable {
    /// A file of records, or a zero-data submission (报送0数据) with its written explanation.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case data
        case zeroData = "zero_data"
    }

    /// Day of receipt in China Standard Time.
    public var receivedOn: CalendarDate
    public var kind: Kind
    /// The lifecycle state the filing reached.
    public var state: SubmissionState
    /// The zero-data explanation (情况说明); `nil` or blank when none was given.
    public var explanation: String?

    public init(receivedOn: CalendarDate, kind: Kind, state: SubmissionState, explanation: String? = nil) {
        self.receivedOn = receivedOn
        self.kind = kind
        self.state = state
        self.explanation = explanation
    }

    /// Whether this filing discharges the task: a data submission that was accepted (wholly or partly, even
    /// if superseded since), or a zero-data submission with a non-blank explanation. A refused file does not
    /// count, nor does zero data without an explanation (附件2: 报送0数据但未提交情况说明的…记为未报数据).
    public var counts: Bool {
        guard state.wasAccepted else { return false }
        switch kind {
        case .data: return true
        case .zeroData: return ZeroDataRule.isExplained(explanation)
        }
    }
}

/// Where a reporting task stands on a given day.
///
/// JSON/CLI codes: `open`, `on_time`, `late`, `missed`, `zero_data`.
public enum TaskStatus: Hashable, Sendable {
    /// Not yet discharged, and the deadline has not passed.
    case open
    /// Discharged on or before the deadline.
    case onTime
    /// Discharged after the deadline, `days` calendar days late (1 = the day after the deadline).
    case late(days: Int)
    /// Not discharged, and the deadline has passed (未报).
    case missed
    /// Discharged by an explained zero-data submission; `daysLate` is 0 when it came in time.
    case zeroData(daysLate: Int)

    /// Machine code: `open`, `on_time`, `late`, `missed`, `zero_data`.
    public var code: String {
        switch self {
        case .open: "open"
        case .onTime: "on_time"
        case .late: "late"
        case .missed: "missed"
        case .zeroData: "zero_data"
        }
    }

    /// Calendar days after the deadline (0 unless late or a late zero-data submission).
    public var daysLate: Int {
        switch self {
        case .late(let days): days
        case .zeroData(let days): days
        case .open, .onTime, .missed: 0
        }
    }

    /// Whether the task was discharged (on time, late or by explained zero data).
    public var isDischarged: Bool {
        switch self {
        case .onTime, .late, .zeroData: true
        case .open, .missed: false
        }
    }

    /// Chinese label for pages and exports: 待报送, 按时报送, 缓报3天, 未报, 零数据（已说明）.
    public var chineseName: String {
        switch self {
        case .open: "待报送"
        case .onTime: "按时报送"
        case .late(let days): "缓报\(days)天"
        case .missed: "未报"
        case .zeroData(let days): days > 0 ? "零数据（已说明，缓报\(days)天）" : "零数据（已说明）"
        }
    }

    /// The status of a task due on `deadline`, as of the end of `asOf`, given its filings in any order.
    ///
    /// Filings received after `asOf` are ignored, so a past day's board can be rebuilt. Timeliness is taken
    /// from the first filing that counts (a later correction never makes an on-time task late); whether the
    /// task stands as zero data is taken from the latest filing that counts (the current one). The deadline
    /// day itself is on time (附件2: "20日前" read as "by the 20th").
    public static func evaluate(deadline: CalendarDate, filings: [TaskFiling], asOf: CalendarDate) -> TaskStatus {
        let counting = filings.filter { $0.counts && $0.receivedOn <= asOf }
        guard let first = counting.min(by: { $0.receivedOn < $1.receivedOn }),
              let current = counting.max(by: { $0.receivedOn < $1.receivedOn }) else {
            return asOf > deadline ? .missed : .open
        }
        let daysLate = max(0, first.receivedOn.daysSinceEpoch - deadline.daysSinceEpoch)
        if current.kind == .zeroData { return .zeroData(daysLate: daysLate) }
        return daysLate == 0 ? .onTime : .late(days: daysLate)
    }
}

/// The rule for zero-data submissions (报送0数据): they must carry a written explanation (情况说明).
public enum ZeroDataRule {
    /// Fewest letters or digits an explanation must have; a bare "无" or "。。。。。" explains nothing.
    public static let minimumLength = 5
    /// Most characters an explanation may have.
    public static let maximumLength = 2_000

    /// Whether `explanation` is a real explanation: at least ``minimumLength`` letters or digits (Chinese
    /// characters are letters; punctuation, symbols and spaces do not count).
    public static func isExplained(_ explanation: String?) -> Bool {
        guard let explanation else { return false }
        return explanation.unicodeScalars.lazy.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }
            .prefix(minimumLength).count >= minimumLength
    }
}

/// Derives reporting tasks from the catalog (附件2 数据归集周期).
public struct ReportingCalendar: Sendable {
    public let catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// The task of `indicator` for `period`; `nil` when the period is not of the indicator's collection period.
    public func task(for indicator: Indicator, period: ReportingPeriod) -> ReportingTask? {
        guard period.collectionPeriod == indicator.period else { return nil }
        return ReportingTask(unit: indicator.unit, indicator: indicator.code, period: period,
                             deadline: catalog.deadlineRule(for: indicator.period).deadline(for: period))
    }

    /// Every task whose reporting period lies inside `period`, in catalog order per period kind: a month holds
    /// its monthly tasks; a quarter its three months' tasks and its quarterly tasks; a year all of those and
    /// its yearly tasks. `unit` narrows to one unit; `collections` to some collection periods.
    public func tasks(within period: ReportingPeriod, unit: String? = nil,
                      collections: Set<CollectionPeriod> = Set(CollectionPeriod.allCases)) -> [ReportingTask] {
        var tasks: [ReportingTask] = []
        for collection in CollectionPeriod.allCases where collections.contains(collection) {
            for inner in period.periods(of: collection) {
                for indicator in catalog.indicators where indicator.period == collection && (unit == nil || indicator.unit == unit) {
                    tasks.append(task(for: indicator, period: inner)!)
                }
            }
        }
        return tasks
    }

    /// Every task whose period lies within `from`...`to` (both periods included by their days).
    public func tasks(from: ReportingPeriod, to: ReportingPeriod, unit: String? = nil,
                      collections: Set<CollectionPeriod> = Set(CollectionPeriod.allCases)) -> [ReportingTask] {
        guard from.firstDay <= to.lastDay else { return [] }
        var tasks: [ReportingTask] = []
        for year in from.firstDay.year...to.lastDay.year {
            tasks += self.tasks(within: .year(year), unit: unit, collections: collections).filter {
                from.firstDay <= $0.period.firstDay && $0.period.lastDay <= to.lastDay
            }
        }
        return tasks
    }
}
