import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// Objections (疑义, issue 13 §1, 附件1 第十一条) on the web and the API: a consuming unit's analyst files one
/// on a record it may see (or on a submission that misses records), the providing unit answers, the filer
/// may dispute a rejection, the info center rules, and the provider links its corrected submission.
struct ObjectionController: Sendable {
    /// Working days an objection may wait for its answer before it is listed as overdue.
    static let answerWorkingDays = 5

    /// The party `actor` is in `objection`.
    static func party(_ actor: Actor, _ objection: ObjectionRecord) -> ObjectionParty {
        let p = actor.principal
        if p.unitCode == objection.providerUnit, p.hasAny(of: [Role.reporter, .unitHead]) { return .provider }
        if p.unitCode == objection.filerUnit, p.has(.analyst) { return .filer }
        if p.has(.admin) { return .infoCenter }
        return .other
    }

    /// Whether `actor` may see `objection`: its two units, the info center, the city office and auditors.
    static func maySee(_ actor: Actor, _ objection: ObjectionRecord) -> Bool {
        let p = actor.principal
        return p.unitCode == objection.providerUnit || p.unitCode == objection.filerUnit || p.hasAny(of: [Role.admin, .approver, .auditor])
    }

    /// The filing as a form or JSON body gives it.
    struct Filing: Content {
        init(kind: String? = nil, record_id: Int? = nil, field: String? = nil, submission_id: String? = nil, count: Int? = nil,
             reason: String? = nil, evidence: String? = nil) {
            self.kind = kind
            self.record_id = record_id
            self.field = field
            self.submission_id = submission_id
            self.count = count
            self.reason = reason
            self.evidence = evidence
        }

        var kind: String?
        var record_id: Int?
        var field: String?
        var submission_id: String?
        var count: Int?
        var reason: String?
        var evidence: String?
    }

    /// Files an objection by the signed-in analyst.
    /// - Throws: ``ObjectionError``; ``SharingError`` when the analyst may not see the data; 404 for an unknown
    ///   record or submission.
    static func file(_ req: Request, _ f: Filing) async throws -> ObjectionRecord {
        let actor = try req.actor
        guard let kind = f.kind.flatMap(ObjectionKind.init(rawValue:)) else { throw ObjectionError.missingTarget }
        let reason = TextNormalization.trim(f.reason ?? "")
        guard !reason.isEmpty else { throw ObjectionError.reasonRequired }
        let submission: SubmissionRecord
        var recordID: Int? = nil
        var count = 1
        if kind == .omitted {
            guard let text = f.submission_id, let id = UUID(uuidString: text) else { throw ObjectionError.missingTarget }
            guard let found = try await SubmissionRecord.find(id, on: req.db) else { throw Abort(.notFound) }
            guard let n = f.count, n > 0 else { throw ObjectionError.badCount }
            submission = found
            count = n
        } else {
            guard let id = f.record_id else { throw ObjectionError.missingTarget }
            guard let row = try await RecordQuery.record(id: id, on: req.db),
                  let found = try await SubmissionRecord.find(row.submissionID, on: req.db) else { throw Abort(.notFound) }
            submission = found
            recordID = id
        }
        guard submission.unitCode != actor.unitCode else { throw ObjectionError.ownData }
        // The analyst must be able to read the data objected to (an active grant for its indicator and period).
        _ = try await req.sharing.resolve(actor.principal, .query,
                                          SharingService.Search(indicator: submission.indicatorCode, from: submission.period, to: submission.period))
        let record = ObjectionRecord()
        record.id = UUID()
        record.kind = kind.rawValue
        record.state = ObjectionState.open.rawValue
        record.indicatorCode = submission.indicatorCode
        record.period = submission.period
        record.providerUnit = submission.unitCode
        record.filerUnit = actor.unitCode
        record.filedBy = actor.username
        record.submissionID = try submission.requireID()
        record.recordID = recordID
        record.fieldKey = f.field.map(TextNormalization.trim).flatMap { $0.isEmpty ? nil : $0 }
        record.recordCount = count
        record.reason = reason
        record.evidence = f.evidence.map(TextNormalization.trim).flatMap { $0.isEmpty ? nil : $0 }
        record.filedAt = req.gongzhi.clock.now()
        record.updatedAt = record.filedAt
        let auditActor = req.auditActor, now = record.filedAt, refs = recordID.map { [String($0)] } ?? [], rows = count
        let detail = "event=file; kind=\(kind.rawValue); unit=\(record.providerUnit); period=\(record.period)", indicator = record.indicatorCode
        try await ObjectionRepository(database: req.db).file(record) { id in
            auditActor.event(.objection, AuditTarget(indicatorCode: indicator, recordIDs: refs, rowCount: rows,
                                                     detail: "objection=\(id.uuidString.lowercased()); " + detail), at: now)
        }
        return record
    }

    /// Takes step `action` (`uphold`, `reject`, `dispute`, `withdraw`, `arbitrate_uphold`, `arbitrate_dismiss`,
    /// `corrected`) on objection `id` with `text` (the reason) or `submission` (the corrected submission).
    /// - Throws: ``ObjectionError``; 404 for an objection the user may not see; 409 when another step came first.
    static func step(_ req: Request, id: UUID, action: String, text: String, submission: String?) async throws -> ObjectionRecord {
        let actor = try req.actor
        guard let record = try await ObjectionRecord.find(id, on: req.db), maySee(actor, record),
              let state = ObjectionState(rawValue: record.state), let kind = ObjectionKind(rawValue: record.kind) else { throw Abort(.notFound) }
        let event: ObjectionEvent
        switch action {
        case "uphold": event = .uphold
        case "reject": event = .reject(reason: text)
        case "dispute": event = .dispute(reason: text)
        case "withdraw": event = .withdraw
        case "arbitrate_uphold": event = .arbitrate(upheld: true, reason: text)
        case "arbitrate_dismiss": event = .arbitrate(upheld: false, reason: text)
        case "corrected": event = .corrected
        default: throw Abort(.notFound)
        }
        let next = try ObjectionWorkflow.apply(event, to: state, by: party(actor, record))
        switch event {
        case .reject: record.answer = TextNormalization.trim(text)
        case .dispute: record.dispute = TextNormalization.trim(text)
        case .arbitrate: record.ruling = TextNormalization.trim(text)
        case .corrected:
            // The corrected data: a later submission of the same task by the providing unit.
            guard let text = submission, let sid = UUID(uuidString: text), let s = try await SubmissionRecord.find(sid, on: req.db),
                  s.unitCode == record.providerUnit, s.indicatorCode == record.indicatorCode, s.period == record.period,
                  s.receivedAt >= record.filedAt else { throw ObjectionError.missingTarget }
            record.correctingSubmissionID = sid
        default: break
        }
        record.state = next.rawValue
        record.updatedAt = req.gongzhi.clock.now()
        let audit = req.auditActor.event(.objection, AuditTarget(
            indicatorCode: record.indicatorCode, rowCount: ObjectionWorkflow.faultyRecords(kind: kind, count: record.recordCount, state: next),
            detail: "objection=\(id.uuidString.lowercased()); event=\(event.code); state=\(next.rawValue)"), at: record.updatedAt)
        guard try await ObjectionRepository(database: req.db).storeStep(record, from: state, audit: audit) else {
            throw Abort(.conflict, reason: "这条疑义刚刚已被他人处理，请刷新页面查看当前状态。")
        }
        return record
    }

    // MARK: Pages

    struct ObjectionItem: Encodable {
        var id: String
        var kind: String
        var state: String
        var stateName: String
        var indicatorName: String
        var period: String
        var provider: String
        var filer: String
        var target: String
        var reason: String
        var evidence: String
        var answer: String
        var dispute: String
        var ruling: String
        var filedAt: String
        var overdue: Bool
        /// The steps the signed-in user may take now: (action, label, needs a reason).
        var actions: [ActionItem]
        var submissionID: String
    }

    struct ActionItem: Encodable {
        var action: String
        var label: String
        var needsText: Bool
        var needsSubmission: Bool
    }

    struct ObjectionsPage: Encodable {
        var title: String
        var objections: [ObjectionItem]
        var canFile: Bool
        var kinds: [NoticeController.UnitOption]
        var recordID: String
    }

    static func item(_ o: ObjectionRecord, actor: Actor, names: DisplayNames, today: CalendarDate) -> ObjectionItem {
        let state = ObjectionState(rawValue: o.state) ?? .open
        let kind = ObjectionKind(rawValue: o.kind) ?? .erroneous
        let party = party(actor, o)
        let candidates: [(String, String, Bool, Bool, ObjectionEvent)] = [
            ("uphold", "采纳", false, false, .uphold), ("reject", "不予采纳", true, false, .reject(reason: "x")),
            ("dispute", "申请裁定", true, false, .dispute(reason: "x")), ("withdraw", "撤回", false, false, .withdraw),
            ("arbitrate_uphold", "裁定采纳", true, false, .arbitrate(upheld: true, reason: "x")),
            ("arbitrate_dismiss", "裁定不予采纳", true, false, .arbitrate(upheld: false, reason: "x")),
            ("corrected", "已更正（填写更正报送编号）", false, true, .corrected),
        ]
        let actions = candidates.filter { (try? ObjectionWorkflow.apply($0.4, to: state, by: party)) != nil }
            .map { ActionItem(action: $0.0, label: $0.1, needsText: $0.2, needsSubmission: $0.3) }
        var target = o.recordID.map { "记录 \($0)" } ?? "报送 \(o.submissionID.uuidString.lowercased().prefix(8))，漏报 \(o.recordCount) 条"
        if let field = o.fieldKey { target += "（\(names.field(field, of: o.indicatorCode))）" }
        return ObjectionItem(
            id: o.id?.uuidString.lowercased() ?? "", kind: kind.chineseName, state: state.rawValue, stateName: state.chineseName,
            indicatorName: names.indicator(o.indicatorCode), period: o.period, provider: names.unit(o.providerUnit), filer: names.unit(o.filerUnit),
            target: target, reason: o.reason, evidence: o.evidence ?? "", answer: o.answer ?? "", dispute: o.dispute ?? "", ruling: o.ruling ?? "",
            filedAt: DisplayNames.time(o.filedAt),
            overdue: ObjectionWorkflow.isOverdue(state: state, filed: PlatformClock.day(of: o.filedAt), today: today, workingDays: answerWorkingDays),
            actions: actions, submissionID: o.submissionID.uuidString.lowercased())
    }

    /// The objections the user's unit filed or received (every one for the info center, city office, auditors).
    static func visible(_ req: Request) async throws -> [ObjectionRecord] {
        let actor = try req.actor
        let all = actor.principal.hasAny(of: [Role.admin, .approver, .auditor])
        return try await ObjectionRepository(database: req.db).objections(involving: all ? nil : actor.unitCode)
    }

    /// `GET /objections[?record=ID]`: the list with each one's possible steps, and the filing form for analysts.
    func index(req: Request) async throws -> View {
        let actor = try req.actor
        let names = try await DisplayNames.load(req)
        let today = req.gongzhi.clock.today()
        return try await req.view.render("objections", ObjectionsPage(
            title: "数据疑义", objections: try await Self.visible(req).map { Self.item($0, actor: actor, names: names, today: today) },
            canFile: actor.principal.has(.analyst),
            kinds: ObjectionKind.allCases.map { NoticeController.UnitOption(code: $0.rawValue, name: $0.chineseName, checked: $0 == .erroneous) },
            recordID: req.query[String.self, at: "record"] ?? ""))
    }

    /// The filing form: every field text, an empty one meaning not given.
    struct FilingForm: Content {
        var kind: String?
        var record_id: String?
        var field: String?
        var submission_id: String?
        var count: String?
        var reason: String?
        var evidence: String?

        var filing: Filing {
            func text(_ s: String?) -> String? { s.map(TextNormalization.trim).flatMap { $0.isEmpty ? nil : $0 } }
            return Filing(kind: text(kind), record_id: text(record_id).flatMap { Int($0) }, field: text(field),
                          submission_id: text(submission_id), count: text(count).flatMap { Int($0) }, reason: reason, evidence: evidence)
        }
    }

    /// `POST /objections`: files an objection from the form.
    func create(req: Request) async throws -> Response {
        _ = try await Self.file(req, try req.content.decode(FilingForm.self).filing)
        return req.redirect(to: "/objections", redirectType: .normal)
    }

    /// `POST /objections/:id/:action` (form `text`, `submission`).
    func act(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let action = req.parameters.get("action") else { throw Abort(.notFound) }
        _ = try await Self.step(req, id: id, action: action, text: (try? req.content.get(String.self, at: "text")) ?? "",
                                submission: try? req.content.get(String.self, at: "submission"))
        return req.redirect(to: "/objections", redirectType: .normal)
    }

    // MARK: API

    static func json(_ o: ObjectionRecord) -> JSONValue {
        .object([("id", .string(o.id?.uuidString.lowercased() ?? "")), ("kind", .string(o.kind)), ("state", .string(o.state)),
                 ("indicator", .string(o.indicatorCode)), ("period", .string(o.period)), ("provider_unit", .string(o.providerUnit)),
                 ("filer_unit", .string(o.filerUnit)), ("submission_id", .string(o.submissionID.uuidString.lowercased())),
                 ("record_id", o.recordID.map { .number(String($0)) } ?? .null), ("field", .optional(o.fieldKey)),
                 ("count", .number(String(o.recordCount))), ("reason", .string(o.reason)), ("evidence", .optional(o.evidence)),
                 ("answer", .optional(o.answer)), ("dispute", .optional(o.dispute)), ("ruling", .optional(o.ruling)),
                 ("correcting_submission_id", .optional(o.correctingSubmissionID?.uuidString.lowercased())),
                 ("filed_at", .string(PlatformClock.iso8601(o.filedAt)))])
    }

    /// `GET /api/v1/objections`.
    func apiIndex(req: Request) async throws -> Response {
        Response.json(.array(try await Self.visible(req).map(Self.json)))
    }

    /// `POST /api/v1/objections` (JSON `kind`, `record_id` + optional `field`, or `submission_id` + `count`; `reason`, `evidence`).
    func apiCreate(req: Request) async throws -> Response {
        Response.json(Self.json(try await Self.file(req, try req.content.decode(Filing.self))), status: .created)
    }

    /// `POST /api/v1/objections/:id/:action` (JSON `text`, `submission_id`).
    func apiAct(req: Request) async throws -> Response {
        struct Body: Content {
            var text: String?
            var submission_id: String?
        }
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let action = req.parameters.get("action") else { throw Abort(.notFound) }
        let body = (try? req.content.decode(Body.self)) ?? Body()
        return Response.json(Self.json(try await Self.step(req, id: id, action: action, text: body.text ?? "", submission: body.submission_id)))
    }
}
