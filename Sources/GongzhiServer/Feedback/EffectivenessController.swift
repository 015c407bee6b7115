import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// Annual effectiveness reports (应用成效报告, issue 13 §3, 附件1 第十二条) on the web and the API: a consuming
/// unit's analysts or head file the report for a year just ended (text, figures, attachments); the 综合治税办
/// grades it 0–5 (数据应用成效); the info center runs the suspension check on demand (it also runs daily).
struct EffectivenessController: Sendable {
    static func service(_ req: Request) -> EffectivenessService { req.application.gongzhi.effectiveness(on: req.db) }

    /// Whether `actor` sees every unit's reports (the 综合治税办, the info center, the city office, auditors).
    static func seesAll(_ actor: Actor) -> Bool { actor.principal.hasAny(of: [Role.coordinator, .admin, .approver, .auditor]) }

    /// The filing as a form (multipart, with `attachments`) or a JSON body gives it (attachments as Vapor `File`
    /// objects, `{"filename": …, "data": base64}`).
    /// `year`, `tax_recovered` and `cases` are text in a form and text or a number in JSON (``TextOrNumber``).
    struct Filing: Content {
        var year: TextOrNumber?
        var text: String?
        var tax_recovered: TextOrNumber?
        var cases: TextOrNumber?
        var other_results: String?
        var attachments: [File]?
    }

    static func file(_ req: Request, _ f: Filing) async throws -> EffectivenessReportRecord {
        let actor = try req.actor
        let yearText = TextNormalization.trim(f.year?.text ?? "")
        guard let year = Int(yearText) else { throw EffectivenessFiling.Problem.badYear(0) }
        let attachments = (f.attachments ?? []).filter { !$0.filename.isEmpty && $0.data.readableBytes > 0 }
            .map { EffectivenessService.Attachment(name: $0.filename, data: Data(buffer: $0.data)) }
        return try await service(req).file(unit: actor.unitCode, year: year, text: f.text ?? "", taxRecovered: f.tax_recovered?.text ?? "",
                                           cases: f.cases?.text ?? "", otherResults: f.other_results ?? "", attachments: attachments, by: req.auditActor)
    }

    /// The reports the user may see: the own unit's, or every unit's for the oversight roles.
    static func visible(_ req: Request) async throws -> [EffectivenessReportRecord] {
        let actor = try req.actor
        return try await EffectivenessRepository(database: req.db).reports(unit: seesAll(actor) ? nil : actor.unitCode)
    }

    static func attachments(_ r: EffectivenessReportRecord) -> [(name: String, sha256: String)] {
        guard case .array(let items)? = try? JSONValue.parse(r.attachments) else { return [] }
        return items.compactMap { item in
            guard case .object(let members) = item,
                  case .string(let name)? = members.first(where: { $0.0 == "name" })?.1,
                  case .string(let sha)? = members.first(where: { $0.0 == "sha256" })?.1 else { return nil }
            return (name, sha)
        }
    }

    // MARK: Pages

    struct AttachmentItem: Encodable {
        var name: String
        var url: String
    }

    struct ReportItem: Encodable {
        var id: String
        var unitName: String
        var year: Int
        var deadline: String
        var late: Bool
        var body: String
        var taxRecovered: String
        var cases: Int
        var otherResults: String
        var attachments: [AttachmentItem]
        var filedAt: String
        var grade: String
        var gradeReason: String
    }

    struct SuspensionItem: Encodable {
        var unitName: String
        var missedYears: String
        var since: String
    }

    struct DueItem: Encodable {
        var year: Int
        var deadline: String
        var overdue: Bool
    }

    struct EffectivenessPage: Encodable {
        var title: String
        var reports: [ReportItem]
        var suspensions: [SuspensionItem]
        var due: [DueItem]
        var years: [Int]
        var canFile: Bool
        var canGrade: Bool
        var canCheck: Bool
        var deadlineText: String
        var message: String?
    }

    /// `GET /reports/effectiveness`: the reports (own unit's, or all), suspensions in force, what the unit owes,
    /// the filing form for a consuming unit's analysts and head, the grading form for the 综合治税办.
    func index(req: Request) async throws -> View {
        let actor = try req.actor
        let names = try await DisplayNames.load(req)
        let service = Self.service(req)
        let today = req.gongzhi.clock.today()
        let repository = EffectivenessRepository(database: req.db)
        let all = Self.seesAll(actor)
        let reports = try await Self.visible(req).map { r in
            let deadline = service.schedule.deadline(for: r.year)
            return ReportItem(
                id: r.id?.uuidString.lowercased() ?? "", unitName: names.unit(r.unitCode), year: r.year, deadline: deadline.isoString,
                late: PlatformClock.day(of: r.filedAt) > deadline, body: r.body, taxRecovered: r.taxRecovered, cases: r.cases,
                otherResults: r.otherResults,
                attachments: Self.attachments(r).map { AttachmentItem(name: $0.name, url: "/reports/effectiveness/\(r.id!.uuidString.lowercased())/attachments/\($0.sha256)") },
                filedAt: DisplayNames.time(r.filedAt), grade: r.grade.map(String.init) ?? "", gradeReason: r.gradeReason ?? "")
        }
        let suspensions = try await repository.activeSuspensions().filter { all || $0.unitCode == actor.unitCode }.map {
            SuspensionItem(unitName: names.unit($0.unitCode), missedYears: $0.years.map(String.init).joined(separator: "、"), since: DisplayNames.time($0.suspendedAt))
        }
        let due = try await service.due(unit: actor.unitCode, today: today).map { DueItem(year: $0.year, deadline: $0.deadline.isoString, overdue: $0.deadline < today) }
        let canFile = actor.principal.hasAny(of: RouteAccess.reportFilers)
        let last = EffectivenessSchedule.latestReportableYear(today: today)
        return try await req.view.render("effectiveness", EffectivenessPage(
            title: "应用成效报告", reports: reports, suspensions: suspensions, due: due, years: Array((last - 2...last).reversed()),
            canFile: canFile, canGrade: actor.principal.has(.coordinator), canCheck: actor.principal.has(.admin),
            deadlineText: "每年 \(service.schedule.month) 月 \(service.schedule.day) 日前报送上一年度的报告",
            message: req.query[String.self, at: "message"]))
    }

    /// `POST /reports/effectiveness` (multipart: `year`, `text`, `tax_recovered`, `cases`, `other_results`, `attachments`).
    func create(req: Request) async throws -> Response {
        _ = try await Self.file(req, try req.content.decode(Filing.self))
        return req.redirect(to: "/reports/effectiveness", redirectType: .normal)
    }

    /// `POST /reports/effectiveness/:id/grade` (form `grade`, `reason`).
    func grade(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        _ = try await Self.service(req).grade(id, gradeText: (try? req.content.get(String.self, at: "grade")) ?? "",
                                              reason: (try? req.content.get(String.self, at: "reason")) ?? "", by: req.auditActor)
        return req.redirect(to: "/reports/effectiveness", redirectType: .normal)
    }

    /// `GET /reports/effectiveness/:id/attachments/:sha256`: one attachment, to its unit and the oversight roles.
    func attachment(req: Request) async throws -> Response {
        let actor = try req.actor
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let sha = req.parameters.get("sha256"),
              let report = try await EffectivenessRepository(database: req.db).report(id),
              Self.seesAll(actor) || report.unitCode == actor.unitCode,
              let item = Self.attachments(report).first(where: { $0.sha256 == sha }) else { throw Abort(.notFound) }
        let data = try Data(contentsOf: req.gongzhi.files.url(for: item.sha256))
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = .binary
        let encoded = item.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "attachment"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename*=UTF-8''\(encoded)")
        return response
    }

    /// `POST /reports/check` (form `as_of`, optional): runs the suspension check now.
    func check(req: Request) async throws -> Response {
        let findings = try await Self.runCheck(req, asOf: try? req.content.get(String.self, at: "as_of"))
        let text = "检查完成：暂停 \(findings.filter { if case .suspend = $0.change { true } else { false } }.count) 个单位，恢复 \(findings.filter { $0.change == .reinstate }.count) 个单位。"
        var c = URLComponents()
        c.queryItems = [.init(name: "message", value: text)]
        return req.redirect(to: "/reports/effectiveness?" + (c.percentEncodedQuery ?? ""), redirectType: .normal)
    }

    static func runCheck(_ req: Request, asOf: String?) async throws -> [EffectivenessService.Finding] {
        let day = try asOf.map(TextNormalization.trim).flatMap { $0.isEmpty ? nil : $0 }.map { try ReportingService.date($0) }
        return try await service(req).check(asOf: day, by: req.auditActor)
    }

    // MARK: API

    static func json(_ r: EffectivenessReportRecord) -> JSONValue {
        .object([("id", .string(r.id?.uuidString.lowercased() ?? "")), ("unit", .string(r.unitCode)), ("year", .number(String(r.year))),
                 ("text", .string(r.body)), ("tax_recovered", .number(r.taxRecovered)), ("cases", .number(String(r.cases))),
                 ("other_results", .string(r.otherResults)),
                 ("attachments", .array(attachments(r).map { .object([("name", .string($0.name)), ("sha256", .string($0.sha256))]) })),
                 ("filed_by", .string(r.filedBy)), ("filed_at", .string(PlatformClock.iso8601(r.filedAt))),
                 ("grade", r.grade.map { .number(String($0)) } ?? .null), ("grade_reason", .optional(r.gradeReason))])
    }

    /// `GET /api/v1/effectiveness-reports`: `{"reports": […], "suspensions": [{unit, missed_years, since}]}`.
    func apiIndex(req: Request) async throws -> Response {
        let actor = try req.actor
        let suspensions = try await EffectivenessRepository(database: req.db).activeSuspensions()
            .filter { Self.seesAll(actor) || $0.unitCode == actor.unitCode }
        return Response.json(.object([
            ("reports", .array(try await Self.visible(req).map(Self.json))),
            ("suspensions", .array(suspensions.map { .object([("unit", .string($0.unitCode)), ("missed_years", .array($0.years.map { .number(String($0)) })),
                                                              ("since", .string(PlatformClock.iso8601($0.suspendedAt)))]) })),
        ]))
    }

    /// `POST /api/v1/effectiveness-reports` (JSON or multipart: `year`, `text`, `tax_recovered`, `cases`, `other_results`, `attachments`).
    func apiCreate(req: Request) async throws -> Response {
        Response.json(Self.json(try await Self.file(req, try req.content.decode(Filing.self))), status: .created)
    }

    /// `POST /api/v1/effectiveness-reports/:id/grade` (JSON `grade` 0–5, `reason`).
    func apiGrade(req: Request) async throws -> Response {
        struct Body: Content {
            var grade: Int?
            var reason: String?
        }
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let body = (try? req.content.decode(Body.self)) ?? Body()
        return Response.json(Self.json(try await Self.service(req).grade(id, gradeText: body.grade.map(String.init) ?? "",
                                                                         reason: body.reason ?? "", by: req.auditActor)))
    }

    /// `POST /api/v1/reports/check` (JSON `as_of`, optional): the changes made, `[{unit, change, missed_years}]`.
    func apiCheck(req: Request) async throws -> Response {
        struct Body: Content { var as_of: String? }
        let body = (try? req.content.decode(Body.self)) ?? Body()
        return Response.json(.array(try await Self.runCheck(req, asOf: body.as_of).map(EffectivenessService.json)))
    }
}
