import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// Users, sign-in with lock-out, browser sessions and API tokens (issue 5). Time comes from the platform
/// clock; passwords are hashed with Bcrypt on the thread pool, never on a request's task.
public struct AccountService: Sendable {
    public let database: any Database
    public let clock: PlatformClock
    public let threadPool: NIOThreadPool

    public init(database: any Database, clock: PlatformClock, threadPool: NIOThreadPool) {
        self.database = database
        self.clock = clock
        self.threadPool = threadPool
    }

    /// Consecutive failed logins that lock an account.
    public static let maxFailedLogins = 5
    /// How long a locked account refuses logins, in minutes.
    public static let lockMinutes = 15
    /// How long a browser session lasts after sign-in, in seconds (8 hours: a working day).
    public static let sessionSeconds: TimeInterval = 8 * 3600
    /// The shortest password accepted, in characters.
    public static let minimumPasswordLength = 10
    /// Bcrypt cost of new password hashes.
    public static let bcryptCost = 12

    var repository: UserRepository { UserRepository(database: database) }

    // MARK: Users

    /// What a new user is made of.
    public struct NewUser: Sendable {
        public var username: String
        public var displayName: String
        public var unitCode: String
        public var roles: Set<Role>
        public var password: String

        public init(username: String, displayName: String, unitCode: String, roles: Set<Role>, password: String) {
            self.username = username
            self.displayName = displayName
            self.unitCode = unitCode
            self.roles = roles
            self.password = password
        }
    }

    /// Creates a user after checking the username (free, letters/digits/`._-`), display name, roles, the
    /// unit (in the catalog) and the password (at least ``minimumPasswordLength`` characters).
    /// - Throws: ``AuthError`` for each of those; database errors.
    @discardableResult
    public func createUser(_ new: NewUser) async throws -> UserRecord {
        let username = new.username.trimmingCharacters(in: .whitespaces)
        guard !username.isEmpty, username.count <= 64,
              username.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) })
        else { throw AuthError.invalidUsername(username) }
        let displayName = new.displayName.trimmingCharacters(in: .whitespaces)
        guard !displayName.isEmpty else { throw AuthError.incompleteUser("请填写显示名称（如 王敏）。") }
        guard !new.roles.isEmpty else { throw AuthError.incompleteUser("请至少给出一个角色：" + Role.allCases.map(\.rawValue).joined(separator: "、")) }
        guard new.password.count >= Self.minimumPasswordLength else { throw AuthError.weakPassword(minimum: Self.minimumPasswordLength) }
        guard try await CatalogRepository(database: database).unit(code: new.unitCode) != nil else {
            throw AuthError.unknownUnit(new.unitCode)
        }
        guard try await repository.user(named: username) == nil else { throw AuthError.usernameTaken(username) }
        let password = new.password
        let hash = try await threadPool.runIfActive { try Bcrypt.hash(password, cost: Self.bcryptCost) }
        let user = UserRecord(username: username, displayName: displayName, unitCode: new.unitCode,
                              roles: UserRecord.storedRoles(new.roles), passwordHash: hash, createdAt: clock.now())
        try await repository.create(user)
        return user
    }

    // MARK: Sign-in

    /// A new browser session: the cookie's token (shown to the browser only) and its record.
    public struct SignIn: Sendable {
        public var user: UserRecord
        public var cookieToken: String
        public var session: UserSessionRecord
    }

    /// A hash to verify against when the username is unknown, so that the answer takes as long either way.
    private static let unknownUserHash = (try? Bcrypt.hash("gongzhi-unknown-user", cost: bcryptCost)) ?? ""

    /// Checks `password` for `username` and opens a session. Five consecutive failures lock the account for
    /// fifteen minutes; while locked the password is not even checked. Success clears the count.
    /// - Throws: ``AuthError/badCredentials``, ``AuthError/locked(until:)``, ``AuthError/disabled``.
    public func signIn(username: String, password: String) async throws -> SignIn {
        let now = clock.now()
        guard let user = try await repository.user(named: username.trimmingCharacters(in: .whitespaces)) else {
            let dummy = Self.unknownUserHash
            _ = try? await threadPool.runIfActive { try Bcrypt.verify(password, created: dummy) }
            throw AuthError.badCredentials
        }
        if let until = user.lockedUntil, until > now { throw AuthError.locked(until: until) }
        let hash = user.passwordHash
        let matches = (try? await threadPool.runIfActive { try Bcrypt.verify(password, created: hash) }) ?? false
        guard matches else {
            let lockUntil = now.addingTimeInterval(TimeInterval(Self.lockMinutes * 60))
            let outcome = try await repository.recordFailedLogin(try user.requireID(), threshold: Self.maxFailedLogins, lockUntil: lockUntil)
            if let until = outcome.lockedUntil { throw AuthError.locked(until: until) }
            throw AuthError.badCredentials
        }
        guard !user.disabled else { throw AuthError.disabled }
        try await repository.recordSuccessfulLogin(user)
        let token = Self.randomToken()
        let session = UserSessionRecord(userID: try user.requireID(), tokenSHA256: Self.sha256(token), csrfToken: Self.randomToken(),
                                        createdAt: now, expiresAt: now.addingTimeInterval(Self.sessionSeconds))
        try await repository.add(session)
        return SignIn(user: user, cookieToken: token, session: session)
    }

    /// The user and session of a session cookie, if it is known, unexpired and its user not disabled.
    public func session(cookieToken: String) async throws -> (user: UserRecord, session: UserSessionRecord)? {
        guard let found = try await repository.session(sha256: Self.sha256(cookieToken), at: clock.now()), !found.user.disabled else {
            return nil
        }
        return (found.user, found.session)
    }

    /// Ends the session of a session cookie (and sweeps expired ones).
    public func signOut(cookieToken: String) async throws {
        try await repository.endSession(sha256: Self.sha256(cookieToken), now: clock.now())
    }

    // MARK: API tokens

    /// The owner of a bearer token.
    /// - Throws: ``AuthError/invalidToken`` when it is unknown, revoked, or its owner is disabled.
    public func user(bearer token: String) async throws -> UserRecord {
        guard let found = try await repository.token(sha256: Self.sha256(token)), !found.user.disabled else {
            throw AuthError.invalidToken
        }
        let now = clock.now()
        if found.token.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try await repository.touch(found.token, at: now)
        }
        return found.user
    }

    /// Creates an API token for `user`, named `name`.
    /// - Returns: the stored record and the token itself, which is shown once and never stored.
    /// - Throws: ``AuthError/incompleteUser(_:)`` for a blank name; database errors.
    public func createToken(for user: UserRecord, name: String) async throws -> (record: ApiTokenRecord, token: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 100 else { throw AuthError.incompleteUser("请给令牌起一个名称（100 字以内），如“报送脚本”。") }
        let token = "gz_" + Self.randomToken()
        let record = ApiTokenRecord(userID: try user.requireID(), name: name, tokenSHA256: Self.sha256(token), createdAt: clock.now())
        try await repository.add(record)
        return (record, token)
    }

    /// The user's tokens, newest first.
    public func tokens(of user: UserRecord) async throws -> [ApiTokenRecord] {
        try await repository.tokens(of: try user.requireID())
    }

    /// Revokes the user's token `id`.
    /// - Returns: `false` when the user has no such token.
    public func revokeToken(_ id: UUID, of user: UserRecord) async throws -> Bool {
        try await repository.revokeToken(id, ownerID: try user.requireID(), at: clock.now())
    }

    // MARK: Secrets

    /// 32 random bytes from the system's secure generator, base64url without padding (43 characters).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Lowercase hex SHA-256 of `text`'s UTF-8 bytes: what is stored instead of a token.
    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether two secrets are equal, comparing every byte whatever the first difference.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Application {
    /// Users, sign-in, sessions and tokens on the default database.
    public var accounts: AccountService { AccountService(database: db, clock: gongzhi.clock, threadPool: threadPool) }
}

extension Request {
    /// Users, sign-in, sessions and tokens.
    public var accounts: AccountService { AccountService(database: db, clock: gongzhi.clock, threadPool: application.threadPool) }
}
