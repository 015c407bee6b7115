import Fluent
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// The demo city (`gongzhi serve --demo`, issue 10 item 6): a platform that looks like it has been in use,
/// relative to its own clock. It files ``DemoCityPlan`` — every unit's indicators for the last four quarters
/// and the months since, mostly on time, some late, a few missed or zero-data, rejected rows and 补报 — as
/// synthetic CSV files through the real submission path (so lineage, reports, the board and the assessment
/// read real submissions), then a few sharing requests and grants. Everything is made up
/// (``SyntheticFile``) and reproducible from ``seed``.
public enum DemoCity {
    /// The seed of the demo city (扬府办发〔2017〕100号).
    public static let seed: UInt64 = 2017_100

    /// What a seeding did.
    public struct Summary: Sendable {
        /// Data files filed (补报 included).
        public var files = 0
        /// Zero-data filings.
        public var zeroData = 0
        /// Records accepted and rows rejected over all files.
        public var accepted = 0, rejected = 0
        /// Tasks left missed.
        public var missed = 0
        /// Whether the database already held the demo city (nothing was filed).
        public var alreadySeeded = false
    }

    /// The first reporting period the demo city files: the quarter four quarters before the quarter of `today`
    /// (with `today` in 2026Q4, 2025Q4), so that the last four quarters are complete.
    public static func firstPeriod(today: CalendarDate) -> ReportingPeriod {
        var quarter = ReportingPeriod.containing(today, collection: .quarterly)
        for _ in 0..<4 {
            quarter = ReportingPeriod.containing(quarter.firstDay.adding(days: -1)!, collection: .quarterly)
        }
        return quarter
    }

    /// The first period of the demo city's history: January of last year, as far back as the overdue lists
    /// look (``ReportingService/overdue(asOf:since:unit:)``).
    public static func historyStart(today: CalendarDate) -> ReportingPeriod {
        .month(year: today.year - 1, month: 1)
    }

    /// Files the demo city's plan as of the platform clock's today, unless the database already holds its first
    /// filing (a restarted demo is not filed twice). Stops early when the calling task is cancelled.
    /// - Parameters:
    ///   - from: the first period filed (default ``firstPeriod(today:)``).
    ///   - until: filing stops before this period (default: none, up to today).
    ///   - only: restricts the plan to these units (tests).
    /// - Throws: database and file errors; a filing the platform refuses is logged and skipped.
    @discardableResult
    public static func file(into app: Application, from: ReportingPeriod? = nil, until: ReportingPeriod? = nil,
                            only units: Set<String>? = nil, seed: UInt64 = DemoCity.seed) async throws -> Summary {
        let today = app.gongzhi.clock.today()
        let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
        var plan = DemoCityPlan(catalog: catalog, today: today, from: from ?? firstPeriod(today: today), until: until, seed: seed)
        if let units {
            plan.filings = plan.filings.filter { units.contains($0.task.unit) }
            plan.missed = plan.missed.filter { units.contains($0.unit) }
        }
        var summary = Summary()
        guard let first = plan.filings.first else { return summary }
        if try await SubmissionRecord.query(on: app.db).filter(\.$indicatorCode == first.task.indicator)
            .filter(\.$period == first.task.period.description).first() != nil {
            summary.alreadySeeded = true
            return summary
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-demo-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // A task's filings go in order (its 补报 after its file); tasks go a few at a time, so that making and
        // reading one file overlaps with writing another (imports still write one at a time on SQLite).
        var byTask: [ReportingTask: [DemoCityPlan.Filing]] = [:]
        var order: [ReportingTask] = []
        for filing in plan.filings {
            if byTask[filing.task] == nil { order.append(filing.task) }
            byTask[filing.task, default: []].append(filing)
        }
        try await withThrowingTaskGroup(of: Summary.self) { group in
            var next = order.makeIterator()
            func start() {
                guard let task = next.next(), let filings = byTask[task], let indicator = catalog.indicator(code: task.indicator) else { return }
                group.addTask {
                    var part = Summary()
                    for filing in filings where !Task.isCancelled {
                        try await file(filing, of: indicator, into: app, folder: folder, summary: &part)
                    }
                    return part
                }
            }
            for _ in 0..<concurrentTasks { start() }
            while let part = try await group.next() {
                summary.files += part.files
                summary.zeroData += part.zeroData
                summary.accepted += part.accepted
                summary.rejected += part.rejected
                start()
            }
        }
        summary.missed = plan.missed.count
        return summary
    }

    /// How many tasks are filed at once.
    static let concurrentTasks = 2

    /// Files one planned filing through the submission path, on the day the plan says; a refusal is logged.
    static func file(_ filing: DemoCityPlan.Filing, of indicator: Indicator, into app: Application, folder: URL,
                     summary: inout Summary) async throws {
        let when = Date(timeIntervalSince1970: TimeInterval(filing.filedAt.date.daysSinceEpoch * 86_400 + filing.filedAt.secondOfDay
                                                            - CalendarDate.chinaStandardTimeOffset))
        let service = app.gongzhi.submissions(on: app.db(.imports), clock: .fixed(when))
        let period = filing.task.period.description
        // Each unit's clerk files as `<unit>.reporter` (for the housing bureau, the demo account housing.reporter);
        // the info center's admin files for a unit.
        var actor = AuditActor(user: indicator.unit + ".reporter", unit: indicator.unit, address: "local")
        var proxy: ProxyNote?
        if let reason = filing.proxyReason {
            actor = AuditActor(user: "admin", unit: SubmissionService.proxyUnit, address: "local")
            proxy = ProxyNote(actedBy: "信息中心管理员", reason: reason)
        }
        do {
            switch filing.kind {
            case .zeroData(let explanation):
                _ = try await service.fileZeroData(indicatorCode: indicator.code, period: period, by: actor,
                                                   explanation: explanation, proxy: proxy)
                summary.zeroData += 1
            case .data(let validRows, let faults), .correction(let validRows, let faults):
                var rng = SplitMix64(seed: filing.fileSeed)
                let synthetic = SyntheticFile(indicator: indicator, period: filing.task.period, validRows: validRows,
                                              faults: faults, using: &rng)
                let correcting = filing.kind == .correction(validRows: validRows, faults: faults)
                guard let text = correcting ? synthetic.correctedCSV : synthetic.csv else { return }
                let name = "\(indicator.code)_\(period)" + (correcting ? "_补报" : "") + ".csv"
                let file = folder.appendingPathComponent(UUID().uuidString + "-" + name)
                try Data(text.utf8).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                let outcome = try await service.submit(file: file, fileName: name, indicatorCode: indicator.code, period: period,
                                                       by: actor, proxy: proxy, mode: correcting ? .append : nil)
                summary.files += 1
                summary.accepted += outcome.report.rowsAccepted
                summary.rejected += outcome.report.rowsRejected
            }
        } catch {
            app.logger.warning("demo: \(indicator.code) \(period) not filed: \(error)")
        }
    }

    /// The demo's sharing, once (when no access request exists yet): the tax bureau's analyst (`tax.analyst`,
    /// whose unit has signed its agreement) holds a 报备式 grant for 房产交易信息 and an approved one for
    /// 暂住人口居住信息, waits for a decision on 旅馆业客房入住信息, and was denied 房地产企业增值税开票信息.
    public static func share(into app: Application) async throws {
        guard try await AccessRequestRecord.query(on: app.db).count() == 0 else { return }
        let sharing = app.gongzhi.sharing(on: app.db)
        let analyst = Principal(userID: "tax.analyst", unitCode: "local-tax", roles: [.analyst])
        let approver = Principal(userID: "city.approver", unitCode: "city-office", roles: [.approver])
        let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
        let today = app.gongzhi.clock.today()
        let first = firstPeriod(today: today)
        let lastMonth = ReportingPeriod.containing(ReportingPeriod.containing(today, collection: .monthly).firstDay.adding(days: -1)!,
                                                   collection: .monthly)
        func ask(_ code: String, _ purpose: String) async throws -> AccessRequestRecord? {
            guard let indicator = catalog.indicator(code: code) else { return nil }
            let from = first.periods(of: indicator.period).first ?? first
            let to = indicator.period == .monthly ? lastMonth : ReportingPeriod.containing(lastMonth.firstDay, collection: indicator.period)
            return try await sharing.request(by: analyst, indicatorCode: code, fields: indicator.fields.map(\.key),
                                             from: from.description, to: to.description, purpose: purpose,
                                             legalBasis: "扬府办发〔2017〕100号 附件1 第十条").request
        }
        _ = try await ask("HOU-001", "比对存量房交易与契税申报，查找未申报契税的交易")
        if let request = try await ask("PSB-001", "核实个人出租房屋租金收入的纳税情况"), let indicator = catalog.indicator(code: "PSB-001") {
            let terms = Grant.Terms.proposed(for: indicator, fields: indicator.fields.map(\.key), from: today, days: 180,
                                             limits: QuotaLimits(dailyQueryRows: 2_000, dailyDownloadRows: 500))
            _ = try await sharing.approve(request: try request.requireID(), terms: terms, note: "同意，个人信息脱敏提供", by: approver)
        }
        _ = try await ask("PSB-004", "核查旅馆业经营收入申报情况")
        if let request = try await ask("NTS-010", "核对房地产企业土地增值税清算收入") {
            try await sharing.apply(.deny(reason: "该数据由国税局直接提供给地税局，请通过国地税合作渠道获取"), toRequest: try request.requireID(), by: approver)
        }
    }
}
