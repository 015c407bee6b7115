import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// Passwords and account states (issue 10): a user changes the own password; the info center resets
/// passwords and disables or enables accounts. Every change is written with its audit entry in one transaction;
/// passwords never reach the log.
extension AccountService {
    // MARK: The own password

    /// Changes the password of the signed-in user `username` and ends every other session of theirs (the session of
    /// `cookieToken`, the one the change was made from, stays signed in).
    ///
    /// Checked in this order: a locked account is refused unchecked; the new password twice the same; the
    /// ``PasswordPolicy``; the current password — a wrong one counts as a failed sign-in (so a borrowed session
    /// cannot try passwords without end) and is audit-logged; the new one differs from the current one. Success
    /// clears a temporary password's `must_change_password` and the failure count.
    /// - Returns: how many other sessions were ended.
    /// - Throws: ``AuthError/wrongCurrentPassword(lockedUntil:)``, ``AuthError/passwordMismatch``,
    ///   ``AuthError/weakPassword(_:)``, ``AuthError/passwordUnchanged``, ``AuthError/unauthenticated`` when the
    ///   user is gone; database errors.
    @discardableResult
    public func changePassword(of username: String, current: String, new: String, confirmation: String,
                               keepingSessionOf cookieToken: String?, by actor: AuditActor) async throws -> Int {
        let now = clock.now()
        guard let user = try await repository.user(named: username), !user.disabled else { throw AuthError.unauthenticated }
        if let until = user.lockedUntil, until > now { throw AuthError.wrongCurrentPassword(lockedUntil: until) }
        guard new == confirmation else { throw AuthError.passwordMismatch }
        if let violation = PasswordPolicy.violation(new, username: user.username) { throw AuthError.weakPassword(violation) }
        let hash = user.passwordHash
        let matches = (try? await threadPool.runIfActive { try Bcrypt.verify(current, created: hash) }) ?? false
        guard matches else {
            let lockUntil = now.addingTimeInterval(TimeInterval(Self.lockMinutes * 60))
            let outcome = try await repository.recordFailedLogin(try user.requireID(), threshold: Self.maxFailedLogins, lockUntil: lockUntil)
            let refusal: SignInRefusal = outcome.lockedUntil.map { .lockedNow(until: $0) } ?? .wrongPassword
            _ = try await database.transaction { db in
                try await AuditLog.append(actor.event(.passwordChanged, AuditTarget(detail: "refused=wrong_current_password; reason=\(refusal)"),
                                                      at: now), on: db)
            }
            throw AuthError.wrongCurrentPassword(lockedUntil: outcome.lockedUntil)
        }
        guard current != new else { throw AuthError.passwordUnchanged }
        let newHash = try await threadPool.runIfActive { try Bcrypt.hash(new, cost: Self.bcryptCost) }
        let kept: UUID? = if let cookieToken {
            try await repository.session(sha256: Self.sha256(cookieToken), at: now)?.session.id
        } else {
            nil
        }
        return try await database.transaction { db in
            let users = UserRepository(database: db)
            user.passwordHash = newHash
            user.mustChangePassword = false
            user.failedLogins = 0
            try await user.update(on: db)
            let ended = try await users.endSessions(of: try user.requireID(), except: kept)
            try await AuditLog.append(actor.event(.passwordChanged, AuditTarget(detail: "user=\(user.username); sessions_ended=\(ended)"),
                                                  at: now), on: db)
            return ended
        }
    }

    // MARK: The info center

    /// A password the info center set for a user: the password itself, shown once, and whether the platform
    /// generated it.
    public struct TemporaryPassword: Sendable {
        public var username: String
        public var password: String
        public var generated: Bool
    }

    /// A fresh temporary password from the system's secure generator (``PasswordPolicy/temporaryPassword(length:using:)``).
    public static func generatedPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        return PasswordPolicy.temporaryPassword(using: &generator)
    }

    /// Sets a temporary password for `username`: `password` when given (it must meet ``PasswordPolicy``), else a
    /// generated one. The user must change it at the next sign-in; every session of theirs ends; a sign-in lock
    /// is lifted (the clerk who called the info center can sign in at once). Audit-logged as `actor`.
    /// - Returns: the password to hand over, shown once and never stored.
    /// - Throws: ``AuthError/unknownAccount(_:)``, ``AuthError/weakPassword(_:)``; database errors.
    public func resetPassword(of username: String, to password: String?, by actor: AuditActor) async throws -> TemporaryPassword {
        guard let user = try await repository.user(named: username) else { throw AuthError.unknownAccount(username) }
        let given = password.flatMap { $0.isEmpty ? nil : $0 }
        if let given, let violation = PasswordPolicy.violation(given, username: user.username) { throw AuthError.weakPassword(violation) }
        let temporary = given ?? Self.generatedPassword()
        let hash = try await threadPool.runIfActive { try Bcrypt.hash(temporary, cost: Self.bcryptCost) }
        let now = clock.now()
        try await database.transaction { db in
            user.passwordHash = hash
            user.mustChangePassword = true
            user.failedLogins = 0
            user.lockedUntil = nil
            try await user.update(on: db)
            let ended = try await UserRepository(database: db).endSessions(of: try user.requireID())
            let detail = "user=\(user.username); password=\(given == nil ? "generated" : "set"); sessions_ended=\(ended)"
            try await AuditLog.append(actor.event(.passwordReset, AuditTarget(detail: detail), at: now), on: db)
        }
        return TemporaryPassword(username: user.username, password: temporary, generated: given == nil)
    }

    /// Disables (`disabled` true) or enables the account `username`, audit-logged as `actor`. Disabling ends
    /// every session of the user and revokes every API token at once; sign-in then answers as for a wrong
    /// password. Enabling lets the user sign in again (revoked tokens stay revoked). Nothing changes, and nothing
    /// is logged, when the account already is in that state.
    /// - Parameter own: the login name of the admin acting, who may not disable the own account.
    /// - Returns: the user, and whether anything changed.
    /// - Throws: ``AuthError/unknownAccount(_:)``, ``AuthError/notOnOwnAccount(_:)``; database errors.
    @discardableResult
    public func setDisabled(_ disabled: Bool, username: String, actingAs own: String? = nil,
                            by actor: AuditActor) async throws -> (user: UserRecord, changed: Bool) {
        guard let user = try await repository.user(named: username) else { throw AuthError.unknownAccount(username) }
        if disabled, user.username == own { throw AuthError.notOnOwnAccount("不能停用自己的账户：请由另一位管理员操作。") }
        guard user.disabled != disabled else { return (user, false) }
        let now = clock.now()
        try await database.transaction { db in
            let users = UserRepository(database: db)
            user.disabled = disabled
            user.disabledAt = disabled ? now : nil
            try await user.update(on: db)
            if disabled {
                let id = try user.requireID()
                let sessions = try await users.endSessions(of: id)
                let tokens = try await users.revokeTokens(of: id, at: now)
                let detail = "user=\(user.username); sessions_ended=\(sessions); tokens_revoked=\(tokens)"
                try await AuditLog.append(actor.event(.accountDisabled, AuditTarget(detail: detail), at: now), on: db)
            } else {
                try await AuditLog.append(actor.event(.accountEnabled, AuditTarget(detail: "user=\(user.username)"), at: now), on: db)
            }
        }
        return (user, true)
    }
}
