import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import Testing
import Vapor
import VaporTesting

/// Accounts (issue 10 item 8): a user changes the own password; the info center creates users, resets passwords,
/// disables and enables accounts on `/account/users` and with `gongzhi user reset-password|disable|enable`; every
/// change is in the audit log.
@Suite("Accounts: own password, the info center's users page and commands", .serialized)
struct AccountAdministrationTests {
    static let form: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded"]

    /// `text` percent-encoded for a form body.
    static func enc(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// Posts the sign-in form; the status and where it sends the browser.
    static func signIn(_ app: Application, _ username: String, _ password: String) async throws -> (status: HTTPStatus, location: String, body: String) {
        var result: (HTTPStatus, String, String) = (.ok, "", "")
        try await app.testing().test(.POST, "login", headers: Self.form, body: ByteBuffer(string: "username=\(username)&password=\(enc(password))")) { res async in
            result = (res.status, res.headers.first(name: .location) ?? "", res.body.string)
        }
        return result
    }

    /// Posts `fields` to `path` as the session's form; the status and the page.
    static func post(_ app: Application, _ path: String, _ session: AppHarness.Session, _ fields: String) async throws -> (status: HTTPStatus, page: String) {
        var result: (HTTPStatus, String) = (.ok, "")
        try await app.testing().test(.POST, path, headers: session.formHeaders, body: session.form(fields)) { res async in
            result = (res.status, res.body.string)
        }
        return result
    }

    static func get(_ app: Application, _ path: String, _ headers: HTTPHeaders) async throws -> (status: HTTPStatus, location: String, page: String) {
        var result: (HTTPStatus, String, String) = (.ok, "", "")
        try await app.testing().test(.GET, path, headers: headers) { res async in
            result = (res.status, res.headers.first(name: .location) ?? "", res.body.string)
        }
        return result
    }

    /// The temporary password a page shows once, in the notice's `<code>`.
    static func shownPassword(_ page: String) -> String? {
        guard let r = page.range(of: "的临时密码") , let code = page[r.upperBound...].range(of: "<code>") else { return nil }
        return String(page[code.upperBound...].prefix { $0 != "<" })
    }

    static func audit(_ app: Application, _ action: AuditAction) async throws -> [AuditEntryRecord] {
        try await AuditEntryRecord.query(on: app.db).filter(\.$action == action.rawValue).sort(\.$sequence).all()
    }

    // MARK: The own password

    @Test("a user changes the own password: wrong current, mismatch, weak and unchanged are refused in Chinese; success ends the other sessions")
    func changeOwnPassword() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given: a clerk signed in on two browsers
            try await AppHarness.user(app, username: "zhang.sanfeng", unit: "housing")
            let here = try await AppHarness.login(app, username: "zhang.sanfeng")
            let elsewhere = try await AppHarness.login(app, username: "zhang.sanfeng")
            let page = try await Self.get(app, "account/password", here.headers)
            #expect(page.status == .ok && page.page.contains("当前密码") && page.page.contains("再输入一次新密码"))
            let new = "a-new-password-2026"
            // when / then: a wrong current password, counted like a failed sign-in and audit-logged
            let wrong = try await Self.post(app, "account/password", here, "current=not-my-password&new=\(new)&confirm=\(new)")
            #expect(wrong.status == .badRequest && wrong.page.contains("当前密码不正确"))
            #expect(try await UserRepository(database: app.db).user(named: "zhang.sanfeng")?.failedLogins == 1)
            #expect(try await Self.audit(app, .passwordChanged).compactMap(\.detail) == ["refused=wrong_current_password; reason=wrong_password"])
            // the new password twice differently
            let mismatch = try await Self.post(app, "account/password", here, "current=\(AppHarness.password)&new=\(new)&confirm=\(new)x")
            #expect(mismatch.status == .badRequest && mismatch.page.contains("两次输入的新密码不一致"))
            // too short; the username in other letter case; the current one again
            let short = try await Self.post(app, "account/password", here, "current=\(AppHarness.password)&new=short&confirm=short")
            #expect(short.status == .badRequest && short.page.contains("密码至少 \(PasswordPolicy.minimumLength) 个字符"))
            let same = try await Self.post(app, "account/password", here, "current=\(AppHarness.password)&new=Zhang.SanFeng&confirm=Zhang.SanFeng")
            #expect(same.status == .badRequest && same.page.contains("密码不能与用户名相同"))
            let unchanged = try await Self.post(app, "account/password", here,
                                                "current=\(AppHarness.password)&new=\(AppHarness.password)&confirm=\(AppHarness.password)")
            #expect(unchanged.status == .badRequest && unchanged.page.contains("新密码不能与当前密码相同"))
            #expect(try await Self.signIn(app, "zhang.sanfeng", AppHarness.password).status == .seeOther, "nothing changed yet")
            // when: right
            let done = try await Self.post(app, "account/password", here, "current=\(AppHarness.password)&new=\(new)&confirm=\(new)")
            // then
            #expect(done.status == .ok && done.page.contains("密码已修改"))
            #expect(done.page.contains("其他 2 处登录已退出"), "the other browser and the sign-in just above")
            #expect(try await Self.get(app, "/", here.headers).status == .ok, "this session stays")
            let ended = try await Self.get(app, "/", elsewhere.headers)
            #expect(ended.status == .seeOther && ended.location.hasPrefix("/login"), "the other session is ended")
            #expect(try await Self.signIn(app, "zhang.sanfeng", AppHarness.password).status == .unauthorized)
            #expect(try await Self.signIn(app, "zhang.sanfeng", new).status == .seeOther)
            let stored = try #require(try await UserRepository(database: app.db).user(named: "zhang.sanfeng"))
            #expect(stored.failedLogins == 0 && !stored.passwordHash.contains(new))
            let changes = try await Self.audit(app, .passwordChanged)
            #expect(changes.last?.detail == "user=zhang.sanfeng; sessions_ended=2" && changes.last?.userID == "zhang.sanfeng")
            #expect(!changes.contains { ($0.detail ?? "").contains(new) })
            // every signed-in user finds the page in the header
            #expect(try await Self.get(app, "/", here.headers).page.contains("href=\"/account/password\""))
        }
    }

    // MARK: The info center

    @Test("the info center lists users by unit in Chinese and creates one with a generated temporary password, changed at first sign-in")
    func createUser() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let admin = try await AppHarness.login(app)
            try await AppHarness.user(app, username: "li.na", unit: "housing", roles: [.reporter, .unitHead])
            try await AppHarness.user(app, username: "chen.tax", unit: "local-tax", roles: [.analyst])
            // when: the page, filtered by unit
            let list = try await Self.get(app, "account/users?unit=housing", admin.headers)
            // then: names, not codes; each checkbox inside its label
            #expect(list.status == .ok && list.page.contains("用户管理"))
            #expect(list.page.contains("<td>li.na</td>") && !list.page.contains("<td>chen.tax</td>"))
            #expect(list.page.contains("<td>市住房保障和房产管理局</td>") && list.page.contains("数据报送员、第一责任人"))
            #expect(list.page.contains("<label><input type=\"checkbox\" name=\"roles[]\" value=\"reporter\"> 数据报送员</label>"))
            #expect(list.page.contains("href=\"/account/lockouts\""))
            let all = try await Self.get(app, "account/users", admin.headers)
            #expect(all.page.contains("<td>chen.tax</td>") && all.page.contains("<td>li.na</td>"))
            let codes = try await DailyWorkPagesTests.codes(app)
            let raw = DailyWorkPagesTests.rawCodes(in: DailyWorkPagesTests.visibleText(all.page), codes)
            #expect(raw.isEmpty, "unit codes on the page: \(raw)")
            // when: a new user without a password typed
            let created = try await Self.post(app, "account/users", admin,
                                              "username=zhao.lei&display_name=\(Self.enc("赵磊"))&unit=housing&roles[]=reporter&roles[]=unit_head&password=")
            // then: shown once
            #expect(created.status == .created && created.page.contains("已新建用户 zhao.lei"))
            let temporary = try #require(Self.shownPassword(created.page))
            #expect(temporary.count >= PasswordPolicy.minimumLength)
            let stored = try #require(try await UserRepository(database: app.db).user(named: "zhao.lei"))
            #expect(stored.displayName == "赵磊" && stored.unitCode == "housing" && stored.roleSet == [.reporter, .unitHead])
            #expect(stored.mustChangePassword)
            #expect(!(try await Self.get(app, "account/users", admin.headers).page.contains(temporary)), "the password is shown only once")
            let entries = try await Self.audit(app, .userCreated)
            #expect(entries.map(\.detail) == ["user=zhao.lei; unit=housing; roles=reporter,unit_head; must_change_password"])
            #expect(entries.first?.userID == admin.username && !(entries.first?.detail ?? "").contains(temporary))
            // the new user signs in and is led to the password page until it is changed
            let first = try await Self.signIn(app, "zhao.lei", temporary)
            #expect(first.status == .seeOther && first.location == "/account/password")
            let clerk = try await AppHarness.login(app, username: "zhao.lei", password: temporary)
            let detour = try await Self.get(app, "submissions", clerk.headers)
            #expect(detour.status == .seeOther && detour.location == "/account/password")
            let form = try await Self.get(app, "account/password", clerk.headers)
            #expect(form.status == .ok && form.page.contains("临时密码"))
            let zero = try await Self.post(app, "zero-data", clerk, "indicator=HOU-003&period=2024Q1&explanation=x")
            #expect(zero.status == .seeOther, "a form is not acted upon either")
            #expect(try await SubmissionRepository(database: app.db).counts().submissions == 0)
            let own = "zhao-lei-own-password"
            #expect(try await Self.post(app, "account/password", clerk, "current=\(Self.enc(temporary))&new=\(own)&confirm=\(own)").status == .ok)
            #expect(try await Self.get(app, "submissions", clerk.headers).status == .ok)
            #expect(try await UserRepository(database: app.db).user(named: "zhao.lei")?.mustChangePassword == false)
            // refusals, with the form kept
            let taken = try await Self.post(app, "account/users", admin, "username=zhao.lei&display_name=X&unit=housing&roles[]=reporter")
            #expect(taken.status == .conflict && taken.page.contains("已存在"))
            let noUnit = try await Self.post(app, "account/users", admin, "username=qian.wei&display_name=\(Self.enc("钱伟"))&unit=&roles[]=reporter")
            #expect(noUnit.status == .badRequest && noUnit.page.contains("请选择用户所属的单位") && noUnit.page.contains("value=\"qian.wei\""))
            let noRole = try await Self.post(app, "account/users", admin, "username=qian.wei&display_name=X&unit=housing")
            #expect(noRole.status == .badRequest && noRole.page.contains("请至少给出一个角色"))
            let weak = try await Self.post(app, "account/users", admin, "username=qian.wei&display_name=X&unit=housing&roles[]=reporter&password=short")
            #expect(weak.status == .badRequest && weak.page.contains("密码至少"))
            let badRole = try await Self.post(app, "account/users", admin, "username=qian.wei&display_name=X&unit=housing&roles[]=boss")
            #expect(badRole.status == .badRequest && badRole.page.contains("未知角色"))
            #expect(try await UserRepository(database: app.db).user(named: "qian.wei") == nil)
        }
    }

    @Test("the info center resets a password (typed or generated): sessions end, a lock is lifted, the user must change it")
    func resetPassword() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given: a locked clerk with a session
            let clerk = try await AppHarness.login(app, unit: "housing")
            let user = try #require(try await UserRepository(database: app.db).user(named: clerk.username))
            user.lockedUntil = app.gongzhi.clock.now().addingTimeInterval(600)
            user.failedLogins = 4
            try await user.update(on: app.db)
            let admin = try await AppHarness.login(app)
            #expect(try await Self.get(app, "account/users", admin.headers).page.contains("锁定至 2026-11-29 10:10（北京时间）"))
            // when: a typed temporary password
            let typed = "temporary-pass-1"
            let reset = try await Self.post(app, "account/users/\(clerk.username)/reset-password", admin, "password=\(typed)&filter=housing")
            // then
            #expect(reset.status == .ok && reset.page.contains("已重置用户 \(clerk.username) 的密码"))
            #expect(Self.shownPassword(reset.page) == typed)
            let ended = try await Self.get(app, "/", clerk.headers)
            #expect(ended.status == .seeOther && ended.location.hasPrefix("/login"), "the user's sessions end")
            let after = try #require(try await UserRepository(database: app.db).user(named: clerk.username))
            #expect(after.lockedUntil == nil && after.failedLogins == 0 && after.mustChangePassword)
            #expect(try await Self.signIn(app, clerk.username, AppHarness.password).status == .unauthorized)
            let signIn = try await Self.signIn(app, clerk.username, typed)
            #expect(signIn.status == .seeOther && signIn.location == "/account/password")
            // when: generated
            let generated = try await Self.post(app, "account/users/\(clerk.username)/reset-password", admin, "password=")
            let shown = try #require(Self.shownPassword(generated.page))
            #expect(generated.status == .ok && shown != typed && shown.count >= PasswordPolicy.minimumLength)
            #expect(generated.page.contains("平台生成"))
            #expect(try await Self.signIn(app, clerk.username, shown).status == .seeOther)
            // refusals: too weak, an unknown user, the own account (the password page is for that)
            let weak = try await Self.post(app, "account/users/\(clerk.username)/reset-password", admin, "password=\(clerk.username)")
            #expect(weak.status == .badRequest)
            #expect(try await Self.post(app, "account/users/nobody/reset-password", admin, "").status == .notFound)
            let own = try await Self.post(app, "account/users/\(admin.username)/reset-password", admin, "password=another-password-1")
            #expect(own.status == .forbidden && own.page.contains("修改密码"))
            // the audit log: who, whom, how — never the password
            let entries = try await Self.audit(app, .passwordReset)
            #expect(entries.map(\.detail) == ["user=\(clerk.username); password=set; sessions_ended=1",
                                              "user=\(clerk.username); password=generated; sessions_ended=1"])
            #expect(entries.allSatisfy { $0.userID == admin.username })
        }
    }

    @Test("a disabled account cannot sign in (the same answer as a wrong password), its sessions and tokens stop at once; enabling restores sign-in")
    func disableAndEnable() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given: a clerk with a session and an API token
            let clerk = try await AppHarness.login(app, unit: "housing")
            let user = try #require(try await UserRepository(database: app.db).user(named: clerk.username))
            let token = try await app.accounts.createToken(for: user, name: "报送脚本").token
            let bearer: HTTPHeaders = ["Authorization": "Bearer \(token)"]
            #expect(try await Self.get(app, "api/v1/submissions", bearer).status == .ok)
            let admin = try await AppHarness.login(app)
            // when
            let disabled = try await Self.post(app, "account/users/\(clerk.username)/disable", admin, "filter=housing")
            // then
            #expect(disabled.status == .ok && disabled.page.contains("已停用用户 \(clerk.username)"))
            #expect(disabled.page.contains("已停用（2026-11-29 10:00（北京时间） 起）"))
            let page = try await Self.get(app, "/", clerk.headers)
            #expect(page.status == .seeOther && page.location.hasPrefix("/login"), "the session ends at once")
            #expect(try await Self.get(app, "api/v1/submissions", bearer).status == .unauthorized, "the token is refused at once")
            let refused = try await Self.signIn(app, clerk.username, AppHarness.password)
            let wrong = try await Self.signIn(app, clerk.username, "wrong-password-1")
            #expect(refused.status == .unauthorized && refused.status == wrong.status)
            #expect(refused.body.contains(AuthError.badCredentials(.wrongPassword).message), "nothing tells the account is disabled")
            let failures = try await Self.audit(app, .loginFailed).compactMap(\.detail)
            #expect(failures.contains("reason=account_disabled"))
            // an admin cannot disable the own account
            let own = try await Self.post(app, "account/users/\(admin.username)/disable", admin, "")
            #expect(own.status == .forbidden && own.page.contains("不能停用自己的账户"))
            #expect(try await Self.get(app, "account/users", admin.headers).status == .ok)
            // disabling twice changes nothing
            #expect(try await Self.post(app, "account/users/\(clerk.username)/disable", admin, "").page.contains("已是停用状态"))
            // when: enabled again
            let enabled = try await Self.post(app, "account/users/\(clerk.username)/enable", admin, "")
            #expect(enabled.status == .ok && enabled.page.contains("已启用用户 \(clerk.username)"))
            #expect(try await Self.signIn(app, clerk.username, AppHarness.password).status == .seeOther)
            #expect(try await Self.get(app, "api/v1/submissions", bearer).status == .unauthorized, "a revoked token stays revoked")
            #expect(try await Self.post(app, "account/users/nobody/enable", admin, "").status == .notFound)
            // the audit log
            #expect(try await Self.audit(app, .accountDisabled).map(\.detail) == ["user=\(clerk.username); sessions_ended=1; tokens_revoked=1"])
            #expect(try await Self.audit(app, .accountEnabled).map(\.detail) == ["user=\(clerk.username)"])
            // and the auditor reads them in Chinese
            let auditor = try await AppHarness.login(app, unit: "audit", roles: [.auditor])
            let log = try await Self.get(app, "audit?action=account_disabled", auditor.headers).page
            #expect(log.contains("停用账户") && log.contains("退出的登录：1 个；撤销的令牌：1 个"))
        }
    }

    @Test("only the info center's admins reach the users page; the menu shows it to them alone")
    func onlyAdmins() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let target = try await AppHarness.user(app, username: "li.na", unit: "housing")
            for (unit, role) in [("housing", Role.reporter), ("housing", .unitHead), ("city-office", .approver), ("audit", .auditor)] {
                let session = try await AppHarness.login(app, unit: unit, roles: [role])
                #expect(try await Self.get(app, "account/users", session.headers).status == .forbidden, "\(role)")
                #expect(try await Self.post(app, "account/users/li.na/disable", session, "").status == .forbidden, "\(role)")
                #expect(try await Self.post(app, "account/users/li.na/reset-password", session, "password=temporary-pass-1").status == .forbidden)
                #expect(!(try await Self.get(app, "/", session.headers).page.contains("href=\"/account/users\"")))
            }
            let stored = try #require(try await UserRepository(database: app.db).user(named: target.username))
            #expect(!stored.disabled && !stored.mustChangePassword)
            let admin = try await AppHarness.login(app)
            let home = try await Self.get(app, "/", admin.headers).page
            #expect(home.contains("href=\"/account/users\"") && home.contains("用户管理"))
        }
    }

    // MARK: Commands

    @Test("gongzhi user reset-password, disable and enable act as the web page does, audit-logged as the command's user")
    func commands() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let env: [String: String] = switch app.gongzhi.config.database {
            case .sqlite(let path): ["GONGZHI_DB": path]
            case .postgres(let url): ["DATABASE_URL": url]
            }
            let clerk = try await AppHarness.login(app, unit: "housing")
            // reset-password with a typed password
            let typed = try CLITests.run(["user", "reset-password", "--username", clerk.username, "--password-stdin"],
                                         environment: env, input: "temporary-pass-1\n")
            #expect(typed.status == 0, Comment(rawValue: typed.stderr))
            #expect(typed.stdout.contains("已重置用户 \(clerk.username) 的密码") && !typed.stdout.contains("temporary-pass-1"))
            #expect(try await Self.get(app, "/", clerk.headers).status == .seeOther, "the sessions end")
            #expect(try await Self.signIn(app, clerk.username, "temporary-pass-1").location == "/account/password")
            // generated
            let generated = try CLITests.run(["user", "reset-password", "--username", clerk.username], environment: env)
            #expect(generated.status == 0, Comment(rawValue: generated.stderr))
            let line = try #require(generated.stdout.split(separator: "\n").first { $0.contains("临时密码") })
            let password = String(line.split(separator: "：").last ?? "")
            #expect(password.count >= PasswordPolicy.minimumLength)
            #expect(try await Self.signIn(app, clerk.username, password).status == .seeOther)
            // refusals
            let weak = try CLITests.run(["user", "reset-password", "--username", clerk.username, "--password-stdin"], environment: env, input: "short\n")
            #expect(weak.status == 1 && weak.stderr.contains("密码至少"))
            let unknown = try CLITests.run(["user", "reset-password", "--username", "nobody"], environment: env)
            #expect(unknown.status == 1 && unknown.stderr.contains("没有用户名为“nobody”的用户"))
            // disable, then enable
            let token = try await app.accounts.createToken(for: try #require(try await UserRepository(database: app.db).user(named: clerk.username)),
                                                           name: "脚本").token
            let disable = try CLITests.run(["user", "disable", "--username", clerk.username], environment: env)
            #expect(disable.status == 0 && disable.stdout.contains("已停用用户 \(clerk.username)"), Comment(rawValue: disable.stderr))
            #expect(try await Self.get(app, "api/v1/submissions", ["Authorization": "Bearer \(token)"]).status == .unauthorized)
            #expect(try await Self.signIn(app, clerk.username, password).status == .unauthorized)
            let list = try CLITests.run(["user", "list"], environment: env)
            #expect(list.stdout.contains("\(clerk.username)\t") && list.stdout.contains("已停用"))
            let enable = try CLITests.run(["user", "enable", "--username", clerk.username], environment: env)
            #expect(enable.status == 0 && enable.stdout.contains("已启用用户 \(clerk.username)"), Comment(rawValue: enable.stderr))
            #expect(try await Self.signIn(app, clerk.username, password).status == .seeOther)
            #expect(try CLITests.run(["user", "disable", "--username", "nobody"], environment: env).status == 1)
            // every act by the command's user
            for action in [AuditAction.passwordReset, .accountDisabled, .accountEnabled] {
                let entries = try await Self.audit(app, action)
                #expect(!entries.isEmpty && entries.allSatisfy { $0.userID.hasPrefix("cli:") && $0.address == "local" }, "\(action)")
            }
            #expect(try await Self.audit(app, .passwordReset).count == 2)
        }
    }
}
