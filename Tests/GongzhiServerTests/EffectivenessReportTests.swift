import Fluent
import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import Testing
import Vapor
import VaporTesting

/// Effectiveness reports and the suspension of sharing over HTTP (issue 13 §3, 附件1 第十二条): the check on
/// the deadline day and the day after, a suspended unit's query, download and request refused with 403 and a
/// Chinese message, reinstatement by filing, both audit-logged and on the unit's page; the 综合治税办's grade
/// becomes the assessment's 数据应用成效.
@Suite("Effectiveness reports and suspension")
struct EffectivenessReportTests {
    static func json(_ res: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
    }

    @Test("no report for 2026 and 2027: suspended on 2028-02-01 (not on the deadline day), refused everywhere, reinstated by filing")
    func suspension() async throws {
        let time = TestClock()
        try await AppHarness.withApp(clock: time.clock) { app, _ async throws in
            // given: local-tax holds a grant since 2026-11-29 (its first year as a consuming unit is 2026)
            let request = try await SharingRaceTests.pendingRequest(app)
            _ = try await app.gongzhi.sharing(on: app.db).approve(request: request, terms: SharingRaceTests.terms, note: nil,
                                                                  by: SharingServiceTests.approver)
            let analyst = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            let admin = try await AppHarness.token(app)
            func check(_ asOf: String? = nil) async throws -> [[String: Any]] {
                var out: [[String: Any]] = []
                try await app.testing().test(.POST, "api/v1/reports/check", headers: admin, beforeRequest: { req in
                    if let asOf { try req.content.encode(["as_of": asOf]) }
                }) { res async throws in
                    #expect(res.status == .ok, "\(res.body.string)")
                    out = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [[String: Any]])
                }
                return out
            }
            // the analyst may query while in good standing
            try await app.testing().test(.GET, "api/v1/records?indicator=PSB-003&from=2024Q1", headers: analyst) { res async in
                #expect(res.status == .ok, "\(res.body.string)")
            }

            // when: the 2027 report's deadline day passes without a report — nothing yet
            time.set("2028-01-31")
            #expect(try await check().isEmpty)
            // then the day after, local-tax is suspended for 2026 and 2027
            time.set("2028-02-01")
            let findings = try await check()
            #expect(findings.count == 1)
            #expect(findings.first?["unit"] as? String == "local-tax" && findings.first?["change"] as? String == "suspend")
            #expect(findings.first?["missed_years"] as? [Int] == [2026, 2027])
            #expect(try await check().isEmpty, "a second check changes nothing")

            // every query, download and new request is refused with 403 and a message that says why and how to lift it
            for path in ["api/v1/records?indicator=PSB-003&from=2024Q1", "api/v1/records/download?indicator=PSB-003&from=2024Q1"] {
                try await app.testing().test(.GET, path, headers: analyst) { res async throws in
                    #expect(res.status == .forbidden, "\(path): \(res.body.string)")
                    let body = try Self.json(res)
                    #expect(body["error"] as? String == "sharing_suspended")
                    let message = body["message"] as? String ?? ""
                    #expect(message.contains("2026、2027") && message.contains("应用成效报告") && message.contains("补报"), "\(message)")
                }
            }
            try await app.testing().test(.POST, "api/v1/access-requests", headers: analyst, beforeRequest: { req in
                try req.content.encode(["indicator": "PSB-003", "from": "2024Q1", "to": "2024Q1", "purpose": "比对"])
            }) { res async throws in
                #expect(res.status == .forbidden, "\(res.body.string)")
                #expect(try Self.json(res)["error"] as? String == "sharing_suspended")
            }
            // the unit's page and home show it
            let head = try await AppHarness.login(app, unit: "local-tax", roles: [.unitHead])
            try await app.testing().test(.GET, "units/local-tax", headers: head.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("暂停数据共享") && res.body.string.contains("暂停中"))
            }
            try await app.testing().test(.GET, "", headers: head.headers) { res async in
                #expect(res.body.string.contains("2027 年度应用成效报告") && res.body.string.contains("数据共享已暂停"))
            }

            // when: the 2026 report is filed late (with an attachment), the unit is reinstated at once
            let attachment = File(data: ByteBuffer(string: "%PDF 成效明细"), filename: "明细.pdf")
            try await app.testing().test(.POST, "api/v1/effectiveness-reports", headers: analyst, beforeRequest: { req in
                try req.content.encode(EffectivenessController.Filing(year: "2026", text: "利用房屋出租数据查补个人所得税。", tax_recovered: "125000.50",
                                                                     cases: "3", other_results: "", attachments: [attachment]))
            }) { res async throws in
                #expect(res.status == .created, "\(res.body.string)")
                let body = try Self.json(res)
                #expect(body["year"] as? Int == 2026 && body["cases"] as? Int == 3)
                #expect((body["attachments"] as? [[String: Any]])?.first?["name"] as? String == "明细.pdf")
            }
            try await app.testing().test(.GET, "api/v1/records?indicator=PSB-003&from=2024Q1", headers: analyst) { res async throws in
                // no longer the suspension (the grant itself expired on 2027-06-30)
                #expect(try Self.json(res)["error"] as? String != "sharing_suspended", "\(res.body.string)")
            }
            try await app.testing().test(.GET, "api/v1/effectiveness-reports", headers: analyst) { res async throws in
                let body = try Self.json(res)
                #expect((body["suspensions"] as? [Any])?.isEmpty == true)
                #expect((body["reports"] as? [Any])?.count == 1)
            }
            // a second report for the same year is refused
            try await app.testing().test(.POST, "api/v1/effectiveness-reports", headers: analyst, beforeRequest: { req in
                try req.content.encode(EffectivenessController.Filing(year: "2026", text: "再报", tax_recovered: "0", cases: "0"))
            }) { res async throws in
                #expect(res.status == .conflict)
                #expect(try Self.json(res)["error"] as? String == "already_filed")
            }
            try await app.testing().test(.GET, "units/local-tax", headers: head.headers) { res async in
                #expect(res.body.string.contains("已报送 2026 年度应用成效报告"))
                #expect(!res.body.string.contains("暂停中"))
            }
            let audit = try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .suspension), page: 1, per: 10)
            #expect(audit.total == 2)
            #expect(Set(audit.entries.compactMap { $0.detail?.split(separator: ";").first.map(String.init) }) == ["event=suspend", "event=reinstate"])
        }
    }

    @Test("the 综合治税办 grades a report 0–5 and the grade is the year's 数据应用成效 in the assessment")
    func grade() async throws {
        let time = TestClock()
        try await AppHarness.withApp(clock: time.clock) { app, _ async throws in
            let analyst = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            let coordinator = try await AppHarness.token(app, unit: "tax-office", roles: [.coordinator])
            var id = ""
            // an API client may send the figures as JSON numbers, as the answer gives them back
            var json = HTTPHeaders(analyst.map { ($0.name, $0.value) })
            json.contentType = .json
            try await app.testing().test(.POST, "api/v1/effectiveness-reports", headers: json,
                                         body: ByteBuffer(string: #"{"year": 2025, "text": "查补契税。", "tax_recovered": 80000.5, "cases": 2}"#)) { res async throws in
                #expect(res.status == .created, "\(res.body.string)")
                let body = try Self.json(res)
                #expect(body["year"] as? Int == 2025 && body["cases"] as? Int == 2)
                #expect((body["tax_recovered"] as? NSNumber)?.doubleValue == 80000.5)
                id = body["id"] as? String ?? ""
            }
            // the analyst cannot grade; a grade above 5 is refused
            try await app.testing().test(.POST, "api/v1/effectiveness-reports/\(id)/grade", headers: analyst, beforeRequest: { req in
                try req.content.encode(["grade": 5])
            }) { res async in #expect(res.status == .forbidden) }
            try await app.testing().test(.POST, "api/v1/effectiveness-reports/\(id)/grade", headers: coordinator, beforeRequest: { req in
                try req.content.encode(["grade": 6])
            }) { res async throws in
                #expect(res.status == .badRequest)
                #expect(try Self.json(res)["error"] as? String == "bad_grade")
            }
            try await app.testing().test(.POST, "api/v1/effectiveness-reports/\(id)/grade", headers: coordinator, beforeRequest: { req in
                try req.content.encode(["grade": 4])
            }) { res async throws in
                #expect(res.status == .ok, "\(res.body.string)")
                #expect(try Self.json(res)["grade"] as? Int == 4)
            }
            let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
            let facts = try await AssessmentService(database: app.db, clock: app.gongzhi.clock)
                .facts(unit: "local-tax", quarter: .quarter(year: 2025, quarter: 4), asOf: app.gongzhi.clock.today(), catalog: catalog)
            #expect(facts.applicationEffect == 4)
            let page = try await AppHarness.login(app, unit: "tax-office", roles: [.coordinator])
            try await app.testing().test(.GET, "reports/effectiveness", headers: page.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("4 分") && res.body.string.contains("查补契税"))
            }
        }
    }
}
