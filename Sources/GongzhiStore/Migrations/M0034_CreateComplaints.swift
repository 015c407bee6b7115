import FluentKit
import FluentSQL
import SQLKit

/// Complaints about a unit's breach of the sharing rules and their handling (issue 13 §4, 附件1 第二十条).
public struct M0034_CreateComplaints: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("complaints")
            .id()
            .field("kind", .string, .required)
            .field("state", .string, .required)
            .field("complainant_unit", .string, .required)
            .field("filed_by", .string, .required)
            .field("against_unit", .string, .required)
            .field("body", .string, .required)
            .field("handling_note", .string)
            .field("outcome_note", .string)
            .field("decided_by", .string)
            .field("leak_penalty", .int)
            .field("penalty_quarter", .string)
            .field("filed_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "complaints_by_state").on("complaints").column("state").run()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("complaints").delete()
    }
}
