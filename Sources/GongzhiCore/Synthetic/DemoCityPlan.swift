/// What the demo city filed, relative to its own clock: for every unit's indicators, each reporting period
/// from `from` whose period has ended by `today`, one of — filed on time (most), filed late, a zero-data
/// filing with its explanation, or nothing (missed) — and for a few files with rejected rows a later 补报 of
/// the corrected rows. A few units are slack, so the board ranks units apart. Pure and reproducible: the
/// same catalog, day and seed give the same plan (``SplitMix64``; each task draws from its own derived
/// generator, so adding an indicator does not change the others).
public struct DemoCityPlan: Sendable {
    /// One filing the demo makes.
    public struct Filing: Sendable, Equatable {
        /// What is filed.
        public enum Kind: Sendable, Equatable {
            /// A data file of `validRows` valid and `faults` faulty rows (``SyntheticFile``).
            case data(validRows: Int, faults: Int)
            /// A zero-data filing (报送0数据) with its explanation (情况说明).
            case zeroData(explanation: String)
            /// A 补报 of the corrected rows of the task's earlier data filing (the one of these counts and the
            /// same ``Filing/fileSeed``).
            case correction(validRows: Int, faults: Int)
        }

        /// The task filed (unit × indicator × period).
        public var task: ReportingTask
        /// What is filed.
        public var kind: Kind
        /// When it is filed, in China Standard Time.
        public var filedAt: CalendarDateTime
        /// Filed by the info center for the unit (代为报送), with this reason.
        public var proxyReason: String?
        /// The seed of the task's synthetic file (a 补报 uses its data filing's).
        public var fileSeed: UInt64

        /// A filing of `task` at `filedAt` (China Standard Time).
        public init(task: ReportingTask, kind: Kind, filedAt: CalendarDateTime, proxyReason: String?, fileSeed: UInt64) {
            self.task = task
            self.kind = kind
            self.filedAt = filedAt
            self.proxyReason = proxyReason
            self.fileSeed = fileSeed
        }
    }

    /// The filings, in the order they happen.
    public var filings: [Filing]
    /// Tasks past their deadline that were never filed (未报).
    public var missed: [ReportingTask]
    /// Units that file late and miss more often than the rest.
    public var slackUnits: Set<String>

    /// Zero-data explanations, as clerks write them.
    public static let explanations = [
        "本期内未发生此类业务，无数据可报。",
        "本期无新增登记事项，特此说明。",
        "经核查，本期该类事项发生数为零。",
        "本期相关审批业务暂停办理，无数据。",
    ]

    /// Reasons the info center files for a unit (代为报送).
    public static let proxyReasons = [
        "单位报送员休假，经电话确认由信息中心代为报送",
        "单位内网故障，报送员将文件送至信息中心代报",
    ]

    /// The plan for `catalog` as of `today` (the demo's clock), covering reporting periods that begin on or after
    /// `from`'s first day, and before `until`'s first day when given, and have ended before `today`. A task's
    /// fate depends on the seed and the task alone, not on the range: two plans of adjoining ranges make one.
    public init(catalog: Catalog, today: CalendarDate, from: ReportingPeriod, until: ReportingPeriod? = nil, seed: UInt64) {
        let root = SplitMix64(seed: seed)
        var slack: Set<String> = []
        for unit in catalog.units {
            var rng = root.derived("unit:" + unit.code)
            if rng.chance(0.12) { slack.insert(unit.code) }
        }
        let calendar = ReportingCalendar(catalog: catalog)
        let to = ReportingPeriod.containing(today, collection: .monthly)
        var filings: [Filing] = []
        var missed: [ReportingTask] = []
        for task in calendar.tasks(from: from, to: to) where task.period.lastDay < today && until.map({ task.period.firstDay < $0.firstDay }) ?? true {
            var rng = root.derived("task:\(task.indicator):\(task.period)")
            let fileSeed = rng.next()
            let isSlack = slack.contains(task.unit)
            let firstDay = task.period.lastDay.adding(days: 1)!
            let lastDay = today.adding(days: -1)!
            func at(_ day: CalendarDate) -> CalendarDateTime {
                CalendarDateTime(date: day, hour: Int.random(in: 8...17, using: &rng), minute: Int.random(in: 0...59, using: &rng),
                                 second: Int.random(in: 0...59, using: &rng))!
            }
            // Most clerks file in the last days before the deadline; never before the period is over.
            let early = min(Int.random(in: 0...18, using: &rng), Int.random(in: 0...18, using: &rng))
            let onTimeDay = Swift.max(task.deadline.adding(days: -early)!, firstDay)
            let draw = Double.random(in: 0..<1, using: &rng)
            let (lateShare, zeroShare, missedShare) = isSlack ? (0.18, 0.04, 0.14) : (0.04, 0.03, 0.01)
            let proxy = rng.chance(0.02) ? Self.proxyReasons.randomElement(using: &rng) : nil
            let validRows = task.period.collectionPeriod == .monthly ? Int.random(in: 2...12, using: &rng) : Int.random(in: 4...20, using: &rng)
            let faults = rng.chance(0.2) ? Int.random(in: 1...3, using: &rng) : 0
            let data = Filing.Kind.data(validRows: validRows, faults: faults)
            if task.deadline >= today {
                // Still open: about half the units have filed already.
                if onTimeDay <= lastDay, rng.chance(0.5) {
                    filings.append(Filing(task: task, kind: data, filedAt: at(Swift.min(onTimeDay, lastDay)), proxyReason: proxy, fileSeed: fileSeed))
                }
                continue
            }
            if draw < missedShare {
                missed.append(task)
                continue
            }
            if draw < missedShare + zeroShare {
                let explanation = Self.explanations.randomElement(using: &rng)!
                filings.append(Filing(task: task, kind: .zeroData(explanation: explanation), filedAt: at(onTimeDay), proxyReason: nil, fileSeed: fileSeed))
                continue
            }
            var day = onTimeDay
            if draw < missedShare + zeroShare + lateShare {
                day = task.deadline.adding(days: Int.random(in: 1...25, using: &rng))!
                if day > lastDay {
                    missed.append(task)
                    continue
                }
            }
            filings.append(Filing(task: task, kind: data, filedAt: at(day), proxyReason: proxy, fileSeed: fileSeed))
            // A quarter of the files with rejected rows are followed by a 补报 of the corrected rows.
            if faults > 0, rng.chance(0.25), let later = day.adding(days: Int.random(in: 1...6, using: &rng)), later <= lastDay {
                filings.append(Filing(task: task, kind: .correction(validRows: validRows, faults: faults), filedAt: at(later), proxyReason: nil, fileSeed: fileSeed))
            }
        }
        self.filings = filings.sorted { ($0.filedAt, $0.task.indicator) < ($1.filedAt, $1.task.indicator) }
        self.missed = missed
        slackUnits = slack
    }
}
