import Fluent
import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import Testing
import Vapor
import VaporTesting

/// Complaints (issue 13 §4, 附件1 第二十条): filed by a unit's staff, handled and decided by the city office only,
/// an upheld leak carried once into the assessment's leak penalty; every step audit-logged.
@Suite("Complaints (投诉)")
struct ComplaintTests {
    static func json(_ res: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
    }

    @Test("file → handle → uphold → leak penalty in the assessment facts; wrong party, state and kind refused")
    func workflow() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let reporter = try await AppHarness.token(app, unit: "housing", roles: [.reporter])
            let cityOffice = try await AppHarness.token(app, unit: "city-office", roles: [.approver])
            let coordinator = try await AppHarness.token(app, unit: "tax-office", roles: [.coordinator])
            func file(_ kind: String, against: String) async throws -> (HTTPStatus, String) {
                var out: (HTTPStatus, String) = (.ok, "")
                try await app.testing().test(.POST, "api/v1/complaints", headers: reporter, beforeRequest: { req in
                    try req.content.encode(["kind": kind, "against": against, "text": "2026年10月 房屋出租数据出现在中介网站"])
                }) { res async throws in out = (res.status, (try? Self.json(res)["id"] as? String) ?? res.body.string) }
                return out
            }
            func act(_ id: String, _ action: String, _ headers: HTTPHeaders, body: [String: String], expect status: HTTPStatus) async throws {
                try await app.testing().test(.POST, "api/v1/complaints/\(id)/\(action)", headers: headers, beforeRequest: { req in
                    try req.content.encode(body)
                }) { res async in #expect(res.status == status, "\(action): \(res.body.string)") }
            }
            #expect(try await file("leak", against: "housing").0 == .badRequest, "not against the own unit")
            let (status, leak) = try await file("leak", against: "local-tax")
            #expect(status == .created)
            let (_, misuse) = try await file("misuse", against: "local-tax")

            // only the city office handles; a note is required; a decided complaint is final
            try await act(leak, "handle", reporter, body: ["note": "x"], expect: .forbidden)
            try await act(leak, "handle", cityOffice, body: ["note": ""], expect: .badRequest)
            try await act(leak, "handle", cityOffice, body: ["note": "已约谈地税局信息科"], expect: .ok)
            try await act(leak, "handle", cityOffice, body: ["note": "再次"], expect: .conflict)
            try await act(leak, "uphold", cityOffice, body: ["note": "经核实系地税局工作人员外泄"], expect: .ok)
            try await act(leak, "reject", cityOffice, body: ["note": "x"], expect: .conflict)
            try await act(misuse, "uphold", cityOffice, body: ["note": "超出申请用途"], expect: .ok)

            // an upheld misuse carries no leak penalty; the upheld leak does, once, with 5–10
            try await app.testing().test(.POST, "api/v1/complaints/\(misuse)/penalty", headers: coordinator, beforeRequest: { req in
                try req.content.encode(["penalty": 5])
            }) { res async throws in
                #expect(res.status == .badRequest)
                #expect(try Self.json(res)["error"] as? String == "not_an_upheld_leak")
            }
            try await app.testing().test(.POST, "api/v1/complaints/\(leak)/penalty", headers: coordinator, beforeRequest: { req in
                try req.content.encode(["penalty": 11])
            }) { res async in #expect(res.status == .badRequest) }
            try await app.testing().test(.POST, "api/v1/complaints/\(leak)/penalty", headers: coordinator, beforeRequest: { req in
                try req.content.encode(["penalty": 8])
            }) { res async throws in
                #expect(res.status == .ok, "\(res.body.string)")
                #expect(try Self.json(res)["leak_penalty"] as? Int == 8 && Self.json(res)["penalty_quarter"] as? String == "2026Q4")
            }
            try await app.testing().test(.POST, "api/v1/complaints/\(leak)/penalty", headers: coordinator, beforeRequest: { req in
                try req.content.encode(["penalty": 8])
            }) { res async in #expect(res.status == .conflict) }

            let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
            let facts = try await AssessmentService(database: app.db, clock: app.gongzhi.clock)
                .facts(unit: "local-tax", quarter: .quarter(year: 2026, quarter: 4), asOf: app.gongzhi.clock.today(), catalog: catalog)
            #expect(facts.leakPenalty == 8)

            // the parties see it; a third unit does not; the page is in Chinese
            try await app.testing().test(.GET, "api/v1/complaints", headers: try await AppHarness.token(app, unit: "customs", roles: [.reporter])) { res async in
                #expect(res.body.string == "[]")
            }
            let page = try await AppHarness.login(app, unit: "city-office", roles: [.approver])
            try await app.testing().test(.GET, "complaints", headers: page.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("投诉成立") && res.body.string.contains("已计入 2026Q4 考核泄密扣分 8 分"))
            }
            let audit = try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .complaint), page: 1, per: 20)
            #expect(audit.total == 5)
        }
    }
}
