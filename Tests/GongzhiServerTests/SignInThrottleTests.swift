import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// Issue 9, sign-in: one answer for unknown names, locked accounts and wrong passwords; throttling per client
/// address as well as per account; the info center sees and lifts lock-outs (page and `gongzhi user unlock`).
@Suite("Sign-in: one answer, throttling per address and account, lock-outs lifted by the info center", .serialized)
struct SignInThrottleTests {
    static let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    /// Posts the login form as client `address`; returns the status and the page's error notice.
    static func attempt(_ app: Application, _ username: String, _ password: String, from address: String) async throws -> (status: HTTPStatus, notice: String) {
        var result: (HTTPStatus, String) = (.ok, "")
        try await app.testing().test(.POST, "login", headers: form.adding("X-Forwarded-For", address),
                                     body: ByteBuffer(string: "username=\(username)&password=\(password)")) { res async in
            let page = res.body.string
            var notice = ""
            if let start = page.range(of: #"<div class="notice bad">"#), let end = page[start.upperBound...].range(of: "</div>") {
                notice = String(page[start.upperBound..<end.lowerBound])
            }
            result = (res.status, notice)
        }
        return result
    }

    @Test("an unknown name, a locked account and a wrong password get the same status and message")
    func sameAnswer() async throws {
        try await AppHarness.withApp(trustedProxies: [""]) { app, _ async throws in
            // given: li.na exists; zhou.locked exists and is locked
            try await AppHarness.user(app, username: "li.na", unit: "housing")
            let locked = try await AppHarness.user(app, username: "zhou.locked", unit: "housing")
            locked.lockedUntil = app.gongzhi.clock.now().addingTimeInterval(600)
            try await locked.update(on: app.db)
            // when
            let unknown = try await Self.attempt(app, "nobody", "wrong-password-1", from: "10.2.0.1")
            let wrong = try await Self.attempt(app, "li.na", "wrong-password-1", from: "10.2.0.2")
            let lockedRight = try await Self.attempt(app, "zhou.locked", AppHarness.password, from: "10.2.0.3")
            let lockedWrong = try await Self.attempt(app, "zhou.locked", "wrong-password-1", from: "10.2.0.4")
            // then
            for answer in [unknown, wrong, lockedRight, lockedWrong] {
                #expect(answer.status == .unauthorized)
                #expect(answer.notice == unknown.notice && !answer.notice.isEmpty, "\(answer.notice)")
                #expect(!answer.notice.contains("锁定至") && !answer.notice.contains("不存在"))
            }
            // over the API (JSON) the answer is the same code for every reason too
            #expect(AuthError.badCredentials(.unknownUser).code == AuthError.badCredentials(.accountLocked(until: Date())).code)
            #expect(AuthError.badCredentials(.addressThrottled).message == AuthError.badCredentials(.wrongPassword).message)
        }
    }

    @Test("an address is throttled after five failures in fifteen minutes, without locking the account for others")
    func perAddress() async throws {
        let clock = TestClock()
        try await AppHarness.withApp(clock: clock.clock, trustedProxies: [""]) { app, _ async throws in
            // given
            try await AppHarness.user(app, username: "li.na", unit: "housing")
            // (existing names: an unknown one is checked against a full-cost hash, slow in a debug build)
            for i in 1...AccountService.maxFailuresPerAddress { try await AppHarness.user(app, username: "guess\(i)", unit: "housing") }
            let attacker = "203.0.113.7"
            // when: five failures from one address, each against another name
            for i in 1...AccountService.maxFailuresPerAddress {
                #expect(try await Self.attempt(app, "guess\(i)", "wrong-password-1", from: attacker).status == .unauthorized)
            }
            // then: even the right password is refused from there, with the same answer …
            let refused = try await Self.attempt(app, "li.na", AppHarness.password, from: attacker)
            #expect(refused.status == .unauthorized)
            #expect(refused.notice == AuthError.badCredentials(.addressThrottled).message)
            // … while the clerk signs in from her own address, her account untouched
            #expect(try await Self.attempt(app, "li.na", AppHarness.password, from: "10.3.0.1").status == .seeOther)
            let user = try #require(try await UserRepository(database: app.db).user(named: "li.na"))
            #expect(user.failedLogins == 0 && user.lockedUntil == nil)
            // refusals while throttled do not extend it: fifteen minutes after the failures the address is let through
            clock.advance(minutes: 10)
            #expect(try await Self.attempt(app, "li.na", AppHarness.password, from: attacker).status == .unauthorized)
            clock.advance(minutes: 6)
            #expect(try await Self.attempt(app, "li.na", AppHarness.password, from: attacker).status == .seeOther)
            let reasons = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login_failed").all().compactMap(\.detail)
            #expect(reasons.filter { $0 == "reason=address_throttled" }.count == 2)
            #expect(reasons.filter { $0 == "reason=wrong_password" }.count == AccountService.maxFailuresPerAddress)
        }
    }

    @Test("one address alone cannot lock an account: it is throttled first")
    func oneAddressCannotLock() async throws {
        try await AppHarness.withApp(trustedProxies: [""]) { app, _ async throws in
            try await AppHarness.user(app, username: "root", unit: "info-center", roles: [.admin])
            for _ in 0..<(AccountService.maxFailedLogins * 2) {
                _ = try await Self.attempt(app, "root", "wrong-password-1", from: "198.51.100.9")
            }
            let root = try #require(try await UserRepository(database: app.db).user(named: "root"))
            #expect(root.failedLogins == AccountService.maxFailuresPerAddress && root.lockedUntil == nil)
            #expect(try await Self.attempt(app, "root", AppHarness.password, from: "10.4.0.1").status == .seeOther)
        }
    }

    @Test("concurrent failures from one address let at most the limit through")
    func concurrentAttempts() async throws {
        try await AppHarness.withApp(trustedProxies: [""]) { app, _ async throws in
            try await AppHarness.user(app, username: "li.na", unit: "housing")
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<12 {
                    group.addTask { _ = try? await Self.attempt(app, "li.na", "wrong-password-1", from: "192.0.2.1") }
                }
            }
            let user = try #require(try await UserRepository(database: app.db).user(named: "li.na"))
            #expect(user.failedLogins <= AccountService.maxFailuresPerAddress, "passwords checked: \(user.failedLogins)")
        }
    }

    @Test("the info center sees locked accounts and throttled addresses and lifts them, audit-logged")
    func infoCenterPage() async throws {
        try await AppHarness.withApp(trustedProxies: [""]) { app, _ async throws in
            // given: a locked account and a throttled address
            let locked = try await AppHarness.user(app, username: "wang.min", unit: "housing")
            locked.lockedUntil = app.gongzhi.clock.now().addingTimeInterval(900)
            try await locked.update(on: app.db)
            for i in 1...AccountService.maxFailuresPerAddress {
                try await AppHarness.user(app, username: "guess\(i)", unit: "housing")
                _ = try await Self.attempt(app, "guess\(i)", "wrong-password-1", from: "203.0.113.8")
            }
            let admin = try await AppHarness.login(app)
            // when: the page
            try await app.testing().test(.GET, "account/lockouts", headers: admin.headers) { res async in
                // then
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("登录锁定") && page.contains("wang.min") && page.contains("2026-11-29 10:15:00"))
                #expect(page.contains("203.0.113.8") && page.contains("guess1"))
                #expect(res.headers.first(name: .cacheControl) == "no-store")
            }
            // when: lifted
            try await app.testing().test(.POST, "account/lockouts/clear", headers: admin.formHeaders, body: admin.form("username=wang.min")) { res async in
                #expect(res.status == .ok && res.body.string.contains("已解除用户 wang.min 的登录锁定"))
            }
            try await app.testing().test(.POST, "account/lockouts/clear", headers: admin.formHeaders, body: admin.form("address=203.0.113.8")) { res async in
                #expect(res.status == .ok && res.body.string.contains("已解除地址 203.0.113.8"))
                #expect(res.body.string.contains("目前没有被锁定的账户") && res.body.string.contains("目前没有暂停登录的地址"))
            }
            try await app.testing().test(.POST, "account/lockouts/clear", headers: admin.formHeaders, body: admin.form("username=nobody")) { res async in
                #expect(res.status == .notFound)
            }
            // then: both sign in again
            #expect(try await Self.attempt(app, "wang.min", AppHarness.password, from: "203.0.113.8").status == .seeOther)
            let cleared = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "lockout_cleared").sort(\.$sequence).all()
            #expect(cleared.compactMap(\.detail) == ["user=wang.min; account unlocked", "address=203.0.113.8; failures=5; throttling cleared"])
            #expect(cleared.allSatisfy { $0.userID == admin.username })
            // the menu shows the page to admins only
            try await app.testing().test(.GET, "/", headers: admin.headers) { res async in
                #expect(res.body.string.contains("/account/lockouts"))
            }
            let reporter = try await AppHarness.login(app, unit: "housing")
            try await app.testing().test(.GET, "/", headers: reporter.headers) { res async in
                #expect(!res.body.string.contains("/account/lockouts"))
            }
        }
    }

    @Test("gongzhi user unlock --username lifts a lock, audit-logged")
    func cliUnlock() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let env: [String: String] = switch app.gongzhi.config.database {
            case .sqlite(let path): ["GONGZHI_DB": path]
            case .postgres(let url): ["DATABASE_URL": url]
            }
            let locked = try await AppHarness.user(app, username: "wang.min", unit: "housing")
            locked.lockedUntil = Date().addingTimeInterval(900)
            locked.failedLogins = 3
            try await locked.update(on: app.db)
            // when
            let run = try CLITests.run(["user", "unlock", "--username", "wang.min"], environment: env)
            // then
            #expect(run.status == 0, Comment(rawValue: run.stderr))
            #expect(run.stdout.contains("已解除用户 wang.min 的登录锁定"))
            let after = try #require(try await UserRepository(database: app.db).user(named: "wang.min"))
            #expect(after.lockedUntil == nil && after.failedLogins == 0)
            let entry = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "lockout_cleared").first()
            #expect(entry?.detail == "user=wang.min; account unlocked" && entry?.userID.hasPrefix("cli:") == true)
            let unknown = try CLITests.run(["user", "unlock", "--username", "nobody"], environment: env)
            #expect(unknown.status == 1 && unknown.stderr.contains("没有用户名为“nobody”的用户"))
        }
    }
}
