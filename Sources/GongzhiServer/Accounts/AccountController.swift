import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// Sign-in and sign-out pages, the own API tokens (page and API): created, listed and revoked by their
/// owner, each token shown once; and the info center's page of sign-in lock-outs.
struct AccountController: Sendable {
    // MARK: Sign-in

    struct LoginPage: Encodable {
        var title: String
        var next: String
        var username: String
        var error: String?
        var minimumPasswordLength: Int
        var lockMinutes: Int = AccountService.lockMinutes
    }

    func loginForm(req: Request) async throws -> Response {
        let next = LoginTarget.safe(req.query[String.self, at: "next"])
        if req.signedIn != nil { return req.redirect(to: next, redirectType: .normal) }
        return try await renderLogin(req, next: next, username: "", error: nil, status: .ok)
    }

    private func renderLogin(_ req: Request, next: String, username: String, error: String?, status: HTTPResponseStatus) async throws -> Response {
        try await req.view.render("login", LoginPage(title: "登录", next: next, username: username, error: error,
                                                     minimumPasswordLength: PasswordPolicy.minimumLength))
            .encodeResponse(status: status, for: req)
    }

    /// Checks the form's username and password; on success sets the session cookie and goes to `next`.
    func login(req: Request) async throws -> Response {
        let username = (try? req.content.get(String.self, at: "username")) ?? ""
        let password = (try? req.content.get(String.self, at: "password")) ?? ""
        let next = LoginTarget.safe(try? req.content.get(String.self, at: "next"))
        let signIn: AccountService.SignIn
        do {
            signIn = try await req.accounts.signIn(username: username, password: password, from: req.clientAddress)
        } catch let error as AuthError {
            // Who tried, and why it failed, goes to the audit log (the name typed, never the password); the
            // clerk sees the same answer for every reason, a disabled account's included.
            let reason = if case .badCredentials(let refusal) = error { refusal.description } else { error.code }
            let actor = AuditActor(user: String(username.prefix(64)), unit: "", address: req.clientAddress)
            // Through the write gate: failed sign-ins come in bursts (see SQLiteWriteGate).
            try await SQLiteWriteGate.transaction(on: req.db, lockTable: AuditEntryRecord.schema) { db in
                try await req.audit.record(.loginFailed, by: actor, AuditTarget(detail: "reason=\(reason)"), on: db)
            }
            return try await renderLogin(req, next: next, username: username, error: error.message,
                                         status: HTTPResponseStatus(statusCode: error.status))
        }
        let principal = signIn.user.principal
        try await req.audit.record(.login, by: AuditActor(user: principal.userID, unit: principal.unitCode, address: req.clientAddress))
        req.logger.info("sign-in of user \(signIn.user.id?.uuidString.lowercased() ?? "?")")
        // A temporary password from the info center is changed first (issue 10).
        let response = req.redirect(to: signIn.user.mustChangePassword ? PasswordChangeMiddleware.passwordPath : next, redirectType: .normal)
        response.cookies[CredentialsMiddleware.cookieName] = HTTPCookies.Value(
            string: signIn.cookieToken, maxAge: Int(AccountService.sessionSeconds), path: "/",
            isSecure: req.gongzhi.config.secureCookies, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    /// Ends the session and goes back to the sign-in page.
    func logout(req: Request) async throws -> Response {
        if let cookie = req.cookies[CredentialsMiddleware.cookieName]?.string {
            try await req.accounts.signOut(cookieToken: cookie)
        }
        try await req.audit.record(.logout, by: req.auditActor)
        let response = req.redirect(to: "/login", redirectType: .normal)
        response.cookies[CredentialsMiddleware.cookieName] = .expired
        return response
    }

    // MARK: Tokens page

    struct TokenItem: Encodable {
        var id: String
        var name: String
        var createdAt: String
        var lastUsedAt: String?
        var revokedAt: String?
    }

    struct TokensPage: Encodable {
        var title: String
        var tokens: [TokenItem]
        /// The token just created, shown this once.
        var newToken: String?
        var newTokenName: String?
        var error: String?
    }

    static func item(_ t: ApiTokenRecord) -> TokenItem {
        TokenItem(id: t.id?.uuidString.lowercased() ?? "", name: t.name, createdAt: DisplayNames.time(t.createdAt),
                  lastUsedAt: t.lastUsedAt.map { DisplayNames.time($0) }, revokedAt: t.revokedAt.map { DisplayNames.time($0) })
    }

    /// The signed-in user's stored record.
    private func currentUser(_ req: Request) async throws -> UserRecord {
        guard let user = try await UserRepository(database: req.db).user(named: try req.actor.username) else {
            throw AuthError.unauthenticated
        }
        return user
    }

    private func renderTokens(_ req: Request, user: UserRecord, newToken: (name: String, token: String)? = nil,
                              error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let tokens = try await req.accounts.tokens(of: user).map(Self.item)
        let response = try await req.view.render("tokens", TokensPage(title: "API 令牌", tokens: tokens, newToken: newToken?.token,
                                                                      newTokenName: newToken?.name, error: error))
            .encodeResponse(status: status, for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    func tokens(req: Request) async throws -> Response {
        try await renderTokens(req, user: try await currentUser(req))
    }

    /// Creates a token from the form and shows it once.
    func createToken(req: Request) async throws -> Response {
        let user = try await currentUser(req)
        do {
            let created = try await req.accounts.createToken(for: user, name: (try? req.content.get(String.self, at: "name")) ?? "")
            try await Self.audit(req, created.record, "created")
            return try await renderTokens(req, user: user, newToken: (created.record.name, created.token), status: .created)
        } catch let error as AuthError {
            return try await renderTokens(req, user: user, error: error.message, status: HTTPResponseStatus(statusCode: error.status))
        }
    }

    func revokeToken(req: Request) async throws -> Response {
        let user = try await currentUser(req)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              try await req.accounts.revokeToken(id, of: user) else { throw Abort(.notFound) }
        try await req.audit.record(.tokenChange, by: req.auditActor, AuditTarget(detail: "token=\(id.uuidString.lowercased()); revoked"))
        return req.redirect(to: "/account/tokens", redirectType: .normal)
    }

    /// Records a token's creation in the audit log: its id and name, never the token.
    static func audit(_ req: Request, _ token: ApiTokenRecord, _ what: String) async throws {
        try await req.audit.record(.tokenChange, by: req.auditActor,
                                   AuditTarget(detail: "token=\(token.id?.uuidString.lowercased() ?? ""); name=\(token.name); \(what)"))
    }

    // MARK: Tokens API

    /// `{id, name, token?, created_at, last_used_at, revoked_at}`; `token` only right after creation.
    static func json(_ t: ApiTokenRecord, token: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("id", .string(t.id?.uuidString.lowercased() ?? "")), ("name", .string(t.name))]
        if let token { members.append(("token", .string(token))) }
        members.append(("created_at", .string(PlatformClock.iso8601(t.createdAt))))
        members.append(("last_used_at", .optional(t.lastUsedAt.map(PlatformClock.iso8601))))
        members.append(("revoked_at", .optional(t.revokedAt.map(PlatformClock.iso8601))))
        return .object(members)
    }

    /// `GET /api/v1/tokens`: the own tokens, newest first (never the tokens themselves).
    func apiTokens(req: Request) async throws -> Response {
        Response.json(.array(try await req.accounts.tokens(of: try await currentUser(req)).map { Self.json($0) }))
    }

    /// `POST /api/v1/tokens` with JSON `{name}`: 201 with the new token in `token`, shown this once.
    func apiCreateToken(req: Request) async throws -> Response {
        struct Body: Decodable { var name: String? }
        let body = (try? req.content.decode(Body.self)) ?? Body()
        let created = try await req.accounts.createToken(for: try await currentUser(req), name: body.name ?? "")
        try await Self.audit(req, created.record, "created")
        let response = Response.json(Self.json(created.record, token: created.token))
        response.status = .created
        return response
    }

    /// `DELETE /api/v1/tokens/:id`: 204, or 404 when the user has no such token.
    func apiRevokeToken(req: Request) async throws -> HTTPStatus {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              try await req.accounts.revokeToken(id, of: try await currentUser(req)) else { throw Abort(.notFound) }
        try await req.audit.record(.tokenChange, by: req.auditActor, AuditTarget(detail: "token=\(id.uuidString.lowercased()); revoked"))
        return .noContent
    }

    // MARK: Lock-outs (the info center)

    struct LockedAccountItem: Encodable {
        var username: String
        var displayName: String
        var unitName: String
        var until: String
    }

    struct ThrottledAddressItem: Encodable {
        var address: String
        var failures: Int
        var usernames: String
        var until: String
    }

    struct LockOutsPage: Encodable {
        var title: String
        var accounts: [LockedAccountItem]
        var addresses: [ThrottledAddressItem]
        var maxFailedLogins: Int
        var lockMinutes: Int
        var maxFailuresPerAddress: Int
        var throttleMinutes: Int
        var notice: String?
        var error: String?
    }

    private func renderLockOuts(_ req: Request, notice: String? = nil, error: String? = nil,
                                status: HTTPResponseStatus = .ok) async throws -> Response {
        let current = try await req.accounts.lockOuts()
        let names = try await DisplayNames.load(req)
        let page = LockOutsPage(
            title: "登录锁定",
            accounts: current.accounts.map {
                LockedAccountItem(username: $0.username, displayName: $0.displayName, unitName: names.unit($0.unitCode),
                                  until: PlatformClock.display($0.lockedUntil))
            },
            addresses: current.addresses.map {
                ThrottledAddressItem(address: $0.address.isEmpty ? "（未知）" : $0.address, failures: $0.failures,
                                     usernames: $0.usernames.joined(separator: "、"), until: PlatformClock.display($0.until))
            },
            maxFailedLogins: AccountService.maxFailedLogins, lockMinutes: AccountService.lockMinutes,
            maxFailuresPerAddress: AccountService.maxFailuresPerAddress, throttleMinutes: AccountService.throttleMinutes,
            notice: notice, error: error)
        let response = try await req.view.render("lockouts", page).encodeResponse(status: status, for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// `GET /account/lockouts`: locked accounts and throttled addresses, each with a button that lifts it.
    func lockOuts(req: Request) async throws -> Response {
        try await renderLockOuts(req)
    }

    /// `POST /account/lockouts/clear` with `username` (an account's lock) or `address` (an address's
    /// throttling): lifts it, audit-logged, and shows the page again.
    func clearLockOut(req: Request) async throws -> Response {
        func text(_ key: String) -> String? { (try? req.content.get(String.self, at: key))?.trimmingCharacters(in: .whitespaces) }
        if let username = text("username"), !username.isEmpty {
            guard try await req.accounts.unlock(username: username, by: req.auditActor) else {
                return try await renderLockOuts(req, error: "没有用户名为“\(username)”的用户。", status: .notFound)
            }
            return try await renderLockOuts(req, notice: "已解除用户 \(username) 的登录锁定。")
        }
        if let address = text("address") {
            // An unknown address is stored as empty text and shown as “（未知）”.
            let stored = address == "（未知）" ? "" : address
            let forgotten = try await req.accounts.clearThrottle(address: stored, by: req.auditActor)
            return try await renderLockOuts(req, notice: "已解除地址 \(address) 的登录限制（清除 \(forgotten) 次失败记录）。")
        }
        return try await renderLockOuts(req, error: "请指定要解除锁定的用户名（username）或地址（address）。", status: .badRequest)
    }
}
