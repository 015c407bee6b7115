import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// The tax-lead queue on the web (涉税线索, issue 12 §4 and §6): tax officers take leads from the queue,
/// ranked by estimated tax, and work them to confirmed (tax recovered by kind) or dismissed (a reason from
/// the fixed list); auditors read it. The queue shows no personal data: rule, kind, indicator, period,
/// 信息属地 and the estimate.
struct LeadController: Sendable {
    static func service(_ req: Request) -> MatchingService {
        MatchingService(database: req.db, clock: req.gongzhi.clock)
    }

    struct Option: Encodable {
        var code: String
        var name: String
    }

    struct LeadRow: Encodable {
        var id: Int
        var rule: String
        var ruleName: String
        var kind: String
        var confidence: String
        var estimatedTax: String
        var state: String
        var stateName: String
        var assignee: String
        var indicator: String
        var period: String
        var division: String
        var mine: Bool
    }

    struct LeadsPage: Encodable {
        var title: String
        var leads: [LeadRow]
        var isEmpty: Bool
        var canWork: Bool
        var taxKinds: [Option]
        var reasons: [Option]
    }

    /// `GET /leads`: the unworked leads of active rules, highest estimated tax first (at most 200).
    func index(req: Request) async throws -> View {
        let actor = try req.actor
        let queue = try await Self.service(req).queue(limit: 200)
        let divisions = req.gongzhi.divisions
        let rows = queue.map { lead in
            LeadRow(
                id: lead.id, rule: lead.ruleCode,
                ruleName: ShippedMatchRules.rule(code: lead.ruleCode)?.name ?? lead.ruleCode,
                kind: lead.kind.chineseName,
                confidence: lead.confidence == .nameDivision ? "按名称与属地匹配，待人工确认" : "按证件号码匹配",
                estimatedTax: MatchingService.yuan(fen: lead.estimatedTaxFen), state: lead.state.rawValue,
                stateName: lead.state.chineseName, assignee: lead.assignee ?? "",
                indicator: lead.leftIndicator, period: lead.period,
                division: lead.division.map { divisions.name(of: $0) ?? $0 } ?? "",
                mine: lead.assignee == actor.username)
        }
        return try await req.view.render("leads", LeadsPage(
            title: "涉税线索", leads: rows, isEmpty: rows.isEmpty, canWork: actor.principal.hasAny(of: RouteAccess.leadWorkers),
            taxKinds: TaxKind.allCases.map { Option(code: $0.rawValue, name: $0.chineseName) },
            reasons: DismissalReason.allCases.map { Option(code: $0.rawValue, name: $0.chineseName) }))
    }

    /// `POST /leads/:id/:action`: `take` (assign to oneself), `start`, `verify` (a name-and-division match
    /// is the same taxpayer), `confirm` (fields `tax_kind`, `amount` in 元), `dismiss` (fields `reason`, `note`).
    func act(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(Int.init) else { throw Abort(.notFound) }
        let actor = try req.actor
        func field(_ key: String) -> String { (try? req.content.get(String.self, at: key)) ?? "" }
        let event: TaxLeadWork.Event
        switch req.parameters.get("action") ?? "" {
        case "take": event = .assign(to: actor.username)
        case "start": event = .startInvestigation
        case "verify": event = .verifyNameMatch(by: actor.username)
        case "confirm":
            guard let kind = TaxKind(rawValue: field("tax_kind")) else { throw Abort(.badRequest, reason: "请选择税种") }
            guard let amount = DecimalText.parseWritten(TextNormalization.trim(field("amount"))).flatMap({ Decimal(string: $0) }) else {
                throw Abort(.badRequest, reason: "追缴税款“\(field("amount"))”不是金额：请填写元为单位的数字，如 30000 或 1250.50")
            }
            event = .confirm(recovered: [kind: amount])
        case "dismiss":
            guard let reason = DismissalReason(rawValue: field("reason")) else { throw Abort(.badRequest, reason: "请选择排除原因") }
            event = .dismiss(reason, note: field("note"))
        default:
            throw Abort(.badRequest, reason: "未知的线索操作")
        }
        do {
            try await Self.service(req).apply(event, toLead: id, by: req.auditActor)
        } catch let error as LeadWorkError {
            if case .unknownLead = error { throw Abort(.notFound, reason: error.message) }
            throw Abort(.badRequest, reason: error.message)
        }
        return req.redirect(to: "/leads", redirectType: .normal)
    }
}
