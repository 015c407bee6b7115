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

    /// Stores a new user. The caller checks that the username is free; the unique index refuses a race.
    public func create(_ user: UserRecord) async throws {
        try await user.create(on: database)
    }

    /// Counts a failed login of `userID`; at `threshold` consecutive failures the account is locked until
    /// `lockUntil` and the count starts again.
    /// - Returns: the failures counted so far (0 once locked) and the lock's end, if this failure locked it.
    public func recordFailedLogin(_ userID: UUID, threshold: Int, lockUntil: Date) async throws -> (failures: Int, lockedUntil: Date?) {
        try await database.transaction { db in
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
        guard let token = try await ApiTokenRecord.query(on: database).filter(\.$tokenSHA256 == sha256).first(),
              token.revokedAt == nil, let user = try await UserRecord.find(token.$user.id, on: database) else { return nil }
        return (token, user)
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

    /// Ends the session whose cookie hashes to `sha256` (logout), and every session that expired before `now`.
    public func endSession(sha256: String, now: Date) async throws {
        try await UserSessionRecord.query(on: database).filter(\.$tokenSHA256 == sha256).delete()
        try await UserSessionRecord.query(on: database).filter(\.$expiresAt < now).delete()
    }
}
