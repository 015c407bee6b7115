import Fluent
import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import Testing
import Vapor
import VaporTesting

/// Notices to the member units (issue 13 §5): checked in Core, posted by the info center to all or chosen
/// units with reminders queued for the units' 数据报送员, shown unread on the home page until read.
@Suite("Notices and reminders")
struct NoticeTests {
    @Test("a notice is checked: title and body present and bounded, chosen units known, sorted and unique")
    func coreRules() throws {
        let known: Set<String> = ["housing", "tax-office"]
        #expect(throws: NoticeError.missingTitle) { try Notice(title: "  ", body: "x", category: .general, audience: .all, knownUnits: known) }
        #expect(throws: NoticeError.titleTooLong(61)) {
            try Notice(title: String(repeating: "通", count: 61), body: "x", category: .general, audience: .all, knownUnits: known)
        }
        #expect(throws: NoticeError.missingBody) { try Notice(title: "t", body: "\n", category: .general, audience: .all, knownUnits: known) }
        #expect(throws: NoticeError.noUnitChosen) { try Notice(title: "t", body: "b", category: .general, audience: .units([" "]), knownUnits: known) }
        #expect(throws: NoticeError.unknownUnit("nobody")) {
            try Notice(title: "t", body: "b", category: .general, audience: .units(["housing", "nobody"]), knownUnits: known)
        }
        let n = try Notice(title: " 三月报送期限延后 ", body: "因系统升级……", category: .deadline,
                           audience: .units(["tax-office", "housing", "housing"]), knownUnits: known)
        #expect(n.title == "三月报送期限延后")
        #expect(n.audience == .units(["housing", "tax-office"]))
        #expect(n.audience.includes("housing") && !n.audience.includes("police"))
        #expect(n.reminderText == "【社会综合治税共享平台】报送期限：三月报送期限延后。详情请登录平台查看。")
    }

    static func json(_ res: TestingHTTPResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(buffer: res.body))
    }

    @Test("the info center posts to all units: reminders for units with a reporter's mobile, unread on the home page until opened")
    func postToAll() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let day = app.gongzhi.clock.today()
            try await ReportingRepository(database: app.db).add(
                UnitContact(unit: "housing", role: .reporter, name: "王敏", mobile: "13800000001", effectiveFrom: day, notifiedOn: day),
                recordedAt: app.gongzhi.clock.now(), recordedBy: "housing")
            let admin = try await AppHarness.token(app)
            var id = ""
            try await app.testing().test(.POST, "api/v1/notices", headers: admin, beforeRequest: { req in
                try req.content.encode(["title": "2024年一季度报送期限延后", "body": "请于4月25日前报送。", "category": "deadline"])
            }) { res async throws in
                #expect(res.status == .created)
                let body = try #require(try Self.json(res) as? [String: Any])
                id = try #require(body["id"] as? String)
                #expect(body["reminders"] as? Int == 1)
            }
            try await app.testing().test(.GET, "api/v1/reminders", headers: admin) { res async throws in
                let list = try #require(try Self.json(res) as? [[String: Any]])
                #expect(list.count == 1)
                #expect(list.first?["mobile"] as? String == "13800000001")
                #expect((list.first?["text"] as? String)?.contains("2024年一季度报送期限延后") == true)
            }
            // The housing reporter sees it unread on the home page, opens it, and it is read.
            let clerk = try await AppHarness.login(app, unit: "housing", roles: [.reporter])
            try await app.testing().test(.GET, "/", headers: clerk.headers) { res async throws in
                #expect(res.body.string.contains("未读通知（1 条）"))
                #expect(res.body.string.contains("【报送期限】2024年一季度报送期限延后"))
            }
            try await app.testing().test(.GET, "notices/\(id)", headers: clerk.headers) { res async throws in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("请于4月25日前报送。"))
            }
            try await app.testing().test(.GET, "/", headers: clerk.headers) { res async throws in
                #expect(!res.body.string.contains("未读通知"))
            }
            // Unit staff cannot post; the audit log has the posting with its reminder count.
            try await app.testing().test(.POST, "api/v1/notices", headers: try await AppHarness.token(app, unit: "housing", roles: [.reporter]),
                                         beforeRequest: { req in try req.content.encode(["title": "x", "body": "y"]) }) { res async throws in
                #expect(res.status == .forbidden)
            }
            let entries = try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .notice), page: 1, per: 10)
            #expect(entries.total == 1)
            #expect(entries.entries.first?.detail?.hasSuffix("reminders=1") == true)
        }
    }

    @Test("a notice to chosen units reaches only them; a refused form keeps the text and says why in Chinese")
    func chosenUnits() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let publisher = try await AppHarness.login(app, roles: [.admin])
            try await app.testing().test(.POST, "notices", headers: publisher.formHeaders,
                                         body: publisher.form("title=&body=%E6%AD%A3%E6%96%87&category=general&to_all=1")) { res async throws in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("请填写通知标题。"))
                #expect(res.body.string.contains(">正文</textarea>"))
            }
            try await app.testing().test(.POST, "notices", headers: publisher.formHeaders,
                                         body: publisher.form("title=%E4%BC%9A%E8%AE%AE&body=%E6%98%8E%E5%A4%A9&category=meeting&units%5B%5D=housing")) { res async throws in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("通知已发布"))
            }
            let housing = try await AppHarness.token(app, unit: "housing", roles: [.reporter])
            var id = ""
            try await app.testing().test(.GET, "api/v1/notices", headers: housing) { res async throws in
                let list = try #require(try Self.json(res) as? [[String: Any]])
                #expect(list.count == 1)
                #expect(list.first?["units"] as? [String] == ["housing"])
                #expect(list.first?["read"] as? Bool == false)
                id = list.first?["id"] as? String ?? ""
            }
            let other = try await AppHarness.login(app, unit: "tax-office", roles: [.reporter])
            try await app.testing().test(.GET, "notices/\(id)", headers: other.headers) { res async throws in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "notices", headers: other.headers) { res async throws in
                #expect(res.body.string.contains("还没有通知"))
            }
            try await app.testing().test(.POST, "api/v1/notices/\(id)/read", headers: housing) { res async throws in
                #expect(res.status == .noContent)
            }
            try await app.testing().test(.GET, "api/v1/notices", headers: housing) { res async throws in
                let list = try #require(try Self.json(res) as? [[String: Any]])
                #expect(list.first?["read"] as? Bool == true)
            }
        }
    }
}
