import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import SQLKit
import Vapor

/// One lead as stored (issue 12 §4): the rule version that found it, its kind, estimate and work, the left
/// record that produced it and the right records it was matched with.
public struct StoredLead: Sendable {
    /// The lead, the rule version and run that found it, its kind and how its sides were joined.
    public var id: Int
    public var ruleCode: String
    public var ruleVersion: Int
    public var runID: Int
    public var kind: TaxLeadKind
    /// Estimated tax in fen (1/100 元).
    public var estimatedTaxFen: Int
    /// Whether the lead was sent to the queue (its rule version active), and the work on it.
    public var sent: Bool
    public var work: TaxLeadWork
    /// The left record (the source record that produced the lead) and the right records, by record id.
    public var leftRecordID: Int
    public var rightRecordIDs: [Int]
    /// The objection filed when the lead was dismissed as 源数据错误, if any.
    public var objectionID: UUID?
    /// When the run found it and when it was last changed.
    public var createdAt: Date
    public var updatedAt: Date
}

extension MatchingService {
    /// Lead `id` as stored, or `nil`.
    public func lead(_ id: Int) async throws -> StoredLead? {
        let sql = try sqlDatabase()
        guard let row = try await sql.raw("""
            SELECT rule_code, rule_version, run_id, kind, estimated_tax_fen, sent, left_record_id, objection_id, created_ms, updated_ms
            FROM match_leads WHERE id = \(bind: id)
            """).first(), let work = try await work(lead: id) else { return nil }
        let rights = try await sql.raw("SELECT record_id FROM match_lead_records WHERE lead_id = \(bind: id) ORDER BY record_id").all()
            .map { try $0.decode(column: "record_id", as: Int.self) }
        func date(_ column: String) throws -> Date {
            Date(timeIntervalSince1970: Double(try row.decode(column: column, as: Int64.self)) / 1000)
        }
        return StoredLead(
            id: id, ruleCode: try row.decode(column: "rule_code", as: String.self),
            ruleVersion: try row.decode(column: "rule_version", as: Int.self), runID: try row.decode(column: "run_id", as: Int.self),
            kind: TaxLeadKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .noMatch,
            estimatedTaxFen: try row.decode(column: "estimated_tax_fen", as: Int.self), sent: try row.decode(column: "sent", as: Bool.self),
            work: work, leftRecordID: try row.decode(column: "left_record_id", as: Int.self), rightRecordIDs: rights,
            objectionID: try row.decode(column: "objection_id", as: UUID?.self),
            createdAt: try date("created_ms"), updatedAt: try date("updated_ms"))
    }

    /// The rule version (`code`, `version`) as stored, or the shipped rule when that version is not stored.
    public func rule(code: String, version: Int) async throws -> MatchRule? {
        if let row = try await sqlDatabase().raw("SELECT definition FROM match_rules WHERE code = \(bind: code) AND version = \(bind: version)").first() {
            return try MatchRule(jsonText: try row.decode(column: "definition", as: String.self))
        }
        return ShippedMatchRules.rule(code: code).flatMap { $0.version == version ? $0 : nil }
    }
}

/// The lead detail page and API (`GET /leads/:id`, `GET /api/v1/leads/:id`, issue 12 §4 and §6).
///
/// Which fields a viewer sees of each side is the query layer's rule for the viewer's unit, applied to the
/// record's indicator and period:
/// - the viewer's unit provided the record → every field in the clear (its own data);
/// - the unit holds an active grant covering the record's period (``Grant/preferred(among:on:covering:)``, as
///   ``SharingService`` picks it) → the grant's fields, masked by ``RecordMasker`` where the grant masks them,
///   fields it does not grant left out;
/// - no such grant (an auditor's unit, or a tax unit before its request was granted) → the terms a 报备式
///   registration would give (``Grant/Terms``): every personal field (``MaskingRule/isPersonal(_:in:)``) masked by
///   its ``MaskingRule`` — identifiers, names, phones, addresses — the rest (dates, amounts, types) in the clear.
///
/// Opening the page is audited (`record_view`, both sides' record ids, `lead=ID`), like a query.
extension LeadController {
    /// One field of one side as the viewer may see it.
    struct FieldView: Encodable {
        var label: String
        var value: String
    }

    /// One side's record: its lineage and its fields.
    struct SideView: Encodable {
        /// 左侧记录… / 右侧记录 n
        var heading: String
        var recordID: Int
        var indicator: String
        var indicatorName: String
        var unit: String
        var unitName: String
        var period: String
        var submissionID: String
        var fileName: String
        var fileSHA256: String
        var sheet: String?
        var row: Int
        var receivedAt: String
        var current: Bool
        var submissionState: String
        /// How the fields are shown: `own` (clear), `grant` (the grant's terms), `default` (personal fields masked).
        var basis: String
        var basisText: String
        var fields: [FieldView]
        /// Field key → shown value (API).
        var values: [String: String]
    }

    struct HistoryRow: Encodable {
        var time: String
        var user: String
        var unit: String
        var action: String
        var detail: String
    }

    struct DetailPage: Encodable {
        var title: String
        var id: Int
        var rule: RuleView
        var ruleCode: String
        var ruleVersion: Int
        var runID: Int
        var kind: String
        var confidence: String
        var estimatedTax: String
        var state: String
        var stateName: String
        var assignee: String
        var matchVerifiedBy: String?
        var matchRejectedBy: String?
        var recovered: String?
        var dismissal: String?
        var dismissalNote: String?
        var objectionID: String?
        var foundAt: String
        var left: SideView
        var right: [SideView]
        /// Left, then right, for the page.
        var sides: [SideView]
        var hasRight: Bool
        var history: [HistoryRow]
        var hasHistory: Bool
        var canWork: Bool
        var awaitsReview: Bool
        var canLineage: Bool
        var taxKinds: [Option]
        var reasons: [Option]
    }

    /// The lead with id `:id`, both sides as the viewer may see them, and its workflow history; audited.
    /// - Throws: 404 for an unknown lead.
    func detail(_ req: Request) async throws -> (page: DetailPage, lead: StoredLead) {
        let actor = try req.actor
        guard let id = req.parameters.get("id").flatMap(Int.init),
              let lead = try await Self.service(req).lead(id) else {
            throw Abort(.notFound, reason: "没有编号为 \(req.parameters.get("id") ?? "") 的线索。")
        }
        let service = Self.service(req)
        var rule = try await service.rule(code: lead.ruleCode, version: lead.ruleVersion)
        if rule == nil { rule = try await service.rule(code: lead.ruleCode) }
        guard let found = rule else { throw Abort(.notFound, reason: "线索所依据的比对规则 \(lead.ruleCode) 第 \(lead.ruleVersion) 版已不存在。") }
        let names = try await DisplayNames.load(req)
        var left = try await Self.side(lead.leftRecordID, viewerUnit: actor.unitCode, names: names, req: req)
        left.heading = "左侧记录（产生线索的记录）"
        var right: [SideView] = []
        for (i, record) in lead.rightRecordIDs.enumerated() {
            var side = try await Self.side(record, viewerUnit: actor.unitCode, names: names, req: req)
            side.heading = "右侧记录 \(i + 1)"
            right.append(side)
        }
        // The workflow: every entry on the left record that names this lead (its steps, the objection it filed).
        let history = try await req.audit.log.entries(touchingRecord: String(lead.leftRecordID)).filter { entry in
            (entry.action == AuditAction.matching.rawValue || entry.action == AuditAction.objection.rawValue) && AuditDetailText.parts(entry.detail ?? "").contains { $0.key == "lead" && $0.value == String(id) }
        }.map { entry in
            HistoryRow(time: DisplayNames.time(milliseconds: entry.timeMilliseconds), user: names.user(entry.userID),
                       unit: names.unit(entry.unitCode), action: entry.auditAction?.chineseName ?? entry.action,
                       detail: AuditDetailText.chinese(entry.detail ?? "", indicator: entry.indicatorCode, names: names))
        }
        try await req.audit.record(.recordView, by: req.auditActor, AuditTarget(
            indicatorCode: left.indicator, recordIDs: ([lead.leftRecordID] + lead.rightRecordIDs).map(String.init),
            rowCount: 1 + lead.rightRecordIDs.count, detail: "lead=\(id);rule=\(lead.ruleCode)"))
        let work = lead.work
        return (DetailPage(
            title: "涉税线索 \(id)", id: id, rule: try await Self.ruleView(found, state: nil, req: req),
            ruleCode: lead.ruleCode, ruleVersion: lead.ruleVersion, runID: lead.runID, kind: lead.kind.chineseName,
            confidence: work.confidence == .nameDivision ? "按名称与信息属地匹配" : "按证件号码匹配",
            estimatedTax: MatchingService.yuan(fen: lead.estimatedTaxFen), state: work.state.rawValue, stateName: work.state.chineseName,
            assignee: work.assignee.map(names.user) ?? "", matchVerifiedBy: work.matchVerifiedBy.map(names.user),
            matchRejectedBy: work.matchRejectedBy.map(names.user),
            recovered: work.recovered.isEmpty ? nil : work.recovered.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { "\($0.key.chineseName) \(NSDecimalNumber(decimal: $0.value).stringValue)" }.joined(separator: "，"),
            dismissal: work.dismissal?.chineseName, dismissalNote: work.dismissalNote,
            objectionID: lead.objectionID?.uuidString.lowercased(), foundAt: DisplayNames.time(lead.createdAt),
            left: left, right: right, sides: [left] + right, hasRight: !right.isEmpty, history: history, hasHistory: !history.isEmpty,
            canWork: actor.principal.hasAny(of: RouteAccess.leadWorkers) && !work.state.isFinal,
            awaitsReview: work.awaitsMatchReview, canLineage: actor.principal.hasAny(of: RouteAccess.lineageReaders),
            taxKinds: TaxKind.allCases.map { Option(code: $0.rawValue, name: $0.chineseName) },
            reasons: DismissalReason.allCases.map { Option(code: $0.rawValue, name: $0.chineseName) }), lead)
    }

    /// Record `id` with its lineage and its fields as a viewer of `viewerUnit` may see them (see the type's
    /// documentation for the rule).
    static func side(_ id: Int, viewerUnit: String, names: DisplayNames, req: Request) async throws -> SideView {
        guard let row = try await RecordQuery.record(id: id, on: req.db),
              let submission = try await SubmissionRecord.find(row.submissionID, on: req.db) else {
            throw Abort(.notFound, reason: "线索所指的记录 \(id) 不存在。")
        }
        let indicator = try await CatalogRepository(database: req.db).currentIndicator(code: submission.indicatorCode)?.indicator
        let stored = try JSONValue.parse(row.values)
        let today = req.gongzhi.clock.today()
        var basis = "default"
        var grant: Grant?
        if submission.unitCode == viewerUnit {
            basis = "own"
        } else if let period = ReportingPeriod(submission.period) {
            let grants = try await SharingRepository(database: req.db).grants(of: viewerUnit, indicator: submission.indicatorCode)
                .sorted { ($0.id?.uuidString ?? "") < ($1.id?.uuidString ?? "") }.compactMap(\.grant)
                .filter { $0.providingUnit == submission.unitCode }
            grant = Grant.preferred(among: grants, on: today, covering: [period])
            if grant != nil { basis = "grant" }
        }
        var fields: [FieldView] = []
        var values: [String: String] = [:]
        guard case .object(let members) = stored else { throw Abort(.internalServerError) }
        var masker: RecordMasker?
        if let grant, let indicator { masker = try RecordMasker(indicator: indicator, grant: grant) }
        for (key, value) in members {
            let field = indicator?.field(key)
            let shown: JSONValue?
            switch basis {
            case "own": shown = value
            case "grant": shown = masker?.value(value, forField: key)
            default:
                if let field, let indicator, MaskingRule.isPersonal(field, in: indicator) {
                    shown = RecordMasker.masked(value, by: MaskingRule.for(field, in: indicator))
                } else {
                    shown = value
                }
            }
            guard let shown else { continue }
            let text: String
            switch shown {
            case .null: text = ""
            case .bool(let b): text = b ? "是" : "否"
            case .number(let n), .string(let n): text = n
            case .array, .object: text = shown.serialized()
            }
            fields.append(FieldView(label: field?.label ?? key, value: text))
            values[key] = text
        }
        let basisText = switch basis {
        case "own": "本单位报送的数据，明文显示"
        case "grant": "按本单位对该数据项的共享授权显示（授权脱敏的字段脱敏，未授权的字段不显示）"
        default: "本单位没有覆盖该报送期的共享授权：个人信息（证件号码、姓名、电话、地址等）脱敏显示"
        }
        return SideView(
            heading: "", recordID: id, indicator: submission.indicatorCode, indicatorName: submission.indicatorName, unit: submission.unitCode,
            unitName: names.unit(submission.unitCode), period: submission.period,
            submissionID: try submission.requireID().uuidString.lowercased(), fileName: submission.fileName,
            fileSHA256: submission.fileSHA256, sheet: row.sheet, row: row.rowNumber, receivedAt: DisplayNames.time(submission.receivedAt),
            current: submission.lifecycleState.isCurrent, submissionState: submission.lifecycleState.chineseName,
            basis: basis, basisText: basisText, fields: fields, values: values)
    }

    /// `GET /leads/:id`: the lead, both sides with their lineage and fields, the rule version, the history.
    func show(req: Request) async throws -> View {
        try await req.view.render("lead", try await detail(req).page)
    }

    /// `GET /api/v1/leads/:id`: `{"id", "rule", "rule_version", "run_id", "kind", "confidence", "estimated_tax",
    /// "state", "assignee", "match_verified_by", "match_rejected_by", "recovered": {tax kind: 元}, "dismissal",
    /// "dismissal_note", "objection_id", "left": SIDE, "right": [SIDE], "history": [{"time", "user", "action",
    /// "detail"}]}`; SIDE is `{"record_id", "indicator", "unit", "period", "submission_id", "file_sha256", "sheet",
    /// "row", "shown_as" (own | grant | default), "values": {FIELD: shown value}}`.
    func apiShow(req: Request) async throws -> Response {
        let (page, lead) = try await detail(req)
        let id = lead.id
        func side(_ s: SideView) -> JSONValue {
            .object([
                ("record_id", .int(s.recordID)), ("indicator", .string(s.indicator)), ("unit", .string(s.unit)),
                ("period", .string(s.period)), ("submission_id", .string(s.submissionID)), ("file_sha256", .string(s.fileSHA256)),
                ("sheet", .optional(s.sheet)), ("row", .int(s.row)), ("shown_as", .string(s.basis)),
                ("values", .object(s.values.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ])
        }
        let work = lead.work
        return Response.json(.object([
            ("id", .int(id)), ("rule", .string(lead.ruleCode)), ("rule_version", .int(lead.ruleVersion)), ("run_id", .int(lead.runID)),
            ("kind", .string(lead.kind.rawValue)), ("confidence", .string(work.confidence.rawValue)),
            ("estimated_tax", .number(MatchingService.yuan(fen: lead.estimatedTaxFen))), ("state", .string(work.state.rawValue)),
            ("assignee", .optional(work.assignee)), ("match_verified_by", .optional(work.matchVerifiedBy)),
            ("match_rejected_by", .optional(work.matchRejectedBy)),
            ("recovered", .object(work.recovered.sorted { $0.key.rawValue < $1.key.rawValue }
                .map { ($0.key.rawValue, .number(NSDecimalNumber(decimal: $0.value).stringValue)) })),
            ("dismissal", .optional(work.dismissal?.rawValue)), ("dismissal_note", .optional(work.dismissalNote)),
            ("objection_id", .optional(lead.objectionID?.uuidString.lowercased())),
            ("left", side(page.left)), ("right", .array(page.right.map(side))),
            ("history", .array(page.history.map { h in
                .object([("time", .string(h.time)), ("user", .string(h.user)), ("action", .string(h.action)), ("detail", .string(h.detail))])
            })),
        ]))
    }
}
