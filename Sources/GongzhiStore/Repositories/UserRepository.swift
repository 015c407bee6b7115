import FluentKit
import Foundation
import SQLKit

/// Stores users, their API tokens and their browser sessions, and reads them back. Tokens and sessions are
/// looked up by the SHA-256 of what the client presents; the plain text is never stored.
public struct UserRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    // MARK: Users

    /// The user with login name `username`, or `nil`.
    public func user(named username: String) async throws -> UserRecord? {
        try await UserRecord.query(on: database).filter(\.$username == username).first()
    }

    /// The user with `id`, or `nil`.
    public func user(id: UUID) async throws -> UserRecord? {
        try await UserRecord.find(id, on: database)
    }

    /// Every user, by unit then username.
    public func list() async throws -> [UserRecord] {
        try await UserRecord.query(on: database).sort(\.$unitCode).sort(\.$username).all()
    }

    /// The users of unit `unitCode` (every user when `nil`), by unit then username.
    public func list(unit unitCode: String?) async throws -> [UserRecord] {
        guard let unitCode else { return try await list() }
        return try await UserRecord.query(on: database).filter(\.$unitCode == unitCode).sort(\.$username).all()
    }

    /// Stores a new user. The caller checks that the username is free; the unique index refuses a race.
    public func create(_ user: UserRecord) async throws {
        try await user.create(on: database)
    }

    /// Counts a failed login of `userID`; at `threshold` consecutive failures the account is locked until
    /// `lockUntil` and the count starts again.
    /// - Returns: the failures counted so far (0 once locked) and the lock's end, if this failure locked it.
    public func recordFailedLogin(_ userID: UUID, threshold: Int, lockUntil: Date) async throws -> (failures: Int, lockedUntil: Date?) {
        try await SQLiteWriteGate.transaction(on: database, lockTable: UserRecord.schema) { db in
            guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
            // One statement, so that concurrent attempts cannot both read the same count.
            try await sql.update(UserRecord.schema)
                .set("failed_logins", to: SQLBinaryExpression(SQLColumn("failed_logins"), .add, SQLLiteral.numeric("1")))
                .where("id", .equal, SQLBind(userID))
                .run()
            guard let user = try await UserRecord.find(userID, on: db) else { return (0, nil) }
            guard user.failedLogins >= threshold else { return (user.failedLogins, nil) }
            user.failedLogins = 0
            user.lockedUntil = lockUntil
            try await user.update(on: db)
            return (0, lockUntil)
        }
    }

    /// Clears the failure count and any lock after a successful login.
    public func recordSuccessfulLogin(_ user: UserRecord) async throws {
        guard user.failedLogins != 0 || user.lockedUntil != nil else { return }
        user.failedLogins = 0
        user.lockedUntil = nil
        try await user.update(on: database)
    }

    /// Every user locked at `now`, by the end of the lock.
    public func locked(at now: Date) async throws -> [UserRecord] {
        try await UserRecord.query(on: database).filter(\.$lockedUntil > now).sort(\.$lockedUntil).all()
    }

    /// Lifts the lock of the user named `username` and clears the failure count.
    /// - Returns: the user, or `nil` when there is no such user.
    public func unlock(username: String) async throws -> UserRecord? {
        guard let user = try await user(named: username) else { return nil }
        user.failedLogins = 0
        user.lockedUntil = nil
        try await user.update(on: database)
        return user
    }

    // MARK: Sign-in attempts per address

    /// Notes an attempt from `address` before its password is checked, and counts the attempts from there
    /// since `windowStart`, this one included. Writing first and counting after makes the count a reservation:
    /// of many concurrent attempts from one address, the one whose row is the n-th to be committed counts at
    /// least n, so no more than a limit of them get through.
    /// - Returns: the attempt's id (for ``forgetAttempt(_:)``) and the count.
    public func beginAttempt(from address: String, username: String, at now: Date, windowStart: Date) async throws -> (id: UUID, count: Int) {
        try await LoginAttemptRecord.query(on: database).filter(\.$clientAddress == address).filter(\.$attemptedAt < windowStart).delete()
        let attempt = LoginAttemptRecord(clientAddress: address, username: String(username.prefix(64)), attemptedAt: now)
        try await attempt.create(on: database)
        let count = try await LoginAttemptRecord.query(on: database).filter(\.$clientAddress == address)
            .filter(\.$attemptedAt >= windowStart).count()
        return (try attempt.requireID(), count)
    }

    /// Removes an attempt that must not count as a failure (it succeeded, or it was refused unchecked).
    public func forgetAttempt(_ id: UUID) async throws {
        try await LoginAttemptRecord.query(on: database).filter(\.$id == id).delete()
    }

    /// Failed attempts since `windowStart` per address, oldest first, for addresses with at least `threshold`;
    /// older attempts are deleted on the way.
    public func throttledAddresses(windowStart: Date, threshold: Int) async throws -> [(address: String, attempts: [LoginAttemptRecord])] {
        try await LoginAttemptRecord.query(on: database).filter(\.$attemptedAt < windowStart).delete()
        let recent = try await LoginAttemptRecord.query(on: database).sort(\.$attemptedAt).all()
        let grouped = Dictionary(grouping: recent, by: \.clientAddress).filter { $0.value.count >= threshold }
        return grouped.keys.sorted().map { ($0, grouped[$0]!) }
    }

    /// Forgets every failed attempt from `address`, which lifts its throttling.
    /// - Returns: how many were forgotten.
    @discardableResult
    public func clearAttempts(from address: String) async throws -> Int {
        let count = try await LoginAttemptRecord.query(on: database).filter(\.$clientAddress == address).count()
        try await LoginAttemptRecord.query(on: database).filter(\.$clientAddress == address).delete()
        return count
    }

    // MARK: API tokens

    /// Stores a token (its hash) for its owner.
    public func add(_ token: ApiTokenRecord) async throws {
        try await token.create(on: database)
    }

    /// The owner's tokens, newest first, revoked ones included.
    public func tokens(of userID: UUID) async throws -> [ApiTokenRecord] {
        try await ApiTokenRecord.query(on: database).filter(\.$user.$id == userID).sort(\.$createdAt, .descending).all()
    }

    /// The unrevoked token whose hash is `sha256`, with its owner; `nil` when unknown or revoked.
    public func token(sha256: String) async throws -> (token: ApiTokenRecord, user: UserRecord)? {
        // One statement with its owner joined: every API request passes here.
        guard let token = try await ApiTokenRecord.query(on: database).join(UserRecord.self, on: \ApiTokenRecord.$user.$id == \UserRecord.$id)
            .filter(\.$tokenSHA256 == sha256).filter(\.$revokedAt == nil).first() else { return nil }
        return (token, try token.joined(UserRecord.self))
    }

    /// Revokes every unrevoked token of `userID` at `now` (the account was disabled).
    /// - Returns: how many were revoked.
    @discardableResult
    public func revokeTokens(of userID: UUID, at now: Date) async throws -> Int {
        let live = try await ApiTokenRecord.query(on: database).filter(\.$user.$id == userID).filter(\.$revokedAt == nil).all()
        for token in live {
            token.revokedAt = now
            try await token.update(on: database)
        }
        return live.count
    }

    /// Notes that `token` authenticated a request at `now`.
    public func touch(_ token: ApiTokenRecord, at now: Date) async throws {
        token.lastUsedAt = now
        try await token.update(on: database)
    }

    /// Revokes the token `id` if `ownerID` owns it and it is not revoked yet.
    /// - Returns: whether the owner has such a token (revoked before or now).
    public func revokeToken(_ id: UUID, ownerID: UUID, at now: Date) async throws -> Bool {
        guard let token = try await ApiTokenRecord.query(on: database).filter(\.$id == id).filter(\.$user.$id == ownerID).first() else {
            return false
        }
        if token.revokedAt == nil {
            token.revokedAt = now
            try await token.update(on: database)
        }
        return true
    }

    // MARK: Sessions

    /// Stores a new session.
    public func add(_ session: UserSessionRecord) async throws {
        try await session.create(on: database)
    }

    /// The session whose cookie hashes to `sha256`, with its user, if it has not expired at `now`.
    public func session(sha256: String, at now: Date) async throws -> (session: UserSessionRecord, user: UserRecord)? {
        guard let session = try await UserSessionRecord.query(on: database).filter(\.$tokenSHA256 == sha256).first(),
              session.expiresAt > now, let user = try await UserRecord.find(session.$user.id, on: database) else { return nil }
        return (session, user)
    }

    /// Ends every session of `userID` but `kept` (the one that changed the password, if any).
    /// - Returns: how many were ended.
    @discardableResult
    public func endSessions(of userID: UUID, except kept: UUID? = nil) async throws -> Int {
        var query = UserSessionRecord.query(on: database).filter(\.$user.$id == userID)
        if let kept { query = query.filter(\.$id != kept) }
        let count = try await query.count()
        var delete = UserSessionRecord.query(on: database).filter(\.$user.$id == userID)
        if let kept { delete = delete.filter(\.$id != kept) }
        try await delete.delete()
        return count
    }

    /// Ends the session whose cookie hashes to `sha256` (logout), and every session that expired before `now`.
    public func endSession(sha256: String, now: Date) async throws {
        try await UserSessionRecord.query(on: database).filter(\.$tokenSHA256 == sha256).delete()
        try await UserSessionRecord.query(on: database).filter(\.$expiresAt < now).delete()
    }
}
