import Fluent
import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import Testing
import Vapor
import VaporTesting

/// Quarterly usage reports (issue 13 §2): the figures pre-filled from a scripted audit history (exact counts),
/// filed with a purpose and quality ratings; the tax bureaus' ratings on the providing unit's page; the
/// overdue reports for the info center.
@Suite("Usage reports")
struct UsageReportTests {
    /// Milliseconds since 1970 of `day` at 10:00 China Standard Time.
    static func at(_ day: String) -> Int64 {
        Int64(CalendarDate(iso: day)!.daysSinceEpoch * 86_400 + 2 * 3600) * 1000
    }

    static func script(_ app: Application) async throws {
        func event(_ day: String, _ unit: String, _ action: AuditAction, _ indicator: String, rows: Int, detail: String? = nil) -> AuditEvent {
            AuditEvent(timeMilliseconds: at(day), userID: unit + ".analyst", unitCode: unit, action: action,
                       target: AuditTarget(indicatorCode: indicator, query: "indicator=\(indicator)", rowCount: rows, detail: detail), clientAddress: "local")
        }
        let events = [
            // counted for local-tax in 2026Q3: PSB-003 3 queries (50 + 20 + 0 rows), 1 download of 120 rows; HOU-001 1 query of 7 rows
            event("2026-07-01", "local-tax", .query, "PSB-003", rows: 50),
            event("2026-08-15", "local-tax", .query, "PSB-003", rows: 20),
            event("2026-09-30", "local-tax", .query, "PSB-003", rows: 0),
            event("2026-09-02", "local-tax", .download, "PSB-003", rows: 120),
            event("2026-09-03", "local-tax", .query, "HOU-001", rows: 7),
            // not counted: refused, outside the quarter, another unit, the unit's own data, another action
            event("2026-08-16", "local-tax", .query, "PSB-003", rows: 0, detail: "refused=quota_exceeded"),
            event("2026-08-17", "local-tax", .download, "PSB-003", rows: 0, detail: "refused=sharing_suspended"),
            event("2026-06-30", "local-tax", .query, "PSB-003", rows: 99),
            event("2026-10-01", "local-tax", .download, "PSB-003", rows: 99),
            event("2026-08-01", "state-tax", .query, "PSB-003", rows: 99),
            event("2026-08-01", "local-tax", .query, "LTS-001", rows: 99),
            event("2026-08-01", "local-tax", .recordView, "PSB-003", rows: 99),
        ]
        for e in events { _ = try await AuditLog.append(e, on: app.db) }
    }

    @Test("pre-filled from a scripted audit history with exact counts, filed with ratings, shown on the provider's page")
    func prefillAndFile() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given the scripted history and local-tax's grant (a consuming unit since 2026-11-29)
            try await Self.script(app)
            let analyst = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            // when the 2026Q3 figures are asked for
            try await app.testing().test(.GET, "api/v1/usage-reports/prefill?quarter=2026Q3", headers: analyst) { res async throws in
                #expect(res.status == .ok, "\(res.body.string)")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                let figures = try #require(body["figures"] as? [[String: Any]])
                // then exactly these
                #expect(figures.count == 2)
                let hou = try #require(figures.first { $0["indicator"] as? String == "HOU-001" })
                #expect(hou["provider"] as? String == "housing" && hou["queries"] as? Int == 1 && hou["rows_read"] as? Int == 7
                        && hou["downloads"] as? Int == 0 && hou["rows_downloaded"] as? Int == 0 && hou["leads"] as? Int == 0)
                let psb = try #require(figures.first { $0["indicator"] as? String == "PSB-003" })
                #expect(psb["provider"] as? String == "public-security" && psb["queries"] as? Int == 3 && psb["rows_read"] as? Int == 70
                        && psb["downloads"] as? Int == 1 && psb["rows_downloaded"] as? Int == 120 && psb["leads"] as? Int == 0)
            }
            // a quarter that has not begun has no figures to pre-fill
            try await app.testing().test(.GET, "api/v1/usage-reports/prefill?quarter=2099Q1", headers: analyst) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("bad_quarter"))
            }
            // a rating must be 1–5 and for a unit the report lists
            try await app.testing().test(.POST, "api/v1/usage-reports", headers: analyst, beforeRequest: { req in
                try req.content.encode(UsageReportController.Filing(quarter: "2026Q3", purpose: "房屋出租比对",
                                                                    ratings: [.init(provider: "public-security", score: 6, comment: nil)]))
            }) { res async in #expect(res.status == .badRequest, "\(res.body.string)") }
            try await app.testing().test(.POST, "api/v1/usage-reports", headers: analyst, beforeRequest: { req in
                try req.content.encode(UsageReportController.Filing(quarter: "2026Q4", purpose: "未结束的季度"))
            }) { res async in #expect(res.status == .badRequest) }
            try await app.testing().test(.POST, "api/v1/usage-reports", headers: analyst, beforeRequest: { req in
                try req.content.encode(UsageReportController.Filing(quarter: "2026Q3", purpose: "房屋出租个人所得税比对，发现未申报 12 户。",
                                                                    ratings: [.init(provider: "public-security", score: 4, comment: "地址字段不够规范"),
                                                                              .init(provider: "housing", score: 5, comment: nil)]))
            }) { res async throws in
                #expect(res.status == .created, "\(res.body.string)")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect((body["figures"] as? [Any])?.count == 2 && (body["ratings"] as? [Any])?.count == 2)
            }
            try await app.testing().test(.POST, "api/v1/usage-reports", headers: analyst, beforeRequest: { req in
                try req.content.encode(UsageReportController.Filing(quarter: "2026Q3", purpose: "再报"))
            }) { res async in #expect(res.status == .conflict) }
            // the tax bureau's rating is on public-security's page
            let head = try await AppHarness.login(app, unit: "public-security", roles: [.unitHead])
            try await app.testing().test(.GET, "units/public-security", headers: head.headers) { res async in
                #expect(res.body.string.contains("2026Q3") && res.body.string.contains("地址字段不够规范"))
            }
            let audit = try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .report), page: 1, per: 10)
            #expect(audit.total == 1)
        }
    }

    @Test("reports owed since a unit's first grant; overdue ones listed for the info center; the page in Chinese")
    func owed() async throws {
        let time = TestClock()
        try await AppHarness.withApp(clock: time.clock) { app, _ async throws in
            let request = try await SharingRaceTests.pendingRequest(app)
            _ = try await app.gongzhi.sharing(on: app.db).approve(request: request, terms: SharingRaceTests.terms, note: nil,
                                                                  by: SharingServiceTests.approver)
            // the grant starts 2026-11-29: 2026Q4 is owed from 2027-01-01, due 2027-01-20, overdue the day after
            time.set("2027-01-20")
            let service = UsageReportService(database: app.db, clock: app.gongzhi.clock, dueDay: 20)
            #expect(try await service.owed(today: CalendarDate(iso: "2027-01-20")!) ==
                    [.init(unit: "local-tax", quarter: .quarter(year: 2026, quarter: 4), deadline: CalendarDate(iso: "2027-01-20")!)])
            let admin = try await AppHarness.token(app)
            try await app.testing().test(.GET, "api/v1/usage-reports", headers: admin) { res async throws in
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect((body["overdue"] as? [Any])?.isEmpty == true)
            }
            time.set("2027-01-21")
            try await app.testing().test(.GET, "api/v1/usage-reports", headers: admin) { res async throws in
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                let overdue = try #require(body["overdue"] as? [[String: Any]])
                #expect(overdue.count == 1 && overdue.first?["unit"] as? String == "local-tax" && overdue.first?["quarter"] as? String == "2026Q4")
            }
            let page = try await AppHarness.login(app, roles: [.admin])
            try await app.testing().test(.GET, "reports/usage", headers: page.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("逾期未报（1 份）") && res.body.string.contains("市地方税务局"))
            }
            let analyst = try await AppHarness.login(app, unit: "local-tax", roles: [.analyst])
            try await app.testing().test(.GET, "", headers: analyst.headers) { res async in
                #expect(res.body.string.contains("2026Q4 数据使用报告"))
            }
        }
    }
}
