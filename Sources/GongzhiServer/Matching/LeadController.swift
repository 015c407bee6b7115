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

    /// A rule with its parameters in words (issue 12 §1: "with their parameters stated on their page").
    struct RuleView: Encodable {
        var code: String
        var name: String
        var version: String
        var state: String
        var left: String
        var right: String
        var window: String
        var underpayment: String
        var estimate: String
        var source: String
    }

    /// One line of the statistics table.
    struct StatisticsRow: Encodable {
        var rule: String
        var period: String
        var county: String
        var found: Int
        var worked: Int
        var confirmed: Int
        var strikeRate: String
        var dismissed: String
        var recovered: String
        var unworked: Int
        var unworkedEstimate: String
    }

    struct LeadsPage: Encodable {
        var title: String
        var rules: [RuleView]
        var ruleOptions: [Option]
        var totals: [StatisticsRow]
        var breakdown: [StatisticsRow]
        var leads: [LeadRow]
        var isEmpty: Bool
        /// The review queue (issue 12 §2): name-and-division leads no person has confirmed yet.
        var review: [LeadRow]
        var hasReview: Bool
        var canWork: Bool
        var taxKinds: [Option]
        var reasons: [Option]
    }

    /// `GET /leads`: the unworked leads of active rules, highest estimated tax first (at most 200), and apart
    /// from them the review queue of name-and-division leads waiting for a person to confirm or reject the match.
    func index(req: Request) async throws -> View {
        let actor = try req.actor
        let queue = try await Self.service(req).queue(limit: 200)
        let review = try await Self.service(req).queue(limit: 200, review: true)
        let divisions = req.gongzhi.divisions
        func row(_ lead: QueuedLead) -> LeadRow {
            return LeadRow(
                id: lead.id, rule: lead.ruleCode,
                ruleName: ShippedMatchRules.rule(code: lead.ruleCode)?.name ?? lead.ruleCode,
                kind: lead.kind.chineseName,
                confidence: lead.confidence == .nameDivision ? "按名称与属地匹配（已人工确认）" : "按证件号码匹配",
                estimatedTax: MatchingService.yuan(fen: lead.estimatedTaxFen), state: lead.state.rawValue,
                stateName: lead.state.chineseName, assignee: lead.assignee ?? "",
                indicator: lead.leftIndicator, period: lead.period,
                division: lead.division.map { divisions.name(of: $0) ?? $0 } ?? "",
                mine: lead.assignee == actor.username)
        }
        let rows = queue.map(row)
        let service = Self.service(req)
        let states = try await service.ruleStates()
        var rules: [RuleView] = []
        for rule in ShippedMatchRules.all { rules.append(try await Self.ruleView(rule, state: states[rule.code], req: req)) }
        let statistics = try await service.statistics()
        func statisticsRow(_ s: LeadStatistics) -> StatisticsRow {
            StatisticsRow(
                rule: ShippedMatchRules.rule(code: s.ruleCode)?.name ?? s.ruleCode, period: s.period ?? "合计",
                county: s.division.map { divisions.name(of: $0) ?? $0 } ?? "全部",
                found: s.found, worked: s.worked, confirmed: s.confirmed,
                strikeRate: String(format: "%.0f%%", s.strikeRate * 100),
                dismissed: DismissalReason.allCases.compactMap { r in s.dismissed[r].map { "\(r.chineseName) \($0)" } }.joined(separator: "，"),
                recovered: MatchingService.yuan(fen: s.recoveredFen), unworked: s.unworked,
                unworkedEstimate: MatchingService.yuan(fen: s.unworkedEstimateFen))
        }
        return try await req.view.render("leads", LeadsPage(
            title: "涉税线索", rules: rules, ruleOptions: ShippedMatchRules.all.map { Option(code: $0.code, name: $0.name) }, totals: statistics.filter { $0.period == nil }.map(statisticsRow),
            breakdown: statistics.filter { $0.period != nil }.map(statisticsRow), leads: rows, isEmpty: rows.isEmpty,
            review: review.map(row), hasReview: !review.isEmpty, canWork: actor.principal.hasAny(of: RouteAccess.leadWorkers),
            taxKinds: TaxKind.allCases.map { Option(code: $0.rawValue, name: $0.chineseName) },
            reasons: DismissalReason.allCases.map { Option(code: $0.rawValue, name: $0.chineseName) }))
    }

    /// `rule` in words, with the catalog's indicator names and field labels.
    static func ruleView(_ rule: MatchRule, state: (version: Int, state: MatchRuleState)?, req: Request) async throws -> RuleView {
        let catalog = CatalogRepository(database: req.db)
        var indicators: [String: Indicator] = [:]
        for code in rule.indicators { indicators[code] = try await catalog.currentIndicator(code: code)?.indicator }
        func label(_ indicator: String, _ field: String) -> String { indicators[indicator]?.field(field)?.label ?? field }
        func name(_ indicator: String) -> String { "\(indicators[indicator]?.name ?? indicator)（\(indicator)）" }
        var left = name(rule.left.indicator)
        for filter in rule.left.filters { left += "，\(label(rule.left.indicator, filter.field))为\(filter.values.joined(separator: "或"))" }
        if let prefix = rule.left.registeredOutside {
            let code = prefix + String(repeating: "0", count: max(0, 6 - prefix.count))
            let place = req.gongzhi.divisions.name(of: code) ?? code
            left += "，登记机关不在\(place)（代码第 3–8 位不以 \(prefix) 开头）"
        }
        left += "；按" + rule.left.keys.map { label(rule.left.indicator, $0.field) }.joined(separator: "或") + "比对"
        if let nameField = rule.left.nameField { left += "，无可比对证件号时按\(label(rule.left.indicator, nameField))与信息属地比对" }
        let right = rule.right.map { side in
            name(side.indicator) + "（" + side.keys.map { label(side.indicator, $0.field) }.joined(separator: "或") + "，日期：\(label(side.indicator, side.dateField))）"
        }.joined(separator: "；")
        let window = "以\(label(rule.left.indicator, rule.left.dateField))为准，" + rule.window.chineseDescription
        let underpayment = rule.underpayment.map { u in
            "右侧金额低于\(label(rule.left.indicator, u.leftBaseField))超过 \(NSDecimalNumber(decimal: u.tolerance * 100).stringValue)% 为少缴"
                + (rule.right.contains { $0.exemptionField != nil } ? "（减免记录视为已缴）" : "")
        } ?? "不检查"
        let e = rule.estimate
        let estimate = e.baseField.map { base in
            "\(label(rule.left.indicator, base))" + (e.multiplier == 1 ? "" : " × \(NSDecimalNumber(decimal: e.multiplier).stringValue)")
                + " × \(NSDecimalNumber(decimal: e.rate * 100).stringValue)%（\(e.taxKind.chineseName)）"
        } ?? "无计税依据，估算为 0"
        return RuleView(code: rule.code, name: rule.name, version: "第 \(state?.version ?? rule.version) 版",
                        state: state?.state.chineseName ?? "未运行", left: left, right: right, window: window,
                        underpayment: underpayment, estimate: estimate, source: rule.source)
    }

    /// `POST /leads/runs`: run a rule (field `rule`) over the left periods `from`…`to`, as `gongzhi match` does.
    func run(req: Request) async throws -> Response {
        func field(_ key: String) -> String { TextNormalization.trim((try? req.content.get(String.self, at: key)) ?? "") }
        do {
            let service = Self.service(req)
            let from = try MatchingService.period(field("from"))
            let to = try MatchingService.period(field("to"))
            let rule = try await service.rule(code: field("rule"))
            _ = try await service.run(rule: rule, from: from, to: to, by: req.auditActor)
        } catch let error as MatchingError {
            throw Abort(.badRequest, reason: error.message)
        }
        return req.redirect(to: "/leads", redirectType: .normal)
    }

    /// `POST /leads/:id/:action`: `take` (assign to oneself), `start`, `verify` (a name-and-division match
    /// is the same taxpayer), `reject-match` (it is not: the lead is dismissed), `confirm` (fields `tax_kind`, `amount` in 元), `dismiss` (fields `reason`, `note`).
    func act(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(Int.init) else { throw Abort(.notFound) }
        let actor = try req.actor
        func field(_ key: String) -> String { (try? req.content.get(String.self, at: key)) ?? "" }
        let event: TaxLeadWork.Event
        switch req.parameters.get("action") ?? "" {
        case "take": event = .assign(to: actor.username)
        case "start": event = .startInvestigation
        case "verify": event = .verifyNameMatch(by: actor.username)
        case "reject-match": event = .rejectNameMatch(by: actor.username)
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
        // Back where the form was: the lead's page (field `back=detail`) or the queue.
        return req.redirect(to: field("back") == "detail" ? "/leads/\(id)" : "/leads", redirectType: .normal)
    }
}
