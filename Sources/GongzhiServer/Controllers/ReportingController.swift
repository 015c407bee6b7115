import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore
import Vapor

/// The reporting calendar on the web and over the API: the status board (with its xlsx export), a unit's
/// page (obligations, contacts, incidents) and the task lists.
struct ReportingController: Sendable {
    // MARK: Board

    /// The board's range and filters, from the query string (`from`, `to`, `collection`, `as_of`); by default
    /// the last quarter whose deadlines have all passed or are passing, as of today.
    struct BoardQuery {
        var from: ReportingPeriod
        var to: ReportingPeriod
        var collections: Set<CollectionPeriod>
        var collection: String
        var asOf: CalendarDate

        init(_ req: Request) throws {
            let today = req.gongzhi.clock.today()
            asOf = try req.queryText("as_of").map { try ReportingService.date($0) } ?? today
            let lastQuarter = ReportingPeriod.containing(ReportingPeriod.containing(asOf, collection: .quarterly).firstDay.adding(days: -1)!,
                                                         collection: .quarterly)
            from = try req.queryText("from").map { try ReportingService.period($0) } ?? lastQuarter
            to = try req.queryText("to").map { try ReportingService.period($0) } ?? from
            collection = req.queryText("collection") ?? ""
            if collection.isEmpty {
                collections = Set(CollectionPeriod.allCases)
            } else {
                guard let chosen = CollectionPeriod(rawValue: collection) else { throw ReportingError.unknownCollection(collection) }
                collections = [chosen]
            }
        }
    }

    struct BoardCell: Encodable {
        var code: String
        var label: String
        var present: Bool
    }

    struct BoardLine: Encodable {
        var indicator: String
        var indicatorName: String
        var cells: [BoardCell]
    }

    struct CountsView: Encodable {
        var onTime: Int, late: Int, missed: Int, zeroData: Int, open: Int, due: Int, daysLate: Int
        var rate: String

        init(_ c: StatusCounts) {
            onTime = c.onTime; late = c.late; missed = c.missed; zeroData = c.zeroData; open = c.open; due = c.due
            daysLate = c.daysLate; rate = c.onTimeRateText
        }
    }

    struct BoardUnit: Encodable {
        var unit: String
        var unitName: String
        var span: Int
        var lines: [BoardLine]
        var counts: CountsView
    }

    struct BoardPage: Encodable {
        var title: String
        var from: String
        var to: String
        var collection: String
        var asOf: String
        var columns: [String]
        var units: [BoardUnit]
        var totals: CountsView
        var query: String
    }

    static func cell(_ status: TaskStatus?) -> BoardCell {
        guard let status else { return BoardCell(code: "none", label: "", present: false) }
        return BoardCell(code: status.code, label: status.chineseName, present: true)
    }

    func board(req: Request) async throws -> View {
        let q = try BoardQuery(req)
        let board = try await req.reporting.board(from: q.from, to: q.to, collections: q.collections, asOf: q.asOf)
        let units = board.units.map { u in
            BoardUnit(unit: u.unit, unitName: u.unitName, span: u.lines.count,
                      lines: u.lines.map { BoardLine(indicator: $0.indicator, indicatorName: $0.indicatorName, cells: $0.cells.map(Self.cell)) },
                      counts: CountsView(u.counts))
        }
        var query = URLComponents()
        query.queryItems = [.init(name: "from", value: q.from.description), .init(name: "to", value: q.to.description),
                            .init(name: "collection", value: q.collection), .init(name: "as_of", value: q.asOf.isoString)]
        return try await req.view.render("board", BoardPage(
            title: "报送情况看板", from: q.from.description, to: q.to.description, collection: q.collection, asOf: q.asOf.isoString,
            columns: board.columns.map(\.description), units: units, totals: CountsView(board.totals),
            query: query.percentEncodedQuery ?? ""))
    }

    /// The board as an xlsx workbook: one row per unit and indicator, one column per period, statuses in
    /// Chinese with the same colours as the page, then each unit's counts and on-time rate.
    func boardXLSX(req: Request) async throws -> Response {
        let q = try BoardQuery(req)
        let board = try await req.reporting.board(from: q.from, to: q.to, collections: q.collections, asOf: q.asOf)
        let table = Self.table(board, from: q.from, to: q.to)
        let data = try XlsxTableWriter.workbook(sheet: "报送情况", table: table)
        try await req.audit.record(.export, by: req.auditActor,
                                   AuditTarget(query: req.auditQuery, rowCount: table.rows.count, detail: "board.xlsx"))
        return Response.download(.init(data: data), type: Response.xlsxType, name: "报送情况看板_\(q.from)_\(q.to).xlsx",
                                 fallbackName: "board.xlsx")
    }

    /// The board laid out as a table for export.
    static func table(_ board: StatusBoard, from: ReportingPeriod, to: ReportingPeriod) -> XlsxTableWriter.Table {
        typealias Cell = XlsxTableWriter.Cell
        let header = ["单位", "数据项编码", "数据项"] + board.columns.map(\.description)
            + ["按时", "缓报", "未报", "零数据", "待报", "缓报天数合计", "按时率"]
        var rows: [[Cell]] = []
        for unit in board.units {
            for line in unit.lines {
                rows.append([Cell(unit.unitName), Cell(line.indicator), Cell(line.indicatorName)]
                    + line.cells.map { status in status.map { Cell($0.chineseName, fill: fill(of: $0)) } ?? Cell("") }
                    + Array(repeating: Cell(""), count: 7))
            }
            let c = unit.counts
            rows.append([Cell(unit.unitName, bold: true), Cell("合计", bold: true), Cell("")]
                + Array(repeating: Cell(""), count: board.columns.count)
                + [Cell(number: c.onTime), Cell(number: c.late), Cell(number: c.missed), Cell(number: c.zeroData),
                   Cell(number: c.open), Cell(number: c.daysLate), Cell(c.onTimeRateText, bold: true)])
        }
        let t = board.totals
        rows.append([Cell("全部单位", bold: true), Cell("合计", bold: true), Cell("")]
            + Array(repeating: Cell(""), count: board.columns.count)
            + [Cell(number: t.onTime), Cell(number: t.late), Cell(number: t.missed), Cell(number: t.zeroData),
               Cell(number: t.open), Cell(number: t.daysLate), Cell(t.onTimeRateText, bold: true)])
        return XlsxTableWriter.Table(title: "报送情况看板 \(from)–\(to)（截至 \(board.asOf.isoString)）", header: header, rows: rows)
    }

    static func fill(of status: TaskStatus) -> XlsxTableWriter.Fill {
        switch status {
        case .onTime: .green
        case .late: .amber
        case .missed: .red
        case .zeroData: .blue
        case .open: .grey
        }
    }

    // MARK: Unit page

    struct TaskItem: Encodable {
        var indicator: String
        var indicatorName: String
        var period: String
        var deadline: String
        var code: String
        var label: String
        var submission: String?
    }

    struct ContactItem: Encodable {
        var role: String
        var name: String
        var mobile: String
        var effectiveFrom: String
        var notifiedOn: String
        var notifiedLate: Bool
        var current: Bool
    }

    struct IncidentItem: Encodable {
        var occurredOn: String
        var description: String
        var recordedAt: String
    }

    struct UnitPage: Encodable {
        var title: String
        var unit: String
        var unitName: String
        var today: String
        var overdue: [TaskItem]
        var dueSoon: [TaskItem]
        var tasks: [TaskItem]
        var counts: CountsView
        var contacts: [ContactItem]
        var incidents: [IncidentItem]
        var canRecordIncident: Bool
        var error: String?
    }

    static func item(_ row: ReportingService.TaskRow) -> TaskItem {
        TaskItem(indicator: row.state.task.indicator, indicatorName: row.indicatorName, period: row.state.task.period.description,
                 deadline: row.state.task.deadline.isoString, code: row.state.status.code, label: row.state.status.chineseName,
                 submission: row.current?.id?.uuidString.lowercased())
    }

    /// Days ahead that count as "due soon" on a unit's page.
    static let dueSoonDays = 7

    func unit(req: Request) async throws -> View {
        try await renderUnit(req, error: nil)
    }

    private func renderUnit(_ req: Request, error: String?) async throws -> View {
        guard let code = req.parameters.get("code"), try req.actor.mayRead(unit: code),
              let unit = try await CatalogRepository(database: req.db).unit(code: code) else {
            throw Abort(.notFound)
        }
        let today = req.gongzhi.clock.today()
        // This year's and last year's tasks whose period has begun: what the unit owes and has owed lately.
        let rows = try await req.reporting.tasks(from: .year(today.year - 1), to: .year(today.year), unit: code, asOf: today)
            .filter { $0.state.task.period.firstDay <= today }
        let soon = today.adding(days: Self.dueSoonDays)!
        let history = try await ReportingRepository(database: req.db).contacts(of: code).compactMap(\.contact)
        let current = Set(ContactRole.allCases.compactMap { ContactRules.holder(of: $0, on: today, in: history) }.map {
            "\($0.role.rawValue)|\($0.effectiveFrom)|\($0.name)"
        })
        let contacts = history.reversed().map { c in
            ContactItem(role: c.role.chineseName, name: c.name, mobile: c.mobile ?? "", effectiveFrom: c.effectiveFrom.isoString,
                        notifiedOn: c.notifiedOn.isoString, notifiedLate: c.wasNotifiedLate,
                        current: current.contains("\(c.role.rawValue)|\(c.effectiveFrom)|\(c.name)"))
        }
        let incidents = try await ReportingRepository(database: req.db).incidents(of: code).map {
            IncidentItem(occurredOn: $0.occurredOn, description: $0.description, recordedAt: PlatformClock.display($0.recordedAt))
        }
        return try await req.view.render("unit", UnitPage(
            title: unit.name, unit: code, unitName: unit.name, today: today.isoString,
            overdue: rows.filter { $0.state.status == .missed }.map(Self.item),
            dueSoon: rows.filter { $0.state.status == .open && $0.state.task.deadline <= soon }.map(Self.item),
            tasks: rows.reversed().map(Self.item), counts: CountsView(StatusCounts(rows.map(\.state), asOf: today)),
            contacts: contacts, incidents: incidents, canRecordIncident: try req.actor.principal.has(.admin) && req.actor.unitCode == SubmissionService.proxyUnit,
            error: error))
    }

    /// Records a contact change from the unit page's form, then shows the page again.
    func addContact(req: Request) async throws -> Response {
        let code = req.parameters.get("code") ?? ""
        let mayReadUnit = try req.actor.mayRead(unit: code)
        do {
            let role = ContactRole(rawValue: (try? req.content.get(String.self, at: "role")) ?? "") ?? .reporter
            let contact = UnitContact(unit: code, role: role, name: (try? req.content.get(String.self, at: "name")) ?? "",
                                      mobile: try? req.content.get(String.self, at: "mobile"),
                                      effectiveFrom: try ReportingService.date((try? req.content.get(String.self, at: "effective_from")) ?? ""),
                                      notifiedOn: try ReportingService.date((try? req.content.get(String.self, at: "notified_on")) ?? ""))
            try await req.reporting.recordContact(contact, actingUnit: try req.actor.unitCode)
        } catch let error as ReportingError where mayReadUnit {
            // Shown on the unit's page; a user who may not see that page gets the refusal alone (403).
            return try await renderUnit(req, error: error.message).encodeResponse(status: GongzhiErrorMiddleware.describe(error).status, for: req)
        }
        return req.redirect(to: "/units/\(code)", redirectType: .normal)
    }

    /// Records a contact incident from the unit page's form (info center only).
    func addIncident(req: Request) async throws -> Response {
        let code = req.parameters.get("code") ?? ""
        do {
            try await req.reporting.recordIncident(
                unit: code, occurredOn: try ReportingService.date((try? req.content.get(String.self, at: "occurred_on")) ?? ""),
                description: (try? req.content.get(String.self, at: "description")) ?? "", actingUnit: try req.actor.unitCode)
        } catch let error as ReportingError {
            return try await renderUnit(req, error: error.message).encodeResponse(status: GongzhiErrorMiddleware.describe(error).status, for: req)
        }
        return req.redirect(to: "/units/\(code)", redirectType: .normal)
    }

    // MARK: API

    /// `GET /api/v1/tasks?period=P[&unit=U][&as_of=DATE]`: the tasks inside `period`, as the CLI prints them.
    func apiTasks(req: Request) async throws -> Response {
        guard let text = req.queryText("period") else {
            throw ReportingError.missing("报送期 period（按月 2024-03，按季 2024Q1，按年 2024）")
        }
        let asOf = try req.queryText("as_of").map { try ReportingService.date($0) }
        let rows = try await req.reporting.tasks(within: try ReportingService.period(text), unit: try SubmissionController.listedUnit(req), asOf: asOf)
        return Response.json(.array(rows.map(\.json)))
    }

    /// `GET /api/v1/tasks/overdue?as_of=DATE[&since=P][&unit=U]`: missed tasks.
    func apiOverdue(req: Request) async throws -> Response {
        let asOf = try req.queryText("as_of").map { try ReportingService.date($0) }
        let since = try req.queryText("since").map { try ReportingService.period($0) }
        let rows = try await req.reporting.overdue(asOf: asOf, since: since, unit: try SubmissionController.listedUnit(req))
        return Response.json(.array(rows.map(\.json)))
    }

}

extension Request {
    /// The query parameter `key`, trimmed; `nil` when absent or blank.
    func queryText(_ key: String) -> String? {
        guard let text = query[String.self, at: key]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }
}
