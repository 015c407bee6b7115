import FluentKit
import SQLKit

/// Year-end security checks of the units (附件1 第十八条; issue 14 §2): one row per recorded check; a unit
/// re-checked after fixing gets a new row, and the newest of a year is its result.
public struct M0041_CreateSecurityChecks: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("security_checks")
            .id()
            .field("unit_code", .string, .required)
            .field("year", .int, .required)
            .field("failed_items", .string, .required)
            .field("findings", .string, .required)
            .field("fix_deadline", .string)
            .field("result", .string, .required)
            .field("checked_on", .string, .required)
            .field("recorded_by", .string, .required)
            .field("recorded_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "security_checks_by_year").on("security_checks").column("year").column("unit_code").run()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("security_checks").delete()
    }
}
