import Fluent
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// The monthly inspection (每月巡检, 附件1 第十四条; issue 14 §2): `GET /operations/inspection?month=2024-03`
/// (page) and `GET /api/v1/operations/inspection?month=2024-03` (JSON), for the info center and auditors.
/// Each viewing is audit-logged.
struct InspectionController {
    /// Gathers and judges the inspection of `month` over `database`.
    static func inspect(_ database: any Database, _ services: GongzhiServices, month: String) async throws
        -> (facts: InspectionFacts, report: InspectionReport) {
        try await InspectionService(database: database, clock: services.clock, files: services.files).inspect(month: month)
    }

    /// The month asked for, else the previous month (the one a monthly inspection looks back on).
    static func month(_ req: Request) -> String {
        if let text = req.query[String.self, at: "month"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty { return text }
        let today = req.gongzhi.clock.today()
        let (y, m) = today.month == 1 ? (today.year - 1, 12) : (today.year, today.month - 1)
        return String(format: "%04d-%02d", y, m)
    }

    struct ItemView: Encodable { var title: String; var ok: Bool; var summary: String }
    struct AccountView: Encodable { var username: String; var displayName: String; var unitName: String; var lastActivity: String }
    struct TokenView: Encodable { var owner: String; var name: String; var created: String; var lastUsed: String; var reason: String }
    struct GrantView: Encodable { var unitName: String; var indicator: String; var expiresOn: String }
    struct SpikeView: Encodable { var unitName: String; var count: Int; var median: String }
    struct Page: Encodable {
        var title: String
        var month: String
        var error: String?
        var allClear: Bool
        var items: [ItemView]
        var accounts: [AccountView]
        var tokens: [TokenView]
        var grants: [GrantView]
        var spikes: [SpikeView]
        var rules: String
    }

    /// `GET /operations/inspection?month=yyyy-mm`.
    func page(req: Request) async throws -> Response {
        let month = Self.month(req)
        let names = try await DisplayNames.load(req)
        let rules = InspectionRules.standard
        let ruleText = "账户 \(rules.unusedAccountDays) 天无任何操作即列为未使用；API 令牌从未使用或超过 \(rules.tokenMaxAgeDays) 天即列出；最近一次成功备份不得早于 \(rules.backupMaxAgeDays) 天前；某单位本月下载次数不少于 \(rules.spikeMinimum) 次且超过其前 \(rules.baselineMonths) 个月中位数的 \(rules.spikeFactor) 倍，列为异常。"
        do {
            let (facts, report) = try await Self.inspect(req.db, req.gongzhi, month: month)
            try await req.audit.record(.auditView, by: req.auditActor, AuditTarget(query: "/operations/inspection?month=\(month)", detail: "inspection"))
            let accounts = facts.accounts.reduce(into: [String: InspectionFacts.Account]()) { $0[$1.username] = $1 }
            let page = Page(
                title: "月度巡检", month: month, error: nil, allClear: report.allClear,
                items: report.items.map { ItemView(title: $0.title, ok: $0.ok, summary: $0.summary) },
                accounts: report.unusedAccounts.map {
                    AccountView(username: $0.username, displayName: names.user($0.username), unitName: names.unit($0.unitCode),
                                lastActivity: (accounts[$0.username]?.lastActivity).map(PlatformClock.display) ?? "从未使用")
                },
                tokens: report.staleTokens.map {
                    TokenView(owner: names.user($0.token.username), name: $0.token.name, created: PlatformClock.display($0.token.createdAt),
                              lastUsed: $0.token.lastUsedAt.map(PlatformClock.display) ?? "从未使用",
                              reason: [$0.neverUsed ? "从未使用" : nil, $0.tooOld ? "超过一年" : nil].compactMap { $0 }.joined(separator: "，"))
                },
                grants: report.expiredGrants.map {
                    GrantView(unitName: names.unit($0.granteeUnit), indicator: names.indicator($0.indicatorCode), expiresOn: $0.expiresOn.description)
                },
                spikes: report.spikes.map { SpikeView(unitName: names.unit($0.unitCode), count: $0.count, median: String(format: "%g", $0.median)) },
                rules: ruleText)
            return try await req.view.render("inspection", page).encodeResponse(for: req)
        } catch let error as InspectionService.InspectionError {
            let page = Page(title: "月度巡检", month: month, error: error.description, allClear: false, items: [], accounts: [], tokens: [],
                            grants: [], spikes: [], rules: ruleText)
            return try await req.view.render("inspection", page).encodeResponse(status: .badRequest, for: req)
        }
    }

    /// `GET /api/v1/operations/inspection?month=yyyy-mm`: the report as JSON (see ``jsonData(_:)``).
    func api(req: Request) async throws -> Response {
        let month = Self.month(req)
        do {
            let report = try await Self.inspect(req.db, req.gongzhi, month: month).report
            try await req.audit.record(.auditView, by: req.auditActor, AuditTarget(query: "/api/v1/operations/inspection?month=\(month)", detail: "inspection"))
            var headers = HTTPHeaders()
            headers.contentType = .json
            return Response(status: .ok, headers: headers, body: .init(data: try InspectionService.jsonData(report)))
        } catch let error as InspectionService.InspectionError {
            throw Abort(.badRequest, reason: error.description)
        }
    }
}
