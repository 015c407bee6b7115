import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import Testing
import Vapor
import VaporTesting

/// Issue 14 §2: the 综合治税办 records the year-end security check per unit (form and JSON API); each
/// recording is audit-logged; the unit's scorecard page shows the newest check of the quarter's year.
@Suite("Year-end security check (server)", .serialized)
struct SecurityCheckPageTests {
    @Test("a coordinator records a failed check on the form, then a pass through the API; the newest shows on the unit's page")
    func records() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given the 综合治税办's coordinator
            let coordinator = try await AppHarness.login(app, unit: "tax-office", roles: [.coordinator])

            // when a failed check is posted without a deadline, it is refused with the reason
            try await app.testing().test(.POST, "assessment/security-checks", headers: coordinator.formHeaders,
                                         body: coordinator.form("unit=housing&year=2026&failed_accounts=1&findings=%E5%8F%A3%E4%BB%A4%E8%BF%87%E5%BC%B1&result=fail")) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("请填写整改期限"))
            }
            // and with one, it is recorded
            try await app.testing().test(.POST, "assessment/security-checks", headers: coordinator.formHeaders,
                                         body: coordinator.form("unit=housing&year=2026&failed_accounts=1&failed_training=1&findings=%E5%8F%A3%E4%BB%A4%E8%BF%87%E5%BC%B1&fix_deadline=2027-03-31&result=fail")) { res async in
                #expect(res.status == .ok)
                let body = res.body.string
                #expect(body.contains("已记录市住房保障和房产管理局 2026 年底安全检查：不通过"))
                #expect(body.contains("口令过弱") && body.contains("2027-03-31"))
                #expect(body.contains("已检查 1 个单位，其中不通过 1 个"))
            }

            // then the unit's scorecard page of a 2026 quarter shows it
            try await app.testing().test(.GET, "assessment/units/housing?quarter=2026Q4", headers: coordinator.headers) { res async in
                #expect(res.status == .ok)
                let body = res.body.string
                #expect(body.contains("2026 年底安全检查") && body.contains("不通过") && body.contains("人员保密和安全培训"))
            }

            // when the unit is checked again after fixing, through the API
            let token = try await AppHarness.token(app, unit: "tax-office", roles: [.coordinator])
            try await app.testing().test(.POST, "api/v1/assessment/security-checks", headers: token, beforeRequest: { req async throws in
                try req.content.encode(["unit": "housing", "year": "2026", "result": "pass"] as [String: String])
            }, afterResponse: { res async throws in
                // year as text is refused by the typed body; send it as a number below
                #expect(res.status == .badRequest)
            })
            struct Body: Content { var unit: String; var year: Int; var result: String; var failed_items: [String] }
            try await app.testing().test(.POST, "api/v1/assessment/security-checks", headers: token, beforeRequest: { req async throws in
                try req.content.encode(Body(unit: "housing", year: 2026, result: "pass", failed_items: []))
            }, afterResponse: { res async throws in
                #expect(res.status == .created)
                #expect(res.body.string.contains("\"result\":\"pass\""))
            })
            try await app.testing().test(.GET, "api/v1/assessment/security-checks?year=2026", headers: token) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.components(separatedBy: "\"unit\":\"housing\"").count == 3)
            }
            try await app.testing().test(.GET, "assessment/units/housing?quarter=2026Q4", headers: coordinator.headers) { res async in
                #expect(res.body.string.contains("结论：通过"))
            }

            // every recording is in the audit log
            let entries = try await AuditEntryRecord.query(on: app.db).filter(\.$action == AuditAction.assessment.rawValue).all()
            let details = entries.compactMap(\.detail).filter { $0.hasPrefix("security_check") }
            #expect(details == ["security_check unit=housing year=2026 result=fail failed=accounts,training fix_by=2027-03-31",
                                "security_check unit=housing year=2026 result=pass"])
        }
    }
}
