/// A task together with where it stands.
public struct TaskState: Hashable, Sendable {
    public var task: ReportingTask
    public var status: TaskStatus

    public init(task: ReportingTask, status: TaskStatus) {
        self.task = task
        self.status = status
    }
}

/// How a set of tasks stands: counts per status and the on-time rate.
public struct StatusCounts: Hashable, Sendable {
    public var onTime = 0
    public var late = 0
    public var missed = 0
    public var zeroData = 0
    public var open = 0
    /// Tasks that were due: their deadline has passed, or they were discharged early.
    public var due = 0
    /// Due tasks discharged by their deadline (on time, or explained zero data in time).
    public var dischargedInTime = 0
    /// Sum of late days over late tasks and late zero-data filings.
    public var daysLate = 0

    public init() {}

    /// Counts `states` as of `asOf`.
    public init(_ states: some Sequence<TaskState>, asOf: CalendarDate) {
        for s in states { add(s, asOf: asOf) }
    }

    /// Adds one task.
    public mutating func add(_ state: TaskState, asOf: CalendarDate) {
        switch state.status {
        case .onTime: onTime += 1
        case .late: late += 1
        case .missed: missed += 1
        case .zeroData: zeroData += 1
        case .open: open += 1
        }
        if state.status.isDischarged || state.task.deadline < asOf { due += 1 }
        if state.status.isDischarged && state.status.daysLate == 0 { dischargedInTime += 1 }
        daysLate += state.status.daysLate
    }

    /// Share of due tasks discharged in time, 0...1; `nil` when nothing was due yet.
    public var onTimeRate: Double? {
        due == 0 ? nil : Double(dischargedInTime) / Double(due)
    }

    /// The rate as a percentage with one decimal (`87.5%`), or `—` when nothing was due.
    public var onTimeRateText: String {
        guard let rate = onTimeRate else { return "—" }
        let tenths = Int((rate * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}

/// 报送情况看板: member units × reporting periods, one line per indicator, as of one day.
///
/// Shape: ``columns`` are the periods shown (months, then quarters, then years, each in order); each unit
/// has one ``Line`` per indicator with a status for every column of the indicator's collection period
/// (`nil` elsewhere), and its ``StatusCounts``.
public struct StatusBoard: Sendable {
    public struct Line: Sendable {
        public var indicator: String
        public var indicatorName: String
        public var collection: CollectionPeriod
        /// One entry per board column; `nil` where the column is not of this indicator's collection period.
        public var cells: [TaskStatus?]
    }

    public struct UnitRow: Sendable {
        public var unit: String
        public var unitName: String
        public var lines: [Line]
        public var counts: StatusCounts
    }

    public var asOf: CalendarDate
    public var columns: [ReportingPeriod]
    public var units: [UnitRow]
    /// All units together.
    public var totals: StatusCounts

    /// Arranges `states` into a board. `unitNames` and `indicatorNames` give labels (codes are shown when
    /// missing); units appear in the order of `unitOrder`, then any others by code; lines in task order.
    public init(states: [TaskState], asOf: CalendarDate, unitOrder: [String] = [], unitNames: [String: String] = [:],
                indicatorNames: [String: String] = [:]) {
        self.asOf = asOf
        let periods = Set(states.map(\.task.period))
        let columns = CollectionPeriod.allCases.flatMap { c in periods.filter { $0.collectionPeriod == c }.sorted() }
        self.columns = columns
        let columnIndex = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        var byUnit: [String: [TaskState]] = [:]
        for s in states { byUnit[s.task.unit, default: []].append(s) }
        let rank = Dictionary(unitOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let order = byUnit.keys.sorted { (rank[$0] ?? Int.max, $0) < (rank[$1] ?? Int.max, $1) }
        var rows: [UnitRow] = []
        var totals = StatusCounts()
        for unit in order {
            let unitStates = byUnit[unit]!
            var lines: [Line] = []
            var lineIndex: [String: Int] = [:]
            for s in unitStates {
                if lineIndex[s.task.indicator] == nil {
                    lineIndex[s.task.indicator] = lines.count
                    lines.append(Line(indicator: s.task.indicator, indicatorName: indicatorNames[s.task.indicator] ?? s.task.indicator,
                                      collection: s.task.period.collectionPeriod, cells: Array(repeating: nil, count: columns.count)))
                }
                let i = lineIndex[s.task.indicator]!
                lines[i].cells[columnIndex[s.task.period]!] = s.status
                totals.add(s, asOf: asOf)
            }
            rows.append(UnitRow(unit: unit, unitName: unitNames[unit] ?? unit, lines: lines,
                                counts: StatusCounts(unitStates, asOf: asOf)))
        }
        units = rows
        self.totals = totals
    }
}
