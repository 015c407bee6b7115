import FluentKit
import Foundation
import GongzhiCore
import SQLKit

/// Stores and reads security agreements, access requests, grants and quota usage.
public struct SharingRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// The unit's agreement in force on `day`: the latest signed on or before it.
    public func agreement(of unit: String, on day: CalendarDate) async throws -> SecurityAgreement? {
        try await SecurityAgreementRecord.query(on: database).filter(\.$unitCode == unit)
            .filter(\.$signedOn <= day.isoString).sort(\.$signedOn, .descending).first()?.agreement
    }

    /// Every recorded agreement, newest first (optionally of one unit).
    public func agreements(of unit: String? = nil) async throws -> [SecurityAgreementRecord] {
        let query = SecurityAgreementRecord.query(on: database)
        if let unit { query.filter(\.$unitCode == unit) }
        return try await query.sort(\.$signedOn, .descending).all()
    }

    /// Requests, newest first: of the requesting unit, of the providing unit, or in some states.
    public func requests(requesting: String? = nil, providing: String? = nil,
                         states: [AccessRequest.State]? = nil) async throws -> [AccessRequestRecord] {
        let query = AccessRequestRecord.query(on: database)
        if let requesting { query.filter(\.$requestingUnit == requesting) }
        if let providing { query.filter(\.$providingUnit == providing) }
        if let states { query.filter(\.$state ~~ states.map(\.rawValue)) }
        return try await query.sort(\.$createdAt, .descending).all()
    }

    /// The request with `id`, or `nil`.
    public func request(_ id: UUID, on db: (any Database)? = nil) async throws -> AccessRequestRecord? {
        try await AccessRequestRecord.find(id, on: db ?? database)
    }

    /// Grants of `unit`, optionally for one indicator, newest first.
    public func grants(of unit: String, indicator: String? = nil) async throws -> [GrantRecord] {
        let query = GrantRecord.query(on: database).filter(\.$granteeUnit == unit)
        if let indicator { query.filter(\.$indicatorCode == indicator) }
        return try await query.sort(\.$issuedAt, .descending).all()
    }

    /// Grants issued for request `id`.
    public func grants(forRequest id: UUID) async throws -> [GrantRecord] {
        try await GrantRecord.query(on: database).filter(\.$requestID == id).all()
    }

    /// The grant with `id`, or `nil`.
    public func grant(_ id: UUID, on db: (any Database)? = nil) async throws -> GrantRecord? {
        try await GrantRecord.find(id, on: db ?? database)
    }

    /// What `user` used under `grant` on `day`.
    public func usage(user: String, grant: UUID, on day: CalendarDate, db: (any Database)? = nil) async throws -> QuotaUsage {
        let record = try await QuotaUsageRecord.query(on: db ?? database).filter(\.$userID == user)
            .filter(\.$grantID == grant).filter(\.$day == day.isoString).first()
        return QuotaUsage(day: day, queriedRows: record?.queriedRows ?? 0, downloadedRows: record?.downloadedRows ?? 0)
    }

    // MARK: Conditional writes (issue 9: no lost updates under concurrency)

    /// Takes SQLite's write lock now, as `BEGIN IMMEDIATE` would, by a write that changes nothing; does nothing
    /// on PostgreSQL. Call it first in a transaction that reads and then writes what it read: in WAL mode a
    /// deferred transaction keeps the snapshot of its first read, so a commit by another connection in between
    /// would either be missed (the read-then-write races) or fail the write with `SQLITE_BUSY_SNAPSHOT`.
    /// - Throws: database errors.
    public static func lockForWrite(_ db: any Database, table: String) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("DELETE FROM \(ident: table) WHERE 0").run()
    }

    /// Stores `record`'s state, mode and history — the outcome of one workflow transition — only if the stored
    /// state is still `expected`: one `UPDATE … WHERE id = ? AND state = ?`, so of two concurrent transitions
    /// from the same state exactly one succeeds. Call it inside the transaction that also writes the
    /// transition's grant and audit entry, before them.
    /// - Returns: `false` when the stored state is no longer `expected` (another transition came first);
    ///   nothing was changed then.
    /// - Throws: ``StoreError/notSQL``, database errors.
    public func storeTransition(_ record: AccessRequestRecord, from expected: AccessRequest.State, on db: any Database) async throws -> Bool {
        try await ConditionalTransition.update(AccessRequestRecord.schema, id: try record.requireID(), expected: expected.rawValue,
                                               set: [("state", record.state), ("mode", record.mode), ("history", record.history)], on: db)
    }

    /// Stores `record`'s revocation only if the stored grant is not revoked yet (`… WHERE id = ? AND revoked_at
    /// IS NULL`), so of two concurrent revocations exactly one is recorded.
    /// - Returns: `false` when the grant was revoked meanwhile; nothing was changed then.
    /// - Throws: ``StoreError/notSQL``, database errors.
    public func storeRevocation(_ record: GrantRecord, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        let updated = try await sql.update(GrantRecord.schema)
            .set("revoked_by", to: SQLBind(record.revokedBy))
            .set("revoked_at", to: SQLBind(record.revokedAt))
            .set("revoke_reason", to: SQLBind(record.revokeReason))
            .where("id", .equal, SQLBind(try record.requireID()))
            .where(SQLColumn("revoked_at"), .is, SQLLiteral.null)
            .returning("id")
            .all()
        return !updated.isEmpty
    }

    /// Reserves rows of `kind` for `user` under `grant` on `day`, atomically: the usage row is created if
    /// missing and locked (PostgreSQL `SELECT … FOR UPDATE`; on SQLite the caller has taken the write lock with
    /// ``lockForWrite(_:table:)``), `decide` is given what was used so far and returns how many rows to add,
    /// and the count is raised by that before the lock is released with the transaction. Concurrent
    /// reservations of the same user, grant and day thus see each other's rows: a limit cannot be overshot.
    ///
    /// Must run inside a transaction (`db`), together with the read it counts.
    /// - Returns: what `decide` returned.
    /// - Throws: whatever `decide` throws (nothing is added then), ``StoreError/notSQL``, database errors.
    public func reserve(_ kind: QuotaKind, user: String, grant: UUID, on day: CalendarDate, db: any Database,
                        _ decide: (QuotaUsage) async throws -> Int) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.raw("""
            INSERT INTO quota_usage (id, user_id, grant_id, day, queried_rows, downloaded_rows)
            VALUES (\(bind: UUID()), \(bind: user), \(bind: grant), \(bind: day.isoString), 0, 0)
            ON CONFLICT (user_id, grant_id, day) DO NOTHING
            """).run()
        let lock: SQLQueryString = sql.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        let row = try await sql.raw("""
            SELECT queried_rows, downloaded_rows FROM quota_usage
            WHERE user_id = \(bind: user) AND grant_id = \(bind: grant) AND day = \(bind: day.isoString)\(lock)
            """).first()
        let usage = QuotaUsage(day: day, queriedRows: try row?.decode(column: "queried_rows", as: Int.self) ?? 0,
                               downloadedRows: try row?.decode(column: "downloaded_rows", as: Int.self) ?? 0)
        let rows = try await decide(usage)
        guard rows > 0 else { return rows }
        let column = kind == .query ? "queried_rows" : "downloaded_rows"
        try await sql.update(QuotaUsageRecord.schema)
            .set(SQLColumn(column), to: SQLBinaryExpression(SQLColumn(column), .add, SQLBind(rows)))
            .where("user_id", .equal, SQLBind(user)).where("grant_id", .equal, SQLBind(grant))
            .where("day", .equal, SQLBind(day.isoString))
            .run()
        return rows
    }
}
