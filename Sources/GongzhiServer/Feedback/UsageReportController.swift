import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// Quarterly usage reports (数据使用报告, issue 13 §2, 附件1 第十二条) on the web and the API: a consuming unit's
/// analysts or head see the quarter's figures pre-filled from the audit log, add the purpose and a quality
/// rating per providing unit, and file; the info center sees the overdue reports of every unit.
struct UsageReportController: Sendable {
    static func service(_ req: Request) -> UsageReportService {
        UsageReportService(database: req.db, clock: req.gongzhi.clock, dueDay: req.gongzhi.config.usageReportDueDay)
    }

    /// The filing as the JSON body gives it.
    struct Filing: Content {
        struct Rating: Content {
            var provider: String
            var score: Int?
            var comment: String?
        }

        var quarter: String?
        var purpose: String?
        var ratings: [Rating]?
    }

    struct UsageLine: Encodable {
        var indicator: String
        var indicatorName: String
        var provider: String
        var queries: Int
        var rowsRead: Int
        var downloads: Int
        var rowsDownloaded: Int
        var leads: Int
    }

    struct ProviderLine: Encodable {
        var code: String
        var name: String
    }

    struct OwedLine: Encodable {
        var unitName: String
        var quarter: String
        var deadline: String
        var overdue: Bool
    }

    struct FiledLine: Encodable {
        var unitName: String
        var quarter: String
        var purpose: String
        var filedAt: String
        var figures: [UsageLine]
        var ratings: String
    }

    struct UsagePage: Encodable {
        var title: String
        var canFile: Bool
        var quarter: String
        var owed: [OwedLine]
        var prefill: [UsageLine]
        var providers: [ProviderLine]
        var filed: [FiledLine]
        var overdue: [OwedLine]
        var isAdmin: Bool
        var dueDay: Int
    }

    static func lines(_ usage: [IndicatorUsage], names: DisplayNames) -> [UsageLine] {
        usage.map { UsageLine(indicator: $0.indicator, indicatorName: names.indicator($0.indicator), provider: names.unit($0.provider),
                              queries: $0.queries, rowsRead: $0.rowsRead, downloads: $0.downloads, rowsDownloaded: $0.rowsDownloaded, leads: $0.leads) }
    }

    /// The figures stored with a report, read back.
    static func figures(_ r: UsageReportRecord) -> [IndicatorUsage] {
        guard case .array(let items)? = try? JSONValue.parse(r.figures) else { return [] }
        return items.compactMap { item in
            guard case .object(let m) = item else { return nil }
            func text(_ k: String) -> String? {
                switch m.first(where: { $0.0 == k })?.1 {
                case .string(let s)?: return s
                case .number(let n)?: return n
                default: return nil
                }
            }
            func int(_ k: String) -> Int { text(k).flatMap { Int($0) } ?? 0 }
            guard let indicator = text("indicator"), let provider = text("provider") else { return nil }
            return IndicatorUsage(indicator: indicator, provider: provider, queries: int("queries"), rowsRead: int("rows_read"),
                                  downloads: int("downloads"), rowsDownloaded: int("rows_downloaded"), leads: int("leads"))
        }
    }

    /// `GET /reports/usage[?quarter=2026Q3]`.
    func index(req: Request) async throws -> View {
        let actor = try req.actor
        let names = try await DisplayNames.load(req)
        let service = Self.service(req)
        let today = req.gongzhi.clock.today()
        let canFile = actor.principal.hasAny(of: RouteAccess.reportFilers)
        let seesAll = EffectivenessController.seesAll(actor)
        let owed = canFile ? try await service.owed(today: today, unit: actor.unitCode) : []
        let quarter = req.query[String.self, at: "quarter"].flatMap(ReportingPeriod.init) ?? owed.first?.quarter
        var prefill: [IndicatorUsage] = []
        if canFile, let quarter { prefill = try await service.prefill(unit: actor.unitCode, quarter: quarter) }
        let reports = try await UsageReportRepository(database: req.db).reports(unit: seesAll ? nil : actor.unitCode)
        let ratings = Dictionary(grouping: try await UsageReportRepository(database: req.db).ratings(of: reports.compactMap(\.id)), by: \.reportID)
        let overdue = actor.principal.has(.admin) ? try await service.owed(today: today).filter { $0.deadline < today } : []
        func line(_ o: UsageReportService.Owed) -> OwedLine {
            OwedLine(unitName: names.unit(o.unit), quarter: o.quarter.description, deadline: o.deadline.isoString, overdue: o.deadline < today)
        }
        return try await req.view.render("usage-reports", UsagePage(
            title: "数据使用报告", canFile: canFile, quarter: quarter?.description ?? "", owed: owed.map(line),
            prefill: Self.lines(prefill, names: names),
            providers: Set(prefill.map(\.provider)).sorted().map { ProviderLine(code: $0, name: names.unit($0)) },
            filed: reports.map { r in
                FiledLine(unitName: names.unit(r.unitCode), quarter: r.quarter, purpose: r.purpose, filedAt: DisplayNames.time(r.filedAt),
                          figures: Self.lines(Self.figures(r), names: names),
                          ratings: (ratings[r.id ?? UUID()] ?? []).map { "\(names.unit($0.providerUnit)) \($0.score) 分\($0.comment.isEmpty ? "" : "（\($0.comment)）")" }
                              .joined(separator: "；"))
            },
            overdue: overdue.map(line), isAdmin: actor.principal.has(.admin), dueDay: service.dueDay))
    }

    /// `POST /reports/usage` (form `quarter`, `purpose`, `score_<provider>`, `comment_<provider>`).
    func create(req: Request) async throws -> Response {
        let actor = try req.actor
        let form = try req.content.decode([String: String].self)
        var ratings: [String: (score: String, comment: String)] = [:]
        for (key, value) in form where key.hasPrefix("score_") {
            let provider = String(key.dropFirst("score_".count))
            ratings[provider] = (value, form["comment_" + provider] ?? "")
        }
        _ = try await Self.service(req).file(unit: actor.unitCode, quarterText: form["quarter"] ?? "", purpose: form["purpose"] ?? "",
                                             ratings: ratings, by: req.auditActor)
        return req.redirect(to: "/reports/usage", redirectType: .normal)
    }

    // MARK: API

    static func json(_ r: UsageReportRecord, ratings: [UsageRatingRecord]) -> JSONValue {
        .object([("id", .string(r.id?.uuidString.lowercased() ?? "")), ("unit", .string(r.unitCode)), ("quarter", .string(r.quarter)),
                 ("purpose", .string(r.purpose)), ("figures", UsageReportService.json(figures(r))),
                 ("ratings", .array(ratings.map { .object([("provider", .string($0.providerUnit)), ("score", .number(String($0.score))),
                                                           ("comment", .string($0.comment))]) })),
                 ("filed_by", .string(r.filedBy)), ("filed_at", .string(PlatformClock.iso8601(r.filedAt)))])
    }

    static func json(_ o: UsageReportService.Owed) -> JSONValue {
        .object([("unit", .string(o.unit)), ("quarter", .string(o.quarter.description)), ("deadline", .string(o.deadline.isoString))])
    }

    /// `GET /api/v1/usage-reports`: `{"reports": […], "owed": [{unit, quarter, deadline}], "overdue": […]}`; the
    /// overdue reports of every unit for the info center.
    func apiIndex(req: Request) async throws -> Response {
        let actor = try req.actor
        let today = req.gongzhi.clock.today()
        let repository = UsageReportRepository(database: req.db)
        let reports = try await repository.reports(unit: EffectivenessController.seesAll(actor) ? nil : actor.unitCode)
        let ratings = Dictionary(grouping: try await repository.ratings(of: reports.compactMap(\.id)), by: \.reportID)
        let service = Self.service(req)
        let owed = actor.principal.hasAny(of: RouteAccess.reportFilers) ? try await service.owed(today: today, unit: actor.unitCode) : []
        let overdue = actor.principal.has(.admin) ? try await service.owed(today: today).filter { $0.deadline < today } : owed.filter { $0.deadline < today }
        return Response.json(.object([("reports", .array(reports.map { Self.json($0, ratings: ratings[$0.id ?? UUID()] ?? []) })),
                                      ("owed", .array(owed.map(Self.json))), ("overdue", .array(overdue.map(Self.json)))]))
    }

    /// `GET /api/v1/usage-reports/prefill?quarter=2026Q3`: the figures the report would be filed with now, for a
    /// quarter that has begun (the current one gives its figures so far; a later one is refused as `bad_quarter`).
    func apiPrefill(req: Request) async throws -> Response {
        let text = req.query[String.self, at: "quarter"] ?? ""
        guard let quarter = ReportingPeriod(text), case .quarter = quarter, quarter.firstDay <= req.gongzhi.clock.today() else {
            throw UsageReportRule.Problem.badQuarter(text)
        }
        return Response.json(.object([("quarter", .string(quarter.description)),
                                      ("figures", UsageReportService.json(try await Self.service(req).prefill(unit: try req.actor.unitCode, quarter: quarter)))]))
    }

    /// `POST /api/v1/usage-reports` (JSON `quarter`, `purpose`, `ratings: [{provider, score 1–5, comment}]`).
    func apiCreate(req: Request) async throws -> Response {
        let f = try req.content.decode(Filing.self)
        var ratings: [String: (score: String, comment: String)] = [:]
        for r in f.ratings ?? [] { ratings[r.provider] = (r.score.map(String.init) ?? "", r.comment ?? "") }
        let record = try await Self.service(req).file(unit: try req.actor.unitCode, quarterText: f.quarter ?? "", purpose: f.purpose ?? "",
                                                      ratings: ratings, by: req.auditActor)
        let stored = try await UsageReportRepository(database: req.db).ratings(of: [try record.requireID()])
        return Response.json(Self.json(record, ratings: stored), status: .created)
    }
}
