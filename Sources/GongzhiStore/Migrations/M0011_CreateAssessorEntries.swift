import FluentKit
import FluentSQL
import SQLKit

/// The assessor's entries (issue 11 §3): 数据应用成效 grades, adopted leads, special-contribution ranks and
/// data leaks, each with who entered it, when and why. Never edited; a later entry of the same kind for the
/// same unit and quarter takes the earlier one's place.
public struct M0011_CreateAssessorEntries: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("assessor_entries")
            .id()
            .field("unit_code", .string, .required)
            .field("quarter", .string, .required)
            .field("kind", .string, .required)
            .field("value", .int)
            .field("reason", .string, .required)
            .field("detail", .string, .required)
            .field("entered_by", .string, .required)
            .field("entered_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "assessor_entries_by_quarter").on("assessor_entries").column("quarter").column("unit_code").run()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("assessor_entries").delete()
    }
}
