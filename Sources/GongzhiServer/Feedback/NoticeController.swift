import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// Notices to the member units (信息发布, 三(四); issue 13 §5): the info center and the 综合治税办 post them to
/// every unit or chosen ones, each receiving unit's 数据报送员 gets a reminder queued in the outbox, and each
/// user sees the unit's notices — unread ones on the home page.
struct NoticeController: Sendable {
    struct NoticeItem: Encodable {
        var id: String
        var title: String
        var body: String
        var category: String
        var postedAt: String
        var postedBy: String
        var audience: String
        var unread: Bool
    }

    struct NoticePage: Encodable {
        var title: String
        var notice: NoticeItem
    }

    struct UnitOption: Encodable {
        var code: String
        var name: String
        var checked: Bool
    }

    struct NoticesPage: Encodable {
        var title: String
        var notices: [NoticeItem]
        var canPost: Bool
        var error: String?
        var units: [UnitOption]
        var categories: [UnitOption]
        var draftTitle: String
        var draftBody: String
        var toAll: Bool
        var posted: String?
    }

    /// The member units (operators excluded), in catalog order: the notices' possible recipients.
    static func memberUnits(_ req: Request) async throws -> [MemberUnitRecord] {
        try await CatalogRepository(database: req.db).units().filter { !$0.isOperator }
    }

    /// The unit a user's notices are for; `nil` (every notice) for the publishers.
    static func scope(_ req: Request) throws -> String? {
        let principal = try req.actor.principal
        return principal.hasAny(of: RouteAccess.noticePublishers) ? nil : try req.actor.unitCode
    }

    static func items(_ records: [NoticeRecord], read: Set<UUID>, names: DisplayNames, recipients: [UUID: [String]] = [:]) -> [NoticeItem] {
        records.map { n in
            let id = n.id ?? UUID()
            let audience = n.toAll ? "全部成员单位" : (recipients[id] ?? []).map(names.unit).joined(separator: "、")
            return NoticeItem(id: id.uuidString.lowercased(), title: n.title, body: n.body, category: n.noticeCategory.chineseName,
                              postedAt: DisplayNames.time(n.postedAt), postedBy: names.user(n.postedBy), audience: audience,
                              unread: !read.contains(id))
        }
    }

    /// Unread notices of the signed-in user (newest first), for the home page.
    static func unread(_ req: Request, names: DisplayNames, limit: Int = 5) async throws -> [NoticeItem] {
        let repository = NoticeRepository(database: req.db)
        let notices = try await repository.notices(for: try scope(req), limit: 50)
        let read = try await repository.read(by: try req.actor.username, among: notices.compactMap(\.id))
        return Array(items(notices.filter { !read.contains($0.id ?? UUID()) }, read: read, names: names).prefix(limit))
    }

    /// `GET /notices`: the notices the user's unit received (every notice for publishers), with the form to post one.
    func index(req: Request) async throws -> View {
        try await render(req, error: nil, draft: nil)
    }

    func render(_ req: Request, error: String?, draft: (title: String, body: String, category: String, toAll: Bool, units: Set<String>)?,
                posted: String? = nil) async throws -> View {
        let names = try await DisplayNames.load(req)
        let repository = NoticeRepository(database: req.db)
        let notices = try await repository.notices(for: try Self.scope(req))
        let read = try await repository.read(by: try req.actor.username, among: notices.compactMap(\.id))
        var recipients: [UUID: [String]] = [:]
        for n in notices where !n.toAll { if let id = n.id { recipients[id] = try await repository.notice(id)?.units ?? [] } }
        let canPost = try req.actor.principal.hasAny(of: RouteAccess.noticePublishers)
        let units = canPost ? try await Self.memberUnits(req) : []
        return try await req.view.render("notices", NoticesPage(
            title: "通知公告", notices: Self.items(notices, read: read, names: names, recipients: recipients), canPost: canPost, error: error,
            units: units.map { UnitOption(code: $0.code, name: $0.name, checked: draft?.units.contains($0.code) ?? false) },
            categories: Notice.Category.allCases.map { UnitOption(code: $0.rawValue, name: $0.chineseName, checked: $0.rawValue == (draft?.category ?? "general")) },
            draftTitle: draft?.title ?? "", draftBody: draft?.body ?? "", toAll: draft?.toAll ?? true, posted: posted))
    }

    /// The notice posted by a form or a JSON body: `title`, `body`, `category`, and `to_all=1` or `units` (codes).
    static func post(_ req: Request, title: String, body: String, category: String, toAll: Bool, units: [String]) async throws -> (id: UUID, reminders: Int) {
        guard let category = Notice.Category(rawValue: category) else { throw NoticeError.unknownCategory(category) }
        let members = try await Self.memberUnits(req).map(\.code)
        let notice = try Notice(title: title, body: body, category: category, audience: toAll ? .all : .units(units), knownUnits: Set(members))
        let actor = req.auditActor, now = req.gongzhi.clock.now()
        let count: Int
        if case .units(let chosen) = notice.audience { count = chosen.count } else { count = members.count }
        return try await NoticeRepository(database: req.db).post(notice, units: members, by: try req.actor.username, unit: try req.actor.unitCode,
                                                               at: now) { id, reminders in
            actor.event(.notice, AuditTarget(rowCount: count, detail: "notice=\(id.uuidString.lowercased()); units=\(count); reminders=\(reminders)"), at: now)
        }
    }

    struct NoticeForm: Content {
        var title: String?
        var body: String?
        var category: String?
        var to_all: String?
        var units: [String]?
    }

    /// `POST /notices`: posts a notice; a refused one comes back with its message and the typed text kept.
    func create(req: Request) async throws -> Response {
        let form = try req.content.decode(NoticeForm.self)
        let toAll = form.to_all == "1"
        do {
            let (_, reminders) = try await Self.post(req, title: form.title ?? "", body: form.body ?? "", category: form.category ?? "general",
                                                     toAll: toAll, units: form.units ?? [])
            return try await render(req, error: nil, draft: nil, posted: "通知已发布，已为 \(reminders) 个单位的数据报送员生成短信提醒（待短信网关发送）。")
                .encodeResponse(for: req)
        } catch let error as NoticeError {
            return try await render(req, error: error.description,
                                    draft: (form.title ?? "", form.body ?? "", form.category ?? "general", toAll, Set(form.units ?? [])))
                .encodeResponse(status: .badRequest, for: req)
        }
    }

    /// `GET /notices/:id`: one notice; reading it marks it read for the user.
    func show(req: Request) async throws -> View {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let (notice, units) = try await NoticeRepository(database: req.db).notice(id) else { throw Abort(.notFound) }
        if let unit = try Self.scope(req), !notice.toAll, !(units ?? []).contains(unit) { throw Abort(.notFound) }
        try await NoticeRepository(database: req.db).markRead(id, by: try req.actor.username, at: req.gongzhi.clock.now())
        let names = try await DisplayNames.load(req)
        let item = Self.items([notice], read: [id], names: names, recipients: [id: units ?? []])[0]
        return try await req.view.render("notice", NoticePage(title: notice.title, notice: item))
    }

    // MARK: API

    static func json(_ item: NoticeItem, _ record: NoticeRecord, units: [String]?) -> JSONValue {
        .object([("id", .string(item.id)), ("title", .string(record.title)), ("body", .string(record.body)),
                 ("category", .string(record.category)), ("posted_at", .string(PlatformClock.iso8601(record.postedAt))),
                 ("posted_by", .string(record.postedBy)), ("to_all", .bool(record.toAll)),
                 ("units", units.map { .array($0.map(JSONValue.string)) } ?? .null), ("read", .bool(!item.unread))])
    }

    /// `GET /api/v1/notices`: the notices the caller's unit received (every notice for publishers), newest first.
    func apiIndex(req: Request) async throws -> Response {
        let repository = NoticeRepository(database: req.db)
        let notices = try await repository.notices(for: try Self.scope(req))
        let read = try await repository.read(by: try req.actor.username, among: notices.compactMap(\.id))
        let names = try await DisplayNames.load(req)
        var out: [JSONValue] = []
        for n in notices {
            let units = n.toAll ? nil : try await repository.notice(n.id ?? UUID())?.units
            out.append(Self.json(Self.items([n], read: read, names: names)[0], n, units: units))
        }
        return Response.json(.array(out))
    }

    /// `POST /api/v1/notices` (JSON `title`, `body`, `category`, `to_all` or `units`): 201 with the notice's id and
    /// the reminders queued; 400 with the refusal's code.
    func apiCreate(req: Request) async throws -> Response {
        struct Body: Content {
            var title: String?
            var body: String?
            var category: String?
            var to_all: Bool?
            var units: [String]?
        }
        let body = try req.content.decode(Body.self)
        let (id, reminders) = try await Self.post(req, title: body.title ?? "", body: body.body ?? "", category: body.category ?? "general",
                                                  toAll: body.to_all ?? (body.units == nil), units: body.units ?? [])
        return Response.json(.object([("id", .string(id.uuidString.lowercased())), ("reminders", .number(String(reminders)))]), status: .created)
    }

    /// `POST /api/v1/notices/:id/read`: marks the notice read for the caller.
    func apiRead(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let (notice, units) = try await NoticeRepository(database: req.db).notice(id) else { throw Abort(.notFound) }
        if let unit = try Self.scope(req), !notice.toAll, !(units ?? []).contains(unit) { throw Abort(.notFound) }
        try await NoticeRepository(database: req.db).markRead(id, by: try req.actor.username, at: req.gongzhi.clock.now())
        return Response(status: .noContent)
    }

    /// `GET /api/v1/reminders`: reminder messages not yet handed to an SMS gateway (info center), oldest first.
    func apiReminders(req: Request) async throws -> Response {
        let pending = try await NoticeRepository(database: req.db).pendingReminders()
        return Response.json(.array(pending.map { m in
            .object([("id", .string(m.id?.uuidString.lowercased() ?? "")), ("unit", .string(m.unitCode)), ("mobile", .string(m.mobile)),
                     ("text", .string(m.text)), ("reason", .string(m.reason)), ("created_at", .string(PlatformClock.iso8601(m.createdAt)))])
        }))
    }
}
