import Foundation
import FluentKit
import GongzhiCore
import GongzhiIngest
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// The assessment pages over the scripted quarter of ``AssessmentRunTests``: the coordinator runs the quarter,
/// the ranking, a unit's explanation (a unit head sees only the own unit), the bulletin with its chart and
/// its xlsx, which agree with the stored run.
@Suite("Assessment pages: runs, explanation, bulletin", .serialized)
struct AssessmentPageTests {
    @Test("the coordinator runs a quarter; ranking, explanation, bulletin and xlsx agree with the stored run")
    func pages() async throws {
        let clock = TestClock()
        try await AppHarness.withApp(clock: clock.clock) { app, directory async throws in
            try await AssessmentRunTests.script(app, clock)
            let service = AssessmentService(database: app.db, clock: app.gongzhi.clock)
            _ = try await service.run(quarter: ReportingPeriod("2023Q4")!, asOf: CalendarDate(iso: "2024-04-30")!, ranBy: "tester")
            let coordinator = try await AppHarness.login(app, unit: "tax-office", roles: [.coordinator])

            // run 2024Q1 from the page
            var location = ""
            try await app.testing().test(.POST, "assessment/runs", headers: coordinator.formHeaders,
                                         body: coordinator.form("quarter=2024Q1&as_of=2024-04-30")) { res async in
                #expect(res.status == .seeOther, "\(res.body.string)")
                location = res.headers.first(name: .location) ?? ""
            }
            #expect(location.hasPrefix("/assessment?quarter=2024Q1&run="))
            let run = try #require(try await service.latestRun(quarter: ReportingPeriod("2024Q1")!))
            #expect(run.ranBy == coordinator.username)
            let results = try await service.results(of: try #require(run.id))
            let aic = try #require(results.first { $0.unit == "industry-commerce" })

            // the ranking
            try await app.testing().test(.GET, "assessment?quarter=2024Q1", headers: coordinator.headers) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("考核结果"))
                #expect(page.contains("市住房保障和房产管理局"))
                #expect(page.contains("<strong>\(aic.scorecard.total.roundedText())</strong>"))
            }

            // a unit's explanation, line by line
            try await app.testing().test(.GET, "assessment/units/industry-commerce?quarter=2024Q1", headers: coordinator.headers) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("缓报 2 天：AIC-001 2024-03 截止 04-20，04-22 报送"))
                #expect(page.contains("未报：AIC-002 2024-01 截止 02-20，未报送"))
                #expect(page.contains("未报（大量重复数据）"))
                #expect(page.contains("责任人缺位或变更未告知 1 次"))
                #expect(page.contains(aic.scorecard.items.timeliness.roundedText()))
            }

            // a unit head reads the own unit's explanation, and no other unit's
            let head = try await AppHarness.login(app, unit: "housing", roles: [.unitHead])
            try await app.testing().test(.GET, "assessment/units/housing?quarter=2024Q1", headers: head.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("缓报 5 天：HOU-001 2024-02 截止 03-20，03-25 报送"))
            }
            try await app.testing().test(.GET, "assessment/units/industry-commerce?quarter=2024Q1", headers: head.headers) { res async in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "assessment?quarter=2024Q1", headers: head.headers) { res async in
                #expect(res.status == .forbidden)
            }

            // meetings and survey forms
            try await app.testing().test(.GET, "assessment/meetings", headers: coordinator.headers) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("一季度数据报送推进会") && page.contains("涉税数据应用情况调研") && page.contains("逾期"))
                #expect(page.contains(#"<option value="absent" selected>无故缺席</option>"#))
            }
            let reporter = try await AppHarness.login(app, unit: "industry-commerce", roles: [.reporter])
            let surveyID = try #require(try await SurveyFormRecord.query(on: app.db).first()?.id).uuidString.lowercased()
            try await app.testing().test(.GET, "surveys", headers: reporter.headers) { res async in
                #expect(res.status == .ok && res.body.string.contains("/surveys/\(surveyID)/return"))
            }
            // the unit's home lists the form it owes until it is returned
            try await app.testing().test(.GET, "/", headers: reporter.headers) { res async in
                #expect(res.body.string.contains("待反馈的调研反馈表（1 份）") && res.body.string.contains("涉税数据应用情况调研"))
            }
            for expected in [HTTPStatus.seeOther, .badRequest] {
                let boundary = "b\(UUID().uuidString.prefix(8))"
                try await app.testing().test(.POST, "surveys/\(surveyID)/return", headers: reporter.multipartHeaders(boundary: boundary),
                                             body: AppHarness.multipart(boundary: boundary, fields: [("csrf_token", reporter.csrf)],
                                                                        file: ("file", "反馈.xlsx", Data("answer".utf8)))) { res async in
                    #expect(res.status == expected, "\(res.body.string.prefix(300))")
                }
            }
            try await app.testing().test(.GET, "surveys", headers: reporter.headers) { res async in
                #expect(res.body.string.contains("已于 2024-05-06"))
            }
            try await app.testing().test(.GET, "/", headers: reporter.headers) { res async in
                #expect(!res.body.string.contains("待反馈的调研反馈表"))
            }

            // the bulletin: chart, named units, change against 2023Q4
            try await app.testing().test(.GET, "assessment/bulletin?quarter=2024Q1", headers: coordinator.headers) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("<svg"))
                // one stacked bar per unit, each linked to the unit's explanation
                let bars = page.components(separatedBy: "<a href=\"/assessment/units/").count - 1
                #expect(bars == 2 * results.count, "a chart label and a table link per unit")
                #expect(page.contains("未报数据扣分的单位"))
                #expect(page.contains("市工商行政管理局") || page.contains("industry-commerce"))
            }

            // publishing freezes the bulletin on this run and tells units on their home page
            try await app.testing().test(.POST, "assessment/bulletin/publish", headers: coordinator.formHeaders,
                                         body: coordinator.form("quarter=2024Q1")) { res async in
                #expect(res.status == .seeOther)
            }
            try await app.testing().test(.POST, "assessment/bulletin/publish", headers: coordinator.formHeaders,
                                         body: coordinator.form("quarter=2024Q1")) { res async in
                #expect(res.status == .conflict)
            }
            _ = try await service.run(quarter: ReportingPeriod("2024Q1")!, asOf: CalendarDate(iso: "2024-05-06")!, ranBy: "later")
            try await app.testing().test(.GET, "assessment/bulletin?quarter=2024Q1", headers: coordinator.headers) { res async in
                #expect(res.body.string.contains("发布后不再随再次考核改变") && res.body.string.contains("事实截至 2024-04-30"))
            }
            let aicRank = AssessmentService.ranks(results)[try #require(results.firstIndex { $0.unit == "industry-commerce" })]
            try await app.testing().test(.GET, "", headers: reporter.headers) { res async in
                #expect(res.body.string.contains("2024年第1季度考核简报已于"))
                #expect(res.body.string.contains("本单位得分 \(aic.scorecard.total.roundedText())，第 \(aicRank) 名"))
            }

            // the xlsx: numbers as numbers, equal to the run
            try await app.testing().test(.GET, "assessment/bulletin.xlsx?quarter=2024Q1", headers: coordinator.headers) { res async throws in
                #expect(res.status == .ok)
                let url = directory.appendingPathComponent("bulletin.xlsx")
                try Data(buffer: res.body).write(to: url)
                let workbook = try XlsxWorkbook(url: url)
                let reader = try workbook.open(try #require(workbook.sheets.first))
                var rows: [[RawCell]] = []
                while let row = try reader.nextRow() { rows.append(row.cells.map(\.value)) }
                #expect(rows.count == results.count + 2)
                let line = try #require(rows.first { $0.count > 1 && $0[1].rawValue == "industry-commerce" })
                guard case .number(let total, _) = line[11] else { Issue.record("total is not a number: \(line[11])"); return }
                #expect(total == aic.scorecard.total.roundedText())
                guard case .number(let timeliness, _) = line[4] else { Issue.record("timeliness is not a number"); return }
                #expect(timeliness == aic.scorecard.items.timeliness.roundedText())
                guard case .number = line[12] else { Issue.record("the change against 2023Q4 is not a number: \(line[12])"); return }
            }
        }
    }

    @Test("the annual view: the quarters side by side, the stated rule, the ranking, marks only for a complete year, the xlsx")
    func annual() async throws {
        let clock = TestClock()
        try await AppHarness.withApp(clock: clock.clock) { app, directory async throws in
            try await AssessmentRunTests.script(app, clock)
            let service = AssessmentService(database: app.db, clock: app.gongzhi.clock)
            let full = try await service.run(quarter: ReportingPeriod("2024Q1")!, asOf: CalendarDate(iso: "2024-04-30")!, ranBy: "tester")
            // a one-unit re-run stays in that unit's history; the quarter's bulletin (and the year) keep the full run
            _ = try await service.run(quarter: ReportingPeriod("2024Q1")!, unit: "housing", ranBy: "tester")
            #expect(try await service.latestRun(quarter: ReportingPeriod("2024Q1")!)?.id == full.id)
            let coordinator = try await AppHarness.login(app, unit: "tax-office", roles: [.coordinator])

            try await app.testing().test(.GET, "assessment/annual?year=2024", headers: coordinator.headers) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("年度得分 = 已考核季度基本项得分的平均值"))
                #expect(page.contains("已考核 1 个季度") && page.contains("暂不评定先进单位和后进单位"))
                #expect(!page.contains("<td>后进单位</td>") && !page.contains("<td>先进单位</td>"))
            }
            for q in 2...4 {
                _ = try await service.run(quarter: .quarter(year: 2024, quarter: q), asOf: CalendarDate(iso: "2025-05-06")!, ranBy: "tester")
            }
            let (ranked, runs, _) = try await service.annual(year: 2024)
            #expect(runs.count == 4 && runs[ReportingPeriod("2024Q1")!]?.id == full.id)
            let housing = try #require(ranked.first { $0.result.unit == "housing" })
            #expect(housing.result.quarters.count == 4)
            let lagging = ranked.filter { $0.mark == .lagging }
            #expect(!lagging.isEmpty, "most units missed every task of Q2–Q4")
            try await app.testing().test(.GET, "assessment/annual?year=2024", headers: coordinator.headers) { res async in
                let page = res.body.string
                #expect(page.contains("四个季度均已考核"))
                #expect(page.contains("<strong>\(housing.result.total.roundedText())</strong>"))
                #expect(page.components(separatedBy: "<td>后进单位</td>").count - 1 == lagging.count)
                #expect(page.contains("<svg"))
            }

            // the xlsx: one row per unit, numbers as numbers, equal to the page's computation
            try await app.testing().test(.GET, "assessment/annual.xlsx?year=2024", headers: coordinator.headers) { res async throws in
                #expect(res.status == .ok)
                let url = directory.appendingPathComponent("annual.xlsx")
                try Data(buffer: res.body).write(to: url)
                let workbook = try XlsxWorkbook(url: url)
                let reader = try workbook.open(try #require(workbook.sheets.first))
                var rows: [[RawCell]] = []
                while let row = try reader.nextRow() { rows.append(row.cells.map(\.value)) }
                #expect(rows.count == ranked.count + 2)
                let line = try #require(rows.first { $0.count > 1 && $0[1].rawValue == "housing" })
                guard case .number(let total, _) = line[15] else { Issue.record("the annual score is not a number: \(line[15])"); return }
                #expect(total == housing.result.total.roundedText())
                guard case .number(let q1, _) = line[3] else { Issue.record("Q1 is not a number"); return }
                #expect(q1 == housing.result.quarters[0].total.roundedText())
            }
            // a unit's staff do not see the year's ranking
            let reporter = try await AppHarness.login(app, unit: "housing", roles: [.reporter])
            try await app.testing().test(.GET, "assessment/annual?year=2024", headers: reporter.headers) { res async in
                #expect(res.status == .forbidden)
            }
        }
    }

    @Test("the assessor's entries are checked, audit-logged, shown on the unit page and counted from the next run")
    func entries() async throws {
        let clock = TestClock()
        clock.set("2024-05-06")
        try await AppHarness.withApp(clock: clock.clock) { app, _ async throws in
            let coordinator = try await AppHarness.login(app, unit: "tax-office", roles: [.coordinator])
            for (form, status) in [
                ("quarter=2024Q1&kind=leak_penalty&value=8&reason=%E9%80%9A%E6%8A%A5&detail=2024-02-03%20%E5%90%8D%E5%8D%95%E5%A4%96%E6%B3%84", HTTPStatus.seeOther),
                ("quarter=2024Q1&kind=application_effect&value=3&reason=%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A", .seeOther),
                ("quarter=2024Q1&kind=leak_penalty&value=3&reason=x", .badRequest),
                ("quarter=2024Q1&kind=leak_penalty&value=9&reason=x", .badRequest),
                ("quarter=2024Q1&kind=nope&value=1&reason=x", .badRequest),
            ] {
                try await app.testing().test(.POST, "assessment/units/housing/entries", headers: coordinator.formHeaders,
                                             body: coordinator.form(form)) { res async in
                    #expect(res.status == status, "\(form): \(res.body.string.prefix(300))")
                }
            }
            let logged = try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .assessment), page: 1, per: 10)
            #expect(logged.total == 2)
            try await app.testing().test(.GET, "assessment/units/housing?quarter=2024Q1", headers: coordinator.headers) { res async in
                let page = res.body.string
                #expect(page.contains("2024-02-03 名单外泄") && page.contains("年度报告") && page.contains("数据泄露扣分"))
            }
            let run = try await AssessmentService(database: app.db, clock: app.gongzhi.clock)
                .run(quarter: ReportingPeriod("2024Q1")!, unit: "housing", ranBy: "tester", actor: .commandLine())
            let card = try #require(run.scores.first).scorecard
            #expect(card.penalty == 8 && card.bonus.applicationEffect == 3)
            #expect(try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .assessment), page: 1, per: 10).total == 3)
        }
    }
}
