import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore

/// Quarterly usage reports (数据使用报告; the tax bureaus' 数据使用质量报告; issue 13 §2, 附件1 第十二条): the
/// figures pre-filled from the audit log's queries and downloads and from cross-matching's leads
/// (``UsageReportRule/prefill(unit:quarter:facts:leads:provider:)``), the unit's purpose and quality ratings, the
/// reports owed and overdue. A consuming unit is one that holds or held a grant; it owes a report for every
/// quarter ended since its first grant (the latest four are listed).
public struct UsageReportService: Sendable {
    public let database: any Database
    public let clock: PlatformClock
    /// The day of the month after a quarter its report is due (`GONGZHI_USAGE_REPORT_DUE_DAY`).
    public let dueDay: Int

    public init(database: any Database, clock: PlatformClock, dueDay: Int) {
        self.database = database
        self.clock = clock
        self.dueDay = dueDay
    }

    /// The tax bureaus, whose ratings are the 数据使用质量报告 shown on a providing unit's page.
    public static let taxUnits = ["state-tax", "local-tax"]

    /// Milliseconds since 1970 of the start of `day` (China Standard Time).
    static func milliseconds(_ day: CalendarDate) -> Int64 {
        Int64(day.daysSinceEpoch * 86_400 - CalendarDate.chinaStandardTimeOffset) * 1000
    }

    /// `unit`'s pre-filled figures for `quarter`, from the audit log and the matching leads as they stand now.
    public func prefill(unit: String, quarter: ReportingPeriod) async throws -> [IndicatorUsage] {
        let catalog = try await ReportingService(database: database, clock: clock).catalog()
        let provider = Dictionary(catalog.indicators.map { ($0.code, $0.unit) }, uniquingKeysWith: { a, _ in a })
        let from = Self.milliseconds(quarter.firstDay), to = Self.milliseconds(quarter.lastDay.adding(days: 1)!)
        let repository = UsageReportRepository(database: database)
        let facts = try await repository.usageEntries(unit: unit, fromMilliseconds: from, toMilliseconds: to).compactMap { e -> UsageAuditFact? in
            guard let action = AuditAction(rawValue: e.action) else { return nil }
            return UsageAuditFact(action: action, unit: e.unitCode, indicator: e.indicatorCode, rows: Int(e.rowCount ?? 0), detail: e.detail,
                                  day: PlatformClock.day(of: Date(timeIntervalSince1970: Double(e.timeMilliseconds) / 1000)))
        }
        let leads = try await repository.leads(unit: unit, fromMilliseconds: from, toMilliseconds: to)
        return UsageReportRule.prefill(unit: unit, quarter: quarter, facts: facts, leads: leads, provider: provider)
    }

    /// The figures as stored with a report.
    public static func json(_ usage: [IndicatorUsage]) -> JSONValue {
        .array(usage.map { u in
            .object([("indicator", .string(u.indicator)), ("provider", .string(u.provider)), ("queries", .number(String(u.queries))),
                     ("rows_read", .number(String(u.rowsRead))), ("downloads", .number(String(u.downloads))),
                     ("rows_downloaded", .number(String(u.rowsDownloaded))), ("leads", .number(String(u.leads)))])
        })
    }

    /// Files `unit`'s report for `quarterText` with the figures pre-filled now, its purpose and ratings
    /// (provider → (score text, comment)), by `actor`.
    /// - Throws: ``UsageReportRule/Problem``.
    public func file(unit: String, quarterText: String, purpose: String, ratings: [String: (score: String, comment: String)],
                     by actor: AuditActor) async throws -> UsageReportRecord {
        let today = clock.today(), now = clock.now()
        guard let quarter = ReportingPeriod(quarterText), case .quarter = quarter else { throw UsageReportRule.Problem.badQuarter(quarterText) }
        let figures = try await prefill(unit: unit, quarter: quarter)
        let checked = try UsageReportRule.checked(quarter: quarterText, purpose: purpose, ratings: ratings,
                                                  providers: Set(figures.map(\.provider)), today: today)
        let repository = UsageReportRepository(database: database)
        if try await repository.reports(unit: unit).contains(where: { $0.quarter == quarter.description }) {
            throw UsageReportRule.Problem.alreadyFiled(quarter.description)
        }
        let report = UsageReportRecord()
        report.id = UUID()
        report.unitCode = unit
        report.quarter = quarter.description
        report.purpose = checked.purpose
        report.figures = Self.json(figures).serialized()
        report.filedBy = actor.user
        report.filedAt = now
        let ratingRecords = checked.ratings.map { r in
            let record = UsageRatingRecord()
            record.reportID = report.id!
            record.raterUnit = unit
            record.providerUnit = r.provider
            record.quarter = quarter.description
            record.score = r.score
            record.comment = r.comment
            return record
        }
        let audit = actor.event(.report, AuditTarget(
            rowCount: figures.reduce(0) { $0 + $1.rowsRead + $1.rowsDownloaded },
            detail: "usage_report=\(report.id!.uuidString.lowercased()); event=report_filed; unit=\(unit); quarter=\(quarter); indicators=\(figures.count); "
                + "ratings=" + checked.ratings.map { "\($0.provider):\($0.score)" }.joined(separator: ",")), at: now)
        try await repository.file(report, ratings: ratingRecords, audit: audit)
        return report
    }

    /// A report owed: the unit, the quarter and its deadline.
    public struct Owed: Sendable, Equatable {
        public var unit: String
        public var quarter: ReportingPeriod
        public var deadline: CalendarDate
    }

    /// The reports owed on `today` (the latest four quarters ended since each consuming unit's first grant, not
    /// yet filed), of `unit` or every unit, by unit then quarter.
    public func owed(today: CalendarDate, unit: String? = nil) async throws -> [Owed] {
        let first = try await EffectivenessRepository(database: database).firstGrantDays()
        let filed = Set(try await UsageReportRepository(database: database).reports(unit: unit).map { "\($0.unitCode)|\($0.quarter)" })
        var out: [Owed] = []
        for (code, day) in first.sorted(by: { $0.key < $1.key }) where unit == nil || unit == code {
            for q in UsageReportRule.quarters(since: day, today: today) where !filed.contains("\(code)|\(q)") {
                out.append(Owed(unit: code, quarter: q, deadline: UsageReportRule.deadline(of: q, dueDay: dueDay)))
            }
        }
        return out
    }
}
