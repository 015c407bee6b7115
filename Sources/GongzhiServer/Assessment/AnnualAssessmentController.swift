import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore
import Vapor

/// The year-end assessment on the web (年终综合考核, issue 11 §6): the four quarters side by side, the annual
/// score by the rule stated on the page (``AnnualAssessment``), the ranking, the 先进单位 / 后进单位 marks, a chart
/// and an xlsx export.
extension AssessmentController {
    struct AnnualRow: Encodable {
        var rank: Int
        var unit: String
        var unitName: String
        /// Per quarter 1–4: the quarter's total, or `—` when the quarter is not assessed.
        var quarters: [String]
        var baseMean: String
        var workload: String
        var specialContribution: String
        var identifiers: String
        var applicationEffect: String
        var leads: String
        var bonus: String
        var penalty: String
        var total: String
        var mark: String
        var markClass: String
        var workloadBasis: String
    }

    struct AnnualQuarter: Encodable {
        var quarter: String
        var name: String
        /// `已发布简报` / `最近一次考核（草稿）` / `尚未考核`.
        var status: String
        var asOf: String
    }

    struct AnnualPage: Encodable {
        var title: String
        var year: Int
        var previousYear: Int
        var nextYear: Int
        var rule: [String]
        var quarters: [AnnualQuarter]
        var assessedQuarters: Int
        var complete: Bool
        var rows: [AnnualRow]
        var chart: String
        var advancedUnits: String
        var laggingUnits: String
    }

    struct Annual {
        var year: Int
        var ranked: [AnnualAssessment.Ranked]
        var runs: [ReportingPeriod: AssessmentRunRecord]
        var published: Set<ReportingPeriod>
        var rows: [AnnualRow]
    }

    /// `year` from the query string; by default the year of the last quarter that has ended.
    static func year(_ req: Request) throws -> Int {
        if let text = req.queryText("year") {
            guard let year = Int(text), (2000...2100).contains(year) else {
                throw Abort(.badRequest, reason: "年度应为四位数字，如 2024，收到「\(text)」。")
            }
            return year
        }
        guard case .quarter(let y, _) = previous(ReportingPeriod.containing(req.gongzhi.clock.today(), collection: .quarterly)) else {
            return req.gongzhi.clock.today().year
        }
        return y
    }

    static func annual(_ req: Request) async throws -> Annual {
        let year = try year(req)
        let (ranked, runs, published) = try await service(req).annual(year: year)
        let names = try await unitNames(req)
        let rows = ranked.map { r in
            let a = r.result
            var quarters = Array(repeating: "—", count: 4)
            for card in a.quarters {
                if case .quarter(_, let q) = card.quarter { quarters[q - 1] = card.total.roundedText() }
            }
            return AnnualRow(rank: r.rank, unit: a.unit, unitName: names[a.unit] ?? a.unit, quarters: quarters,
                             baseMean: a.baseMean.roundedText(), workload: String(a.bonus.workload),
                             specialContribution: a.bonus.specialContribution.roundedText(), identifiers: String(a.bonus.identifiers),
                             applicationEffect: String(a.bonus.applicationEffect), leads: String(a.bonus.leads),
                             bonus: a.bonusTotal.roundedText(), penalty: String(a.penalty), total: a.total.roundedText(),
                             mark: r.mark?.chineseName ?? "", markClass: r.mark?.rawValue ?? "",
                             workloadBasis: "月报\(a.monthlyIndicators)项、季报\(a.quarterlyIndicators)项、全年\(a.records)条")
        }
        return Annual(year: year, ranked: ranked, runs: runs, published: published, rows: rows)
    }

    /// The annual chart: per unit the mean quarterly base score and the year's bonus stacked, the annual score
    /// (and a leak penalty) written after the bar; scale 0–125.
    static func annualChart(_ a: Annual) -> SVGChart {
        SVGChart(title: "\(a.year)年度综合考核得分", series: [.init("季度基本项平均", color: "#0969da"), .init("全年加分项", color: "#bf8700")],
                 bars: zip(a.ranked, a.rows).map { r, row in
                     SVGChart.Bar(label: "\(row.rank). \(row.unitName)",
                                  values: [Double(r.result.baseMean.hundredths) / 100, Double(r.result.bonusTotal.hundredths) / 100],
                                  note: r.result.penalty > 0 ? "\(row.total)（减\(r.result.penalty)）" : row.total)
                 }, scaleMax: 125, width: 860)
    }

    /// `GET /assessment/annual?year=2024`: the year's view.
    func annualPage(req: Request) async throws -> View {
        let a = try await Self.annual(req)
        let quarters = (1...4).map { q -> AnnualQuarter in
            let quarter = ReportingPeriod.quarter(year: a.year, quarter: q)
            let run = a.runs[quarter]
            return AnnualQuarter(quarter: quarter.description, name: "第\(q)季度",
                                 status: run == nil ? "尚未考核" : a.published.contains(quarter) ? "已发布简报" : "最近一次全体考核（简报未发布）",
                                 asOf: run.map { "事实截至 \($0.asOf)" } ?? "")
        }
        let complete = a.runs.count == 4
        return try await req.view.render("assessment-annual", AnnualPage(
            title: "年度综合考核", year: a.year, previousYear: a.year - 1, nextYear: a.year + 1, rule: AnnualAssessment.ruleText,
            quarters: quarters, assessedQuarters: a.runs.count, complete: complete, rows: a.rows,
            chart: a.runs.isEmpty ? "" : Self.annualChart(a).svg(),
            advancedUnits: a.rows.filter { $0.markClass == AnnualAssessment.Mark.advanced.rawValue }.map(\.unitName).joined(separator: "、"),
            laggingUnits: a.rows.filter { $0.markClass == AnnualAssessment.Mark.lagging.rawValue }.map(\.unitName).joined(separator: "、")))
    }

    /// The year's ranking as a table: numbers as numbers, a quarter not assessed left empty.
    static func annualTable(_ a: Annual) -> XlsxTableWriter.Table {
        typealias Cell = XlsxTableWriter.Cell
        let header = ["名次", "单位编码", "单位", "第1季度", "第2季度", "第3季度", "第4季度", "季度基本项平均", "数据归集工作量", "特别贡献",
                      "完善数据标识", "数据应用成效", "信息报送", "加分项合计", "减分项", "年度得分", "评定"]
        let rows: [[Cell]] = a.rows.map { r in
            [Cell(number: r.rank), Cell(r.unit), Cell(r.unitName)]
                + r.quarters.map { $0 == "—" ? Cell("") : Cell(decimal: $0) }
                + [r.baseMean, r.workload, r.specialContribution, r.identifiers, r.applicationEffect, r.leads, r.bonus, r.penalty].map { Cell(decimal: $0) }
                + [Cell(decimal: r.total, bold: true), Cell(r.mark)]
        }
        let scope = a.runs.count == 4 ? "四个季度均已考核" : "已考核 \(a.runs.count) 个季度，暂不评定"
        return XlsxTableWriter.Table(title: "\(a.year)年度社会综合治税工作综合考核（\(scope)）", header: header, rows: rows)
    }

    /// `GET /assessment/annual.xlsx?year=2024`: the year's ranking as a workbook.
    func annualXLSX(req: Request) async throws -> Response {
        let a = try await Self.annual(req)
        return try await req.xlsxExport(Self.annualTable(a), sheet: "年度考核", name: "年度考核_\(a.year).xlsx",
                                        fallbackName: "assessment-annual-\(a.year).xlsx", detail: "assessment-annual.xlsx")
    }
}
