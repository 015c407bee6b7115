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

    /// Consecutive failed logins (from any addresses) that lock an account. Higher than
    /// ``maxFailuresPerAddress``, so that one address alone cannot lock anybody's account (issue 9).
    public static let maxFailedLogins = 10
    /// How long a locked account refuses logins, in minutes.
    public static let lockMinutes = 15
    /// Failed sign-ins from one client address within ``throttleMinutes`` after which further attempts from it
    /// are refused unchecked, whatever the username, until the oldest of them is older than the window.
    public static let maxFailuresPerAddress = 5
    /// The per-address throttling window, in minutes.
    public static let throttleMinutes = 15
    /// How long a browser session lasts after sign-in, in seconds (8 hours: a working day).
    public static let sessionSeconds: TimeInterval = 8 * 3600
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
    /// unit (in the catalog) and the password (``PasswordPolicy``), and records it in the audit log as `actor`
    /// in the same transaction (name, unit and roles; never the password). With `mustChangePassword` the
    /// password is a temporary one: the user is sent to the password page until they choose their own.
    /// - Throws: ``AuthError`` for each of those; database errors.
    @discardableResult
    public func createUser(_ new: NewUser, mustChangePassword: Bool = false, by actor: AuditActor) async throws -> UserRecord {
        let username = new.username.trimmingCharacters(in: .whitespaces)
        guard !username.isEmpty, username.count <= 64,
              username.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) })
        else { throw AuthError.invalidUsername(username) }
        let displayName = new.displayName.trimmingCharacters(in: .whitespaces)
        guard !displayName.isEmpty else { throw AuthError.incompleteUser("请填写显示名称（如 王敏）。") }
        guard !new.roles.isEmpty else { throw AuthError.incompleteUser("请至少给出一个角色：" + Role.allCases.map(\.rawValue).joined(separator: "、")) }
        if let violation = PasswordPolicy.violation(new.password, username: username) { throw AuthError.weakPassword(violation) }
        guard try await CatalogRepository(database: database).unit(code: new.unitCode) != nil else {
            throw AuthError.unknownUnit(new.unitCode)
        }
        guard try await repository.user(named: username) == nil else { throw AuthError.usernameTaken(username) }
        let password = new.password
        let hash = try await threadPool.runIfActive { try Bcrypt.hash(password, cost: Self.bcryptCost) }
        let now = clock.now()
        let user = UserRecord(username: username, displayName: displayName, unitCode: new.unitCode,
                              roles: UserRecord.storedRoles(new.roles), passwordHash: hash, createdAt: now)
        user.mustChangePassword = mustChangePassword
        try await database.transaction { db in
            try await UserRepository(database: db).create(user)
            let detail = "user=\(username); unit=\(new.unitCode); roles=\(user.roles)" + (mustChangePassword ? "; must_change_password" : "")
            try await AuditLog.append(actor.event(.userCreated, AuditTarget(detail: detail), at: now), on: db)
        }
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

    /// Checks `password` for `username`, signing in from client `address`, and opens a session.
    ///
    /// Throttling (issue 9), checked in this order:
    /// - per address: the attempt is noted before anything is checked; with more than
    ///   ``maxFailuresPerAddress`` failures from `address` in the last ``throttleMinutes`` minutes (this one
    ///   counted) it is refused unchecked. A success or an unchecked refusal does not count.
    /// - per account: ``maxFailedLogins`` consecutive failures lock the account for ``lockMinutes`` minutes;
    ///   while locked the password is still verified (so the answer takes as long) but not honoured.
    ///   Success clears the count.
    /// Unknown names are verified against a dummy hash. Every refusal is the same ``AuthError/badCredentials(_:)``
    /// (401, one message); only its ``SignInRefusal`` tells the audit log why.
    /// - Throws: ``AuthError/badCredentials(_:)``.
    public func signIn(username: String, password: String, from address: String = "") async throws -> SignIn {
        let now = clock.now()
        let name = username.trimmingCharacters(in: .whitespaces)
        let windowStart = now.addingTimeInterval(-TimeInterval(Self.throttleMinutes * 60))
        let attempt = try await repository.beginAttempt(from: address, username: name, at: now, windowStart: windowStart)
        guard attempt.count <= Self.maxFailuresPerAddress else {
            try await repository.forgetAttempt(attempt.id)
            throw AuthError.badCredentials(.addressThrottled)
        }
        guard !name.isEmpty, let user = try await repository.user(named: name) else {
            let dummy = Self.unknownUserHash
            _ = try? await threadPool.runIfActive { try Bcrypt.verify(password, created: dummy) }
            throw AuthError.badCredentials(.unknownUser)
        }
        let hash = user.passwordHash
        let matches = (try? await threadPool.runIfActive { try Bcrypt.verify(password, created: hash) }) ?? false
        if let until = user.lockedUntil, until > now { throw AuthError.badCredentials(.accountLocked(until: until)) }
        guard matches else {
            let lockUntil = now.addingTimeInterval(TimeInterval(Self.lockMinutes * 60))
            let outcome = try await repository.recordFailedLogin(try user.requireID(), threshold: Self.maxFailedLogins, lockUntil: lockUntil)
            if let until = outcome.lockedUntil { throw AuthError.badCredentials(.lockedNow(until: until)) }
            throw AuthError.badCredentials(.wrongPassword)
        }
        try await repository.forgetAttempt(attempt.id)
        // A disabled account answers like any other refusal (issue 10): nothing tells that it exists.
        guard !user.disabled else { throw AuthError.badCredentials(.accountDisabled) }
        try await repository.recordSuccessfulLogin(user)
        let token = Self.randomToken()
        let session = UserSessionRecord(userID: try user.requireID(), tokenSHA256: Self.sha256(token), csrfToken: Self.randomToken(),
                                        createdAt: now, expiresAt: now.addingTimeInterval(Self.sessionSeconds))
        try await repository.add(session)
        return SignIn(user: user, cookieToken: token, session: session)
    }

    // MARK: Lock-outs (the info center)

    /// Who cannot sign in now because of failures: locked accounts and throttled addresses.
    public struct LockOuts: Sendable {
        /// A locked account: its user and the end of the lock.
        public struct Account: Sendable {
            public var username: String
            public var displayName: String
            public var unitCode: String
            public var lockedUntil: Date
        }
        /// A throttled address: its failures in the window, the names typed (distinct, in order), and when
        /// attempts from it are let through again unless more failures come.
        public struct Address: Sendable {
            public var address: String
            public var failures: Int
            public var usernames: [String]
            public var until: Date
        }
        public var accounts: [Account]
        public var addresses: [Address]
    }

    /// The current lock-outs (old attempts are swept on the way).
    public func lockOuts() async throws -> LockOuts {
        let now = clock.now()
        let window = TimeInterval(Self.throttleMinutes * 60)
        let accounts = try await repository.locked(at: now).map {
            LockOuts.Account(username: $0.username, displayName: $0.displayName, unitCode: $0.unitCode, lockedUntil: $0.lockedUntil ?? now)
        }
        let addresses = try await repository.throttledAddresses(windowStart: now.addingTimeInterval(-window), threshold: Self.maxFailuresPerAddress)
            .map { entry -> LockOuts.Address in
                // Let through again once fewer than the limit remain in the window: when the failure that is
                // the limit-th newest ages out.
                let deciding = entry.attempts[entry.attempts.count - Self.maxFailuresPerAddress]
                var names: [String] = []
                for a in entry.attempts where !names.contains(a.username) { names.append(a.username) }
                return LockOuts.Address(address: entry.address, failures: entry.attempts.count, usernames: names,
                                        until: deciding.attemptedAt.addingTimeInterval(window))
            }
        return LockOuts(accounts: accounts, addresses: addresses)
    }

    /// Lifts the lock of the account `username` and clears its failure count, audit-logged as `actor`.
    /// - Returns: `false` when there is no such user.
    @discardableResult
    public func unlock(username: String, by actor: AuditActor) async throws -> Bool {
        let time = clock.now()
        return try await database.transaction { db in
            guard let user = try await UserRepository(database: db).unlock(username: username) else { return false }
            try await AuditLog.append(actor.event(.lockoutCleared, AuditTarget(detail: "user=\(user.username); account unlocked"), at: time), on: db)
            return true
        }
    }

    /// Lifts the throttling of client `address` by forgetting its failures, audit-logged as `actor`.
    /// - Returns: how many failures were forgotten.
    @discardableResult
    public func clearThrottle(address: String, by actor: AuditActor) async throws -> Int {
        let time = clock.now()
        return try await database.transaction { db in
            let count = try await UserRepository(database: db).clearAttempts(from: address)
            try await AuditLog.append(actor.event(.lockoutCleared, AuditTarget(detail: "address=\(address); failures=\(count); throttling cleared"), at: time), on: db)
            return count
        }
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
