import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore
import Vapor

/// The quarterly assessment on the web (issue 11): the runs of a quarter with their ranking, running a
/// quarter, a unit's explained scorecard, and the bulletin (简报) with its chart and xlsx export.
struct AssessmentController: Sendable {
    /// Who sees every unit's scores: the 综合治税办, the info center, the city office and auditors.
    static let seesAll: Set<Role> = [.coordinator, .admin, .approver, .auditor]

    static func service(_ req: Request) -> AssessmentService {
        AssessmentService(database: req.db, clock: req.gongzhi.clock)
    }

    /// `quarter` from the query string; by default the last quarter that has ended.
    static func quarter(_ req: Request) throws -> ReportingPeriod {
        if let text = req.queryText("quarter") { return try AssessmentService.quarter(text) }
        return previous(ReportingPeriod.containing(req.gongzhi.clock.today(), collection: .quarterly))
    }

    static func previous(_ quarter: ReportingPeriod) -> ReportingPeriod {
        guard case .quarter(let y, let q) = quarter else { return quarter }
        return q == 1 ? .quarter(year: y - 1, quarter: 4) : .quarter(year: y, quarter: q - 1)
    }

    /// The run asked for (`run=`) if it belongs to `quarter`, else the quarter's latest.
    static func run(_ req: Request, quarter: ReportingPeriod) async throws -> (selected: AssessmentRunRecord?, all: [AssessmentRunRecord]) {
        let runs = try await AssessmentRepository(database: req.db).runs(quarter: quarter.description)
        if let id = req.queryText("run").flatMap(UUID.init(uuidString:)), let chosen = runs.first(where: { $0.id == id }) {
            return (chosen, runs)
        }
        return (runs.first, runs)
    }

    static func unitNames(_ req: Request) async throws -> [String: String] {
        guard let catalog = try? await req.reporting.catalog() else { return [:] }
        return Dictionary((catalog.units + catalog.operators).map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    // MARK: View models

    struct RunItem: Encodable {
        var id: String
        var ranAt: String
        var ranBy: String
        var asOf: String
        var selected: Bool
    }

    struct RankRow: Encodable {
        var rank: Int
        var unit: String
        var unitName: String
        var items: [String]
        var base: String
        var bonus: String
        var penalty: String
        var total: String
        var change: String
        var missed: Int
        var lateDays: Int
        var errorRate: String
    }

    struct IndexPage: Encodable {
        var title: String
        var quarter: String
        var quarterName: String
        /// The quarter's year, for the link to the annual view.
        var year: Int
        var previousQuarter: String
        var nextQuarter: String
        var runs: [RunItem]
        var run: RunItem?
        var rows: [RankRow]
        var canRun: Bool
        var runQuery: String
    }

    static func runItem(_ r: AssessmentRunRecord, selected: AssessmentRunRecord?) -> RunItem {
        RunItem(id: r.id?.uuidString.lowercased() ?? "", ranAt: PlatformClock.display(r.ranAt), ranBy: r.ranBy, asOf: r.asOf,
                selected: r.id == selected?.id)
    }

    /// The ranking of a run's results, with the change against `previous` totals (by unit) when given.
    static func rows(_ results: [AssessmentService.Result], names: [String: String], previous: [String: Rational]?) -> [RankRow] {
        let ranks = AssessmentService.ranks(results)
        return zip(ranks, results).map { rank, r in
            let c = r.scorecard
            var change = ""
            if let previous, let before = previous[r.unit], let delta = try? c.total - before {
                change = delta.numerator > 0 ? "+" + delta.roundedText() : delta.roundedText()
            }
            return RankRow(rank: rank, unit: r.unit, unitName: names[r.unit] ?? r.unit,
                           items: [c.items.leadership, c.items.timeliness, c.items.format, c.items.quality, c.items.other].map { $0.roundedText() },
                           base: c.base.roundedText(), bonus: c.bonusTotal.roundedText(), penalty: String(c.penalty),
                           total: c.total.roundedText(), change: change, missed: c.missedTasks, lateDays: c.lateDays,
                           errorRate: ((try? c.errorRate * Rational(100)) ?? .zero).roundedText())
        }
    }

    // MARK: Pages

    /// `GET /assessment?quarter=2024Q1[&run=ID]`: the quarter's runs, the selected run's ranking.
    func index(req: Request) async throws -> View {
        let quarter = try Self.quarter(req)
        let (selected, runs) = try await Self.run(req, quarter: quarter)
        let names = try await Self.unitNames(req)
        var rows: [RankRow] = []
        if let id = selected?.id {
            rows = Self.rows(try await Self.service(req).results(of: id), names: names, previous: nil)
        }
        return try await req.view.render("assessment", IndexPage(
            title: "考核评分", quarter: quarter.description, quarterName: quarter.chineseName, year: quarter.firstDay.year,
            previousQuarter: Self.previous(quarter).description, nextQuarter: quarter.next.description,
            runs: runs.map { Self.runItem($0, selected: selected) }, run: selected.map { Self.runItem($0, selected: selected) },
            rows: rows, canRun: try req.actor.principal.hasAny(of: RouteAccess.assessmentRunners),
            runQuery: selected?.id.map { "quarter=\(quarter)&run=\($0.uuidString.lowercased())" } ?? "quarter=\(quarter)"))
    }

    /// `POST /assessment/runs` (form `quarter`, optional `as_of`): gathers, scores and stores the quarter for
    /// every assessed unit; earlier runs stay as history.
    func runQuarter(req: Request) async throws -> Response {
        let quarterText = (try? req.content.get(String.self, at: "quarter")) ?? ""
        let quarter: ReportingPeriod
        do { quarter = try AssessmentService.quarter(quarterText) } catch { throw Abort(.badRequest, reason: error.message) }
        let asOfText = ((try? req.content.get(String.self, at: "as_of")) ?? "").trimmingCharacters(in: .whitespaces)
        let asOf: CalendarDate?
        do { asOf = asOfText.isEmpty ? nil : try ReportingService.date(asOfText) } catch { throw Abort(.badRequest, reason: error.message) }
        let run = try await Self.service(req).run(quarter: quarter, asOf: asOf, ranBy: try req.actor.username, actor: req.auditActor)
        return req.redirect(to: "/assessment?quarter=\(quarter)&run=\(run.id.uuidString.lowercased())", redirectType: .normal)
    }

    struct ItemView: Encodable {
        var name: String
        var standard: Int
        var score: String
        var lines: [LineView]
    }

    struct LineView: Encodable {
        var points: String
        var text: String
    }

    struct TaskView: Encodable {
        var indicator: String
        var period: String
        var deadline: String
        var submittedOn: String
        var status: String
        var statusCode: String
        var records: Int
        var erroneous: Int
        var duplicates: Int
        var notes: String
    }

    struct HistoryItem: Encodable {
        var run: RunItem
        var total: String
        var change: String
    }

    struct EntryView: Encodable {
        var kind: String
        var value: String
        var reason: String
        var detail: String
        var enteredBy: String
        var enteredAt: String
    }

    struct KindOption: Encodable {
        var code: String
        var name: String
    }

    struct UnitPage: Encodable {
        var title: String
        var unit: String
        var unitName: String
        var quarter: String
        var quarterName: String
        var run: RunItem?
        var total: String
        var base: String
        var bonusTotal: String
        var penalty: String
        var errorRate: String
        var items: [ItemView]
        var bonus: [ItemView]
        var penaltyLines: [LineView]
        var tasks: [TaskView]
        var history: [HistoryItem]
        var seesAll: Bool
        /// The assessor's entries for the unit and quarter, oldest first.
        var entries: [EntryView]
        var canEnter: Bool
        var kinds: [KindOption]
        /// The year of the quarter, and the unit's newest year-end security check of it (附件1 第十八条).
        var securityYear: Int = 0
        var securityCheck: SecurityCheckView? = nil
    }

    struct SecurityCheckView: Encodable {
        var result: String
        var failed: Bool
        var failedItems: String
        var findings: String
        var fixDeadline: String
        var checkedOn: String
    }

    /// `GET /assessment/units/:code?quarter=…[&run=ID]`: one unit's scorecard explained line by line, its
    /// tasks, and its totals in every run of the quarter. A unit head sees only the own unit.
    func unit(req: Request) async throws -> View {
        let actor = try req.actor
        guard let code = req.parameters.get("code"),
              actor.principal.hasAny(of: Self.seesAll) || code == actor.unitCode else { throw Abort(.notFound) }
        let quarter = try Self.quarter(req)
        let (selected, runs) = try await Self.run(req, quarter: quarter)
        let names = try await Self.unitNames(req)
        guard names[code] != nil else { throw Abort(.notFound) }
        let service = Self.service(req)
        var page = UnitPage(title: "考核评分说明", unit: code, unitName: names[code] ?? code, quarter: quarter.description,
                            quarterName: quarter.chineseName, run: selected.map { Self.runItem($0, selected: selected) }, total: "", base: "",
                            bonusTotal: "", penalty: "", errorRate: "", items: [], bonus: [], penaltyLines: [], tasks: [], history: [],
                            seesAll: actor.principal.hasAny(of: Self.seesAll), entries: [],
                            canEnter: actor.principal.hasAny(of: RouteAccess.assessmentRunners),
                            kinds: AssessorEntry.Kind.allCases.map { KindOption(code: $0.rawValue, name: $0.chineseName) })
        page.entries = try await AssessmentRepository(database: req.db).entries(quarter: quarter.description, unit: code).map { r in
            EntryView(kind: AssessorEntry.Kind(rawValue: r.kind)?.chineseName ?? r.kind, value: r.value.map(String.init) ?? "无名次",
                      reason: r.reason, detail: r.detail, enteredBy: r.enteredBy, enteredAt: PlatformClock.display(r.enteredAt))
        }
        page.securityYear = quarter.firstDay.year
        if let check = try await SecurityCheckRecord.latest(year: page.securityYear, on: req.db)[code] {
            page.securityCheck = SecurityCheckView(
                result: SecurityCheck.Result(rawValue: check.result)?.chineseName ?? check.result,
                failed: check.result == SecurityCheck.Result.fail.rawValue,
                failedItems: SecurityCheck.items(fromCodes: check.failedItems).map(\.chineseName).joined(separator: "；"),
                findings: check.findings, fixDeadline: check.fixDeadline ?? "", checkedOn: check.checkedOn)
        }
        var earlier: Rational?
        for run in runs.reversed() {
            guard let id = run.id, let result = try await service.results(of: id, unit: code).first else { continue }
            let total = result.scorecard.total
            let change = earlier.flatMap { try? total - $0 }.map { $0.numerator > 0 ? "+" + $0.roundedText() : $0.roundedText() } ?? ""
            page.history.insert(HistoryItem(run: Self.runItem(run, selected: selected), total: total.roundedText(), change: change), at: 0)
            earlier = total
        }
        guard let id = selected?.id, let result = try await service.results(of: id, unit: code).first else {
            return try await req.view.render("assessment-unit", page)
        }
        let card = result.scorecard, facts = result.facts
        let lines = AssessmentExplanation.lines(facts: facts, card: card)
        func view(_ l: AssessmentExplanation.Line) -> LineView {
            LineView(points: (l.points.numerator > 0 ? "+" : "") + l.points.roundedText(), text: l.text)
        }
        let scores = [card.items.leadership, card.items.timeliness, card.items.format, card.items.quality, card.items.other]
        page.items = AssessmentExplanation.itemNames.enumerated().map { i, entry in
            ItemView(name: entry.name, standard: entry.standard, score: scores[i].roundedText(),
                     lines: lines.filter { $0.item == entry.key }.map(view))
        }
        let b = card.bonus
        page.bonus = [("special_contribution", "特别贡献", b.specialContribution.roundedText()), ("workload", "数据归集工作量", String(b.workload)),
                      ("identifiers", "完善数据标识", String(b.identifiers)), ("application_effect", "数据应用成效", String(b.applicationEffect)),
                      ("leads", "信息报送", String(b.leads))].map { key, name, score in
            ItemView(name: name, standard: 5, score: score, lines: lines.filter { $0.item == key }.map(view))
        }
        page.penaltyLines = lines.filter { $0.item == "penalty" }.map(view)
        page.total = card.total.roundedText()
        page.base = card.base.roundedText()
        page.bonusTotal = card.bonusTotal.roundedText()
        page.penalty = String(card.penalty)
        page.errorRate = ((try? card.errorRate * Rational(100)) ?? .zero).roundedText()
        page.tasks = card.tasks.map { outcome in
            let t = facts.tasks[outcome.index]
            let (status, code): (String, String) = switch outcome.missed {
            case .notSubmitted?: ("未报", "missed")
            case .zeroDataUnexplained?: ("未报（零数据未说明）", "missed")
            case .mostlyDuplicates?: ("未报（大量重复数据）", "missed")
            case nil: t.zeroData ? (outcome.lateDays > 0 ? "零数据（缓报\(outcome.lateDays)天）" : "零数据（已说明）", "zero_data")
                : outcome.lateDays > 0 ? ("缓报\(outcome.lateDays)天", "late") : ("按时报送", "on_time")
            }
            var notes: [String] = []
            if t.proxy { notes.append("代为报送") }
            if !t.formatOK { notes.append("格式不符") }
            return TaskView(indicator: t.indicator, period: t.period.description, deadline: t.deadline.isoString,
                            submittedOn: t.submittedOn?.isoString ?? "—", status: status, statusCode: code, records: t.records,
                            erroneous: t.erroneous, duplicates: t.duplicateRows, notes: notes.joined(separator: "，"))
        }
        return try await req.view.render("assessment-unit", page)
    }

    /// `POST /assessment/units/:code/entries` (form `quarter`, `kind`, `value`, `reason`, `detail`): an assessor's
    /// entry, audit-logged; it counts from the next run on.
    func addEntry(req: Request) async throws -> Response {
        let code = req.parameters.get("code") ?? ""
        func field(_ key: String) -> String { (try? req.content.get(String.self, at: key)) ?? "" }
        let quarter: ReportingPeriod
        do { quarter = try AssessmentService.quarter(field("quarter")) } catch { throw Abort(.badRequest, reason: error.message) }
        guard let kind = AssessorEntry.Kind(rawValue: field("kind")) else {
            throw Abort(.badRequest, reason: "请选择录入项目：" + AssessorEntry.Kind.allCases.map(\.chineseName).joined(separator: "、") + "。")
        }
        do {
            _ = try await Self.service(req).recordEntry(unit: code, quarter: quarter, kind: kind, valueText: field("value"),
                                                        reason: field("reason"), detail: field("detail"), by: req.auditActor)
        } catch let problem as AssessorEntry.Problem {
            throw Abort(.badRequest, reason: problem.message)
        }
        return req.redirect(to: "/assessment/units/\(code)?quarter=\(quarter)", redirectType: .normal)
    }

    // MARK: Bulletin

    struct BulletinPage: Encodable {
        var title: String
        /// `已于 … 由 … 发布`, or empty for a draft.
        var published: String
        var canPublish: Bool
        var quarter: String
        var quarterName: String
        var previousQuarter: String
        var run: RunItem?
        var rows: [RankRow]
        var chart: String
        /// Units that lost points for missed tasks, joined with "；".
        var missedUnits: String
        /// Units that lost points for a data leak, joined with "；".
        var leakUnits: String
        var unitCount: Int
    }

    struct Bulletin {
        var quarter: ReportingPeriod
        var run: AssessmentRunRecord?
        var published: AssessmentBulletinRecord?
        var results: [AssessmentService.Result]
        var rows: [RankRow]
    }

    /// The run a quarter's bulletin shows: ``AssessmentService/bulletinRun(quarter:)``.
    static func bulletinRun(_ req: Request, quarter: ReportingPeriod) async throws -> (AssessmentRunRecord?, AssessmentBulletinRecord?) {
        try await service(req).bulletinRun(quarter: quarter)
    }

    /// The quarter's bulletin run, ranked, with the change against the bulletin run of the quarter before.
    static func bulletin(_ req: Request) async throws -> Bulletin {
        let quarter = try quarter(req)
        let service = service(req)
        let (run, published) = try await bulletinRun(req, quarter: quarter)
        guard let run, let id = run.id else {
            return Bulletin(quarter: quarter, run: nil, published: nil, results: [], rows: [])
        }
        let results = try await service.results(of: id)
        var previous: [String: Rational]? = nil
        if let before = try await bulletinRun(req, quarter: Self.previous(quarter)).0, let beforeID = before.id {
            previous = Dictionary(try await service.results(of: beforeID).map { ($0.unit, $0.scorecard.total) }, uniquingKeysWith: { a, _ in a })
        }
        return Bulletin(quarter: quarter, run: run, published: published, results: results,
                        rows: rows(results, names: try await unitNames(req), previous: previous))
    }

    /// The chart's series: the five base items, then the bonus; a leak penalty is written after the bar.
    static let chartSeries: [SVGChart.Series] = [
        .init("领导重视", color: "#8b1a1a"), .init("数据归集周期", color: "#d4a72c"), .init("数据报送格式", color: "#2da44e"),
        .init("数据报送质量", color: "#0969da"), .init("其他", color: "#8250df"), .init("加分项", color: "#bf8700"),
    ]

    /// One stacked bar per ranked unit (the five base items and the bonus, in points), its total written after it
    /// with the leak penalty when there is one, the label linked to the unit's explanation; scale 0–125.
    static func chart(_ b: Bulletin) -> SVGChart {
        SVGChart(title: "\(b.quarter.chineseName)考核总分（按项目堆叠）", series: chartSeries, bars: zip(b.results, b.rows).map { r, row in
            let c = r.scorecard
            return SVGChart.Bar(label: "\(row.rank). \(row.unitName)",
                                values: [c.items.leadership, c.items.timeliness, c.items.format, c.items.quality, c.items.other,
                                         c.bonusTotal].map { Double($0.hundredths) / 100 },
                                note: c.penalty > 0 ? "\(row.total)（减\(c.penalty)）" : row.total,
                                link: "/assessment/units/\(row.unit)?quarter=\(b.quarter)")
        }, scaleMax: 125, width: 860)
    }

    /// `GET /assessment/bulletin?quarter=…`: the print-ready bulletin of the quarter's latest run.
    func bulletin(req: Request) async throws -> View {
        let b = try await Self.bulletin(req)
        return try await req.view.render("assessment-bulletin", BulletinPage(
            title: "考核简报",
            published: b.published.map { "已于 \(PlatformClock.display($0.publishedAt)) 由 \($0.publishedBy) 发布" } ?? "",
            canPublish: b.published == nil && b.run != nil && (try req.actor.principal.hasAny(of: RouteAccess.assessmentRunners)),
            quarter: b.quarter.description, quarterName: b.quarter.chineseName,
            previousQuarter: Self.previous(b.quarter).description, run: b.run.map { Self.runItem($0, selected: b.run) }, rows: b.rows,
            chart: b.results.isEmpty ? "" : Self.chart(b).svg(),
            missedUnits: b.rows.filter { $0.missed > 0 }.map { "\($0.unitName)（未报 \($0.missed) 项）" }.joined(separator: "；"),
            leakUnits: b.rows.filter { $0.penalty != "0" }.map { "\($0.unitName)（减 \($0.penalty) 分）" }.joined(separator: "；"),
            unitCount: b.rows.count))
    }

    /// `POST /assessment/bulletin/publish` (form `quarter`): publish the quarter's bulletin on its latest run.
    func publish(req: Request) async throws -> Response {
        let quarter: ReportingPeriod
        do { quarter = try AssessmentService.quarter((try? req.content.get(String.self, at: "quarter")) ?? "") } catch {
            throw Abort(.badRequest, reason: error.message)
        }
        do { _ = try await Self.service(req).publishBulletin(quarter: quarter, by: req.auditActor) } catch let error as BulletinError {
            throw Abort(.conflict, reason: error.message)
        }
        return req.redirect(to: "/assessment/bulletin?quarter=\(quarter)", redirectType: .normal)
    }

    /// The notice on the home page once a bulletin is published: the quarter, and the user's unit's place.
    struct BulletinNotice: Encodable {
        var text: String
        var link: String
    }

    /// The latest published bulletin as seen by the user's unit; `nil` when none is published.
    static func notice(_ req: Request) async throws -> BulletinNotice? {
        guard let published = try await AssessmentRepository(database: req.db).latestBulletin(),
              let quarter = ReportingPeriod(published.quarter) else { return nil }
        let unit = try req.actor.unitCode
        var text = "\(quarter.chineseName)考核简报已于 \(PlatformClock.display(published.publishedAt)) 发布"
        let results = try await service(req).results(of: published.$run.id)
        if let index = results.firstIndex(where: { $0.unit == unit }) {
            text += "：本单位得分 \(results[index].scorecard.total.roundedText())，第 \(AssessmentService.ranks(results)[index]) 名（共 \(results.count) 个单位）"
        }
        return BulletinNotice(text: text + "。", link: "/assessment/units/\(unit)?quarter=\(quarter)&run=\(published.$run.id.uuidString.lowercased())")
    }

    /// The bulletin's ranking as a table: numbers as numbers.
    static func table(_ b: Bulletin) -> XlsxTableWriter.Table {
        typealias Cell = XlsxTableWriter.Cell
        let header = ["名次", "单位编码", "单位", "领导重视", "数据归集周期", "数据报送格式", "数据报送质量", "其他", "基本项", "加分项", "减分项",
                      "总分", "较上季度", "未报任务", "缓报天数", "错（漏）报率%"]
        let rows: [[Cell]] = b.rows.map { r in
            [Cell(number: r.rank), Cell(r.unit), Cell(r.unitName)] + r.items.map { Cell(decimal: $0) }
                + [Cell(decimal: r.base), Cell(decimal: r.bonus), Cell(decimal: r.penalty), Cell(decimal: r.total, bold: true),
                   r.change.isEmpty ? Cell("") : Cell(decimal: r.change.hasPrefix("+") ? String(r.change.dropFirst()) : r.change),
                   Cell(number: r.missed), Cell(number: r.lateDays), Cell(decimal: r.errorRate)]
        }
        let asOf = b.run.map { "（截至 \($0.asOf)，\(PlatformClock.display($0.ranAt)) 考核）" } ?? "（尚未考核）"
        return XlsxTableWriter.Table(title: "\(b.quarter.chineseName)社会综合治税工作考核简报\(asOf)", header: header, rows: rows)
    }

    /// `GET /assessment/bulletin.xlsx?quarter=…`: the bulletin's ranking as a workbook.
    func bulletinXLSX(req: Request) async throws -> Response {
        let b = try await Self.bulletin(req)
        return try await req.xlsxExport(Self.table(b), sheet: "考核简报", name: "考核简报_\(b.quarter).xlsx",
                                        fallbackName: "assessment-\(b.quarter).xlsx", detail: "assessment-bulletin.xlsx")
    }
}
