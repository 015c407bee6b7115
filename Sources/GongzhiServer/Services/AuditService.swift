import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore

/// Writes audit entries for acts that are not already inside a transaction of their own (page views,
/// downloads, exports, logins) and reads the log for the auditor. Acts that store something (submissions,
/// catalog loads) append through ``AuditLog/append(_:on:)`` inside their own transaction instead.
public struct AuditService: Sendable {
    public let database: any Database
    public let clock: PlatformClock
    /// Where entries written on their own are batched (``AuditGroupCommit``); `nil` commits each alone.
    public let auditCommits: AuditGroupCommit?

    public init(database: any Database, clock: PlatformClock, auditCommits: AuditGroupCommit? = nil) {
        self.database = database
        self.clock = clock
        self.auditCommits = auditCommits
    }

    /// Records that `actor` did `action` on `target`, now: inside `db`'s transaction when given (so it rolls
    /// back with the act), otherwise in a short transaction of its own (shared with concurrent ones through
    /// ``auditCommits``), before the response is sent — if the
    /// entry cannot be written, the request fails rather than go unrecorded. This is the call the login
    /// flow makes (`.login`, `.loginFailed` with the name tried as `user`, `.logout`).
    ///
    /// On SQLite the write waits while an import holds the database's write lock.
    @discardableResult
    public func record(_ action: AuditAction, by actor: AuditActor, _ target: AuditTarget = AuditTarget(),
                       on db: (any Database)? = nil) async throws -> AuditEntry {
        let event = actor.event(action, target, at: clock.now()), db = db ?? database
        if let auditCommits { return try await auditCommits.append(event, on: db) }
        return try await AuditLog.append(event, on: db)
    }

    /// The log on this database, for reading and verifying.
    public var log: AuditLog { AuditLog(database: database) }
}
