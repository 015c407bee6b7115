import Fluent
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// The year-end security checks (年底安全检查, 附件1 第十八条; issue 14 §2): the 综合治税办 records each unit's
/// check (checklist, findings, deadline to fix, result) on `/assessment/security-checks` or through
/// `POST /api/v1/assessment/security-checks`; the assessment's readers see every unit's newest check of a
/// year, and each unit's scorecard page shows it. Every recording is audit-logged (考核评分).
struct SecurityCheckController {
    /// What a recording asks for, from a form or JSON.
    struct Input: Content {
        var unit: String
        var year: Int?
        var failedItems: [String]?
        var findings: String?
        var fixDeadline: String?
        var result: String

        enum CodingKeys: String, CodingKey {
            case unit, year, findings, result
            case failedItems = "failed_items"
            case fixDeadline = "fix_deadline"
        }
    }

    /// A check as the API answers it.
    struct CheckResponse: Content {
        var id: String
        var unit: String
        var year: Int
        var failedItems: [String]
        var findings: String
        var fixDeadline: String?
        var result: String
        var checkedOn: String
        var recordedBy: String

        enum CodingKeys: String, CodingKey {
            case id, unit, year, findings, result
            case failedItems = "failed_items"
            case fixDeadline = "fix_deadline"
            case checkedOn = "checked_on"
            case recordedBy = "recorded_by"
        }

        init(_ r: SecurityCheckRecord) {
            id = r.id?.uuidString.lowercased() ?? ""
            unit = r.unitCode
            year = r.year
            failedItems = SecurityCheck.items(fromCodes: r.failedItems).map(\.rawValue)
            findings = r.findings
            fixDeadline = r.fixDeadline
            result = r.result
            checkedOn = r.checkedOn
            recordedBy = r.recordedBy
        }
    }

    /// The year asked for (`?year=`), else the current year.
    static func year(_ req: Request) throws -> Int {
        guard let text = req.query[String.self, at: "year"], !text.isEmpty else { return req.gongzhi.clock.today().year }
        guard let year = Int(text), (2000...2100).contains(year) else {
            throw Abort(.badRequest, reason: SecurityCheck.Problem.badYear(text).message)
        }
        return year
    }

    /// Validates and stores `input` with its audit entry, in one transaction.
    /// - Throws: `Abort(.badRequest)` with the Chinese reason (unknown unit, item or result; a ``SecurityCheck/Problem``).
    static func record(_ req: Request, _ input: Input) async throws -> SecurityCheckRecord {
        let catalog = try await req.reporting.catalog()
        guard catalog.units.contains(where: { $0.code == input.unit }) else {
            throw Abort(.badRequest, reason: "请选择一个成员单位。")
        }
        guard let result = SecurityCheck.Result(rawValue: input.result) else {
            throw Abort(.badRequest, reason: "检查结论应为“通过”或“不通过”。")
        }
        var items: [SecurityCheck.Item] = []
        for code in input.failedItems ?? [] where !code.isEmpty {
            guard let item = SecurityCheck.Item(rawValue: code) else { throw Abort(.badRequest, reason: "没有这个检查项目：\(code)。") }
            items.append(item)
        }
        var deadline: CalendarDate? = nil
        if let text = input.fixDeadline?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let date = CalendarDate(iso: text) else { throw Abort(.badRequest, reason: "整改期限应写成 2027-03-31 的形式。") }
            deadline = date
        }
        let today = req.gongzhi.clock.today()
        let check: SecurityCheck
        do {
            check = try SecurityCheck(unitCode: input.unit, year: input.year ?? today.year, failedItems: items, findings: input.findings ?? "",
                                      fixDeadline: deadline, result: result, checkedOn: today)
        } catch {
            throw Abort(.badRequest, reason: error.message)
        }
        let actor = req.auditActor
        let record = SecurityCheckRecord(check, recordedBy: actor.user, recordedAt: req.gongzhi.clock.now())
        let audit = req.audit
        try await SQLiteWriteGate.transaction(on: req.db, lockTable: AuditEntryRecord.schema) { db in
            try await record.create(on: db)
            _ = try await audit.record(.assessment, by: actor, AuditTarget(
                detail: "security_check unit=\(check.unitCode) year=\(check.year) result=\(check.result.rawValue)"
                    + (check.failedItems.isEmpty ? "" : " failed=\(check.failedItemCodes)")
                    + (check.fixDeadline.map { " fix_by=\($0)" } ?? "")), on: db)
        }
        return record
    }

    // MARK: Page

    struct ItemOption: Encodable { var code: String; var name: String }
    struct UnitRow: Encodable {
        var code: String
        var name: String
        var result: String?
        var failed: Bool
        var failedItems: String
        var findings: String
        var fixDeadline: String
        var checkedOn: String
        var recordedBy: String
    }
    struct Page: Encodable {
        var title: String
        var year: Int
        var rows: [UnitRow]
        var checked: Int
        var failedCount: Int
        var canRecord: Bool
        var items: [ItemOption]
        var units: [ItemOption]
        var notice: String?
        var error: String?
    }

    /// `GET /assessment/security-checks?year=2026`.
    func page(req: Request) async throws -> Response {
        try await render(req, year: try Self.year(req))
    }

    func render(_ req: Request, year: Int, notice: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let catalog = try await req.reporting.catalog()
        let names = try await DisplayNames.load(req)
        let latest = try await SecurityCheckRecord.latest(year: year, on: req.db)
        let rows = catalog.units.map { unit -> UnitRow in
            guard let r = latest[unit.code] else {
                return UnitRow(code: unit.code, name: unit.name, result: nil, failed: false, failedItems: "", findings: "", fixDeadline: "",
                               checkedOn: "", recordedBy: "")
            }
            return UnitRow(code: unit.code, name: unit.name, result: SecurityCheck.Result(rawValue: r.result)?.chineseName ?? r.result,
                           failed: r.result == SecurityCheck.Result.fail.rawValue,
                           failedItems: SecurityCheck.items(fromCodes: r.failedItems).map(\.chineseName).joined(separator: "；"),
                           findings: r.findings, fixDeadline: r.fixDeadline ?? "", checkedOn: r.checkedOn, recordedBy: names.user(r.recordedBy))
        }
        let page = Page(title: "年底安全检查", year: year, rows: rows, checked: latest.count,
                        failedCount: latest.values.filter { $0.result == SecurityCheck.Result.fail.rawValue }.count,
                        canRecord: (try? req.actor.principal.hasAny(of: RouteAccess.securityCheckers)) ?? false,
                        items: SecurityCheck.Item.allCases.map { ItemOption(code: $0.rawValue, name: $0.chineseName) },
                        units: catalog.units.map { ItemOption(code: $0.code, name: $0.name) }, notice: notice, error: error)
        return try await req.view.render("security-checks", page).encodeResponse(status: status, for: req)
    }

    /// `POST /assessment/security-checks` (form: `unit`, `year`, `failed_<item>`, `findings`, `fix_deadline`,
    /// `result`): records a check and shows the page again.
    func recordForm(req: Request) async throws -> Response {
        func field(_ key: String) -> String { (try? req.content.get(String.self, at: key)) ?? "" }
        let year = Int(field("year")) ?? req.gongzhi.clock.today().year
        let input = Input(unit: field("unit"), year: year,
                          failedItems: SecurityCheck.Item.allCases.filter { !field("failed_\($0.rawValue)").isEmpty }.map(\.rawValue),
                          findings: field("findings"), fixDeadline: field("fix_deadline"), result: field("result"))
        do {
            let record = try await Self.record(req, input)
            let names = try await DisplayNames.load(req)
            return try await render(req, year: record.year,
                                    notice: "已记录\(names.unit(record.unitCode)) \(record.year) 年底安全检查：\(SecurityCheck.Result(rawValue: record.result)?.chineseName ?? "")。")
        } catch let abort as Abort where abort.status == .badRequest {
            return try await render(req, year: year, error: abort.reason, status: .badRequest)
        }
    }

    // MARK: API

    /// `GET /api/v1/assessment/security-checks?year=2026`: every check of the year, oldest first.
    func list(req: Request) async throws -> [CheckResponse] {
        let year = try Self.year(req)
        return try await SecurityCheckRecord.query(on: req.db).filter(\.$year == year).sort(\.$recordedAt).all().map(CheckResponse.init)
    }

    /// `POST /api/v1/assessment/security-checks` with JSON ``Input``: 201 and the stored check.
    func create(req: Request) async throws -> Response {
        let input: Input
        do { input = try req.content.decode(Input.self) } catch {
            throw Abort(.badRequest, reason: "请求体应为 JSON：unit、year、failed_items、findings、fix_deadline、result。")
        }
        let record = try await Self.record(req, input)
        return try await CheckResponse(record).encodeResponse(status: .created, for: req)
    }
}
