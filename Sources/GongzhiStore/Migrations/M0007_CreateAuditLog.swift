import FluentKit
import SQLKit

/// The audit log (第十四条–第十五条): `audit_log`, one row per entry of the hash chain (the columns of the Core
/// canonical encoding); `audit_record_refs`, one row per record id an entry names, so "every entry that
/// touched record X" (lineage) is an index lookup on both databases; `audit_append_lock`, one row that every
/// appender updates first, which serialises appenders on both databases (see ``AuditLog/append(_:on:)``).
public struct M0007_CreateAuditLog: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("audit_log")
            .field("id", .int64, .identifier(auto: true))
            .field("seq", .int64, .required)
            .field("time_ms", .int64, .required)
            .field("user_id", .string, .required)
            .field("unit", .string, .required)
            .field("action", .string, .required)
            .field("indicator", .string)
            .field("records", .string, .required)
            .field("query", .string)
            .field("rows", .int64)
            .field("detail", .string)
            .field("address", .string, .required)
            .field("prev_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "seq")
            .create()
        try await database.schema("audit_record_refs")
            .field("seq", .int64, .required)
            .field("record_id", .string, .required)
            .create()
        try await database.schema("audit_append_lock")
            .field("id", .int64, .identifier(auto: false))
            .field("appends", .int64, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.insert(into: "audit_append_lock").columns("id", "appends").values(SQLBind(1), SQLBind(0)).run()
        // The auditor's filters, each newest first within its value; and lineage's lookup by record id.
        try await sql.create(index: "audit_log_by_time").on("audit_log").column("time_ms").run()
        for column in ["user_id", "unit", "indicator", "action"] {
            try await sql.create(index: "audit_log_by_\(column)").on("audit_log").column(column).column("seq").run()
        }
        try await sql.create(index: "audit_record_refs_by_record").on("audit_record_refs").column("record_id").column("seq").run()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("audit_append_lock").delete()
        try await database.schema("audit_record_refs").delete()
        try await database.schema("audit_log").delete()
    }
}
