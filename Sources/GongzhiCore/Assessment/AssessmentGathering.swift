/// What the platform knows of one filing against a task, as the assessment needs it (issue 11 §2). Built
/// from a stored submission; ``AssessmentGathering/task(_:collection:filings:asOf:)`` turns a task's filings
/// into the facts of that task.
public struct AssessmentFiling: Sendable, Equatable {
    /// Receipt day, kind, lifecycle state and zero-data explanation (the reporting calendar's view).
    public var filing: TaskFiling
    /// Filed by the info center on the unit's behalf (代为报送).
    public var proxy: Bool
    /// The whole file was refused off the template or the formats (``ImportErrorCode/isOffFormat``: a wrong
    /// template, a file that is no readable xlsx or CSV), not just its rows.
    public var refusedWholeFile: Bool
    /// Data rows read from the file (accepted and rejected).
    public var rowsRead: Int
    /// Rows rejected by validation; every one is erroneous (第八条 identifier faults included).
    public var rowsRejected: Int
    /// Rows rejected as whole-row duplicates (`duplicate_row`).
    public var duplicateRows: Int
    /// An id to trace the fact back to its submission (the stored submission id).
    public var reference: String
    /// Records named by objections upheld against this filing (疑义, 附件1 第十一条): one per erroneous or
    /// duplicate record, the count of an omission (``ObjectionWorkflow/faultyRecords(kind:count:state:)``).
    public var upheldObjectionRecords: Int

    public init(filing: TaskFiling, proxy: Bool = false, refusedWholeFile: Bool = false, rowsRead: Int = 0, rowsRejected: Int = 0,
                duplicateRows: Int = 0, reference: String = "", upheldObjectionRecords: Int = 0) {
        self.filing = filing
        self.proxy = proxy
        self.refusedWholeFile = refusedWholeFile
        self.rowsRead = rowsRead
        self.rowsRejected = rowsRejected
        self.duplicateRows = duplicateRows
        self.reference = reference
        self.upheldObjectionRecords = upheldObjectionRecords
    }
}

/// How the platform's calendar and submissions become assessment facts (issue 11 §2, README "Scope is the
/// platform's job" and open point 10). Pure: the caller reads the store and passes what it found.
public enum AssessmentGathering {
    /// The tasks of `unit` in scope for `quarter` (附注1: 月报指标项应报3次, 季报指标项应报1次): the monthly
    /// tasks of its three months and its quarterly task, plus the yearly task of the year in a Q4 assessment
    /// (open point 6). Periods that begin before the catalog's effective date carry no task.
    public static func tasks(calendar: ReportingCalendar, quarter: ReportingPeriod, unit: String) -> [ReportingTask] {
        guard case .quarter(let year, let q) = quarter else { return [] }
        var tasks = calendar.tasks(within: quarter, unit: unit, collections: [.monthly, .quarterly])
        if q == 4 {
            tasks += calendar.catalog.indicators(of: unit).filter { $0.period == .yearly }
                .compactMap { calendar.task(for: $0, period: .year(year)) }
        }
        guard let effective = CalendarDate(iso: calendar.catalog.catalog.effective) else { return tasks }
        return tasks.filter { $0.period.firstDay >= effective }
    }

    /// The facts of one task from its filings (oldest first), as of the end of `asOf`:
    /// - `submitted_on`: the day of the first filing that discharged the task (accepted, partially accepted,
    ///   or zero data with an explanation; ``TaskFiling/counts``); `proxy` when that filing was by proxy;
    /// - `format_ok`: false when a file for the task was refused whole before it was discharged;
    /// - `records`, `erroneous`, `duplicate_rows`, `zero_data`: of the filing in force (the latest that
    ///   counts; open point 10): rows read, rows rejected, duplicate rows; `erroneous` also counts the records
    ///   of objections upheld against any of the task's filings (a correction does not undo the fault),
    ///   at most `records`.
    /// Filings received after `asOf` are ignored. A task never discharged has `submitted_on` null and zeros.
    public static func task(_ task: ReportingTask, collection: CollectionPeriod, filings: [AssessmentFiling],
                            asOf: CalendarDate) -> AssessmentFacts.Task {
        let known = filings.filter { $0.filing.receivedOn <= asOf }
        var facts = AssessmentFacts.Task(indicator: task.indicator, collection: collection, period: task.period, deadline: task.deadline,
                                         submittedOn: nil)
        guard let first = known.firstIndex(where: { $0.filing.counts }), let current = known.lastIndex(where: { $0.filing.counts }) else {
            facts.formatOK = !known.contains { $0.refusedWholeFile }
            return facts
        }
        let discharging = known[first], inForce = known[current]
        facts.submittedOn = discharging.filing.receivedOn
        facts.proxy = discharging.proxy
        facts.formatOK = !known[..<first].contains { $0.refusedWholeFile }
        facts.zeroData = inForce.filing.kind == .zeroData
        facts.zeroDataExplained = facts.zeroData && ZeroDataRule.isExplained(inForce.filing.explanation)
        facts.records = facts.zeroData ? 0 : inForce.rowsRead
        let upheld = known.reduce(0) { $0 + $1.upheldObjectionRecords }
        facts.erroneous = facts.zeroData ? 0 : min(inForce.rowsRejected + upheld, inForce.rowsRead)
        facts.duplicateRows = facts.zeroData ? 0 : min(inForce.duplicateRows, inForce.rowsRead)
        return facts
    }
}
