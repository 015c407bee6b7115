import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// Complaints (投诉, issue 13 §4, 附件1 第二十条) on the web and the API: any unit's staff complain about another
/// unit's leak, misuse or refusal to share; the city office (市政府办公室, approvers) takes it up and decides; an
/// upheld leak is carried into the assessment's leak penalty (an assessor entry `leak_penalty`, 减分项) with
/// one action.
struct ComplaintController: Sendable {
    /// Whether `actor` sees every complaint (the city office, the info center, the 综合治税办, auditors).
    static func seesAll(_ actor: Actor) -> Bool { actor.principal.hasAny(of: [Role.approver, .admin, .coordinator, .auditor]) }

    static func party(_ actor: Actor) -> ComplaintParty { actor.principal.has(.approver) ? .cityOffice : .other }

    /// The filing as a form or JSON body gives it.
    struct Filing: Content {
        var kind: String?
        var against: String?
        var text: String?
    }

    /// Files a complaint of the signed-in user's unit.
    /// - Throws: ``ComplaintError``.
    static func file(_ req: Request, _ f: Filing) async throws -> ComplaintRecord {
        let actor = try req.actor
        guard let kind = f.kind.flatMap(ComplaintKind.init(rawValue:)) else { throw ComplaintError.kindRequired }
        let against = TextNormalization.trim(f.against ?? "")
        guard try await CatalogRepository(database: req.db).unit(code: against) != nil else { throw ComplaintError.unknownUnit(against) }
        guard against != actor.unitCode else { throw ComplaintError.ownUnit }
        let text = TextNormalization.trim(f.text ?? "")
        guard !text.isEmpty else { throw ComplaintError.textRequired }
        let record = ComplaintRecord()
        record.id = UUID()
        record.kind = kind.rawValue
        record.state = ComplaintState.filed.rawValue
        record.complainantUnit = actor.unitCode
        record.filedBy = actor.username
        record.againstUnit = against
        record.body = text
        record.filedAt = req.gongzhi.clock.now()
        record.updatedAt = record.filedAt
        try await ComplaintRepository(database: req.db).file(record, audit: req.auditActor.event(.complaint, AuditTarget(
            detail: "complaint=\(record.id!.uuidString.lowercased()); event=complaint_filed; kind=\(kind.rawValue); against=\(against)"), at: record.filedAt))
        return record
    }

    static func find(_ req: Request, _ id: UUID) async throws -> ComplaintRecord {
        let actor = try req.actor
        guard let record = try await ComplaintRecord.find(id, on: req.db),
              seesAll(actor) || record.complainantUnit == actor.unitCode || record.againstUnit == actor.unitCode else { throw Abort(.notFound) }
        return record
    }

    /// Takes step `action` (`handle`, `uphold`, `reject`) with `note` on complaint `id`.
    /// - Throws: ``ComplaintError``; 404; 409 when another step came first.
    static func step(_ req: Request, id: UUID, action: String, note: String) async throws -> ComplaintRecord {
        let record = try await find(req, id)
        guard let state = ComplaintState(rawValue: record.state) else { throw Abort(.notFound) }
        let event: ComplaintEvent = switch action {
        case "handle": .handle(note: note)
        case "uphold": .decide(upheld: true, note: note)
        case "reject": .decide(upheld: false, note: note)
        default: throw Abort(.notFound)
        }
        let next = try ComplaintWorkflow.apply(event, to: state, by: party(try req.actor))
        if case .handle = event { record.handlingNote = TextNormalization.trim(note) } else {
            record.outcomeNote = TextNormalization.trim(note)
            record.decidedBy = try req.actor.username
        }
        record.state = next.rawValue
        record.updatedAt = req.gongzhi.clock.now()
        let audit = req.auditActor.event(.complaint, AuditTarget(
            detail: "complaint=\(id.uuidString.lowercased()); event=\(event.code); state=\(next.rawValue)"), at: record.updatedAt)
        guard try await ComplaintRepository(database: req.db).storeStep(record, from: state, audit: audit) else {
            throw Abort(.conflict, reason: "这件投诉刚刚已被他人处理，请刷新页面查看当前状态。")
        }
        return record
    }

    /// Carries upheld leak complaint `id` into the assessment: a `leak_penalty` assessor entry of `penaltyText`
    /// (5–10) for the unit complained about, in `quarterText` (default: the quarter of the decision), audit-logged.
    /// - Throws: ``ComplaintError``; ``AssessorEntry/Problem`` for a penalty outside 5–10.
    static func carry(_ req: Request, id: UUID, penaltyText: String, quarterText: String?) async throws -> ComplaintRecord {
        let record = try await find(req, id)
        guard let kind = ComplaintKind(rawValue: record.kind), let state = ComplaintState(rawValue: record.state) else { throw Abort(.notFound) }
        try ComplaintWorkflow.checkCarry(kind: kind, state: state, carried: record.leakPenalty != nil)
        let quarter = try quarterText.map(TextNormalization.trim).flatMap { $0.isEmpty ? nil : $0 }.map { try AssessmentService.quarter($0) }
            ?? ReportingPeriod.containing(PlatformClock.day(of: record.updatedAt), collection: .quarterly)
        let entry = try AssessorEntry.checked(unit: record.againstUnit, quarter: quarter, kind: .leakPenalty, valueText: penaltyText,
                                              reason: "投诉成立（附件1 第二十条）：" + (record.outcomeNote ?? ""),
                                              detail: "complaint=\(id.uuidString.lowercased())：" + record.body)
        guard (entry.value ?? 0) > 0 else { throw AssessorEntry.Problem.badValue(.leakPenalty, penaltyText) }
        let now = req.gongzhi.clock.now(), actor = req.auditActor
        let audit = actor.event(.assessment, AuditTarget(
            detail: "entry unit=\(record.againstUnit);quarter=\(quarter);leak_penalty=\(entry.value ?? 0);complaint=\(id.uuidString.lowercased())"), at: now)
        guard try await ComplaintRepository(database: req.db).carry(record, entry: entry, enteredBy: actor.user, at: now, audit: audit) else {
            throw ComplaintError.alreadyCarried
        }
        record.leakPenalty = entry.value
        record.penaltyQuarter = quarter.description
        return record
    }

    static func visible(_ req: Request) async throws -> [ComplaintRecord] {
        let actor = try req.actor
        return try await ComplaintRepository(database: req.db).complaints(involving: seesAll(actor) ? nil : actor.unitCode)
    }

    // MARK: Pages

    struct ComplaintItem: Encodable {
        var id: String
        var kind: String
        var stateName: String
        var complainant: String
        var against: String
        var body: String
        var handlingNote: String
        var outcomeNote: String
        var filedAt: String
        var penalty: String
        var canHandle: Bool
        var canDecide: Bool
        var canCarry: Bool
    }

    struct ComplaintsPage: Encodable {
        var title: String
        var complaints: [ComplaintItem]
        var canFile: Bool
        var kinds: [NoticeController.UnitOption]
        var units: [NoticeController.UnitOption]
    }

    /// `GET /complaints`.
    func index(req: Request) async throws -> View {
        let actor = try req.actor
        let names = try await DisplayNames.load(req)
        let cityOffice = Self.party(actor) == .cityOffice
        let carrier = actor.principal.hasAny(of: RouteAccess.penaltyCarriers)
        let items = try await Self.visible(req).map { c in
            let state = ComplaintState(rawValue: c.state) ?? .filed
            let kind = ComplaintKind(rawValue: c.kind) ?? .leak
            return ComplaintItem(
                id: c.id?.uuidString.lowercased() ?? "", kind: kind.chineseName, stateName: state.chineseName,
                complainant: names.unit(c.complainantUnit), against: names.unit(c.againstUnit), body: c.body,
                handlingNote: c.handlingNote ?? "", outcomeNote: c.outcomeNote ?? "", filedAt: DisplayNames.time(c.filedAt),
                penalty: c.leakPenalty.map { "已计入 \(c.penaltyQuarter ?? "") 考核泄密扣分 \($0) 分" } ?? "",
                canHandle: cityOffice && state == .filed, canDecide: cityOffice && state.isOpen,
                canCarry: carrier && (try? ComplaintWorkflow.checkCarry(kind: kind, state: state, carried: c.leakPenalty != nil)) != nil)
        }
        let catalog = try await req.reporting.catalog()
        return try await req.view.render("complaints", ComplaintsPage(
            title: "投诉", complaints: items, canFile: actor.principal.hasAny(of: RouteAccess.complaintFilers),
            kinds: ComplaintKind.allCases.map { NoticeController.UnitOption(code: $0.rawValue, name: $0.chineseName, checked: $0 == .leak) },
            units: catalog.units.filter { $0.code != actor.unitCode }.map { NoticeController.UnitOption(code: $0.code, name: $0.name, checked: false) }))
    }

    /// `POST /complaints` (form `kind`, `against`, `text`).
    func create(req: Request) async throws -> Response {
        _ = try await Self.file(req, try req.content.decode(Filing.self))
        return req.redirect(to: "/complaints", redirectType: .normal)
    }

    /// `POST /complaints/:id/:action` (form `note`).
    func act(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let action = req.parameters.get("action") else { throw Abort(.notFound) }
        _ = try await Self.step(req, id: id, action: action, note: (try? req.content.get(String.self, at: "note")) ?? "")
        return req.redirect(to: "/complaints", redirectType: .normal)
    }

    /// `POST /complaints/:id/penalty` (form `penalty` 5–10, `quarter` optional).
    func penalty(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        _ = try await Self.carry(req, id: id, penaltyText: (try? req.content.get(String.self, at: "penalty")) ?? "",
                                 quarterText: try? req.content.get(String.self, at: "quarter"))
        return req.redirect(to: "/complaints", redirectType: .normal)
    }

    // MARK: API

    static func json(_ c: ComplaintRecord) -> JSONValue {
        .object([("id", .string(c.id?.uuidString.lowercased() ?? "")), ("kind", .string(c.kind)), ("state", .string(c.state)),
                 ("complainant_unit", .string(c.complainantUnit)), ("against_unit", .string(c.againstUnit)), ("text", .string(c.body)),
                 ("handling_note", .optional(c.handlingNote)), ("outcome_note", .optional(c.outcomeNote)),
                 ("leak_penalty", c.leakPenalty.map { .number(String($0)) } ?? .null), ("penalty_quarter", .optional(c.penaltyQuarter)),
                 ("filed_at", .string(PlatformClock.iso8601(c.filedAt)))])
    }

    /// `GET /api/v1/complaints`.
    func apiIndex(req: Request) async throws -> Response {
        Response.json(.array(try await Self.visible(req).map(Self.json)))
    }

    /// `POST /api/v1/complaints` (JSON `kind` leak | misuse | refusal, `against` unit code, `text`).
    func apiCreate(req: Request) async throws -> Response {
        Response.json(Self.json(try await Self.file(req, try req.content.decode(Filing.self))), status: .created)
    }

    /// `POST /api/v1/complaints/:id/:action` (JSON `note`; action handle | uphold | reject).
    func apiAct(req: Request) async throws -> Response {
        struct Body: Content { var note: String? }
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let action = req.parameters.get("action") else { throw Abort(.notFound) }
        let body = (try? req.content.decode(Body.self)) ?? Body()
        return Response.json(Self.json(try await Self.step(req, id: id, action: action, note: body.note ?? "")))
    }

    /// `POST /api/v1/complaints/:id/penalty` (JSON `penalty` 5–10, `quarter` optional).
    func apiPenalty(req: Request) async throws -> Response {
        struct Body: Content {
            var penalty: Int?
            var quarter: String?
        }
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let body = (try? req.content.decode(Body.self)) ?? Body(penalty: nil, quarter: nil)
        return Response.json(Self.json(try await Self.carry(req, id: id, penaltyText: body.penalty.map(String.init) ?? "", quarterText: body.quarter)))
    }
}
