import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// Users, sign-in with lock-out, sessions with CSRF, API tokens and unit scoping (issue 5).
@Suite("Authentication and unit scoping", .serialized)
struct AuthTests {
    static let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    static func loginBody(_ username: String, _ password: String) -> ByteBuffer {
        ByteBuffer(string: "username=\(username)&password=\(password)&next=%2Fsubmissions")
    }

    @Test("a correct password opens a session that grants pages; a wrong one is refused and grants nothing")
    func login() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let user = try await AppHarness.user(app, username: "li.na", unit: "housing")
            // when: a wrong password
            try await app.testing().test(.POST, "login", headers: Self.form, body: Self.loginBody("li.na", "wrong-password-1")) { res async in
                // then
                #expect(res.status == .unauthorized)
                #expect(res.body.string.contains("用户名或密码不正确"))
                #expect(res.headers.setCookie?["gongzhi_session"] == nil)
            }
            try await app.testing().test(.POST, "login", headers: Self.form, body: Self.loginBody("nobody", "wrong-password-1")) { res async in
                #expect(res.status == .unauthorized, "an unknown user gets the same answer")
                #expect(res.body.string.contains("用户名或密码不正确"))
            }
            // when: the right one
            var cookie = ""
            try await app.testing().test(.POST, "login", headers: Self.form, body: Self.loginBody("li.na", AppHarness.password)) { res async in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location) == "/submissions", "back to where the clerk was going")
                let set = res.headers.setCookie?["gongzhi_session"]
                #expect(set?.isHTTPOnly == true && set?.sameSite == .lax)
                cookie = set?.string ?? ""
            }
            // then: the session grants pages and the header names the user
            try await app.testing().test(.GET, "/", headers: ["Cookie": "gongzhi_session=\(cookie)"]) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains(user.displayName))
                #expect(page.contains("housing"))
                #expect(page.contains("退出"))
                #expect(!page.contains("未登录"))
            }
            try await app.testing().test(.GET, "/", headers: ["Cookie": "gongzhi_session=forged"]) { res async in
                #expect(res.status == .seeOther, "an unknown cookie grants nothing")
            }
            try await app.testing().test(.GET, "login?next=%2Fupload", headers: ["Cookie": "gongzhi_session=\(cookie)"]) { res async in
                #expect(res.status == .seeOther && res.headers.first(name: .location) == "/upload")
            }
            try await app.testing().test(.GET, "login?next=%2F%2Fevil.example", headers: ["Cookie": "gongzhi_session=\(cookie)"]) { res async in
                #expect(res.headers.first(name: .location) == "/", "no redirect off the site")
            }
            // and every attempt is in the audit log: two failures (with the name typed), one sign-in
            let failed = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login_failed").sort(\.$sequence).all()
            #expect(failed.map(\.userID) == ["li.na", "nobody"])
            let signedIn = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login").all()
            #expect(signedIn.count == 1 && signedIn.first?.unitCode == "housing")
            try await app.testing().test(.POST, "logout", headers: ["Cookie": "gongzhi_session=\(cookie)", "Content-Type": "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: "csrf_token=" + (try await Self.csrf(app, cookie: cookie)))) { res async in
                #expect(res.status == .seeOther)
            }
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "logout").count() == 1)
        }
    }

    /// The CSRF token a page of the session `cookie` carries.
    static func csrf(_ app: Application, cookie: String) async throws -> String {
        var token = ""
        try await app.testing().test(.GET, "account/tokens", headers: ["Cookie": "gongzhi_session=\(cookie)"]) { res async in
            let page = res.body.string
            if let r = page.range(of: "name=\"csrf_token\" value=\"") {
                token = String(page[r.upperBound...].prefix { $0 != "\"" })
            }
        }
        return token
    }

    @Test("ten wrong passwords in a row, from several addresses, lock the account for 15 minutes; a success resets the count")
    func lockOut() async throws {
        let clock = TestClock()
        try await AppHarness.withApp(clock: clock.clock, trustedProxies: [""]) { app, _ async throws in
            // given
            try await AppHarness.user(app, username: "wang.min", unit: "housing")
            // Each attempt from its own address, so that the per-address throttling stays out of the way.
            let counter = Counter()
            func attempt(_ password: String) async throws -> (HTTPStatus, String) {
                var result: (HTTPStatus, String) = (.ok, "")
                let headers = Self.form.adding("X-Forwarded-For", "10.1.0.\(counter.next())")
                try await app.testing().test(.POST, "login", headers: headers, body: Self.loginBody("wang.min", password)) { res async in
                    result = (res.status, res.body.string)
                }
                return result
            }
            let max = AccountService.maxFailedLogins
            // failures, then a success: the count starts again
            for _ in 1..<max { #expect(try await attempt("wrong-password-1").0 == .unauthorized) }
            #expect(try await attempt(AppHarness.password).0 == .seeOther)
            for _ in 1..<max { #expect(try await attempt("wrong-password-1").0 == .unauthorized) }
            // when: the tenth failure in a row
            let last = try await attempt("wrong-password-1")
            // then: locked, with the same answer as any wrong password (nothing tells that the account exists or is locked)
            #expect(last.0 == .unauthorized)
            #expect(last.1.contains(AuthError.badCredentials(.wrongPassword).message))
            let stored = try #require(try await UserRepository(database: app.db).user(named: "wang.min"))
            #expect(stored.isLocked(at: clock.clock.now()))
            // the right password does not help while locked
            clock.advance(minutes: 14)
            let during = try await attempt(AppHarness.password)
            #expect(during.0 == .unauthorized && during.1.contains(AuthError.badCredentials(.wrongPassword).message))
            // after 15 minutes it works again
            clock.advance(minutes: 1)
            #expect(try await attempt(AppHarness.password).0 == .seeOther)
            let after = try #require(try await UserRepository(database: app.db).user(named: "wang.min"))
            #expect(after.failedLogins == 0 && !after.isLocked(at: clock.clock.now()))
            // the audit log knows why each refusal happened
            let reasons = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login_failed").all().compactMap(\.detail)
            #expect(reasons.contains { $0.hasPrefix("reason=wrong_password; account_locked_until=") })
            #expect(reasons.contains { $0.hasPrefix("reason=account_locked_until=") })
        }
    }

    @Test("anonymous pages go to the login page; the anonymous API gets 401 JSON; login and health are public")
    func anonymous() async throws {
        try await AppHarness.withApp { app, _ async throws in
            for path in ["/", "submissions?unit=housing", "board", "upload", "account/tokens"] {
                try await app.testing().test(.GET, path) { res async in
                    #expect(res.status == .seeOther, "\(path)")
                    let location = res.headers.first(name: .location) ?? ""
                    #expect(location.hasPrefix("/login?next="), "\(path) → \(location)")
                }
            }
            try await app.testing().test(.GET, "submissions?unit=housing") { res async in
                #expect(res.headers.first(name: .location) == "/login?next=/submissions%3Funit%3Dhousing")
            }
            for (method, path) in [(HTTPMethod.GET, "api/v1/submissions"), (.GET, "api/v1/catalog/indicators"),
                                   (.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03"), (.GET, "api/v1/tokens")] {
                try await app.testing().test(method, path) { res async throws in
                    #expect(res.status == .unauthorized, "\(path)")
                    #expect(res.headers.first(name: .wwwAuthenticate) == "Bearer")
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                    #expect(json["error"] as? String == "unauthenticated")
                    #expect((json["message"] as? String)?.hasPrefix("请先登录") == true)
                }
            }
            try await app.testing().test(.POST, "zero-data", headers: Self.form, body: ByteBuffer(string: "indicator=HOU-001")) { res async in
                #expect(res.status == .seeOther, "an anonymous form post files nothing")
            }
            try await app.testing().test(.GET, "login") { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("name=\"password\""))
            }
            try await app.testing().test(.GET, "health") { res async in #expect(res.status == .ok) }
            #expect(try await SubmissionRepository(database: app.db).counts().submissions == 0)
        }
    }

    @Test("tokens are created (shown once), listed and revoked by their owner; a revoked token is refused")
    func tokens() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let session = try await AppHarness.login(app, unit: "housing")
            var token = ""
            // when: created on the page
            try await app.testing().test(.POST, "account/tokens", headers: session.formHeaders, body: session.form("name=%E6%8A%A5%E9%80%81%E8%84%9A%E6%9C%AC")) { res async in
                #expect(res.status == .created)
                let page = res.body.string
                #expect(page.contains("报送脚本"))
                if let range = page.range(of: "<code>gz_") {
                    token = "gz_" + String(page[range.upperBound...].prefix { $0 != "<" })
                }
            }
            try #require(token.count > 40)
            let stored = try await ApiTokenRecord.query(on: app.db).all()
            #expect(stored.count == 1 && !stored[0].tokenSHA256.contains(token) && stored[0].tokenSHA256.count == 64, "only the hash is kept")
            try await app.testing().test(.GET, "account/tokens", headers: session.headers) { res async in
                #expect(res.body.string.contains("报送脚本"))
                #expect(!res.body.string.contains(token), "the token is shown only once")
            }
            // then: it grants the API, as its owner
            let bearer: HTTPHeaders = ["Authorization": "Bearer \(token)"]
            var id = ""
            try await app.testing().test(.GET, "api/v1/tokens", headers: bearer) { res async throws in
                #expect(res.status == .ok)
                let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [[String: Any]])
                #expect(list.count == 1 && list[0]["name"] as? String == "报送脚本" && list[0]["token"] == nil)
                id = list[0]["id"] as? String ?? ""
            }
            // another user cannot revoke it
            let other = try await AppHarness.login(app, unit: "housing")
            try await app.testing().test(.POST, "account/tokens/\(id)/revoke", headers: other.formHeaders, body: other.form("")) { res async in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "api/v1/submissions", headers: bearer) { res async in #expect(res.status == .ok) }
            // when: revoked by its owner
            try await app.testing().test(.POST, "account/tokens/\(id)/revoke", headers: session.formHeaders, body: session.form("")) { res async in
                #expect(res.status == .seeOther)
            }
            // then: refused
            try await app.testing().test(.GET, "api/v1/submissions", headers: bearer) { res async throws in
                #expect(res.status == .unauthorized)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(json["error"] as? String == "invalid_token")
            }
            try await app.testing().test(.GET, "account/tokens", headers: session.headers) { res async in
                #expect(res.body.string.contains("撤销"))
                #expect(res.body.string.contains("已于 2026-11-29 10:00（北京时间） 撤销"))
            }
            // and over the API: create, then delete
            var second = ""
            var secondID = ""
            try await app.testing().test(.POST, "api/v1/tokens", headers: try await AppHarness.token(app, unit: "housing").adding("Content-Type", "application/json"),
                                         body: ByteBuffer(string: #"{"name":"第二个"}"#)) { res async throws in
                #expect(res.status == .created)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                second = json["token"] as? String ?? ""
                secondID = json["id"] as? String ?? ""
            }
            try await app.testing().test(.DELETE, "api/v1/tokens/\(secondID)", headers: ["Authorization": "Bearer \(second)"]) { res async in
                #expect(res.status == .noContent)
            }
            try await app.testing().test(.GET, "api/v1/tokens", headers: ["Authorization": "Bearer \(second)"]) { res async in
                #expect(res.status == .unauthorized)
            }
            // creations and revocations are audited by id, and no token ever reaches the log
            let changes = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "token_change").all()
            #expect(changes.contains { $0.detail == "token=\(secondID); revoked" })
            #expect(changes.filter { $0.detail?.hasSuffix("created") == true }.count >= 2)
            #expect(!changes.contains { ($0.detail ?? "").contains(second) })
        }
    }

    @Test("a form posted from a session needs the session's CSRF token; bearer-token requests do not")
    func csrf() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let session = try await AppHarness.login(app, unit: "housing")
            let body = "indicator=HOU-003&period=2024Q1&explanation=%E6%9C%AC%E5%AD%A3%E5%BA%A6%E6%97%A0%E6%96%B0%E5%BB%BA%E5%95%86%E5%93%81%E6%88%BF%E9%A1%B9%E7%9B%AE"
            // missing
            try await app.testing().test(.POST, "zero-data", headers: session.formHeaders, body: ByteBuffer(string: body)) { res async in
                #expect(res.status == .forbidden)
                #expect(res.body.string.contains("csrf_token"))
                #expect(res.body.string.contains("请刷新页面后重新提交"))
            }
            // wrong
            try await app.testing().test(.POST, "zero-data", headers: session.formHeaders, body: ByteBuffer(string: "csrf_token=x&" + body)) { res async in
                #expect(res.status == .forbidden)
            }
            // another session's
            let other = try await AppHarness.login(app, unit: "housing")
            try await app.testing().test(.POST, "zero-data", headers: session.formHeaders, body: other.form(body)) { res async in
                #expect(res.status == .forbidden)
            }
            // multipart upload without it
            let (name, data, _) = try AppHarness.sampleData("S01")
            try await app.testing().test(.POST, "submissions", headers: session.multipartHeaders(boundary: "b"),
                                         body: AppHarness.multipart(boundary: "b", fields: [("indicator", "HOU-001"), ("period", "2024-03")],
                                                                    file: ("file", name, data))) { res async in
                #expect(res.status == .forbidden)
            }
            // logout without it does not log out
            try await app.testing().test(.POST, "logout", headers: session.formHeaders, body: ByteBuffer(string: "")) { res async in
                #expect(res.status == .forbidden)
            }
            #expect(try await SubmissionRepository(database: app.db).counts().submissions == 0)
            // with it: filed
            try await app.testing().test(.POST, "zero-data", headers: session.formHeaders, body: session.form(body)) { res async in
                #expect(res.status == .seeOther)
            }
            // the header works too
            var headers = session.formHeaders
            headers.add(name: "X-CSRF-Token", value: session.csrf)
            try await app.testing().test(.POST, "zero-data", headers: headers, body: ByteBuffer(string: body)) { res async in
                #expect(res.status == .seeOther)
            }
            // a bearer token is exempt: browsers never send it by themselves
            var bearer = try await AppHarness.token(app, unit: "housing")
            bearer.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            try await app.testing().test(.POST, "zero-data", headers: bearer, body: ByteBuffer(string: body)) { res async in
                #expect(res.status == .seeOther)
            }
            #expect(try await SubmissionRepository(database: app.db).counts().submissions == 3)
            // logout with it ends the session
            try await app.testing().test(.POST, "logout", headers: session.formHeaders, body: session.form("")) { res async in
                #expect(res.status == .seeOther && res.headers.first(name: .location) == "/login")
            }
            try await app.testing().test(.GET, "/", headers: session.headers) { res async in
                #expect(res.status == .seeOther, "the ended session grants nothing")
            }
        }
    }

    @Test("a reporter sees and files only for its own unit; other roles do not upload")
    func unitScoping() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given: a housing submission (S01) and an urban-construction one (S04)
            let housing = try await AppHarness.token(app, unit: "housing")
            let construction = try await AppHarness.token(app, unit: "urban-construction")
            var housingID = "", constructionID = ""
            let (s01, d01, _) = try AppHarness.sampleData("S01")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(s01)", headers: housing,
                                         body: ByteBuffer(data: d01)) { res async throws in
                #expect(res.status == .created)
                housingID = (try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])?["submission_id"] as? String ?? ""
            }
            let (s04, d04, _) = try AppHarness.sampleData("S04")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=CON-003&period=2024-03&file=\(s04)", headers: construction,
                                         body: ByteBuffer(data: d04)) { res async throws in
                #expect(res.status == .created)
                constructionID = (try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])?["submission_id"] as? String ?? ""
            }
            // when / then: the housing reporter reads its own …
            let page = try await AppHarness.login(app, unit: "housing")
            for path in ["submissions/\(housingID)", "submissions/\(housingID)/records", "submissions/\(housingID)/errors.csv", "units/housing"] {
                try await app.testing().test(.GET, path, headers: page.headers) { res async in #expect(res.status == .ok, "\(path)") }
            }
            // … but nothing of urban-construction's
            for path in ["submissions/\(constructionID)", "submissions/\(constructionID)/records", "submissions/\(constructionID)/errors.csv",
                         "units/urban-construction", "submissions?unit=urban-construction"] {
                try await app.testing().test(.GET, path, headers: page.headers) { res async in
                    #expect(res.status == .notFound, "\(path)")
                    #expect(!res.body.string.contains(s04))
                }
            }
            for path in ["api/v1/submissions/\(constructionID)", "api/v1/submissions/\(constructionID)/records",
                         "api/v1/tasks?period=2024-03&unit=urban-construction"] {
                try await app.testing().test(.GET, path, headers: housing) { res async in #expect(res.status == .notFound, "\(path)") }
            }
            try await app.testing().test(.GET, "submissions", headers: page.headers) { res async in
                #expect(res.body.string.contains(s01) && !res.body.string.contains(s04), "the list holds only the own unit's")
            }
            try await app.testing().test(.GET, "api/v1/submissions", headers: housing) { res async throws in
                let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [[String: Any]])
                #expect(list.map { $0["unit"] as? String } == ["housing"])
            }
            try await app.testing().test(.GET, "api/v1/tasks?period=2024-03", headers: housing) { res async throws in
                let rows = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [[String: Any]])
                #expect(!rows.isEmpty && rows.allSatisfy { $0["unit"] as? String == "housing" })
            }
            // the housing reporter may not file urban-construction's indicator
            try await app.testing().test(.POST, "api/v1/submissions?indicator=CON-003&period=2024-02&file=\(s04)", headers: housing,
                                         body: ByteBuffer(data: d04)) { res async in
                #expect(res.status == .forbidden)
                #expect(res.body.string.contains("not_permitted"))
            }
            try await app.testing().test(.POST, "zero-data", headers: page.formHeaders,
                                         body: page.form("indicator=CON-003&period=2024-02&explanation=%E6%9C%AC%E6%9C%88%E6%97%A0%E6%96%BD%E5%B7%A5%E8%AE%B8%E5%8F%AF%E6%95%B0%E6%8D%AE")) { res async in
                #expect(res.status == .forbidden)
            }
            // the info center's admin and an auditor read every unit's
            let admin = try await AppHarness.token(app)
            let auditor = try await AppHarness.token(app, unit: "audit", roles: [.auditor])
            for reader in [admin, auditor] {
                try await app.testing().test(.GET, "api/v1/submissions/\(constructionID)", headers: reader) { res async in #expect(res.status == .ok) }
            }
            // analysts, approvers and auditors do not upload; a reporter does not see the board
            for (unit, role) in [("local-tax", Role.analyst), ("city-office", .approver), ("audit", .auditor), ("housing", .unitHead)] {
                try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-02&file=\(s01)",
                                             headers: try await AppHarness.token(app, unit: unit, roles: [role]), body: ByteBuffer(data: d01)) { res async throws in
                    #expect(res.status == .forbidden, "\(role)")
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                    #expect(json["error"] as? String == "forbidden")
                }
            }
            try await app.testing().test(.GET, "board", headers: page.headers) { res async in
                #expect(res.status == .forbidden)
                #expect(res.body.string.contains("无权"))
            }
            #expect(try await SubmissionRepository(database: app.db).counts().submissions == 2)
        }
    }

    @Test("gongzhi user create --admin makes an info-center admin who can sign in; user list shows them")
    func cliCreatesAdmin() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let env: [String: String] = switch app.gongzhi.config.database {
            case .sqlite(let path): ["GONGZHI_DB": path]
            case .postgres(let url): ["DATABASE_URL": url]
            }
            // when
            let created = try CLITests.run(["user", "create", "--admin", "--username", "root", "--display-name", "信息中心管理员", "--password-stdin"],
                                           environment: env, input: "a-long-admin-password\n")
            // then
            #expect(created.status == 0, Comment(rawValue: created.stderr))
            #expect(created.stdout.contains("已创建用户 root"))
            let root = try #require(try await UserRepository(database: app.db).user(named: "root"))
            #expect(root.unitCode == "info-center" && root.roleSet == [.admin] && root.displayName == "信息中心管理员")
            #expect(root.passwordHash.hasPrefix("$2") && !root.passwordHash.contains("a-long-admin-password"))
            let session = try await AppHarness.login(app, username: "root", password: "a-long-admin-password")
            try await app.testing().test(.GET, "board", headers: session.headers) { res async in #expect(res.status == .ok) }
            // refusals: the same username, a short password, no password, an unknown role or unit
            let again = try CLITests.run(["user", "create", "--admin", "--username", "root", "--display-name", "X", "--password-stdin"],
                                         environment: env, input: "another-long-password\n")
            #expect(again.status == 1 && again.stderr.contains("已存在"))
            let short = try CLITests.run(["user", "create", "--username", "li", "--unit", "housing", "--role", "reporter", "--password-stdin"],
                                         environment: env, input: "short\n")
            #expect(short.status == 1 && short.stderr.contains("至少 10 个字符"))
            let none = try CLITests.run(["user", "create", "--username", "li", "--unit", "housing", "--role", "reporter"], environment: env)
            #expect(none.status == 1 && none.stderr.contains("--password-stdin"))
            let role = try CLITests.run(["user", "create", "--username", "li", "--unit", "housing", "--role", "boss", "--password-stdin"],
                                        environment: env, input: "a-long-password-1\n")
            #expect(role.status != 0 && role.stderr.contains("未知角色"))
            let unit = try CLITests.run(["user", "create", "--username", "li", "--unit", "nowhere", "--role", "reporter", "--password-stdin"],
                                        environment: env, input: "a-long-password-1\n")
            #expect(unit.status == 1 && unit.stderr.contains("不在目录中"))
            // a reporter with two roles
            let reporter = try CLITests.run(["user", "create", "--username", "li.na", "--unit", "housing", "--role", "reporter,unit_head",
                                             "--password-stdin"], environment: env, input: "a-long-password-1\n")
            #expect(reporter.status == 0, Comment(rawValue: reporter.stderr))
            let list = try CLITests.run(["user", "list"], environment: env)
            #expect(list.status == 0)
            #expect(list.stdout.contains("root\t信息中心管理员\tinfo-center\tadmin\t正常"))
            #expect(list.stdout.contains("li.na\tli.na\thousing\treporter,unit_head\t正常"))
        }
    }
}

extension HTTPHeaders {
    /// These headers with `name: value` added.
    func adding(_ name: String, _ value: String) -> HTTPHeaders {
        var copy = self
        copy.add(name: name, value: value)
        return copy
    }
}
