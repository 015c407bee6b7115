import Fluent
import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Objections over HTTP (issue 13 §1): a granted analyst files one on a record it may see, the providing unit
/// answers, the filer disputes, the info center rules; each step once, by its party only; upheld ones raise
/// the unit's erroneous records in the assessment facts.
@Suite("Objections (疑义)")
struct ObjectionTests {
    static func json(_ res: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
    }

    static func act(_ app: Application, _ id: String, _ action: String, _ headers: HTTPHeaders, text: String = "",
                    expect status: HTTPStatus, code: String? = nil) async throws {
        try await app.testing().test(.POST, "api/v1/objections/\(id)/\(action)", headers: headers, beforeRequest: { req in
            try req.content.encode(["text": text])
        }) { res async throws in
            #expect(res.status == status, "\(action): \(res.body.string)")
            if let code { #expect(try Self.json(res)["error"] as? String == code) }
        }
    }

    @Test("file → reject → dispute → ruling for the filer; uphold counts in the facts; wrong party and wrong state refused")
    func workflow() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given: PSB-003 2024Q1 filed by public-security, shared with local-tax
            let request = try await SharingRaceTests.pendingRequest(app)
            _ = try await app.gongzhi.sharing(on: app.db).approve(request: request, terms: SharingRaceTests.terms, note: nil,
                                                                  by: SharingServiceTests.approver)
            let sql = try #require(app.db as? any SQLDatabase)
            let ids = try await sql.raw("SELECT id FROM records ORDER BY id LIMIT 2").all().map { try $0.decode(column: "id", as: Int.self) }
            let analyst = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            let provider = try await AppHarness.token(app, unit: "public-security", roles: [.reporter])
            let admin = try await AppHarness.token(app)
            let stranger = try await AppHarness.token(app, unit: "housing", roles: [.analyst])

            // an analyst without a grant cannot object; the provider cannot object to its own data
            try await app.testing().test(.POST, "api/v1/objections", headers: stranger, beforeRequest: { req in
                try req.content.encode(ObjectionController.Filing(kind: "erroneous", record_id: ids[0], reason: "地址有误"))
            }) { res async in #expect(res.status == .forbidden || res.status == .notFound, "\(res.body.string)") }

            var first = "", second = ""
            for (i, target) in ids.enumerated() {
                try await app.testing().test(.POST, "api/v1/objections", headers: analyst, beforeRequest: { req in
                    try req.content.encode(ObjectionController.Filing(kind: "erroneous", record_id: target, field: "monthly_rent",
                                                                       reason: "月租金与合同不符", evidence: "租赁合同 2024-017"))
                }) { res async throws in
                    #expect(res.status == .created, "\(res.body.string)")
                    let body = try Self.json(res)
                    #expect(body["state"] as? String == "open" && body["provider_unit"] as? String == "public-security")
                    if i == 0 { first = body["id"] as? String ?? "" } else { second = body["id"] as? String ?? "" }
                }
            }
            // the filer cannot answer its own objection; the provider cannot dispute
            try await Self.act(app, first, "uphold", analyst, expect: .forbidden, code: "not_permitted")
            try await Self.act(app, first, "reject", provider, expect: .badRequest, code: "reason_required")
            try await Self.act(app, first, "reject", provider, text: "经核实合同金额无误", expect: .ok)
            try await Self.act(app, first, "reject", provider, text: "再次", expect: .conflict, code: "invalid_transition")
            try await Self.act(app, first, "dispute", provider, text: "x", expect: .forbidden, code: "not_permitted")
            try await Self.act(app, first, "dispute", analyst, text: "合同另有补充协议", expect: .ok)
            try await Self.act(app, first, "arbitrate_uphold", analyst, text: "x", expect: .forbidden)
            try await Self.act(app, first, "arbitrate_uphold", admin, text: "以补充协议为准", expect: .ok)
            try await Self.act(app, second, "uphold", provider, expect: .ok)
            try await Self.act(app, second, "corrected", provider, expect: .badRequest, code: "missing_target")

            // both upheld: two erroneous records more in public-security's 2024Q1 facts
            let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
            let facts = try await AssessmentService(database: app.db, clock: app.gongzhi.clock)
                .facts(unit: "public-security", quarter: .quarter(year: 2024, quarter: 1), asOf: app.gongzhi.clock.today(), catalog: catalog)
            let task = try #require(facts.tasks.first { $0.indicator == "PSB-003" })
            let stored = try #require(try await SubmissionRecord.query(on: app.db).filter(\.$indicatorCode == "PSB-003").first())
            #expect(task.erroneous == min(stored.rowsRejected + 2, stored.rowsTotal))

            // each party sees them; another unit does not; every step is in the audit log
            try await app.testing().test(.GET, "api/v1/objections", headers: provider) { res async throws in
                let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [[String: Any]])
                #expect(Set(list.compactMap { $0["state"] as? String }) == ["upheld"])
            }
            try await app.testing().test(.GET, "api/v1/objections", headers: try await AppHarness.token(app, unit: "housing", roles: [.reporter])) { res async throws in
                #expect(res.body.string == "[]")
            }
            let audit = try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .objection), page: 1, per: 50)
            #expect(audit.total == 6)
        }
    }

    @Test("the objections page lists each one with the steps the user may take, in Chinese")
    func page() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let request = try await SharingRaceTests.pendingRequest(app)
            _ = try await app.gongzhi.sharing(on: app.db).approve(request: request, terms: SharingRaceTests.terms, note: nil,
                                                                  by: SharingServiceTests.approver)
            let sql = try #require(app.db as? any SQLDatabase)
            let id = try #require(try await sql.raw("SELECT id FROM records ORDER BY id LIMIT 1").first()).decode(column: "id", as: Int.self)
            let analyst = try await AppHarness.login(app, unit: "local-tax", roles: [.analyst])
            try await app.testing().test(.POST, "objections", headers: analyst.formHeaders,
                                         body: analyst.form("kind=duplicate&record_id=\(id)&field=&submission_id=&count=&reason=%E9%87%8D%E5%A4%8D&evidence=")) { res async in
                #expect(res.status == .seeOther, "\(res.body.string.prefix(300))")
            }
            let provider = try await AppHarness.login(app, unit: "public-security", roles: [.reporter])
            try await app.testing().test(.GET, "/", headers: provider.headers) { res async in
                #expect(res.body.string.contains("待答复 1 件；已采纳待更正 0 件"))
            }
            try await app.testing().test(.GET, "objections", headers: provider.headers) { res async in
                let page = res.body.string
                #expect(page.contains("重复数据") && page.contains("待答复"))
                #expect(page.contains(">采纳</button>") && page.contains(">不予采纳</button>"))
                #expect(!page.contains(">申请裁定</button>"))
            }
        }
    }
}
