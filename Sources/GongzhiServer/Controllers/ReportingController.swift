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
        /// How the units are ordered: ``BoardSort`` (`rate`, the ranking, by default).
        var sort: BoardSort
        /// The page of units whose task grid is shown, from 1.
        var page: Int

        init(_ req: Request) throws {
            let today = req.gongzhi.clock.today()
            asOf = try req.queryText("as_of").map { try ReportingService.date($0) } ?? today
            from = try req.queryText("from").map { try ReportingService.period($0) } ?? Self.lastQuarter(asOf)
            sort = req.queryText("sort").flatMap(BoardSort.init(rawValue:)) ?? .rate
            page = max(req.query[Int.self, at: "page"] ?? 1, 1)
            to = try req.queryText("to").map { try ReportingService.period($0) } ?? from
            collection = req.queryText("collection") ?? ""
            if collection.isEmpty {
                collections = Set(CollectionPeriod.allCases)
            } else {
                guard let chosen = CollectionPeriod(rawValue: collection) else { throw ReportingError.unknownCollection(collection) }
                collections = [chosen]
            }
        }

        /// The last quarter whose deadlines have all passed or are passing on `day`: the one before `day`'s.
        static func lastQuarter(_ day: CalendarDate) -> ReportingPeriod {
            ReportingPeriod.containing(ReportingPeriod.containing(day, collection: .quarterly).firstDay.adding(days: -1)!, collection: .quarterly)
        }

        /// The query string with `sort` and `page` as given (the others as asked), for links.
        func link(sort: BoardSort? = nil, page: Int? = nil) -> String {
            var c = URLComponents()
            c.queryItems = [.init(name: "from", value: from.description), .init(name: "to", value: to.description),
                            .init(name: "collection", value: collection), .init(name: "as_of", value: asOf.isoString),
                            .init(name: "sort", value: (sort ?? self.sort).rawValue), .init(name: "page", value: String(page ?? self.page))]
            return c.percentEncodedQuery ?? ""
        }
    }

    /// The orders of the board's units: by on-time rate (the ranking), by name (catalog order), by most missed,
    /// by most days late.
    enum BoardSort: String, CaseIterable {
        case rate, name, missed, late

        var chineseName: String {
            switch self {
            case .rate: "按时率排名"
            case .name: "单位顺序"
            case .missed: "未报最多"
            case .late: "缓报天数最多"
            }
        }
    }

    /// Units of the task grid per board page.
    static let boardPageSize = 10

    /// `units` ranked by on-time rate, best first: a higher rate first, then fewer days late, then fewer missed;
    /// units with nothing due yet last. Equal keys share a rank (1, 2, 2, 4…). Returns each unit's rank by code.
    static func ranks(_ units: [StatusBoard.UnitRow]) -> [String: Int] {
        func key(_ c: StatusCounts) -> (Double, Int, Int) { (-(c.onTimeRate ?? -1), c.daysLate, c.missed) }
        let ordered = units.sorted { key($0.counts) < key($1.counts) }
        var out: [String: Int] = [:]
        for (i, u) in ordered.enumerated() {
            if i > 0, key(ordered[i - 1].counts) == key(u.counts) { out[u.unit] = out[ordered[i - 1].unit] } else { out[u.unit] = i + 1 }
        }
        return out
    }

    /// `units` in the order `sort` asks for; ties keep the catalog order.
    static func sorted(_ units: [StatusBoard.UnitRow], by sort: BoardSort, ranks: [String: Int]) -> [StatusBoard.UnitRow] {
        let position = Dictionary(units.enumerated().map { ($1.unit, $0) }, uniquingKeysWith: { a, _ in a })
        func pos(_ u: StatusBoard.UnitRow) -> Int { position[u.unit] ?? 0 }
        return switch sort {
        case .name: units
        case .rate: units.sorted { (ranks[$0.unit] ?? .max, pos($0)) < (ranks[$1.unit] ?? .max, pos($1)) }
        case .missed: units.sorted { (-$0.counts.missed, pos($0)) < (-$1.counts.missed, pos($1)) }
        case .late: units.sorted { (-$0.counts.daysLate, pos($0)) < (-$1.counts.daysLate, pos($1)) }
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
        var rank: Int
        var span: Int
        var lines: [BoardLine]
        var counts: CountsView
        /// 错(漏)报率 over the board's periods (``ErrorRate``).
        var errorRate: String = "—"
    }

    struct SortLink: Encodable {
        var label: String
        var query: String
        var current: Bool
    }

    struct BoardPage: Encodable {
        var title: String
        var from: String
        var to: String
        var collection: String
        var asOf: String
        var columns: [String]
        /// Every unit, one row each, in the chosen order (the ranking by default).
        var ranking: [BoardUnit]
        /// The units of this page, with their task grid.
        var units: [BoardUnit]
        var totals: CountsView
        /// The city's 错(漏)报率 over the same periods.
        var totalErrorRate: String
        var query: String
        var sorts: [SortLink]
        var sortName: String
        var chart: String
        var page: Int
        var pages: Int
        var previous: String?
        var next: String?
    }

    static func cell(_ status: TaskStatus?) -> BoardCell {
        guard let status else { return BoardCell(code: "none", label: "", present: false) }
        return BoardCell(code: status.code, label: status.chineseName, present: true)
    }

    func board(req: Request) async throws -> View {
        let q = try BoardQuery(req)
        let board = try await req.reporting.board(from: q.from, to: q.to, collections: q.collections, asOf: q.asOf)
        let ranks = Self.ranks(board.units)
        let ordered = Self.sorted(board.units, by: q.sort, ranks: ranks)
        let errorRates = try await ErrorRates.of(units: nil, from: q.from, to: q.to, on: req.db)
        let units = ordered.map { u in
            BoardUnit(unit: u.unit, unitName: u.unitName, rank: ranks[u.unit] ?? 0, span: u.lines.count,
                      lines: u.lines.map { BoardLine(indicator: $0.indicator, indicatorName: $0.indicatorName, cells: $0.cells.map(Self.cell)) },
                      counts: CountsView(u.counts), errorRate: errorRates[u.unit]?.text ?? "—")
        }
        let cityErrors = errorRates.values.reduce(ErrorRate()) {
            ErrorRate(rowsSubmitted: $0.rowsSubmitted + $1.rowsSubmitted, rowsRejected: $0.rowsRejected + $1.rowsRejected,
                      upheldObjectionRecords: $0.upheldObjectionRecords + $1.upheldObjectionRecords)
        }
        let pages = max((units.count + Self.boardPageSize - 1) / Self.boardPageSize, 1)
        let page = min(q.page, pages)
        var query = URLComponents()
        query.queryItems = [.init(name: "from", value: q.from.description), .init(name: "to", value: q.to.description),
                            .init(name: "collection", value: q.collection), .init(name: "as_of", value: q.asOf.isoString)]
        let byRate = Self.sorted(board.units, by: .rate, ranks: ranks).filter { $0.counts.onTimeRate != nil }
        let chart = SVGChart(
            title: "各单位按时率排名（\(q.from)–\(q.to)，截至 \(q.asOf.isoString)）",
            series: [.init("按时率", color: SVGChart.Palette.green)],
            bars: byRate.map { u in
                .init(label: "\(ranks[u.unit] ?? 0). \(u.unitName)", value: (u.counts.onTimeRate ?? 0) * 100,
                      note: u.counts.onTimeRateText, link: "/units/\(u.unit)?as_of=\(q.asOf.isoString)")
            },
            scaleMax: 100, unit: "%").svg()
        return try await req.view.render("board", BoardPage(
            title: "报送情况看板", from: q.from.description, to: q.to.description, collection: q.collection, asOf: q.asOf.isoString,
            columns: board.columns.map(\.description), ranking: units,
            units: Array(units.dropFirst((page - 1) * Self.boardPageSize).prefix(Self.boardPageSize)),
            totals: CountsView(board.totals), totalErrorRate: cityErrors.text, query: query.percentEncodedQuery ?? "",
            sorts: BoardSort.allCases.map { SortLink(label: $0.chineseName, query: q.link(sort: $0, page: 1), current: $0 == q.sort) },
            sortName: q.sort.chineseName, chart: chart, page: page, pages: pages,
            previous: page > 1 ? q.link(page: page - 1) : nil, next: page < pages ? q.link(page: page + 1) : nil))
    }

    /// The board as an xlsx workbook: one row per unit and indicator, one column per period, statuses in
    /// Chinese with the same colours as the page, then each unit's counts and on-time rate.
    func boardXLSX(req: Request) async throws -> Response {
        let q = try BoardQuery(req)
        let board = try await req.reporting.board(from: q.from, to: q.to, collections: q.collections, asOf: q.asOf)
        return try await req.xlsxExport(Self.table(board, from: q.from, to: q.to), sheet: "报送情况",
                                        name: "报送情况看板_\(q.from)_\(q.to).xlsx", fallbackName: "board.xlsx", detail: "board.xlsx")
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

    /// A unit's overdue tasks of one indicator, in one line: how many periods, which, and how long overdue.
    struct OverdueGroup: Encodable {
        var indicator: String
        var indicatorName: String
        var count: Int
        /// The periods, the first few and the last: `2025-01、2025-02、2025-03 … 2026-10`.
        var periods: String
        /// The most recent overdue period (the one a clerk files first).
        var latestPeriod: String
        var mostDaysOverdue: Int
        var leastDaysOverdue: Int
    }

    /// Missed tasks grouped by indicator, in task (catalog) order; days overdue counted from each deadline to `today`.
    static func overdueGroups(_ missed: [ReportingService.TaskRow], today: CalendarDate) -> [OverdueGroup] {
        var order: [String] = []
        var byIndicator: [String: [ReportingService.TaskRow]] = [:]
        for row in missed {
            if byIndicator[row.state.task.indicator] == nil { order.append(row.state.task.indicator) }
            byIndicator[row.state.task.indicator, default: []].append(row)
        }
        return order.map { code in
            let rows = byIndicator[code]!.sorted { $0.state.task.period < $1.state.task.period }
            let periods = rows.map(\.state.task.period.description)
            let shown = periods.count > 4 ? periods.prefix(3).joined(separator: "、") + " … " + periods.last! : periods.joined(separator: "、")
            let days = rows.map { today.daysSinceEpoch - $0.state.task.deadline.daysSinceEpoch }
            return OverdueGroup(indicator: code, indicatorName: rows[0].indicatorName, count: rows.count, periods: shown,
                                latestPeriod: periods.last!, mostDaysOverdue: days.max() ?? 0, leastDaysOverdue: days.min() ?? 0)
        }
    }

    /// A unit's row of the board beside the city's totals, for one quarter, with a chart of the two rates.
    struct Comparison: Encodable {
        var period: String
        var unitName: String
        var own: CountsView
        var city: CountsView
        var chart: String
    }

    /// The comparison of `unit` with the whole city over the last quarter whose deadlines have passed as of `asOf`
    /// (the board's default quarter).
    static func comparison(_ req: Request, unit: String, asOf: CalendarDate, names: DisplayNames) async throws -> Comparison {
        let quarter = BoardQuery.lastQuarter(asOf)
        let board = try await req.reporting.board(from: quarter, to: quarter, asOf: asOf)
        let own = board.units.first { $0.unit == unit }?.counts ?? StatusCounts()
        let unitName = names.unit(unit)
        let chart = SVGChart(
            title: "\(quarter) 按时率：本单位与全市", series: [.init("按时率", color: SVGChart.Palette.green)],
            bars: [.init(label: unitName, value: (own.onTimeRate ?? 0) * 100, note: own.onTimeRateText),
                   .init(label: "全市", value: (board.totals.onTimeRate ?? 0) * 100, note: board.totals.onTimeRateText)],
            scaleMax: 100, unit: "%", width: 560).svg()
        return Comparison(period: quarter.description, unitName: unitName, own: CountsView(own), city: CountsView(board.totals), chart: chart)
    }

    struct UnitPage: Encodable {
        var title: String
        var unit: String
        var unitName: String
        var today: String
        var asOf: String
        var from: String
        var to: String
        var overdue: [OverdueGroup]
        var overdueTotal: Int
        var dueSoon: [TaskItem]
        var columns: [String]
        var lines: [BoardLine]
        var counts: CountsView
        /// 错(漏)报率 over the grid's periods, and how it is made up.
        var errorRate: String
        var errorDetail: String
        var comparison: Comparison
        var chart: String
        var page: Int
        var pages: Int
        var previous: String?
        var next: String?
        var contacts: [ContactItem]
        var incidents: [IncidentItem]
        var canRecordIncident: Bool
        /// Whether the user may upload (links to file a task are shown only then).
        var canUpload: Bool
        var error: String?
        /// What the unit's data yielded in cross-matching, per indicator (issue 12 §5), and the year's tax
        /// recovered with the unit's 特别贡献 place; counts and amounts only.
        var yields: [YieldRow]
        var hasYields: Bool
        var yearRecovered: String
        var contributionRank: Int?
        var year: Int
        /// The suspension of the unit's sharing in force (附件1 第十二条), as a sentence; `nil` when none.
        var suspension: String?
        /// Every suspension and reinstatement, newest first.
        var suspensions: [SuspensionLine]
        /// The unit's effectiveness reports, newest year first.
        var effectiveness: [EffectivenessLine]
        /// The tax bureaus' quality ratings of the unit's data (数据使用质量报告), newest quarter first.
        var qualityRatings: [RatingLine]
    }

    /// One indicator's line of the 数据应用成效 table.
    struct YieldRow: Encodable {
        var indicator: String
        var indicatorName: String
        var produced: Int
        var confirmed: Int
        var recovered: String
    }

    struct RatingLine: Encodable {
        var quarter: String
        var rater: String
        var score: Int
        var comment: String
    }

    struct SuspensionLine: Encodable {
        var missedYears: String
        var suspendedAt: String
        var reinstatedAt: String
        var reason: String
    }

    struct EffectivenessLine: Encodable {
        var year: Int
        var taxRecovered: String
        var cases: Int
        var filedAt: String
        var grade: String
    }

    static func item(_ row: ReportingService.TaskRow) -> TaskItem {
        TaskItem(indicator: row.state.task.indicator, indicatorName: row.indicatorName, period: row.state.task.period.description,
                 deadline: row.state.task.deadline.isoString, code: row.state.status.code, label: row.state.status.chineseName,
                 submission: row.current?.id?.uuidString.lowercased())
    }

    /// Days ahead that count as "due soon" on a unit's page.
    static let dueSoonDays = 7
    /// Indicators per page of a unit's task grid.
    static let unitPageSize = 15

    func unit(req: Request) async throws -> View {
        try await renderUnit(req, error: nil)
    }

    /// The quarter `n` quarters before `period`'s quarter.
    static func quarter(_ n: Int, before day: CalendarDate) -> ReportingPeriod {
        guard case .quarter(let y, let q) = ReportingPeriod.containing(day, collection: .quarterly) else { fatalError("a quarter") }
        let index = y * 4 + (q - 1) - n
        return .quarter(year: index / 4, quarter: index % 4 + 1)
    }

    /// The month-by-month record of `rows`: per month of `from`...`to`, the tasks whose period ends in that month,
    /// stacked by status.
    static func monthlyChart(_ rows: [ReportingService.TaskRow], from: ReportingPeriod, to: ReportingPeriod, asOf: CalendarDate) -> String {
        let statuses: [(String, String, (TaskStatus) -> Bool)] = [
            ("按时", SVGChart.Palette.green, { $0 == .onTime }), ("零数据", SVGChart.Palette.blue, { if case .zeroData = $0 { true } else { false } }),
            ("缓报", SVGChart.Palette.amber, { if case .late = $0 { true } else { false } }), ("未报", SVGChart.Palette.red, { $0 == .missed }),
            ("待报", SVGChart.Palette.grey, { $0 == .open }),
        ]
        var months: [ReportingPeriod] = []
        var m = ReportingPeriod.containing(from.firstDay, collection: .monthly)
        while m.firstDay <= to.lastDay && m.firstDay <= asOf {
            months.append(m)
            m = m.next
        }
        let byMonth = Dictionary(grouping: rows) { ReportingPeriod.containing($0.state.task.period.lastDay, collection: .monthly) }
        return SVGChart(
            title: "逐月报送情况（按报送期末月，截至 \(asOf.isoString)）", orientation: .vertical,
            series: statuses.map { SVGChart.Series($0.0, color: $0.1) },
            bars: months.map { month in
                let states = (byMonth[month] ?? []).map(\.state.status)
                return SVGChart.Bar(label: month.description, values: statuses.map { s in Double(states.filter(s.2).count) })
            },
            unit: "项", width: 760).svg()
    }

    private func renderUnit(_ req: Request, error: String?) async throws -> View {
        guard let code = req.parameters.get("code"), try req.actor.mayRead(unit: code),
              let unit = try await CatalogRepository(database: req.db).unit(code: code) else {
            throw Abort(.notFound)
        }
        let today = req.gongzhi.clock.today()
        let asOf = try req.queryText("as_of").map { try ReportingService.date($0) } ?? today
        // By default the quarter of `as_of` and the three before it: a year of months, one screen wide.
        let from = try req.queryText("from").map { try ReportingService.period($0) } ?? Self.quarter(3, before: asOf)
        let to = try req.queryText("to").map { try ReportingService.period($0) } ?? ReportingPeriod.containing(asOf, collection: .quarterly)
        let names = try await DisplayNames.load(req)
        // Tasks whose period has begun by `as_of`: what the unit owed then.
        let rows = try await req.reporting.tasks(from: from, to: to, unit: code, asOf: asOf)
            .filter { $0.state.task.period.firstDay <= asOf }
        let soon = asOf.adding(days: Self.dueSoonDays)!
        // Overdue over this year and the last, whatever range the grid shows: the clerk's backlog.
        let missed = try await req.reporting.overdue(asOf: asOf, unit: code)
        let grid = StatusBoard(states: rows.map(\.state), asOf: asOf, unitOrder: [code],
                               indicatorNames: Dictionary(rows.map { ($0.state.task.indicator, $0.indicatorName) }, uniquingKeysWith: { a, _ in a }))
        let lines = grid.units.first?.lines ?? []
        let pages = max((lines.count + Self.unitPageSize - 1) / Self.unitPageSize, 1)
        let page = min(max(req.query[Int.self, at: "page"] ?? 1, 1), pages)
        func link(_ p: Int) -> String {
            var c = URLComponents()
            c.queryItems = [.init(name: "from", value: from.description), .init(name: "to", value: to.description),
                            .init(name: "as_of", value: asOf.isoString), .init(name: "page", value: String(p))]
            return c.percentEncodedQuery ?? ""
        }
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
            IncidentItem(occurredOn: $0.occurredOn, description: $0.description, recordedAt: DisplayNames.time($0.recordedAt))
        }
        let errors = try await ErrorRates.of(units: [code], from: from, to: to, on: req.db)[code] ?? ErrorRate()
        let matching = MatchingService(database: req.db, clock: req.gongzhi.clock)
        let yields = try await matching.yield(of: code).map {
            YieldRow(indicator: $0.indicator, indicatorName: names.indicator($0.indicator), produced: $0.produced, confirmed: $0.confirmed,
                     recovered: MatchingService.yuan(fen: $0.recoveredFen))
        }
        let yearStart = CalendarDate(year: asOf.year, month: 1, day: 1) ?? asOf
        let yearRecovered = try await matching.recoveredByUnit(from: yearStart, through: asOf)[code] ?? 0
        let effectivenessRepository = EffectivenessRepository(database: req.db)
        let suspensions = try await effectivenessRepository.suspensions(of: code)
        let suspension = suspensions.first { $0.reinstatedAt == nil }.map {
            "自 \(DisplayNames.time($0.suspendedAt)) 起暂停数据共享：" + SharingSuspensionRule.message(missedYears: $0.years)
        }
        return try await req.view.render("unit", UnitPage(
            title: unit.name, unit: code, unitName: unit.name, today: today.isoString, asOf: asOf.isoString,
            from: from.description, to: to.description,
            overdue: Self.overdueGroups(missed, today: asOf), overdueTotal: missed.count,
            dueSoon: rows.filter { $0.state.status == .open && $0.state.task.deadline >= asOf && $0.state.task.deadline <= soon }.map(Self.item),
            columns: grid.columns.map(\.description),
            lines: lines.dropFirst((page - 1) * Self.unitPageSize).prefix(Self.unitPageSize).map {
                BoardLine(indicator: $0.indicator, indicatorName: $0.indicatorName, cells: $0.cells.map(Self.cell))
            },
            counts: CountsView(StatusCounts(rows.map(\.state), asOf: asOf)),
            errorRate: errors.text,
            errorDetail: "未通过校验 \(errors.rowsRejected) 行 + 采纳的疑义 \(errors.upheldObjectionRecords) 条，报送 \(errors.rowsSubmitted) 行",
            comparison: try await Self.comparison(req, unit: code, asOf: asOf, names: names),
            chart: Self.monthlyChart(rows, from: from, to: to, asOf: asOf),
            page: page, pages: pages, previous: page > 1 ? link(page - 1) : nil, next: page < pages ? link(page + 1) : nil,
            contacts: contacts, incidents: incidents, canRecordIncident: try req.actor.principal.has(.admin) && req.actor.unitCode == SubmissionService.proxyUnit,
            canUpload: try req.actor.principal.hasAny(of: RouteAccess.reporters), error: error,
            yields: yields, hasYields: !yields.isEmpty, yearRecovered: MatchingService.yuan(fen: yearRecovered),
            contributionRank: try await matching.specialContributionRank(unit: code, through: asOf), year: asOf.year,
            suspension: suspension,
            suspensions: suspensions.map {
                SuspensionLine(missedYears: $0.years.map(String.init).joined(separator: "、"), suspendedAt: DisplayNames.time($0.suspendedAt),
                               reinstatedAt: $0.reinstatedAt.map(DisplayNames.time) ?? "", reason: $0.reinstatedReason ?? "")
            },
            effectiveness: try await effectivenessRepository.reports(unit: code).map {
                EffectivenessLine(year: $0.year, taxRecovered: $0.taxRecovered, cases: $0.cases, filedAt: DisplayNames.time($0.filedAt),
                                  grade: $0.grade.map { "\($0) 分" } ?? "待评定")
            },
            qualityRatings: try await UsageReportRepository(database: req.db).ratings(of: code, by: UsageReportService.taxUnits).map {
                RatingLine(quarter: $0.quarter, rater: names.unit($0.raterUnit), score: $0.score, comment: $0.comment)
            }))
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
