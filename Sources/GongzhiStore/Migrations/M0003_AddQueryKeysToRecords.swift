import FluentKit
import SQLKit

/// Indexed query keys beside each record's JSON payload, so that a query by identifier, period and
/// jurisdiction (信息属地) is an index lookup on both databases: `records` gains its indicator, period and
/// division code; `record_keys` holds one row per identifier value of a record.
public struct M0003_AddQueryKeysToRecords: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        // One column per ALTER TABLE: SQLite adds a single column at a time.
        for column in ["indicator_code", "period", "division_code"] {
            try await database.schema("records").field(.string(column), .string).update()
        }
        try await database.schema("record_keys")
            .field("id", .int64, .identifier(auto: true))
            .field("submission_id", .uuid, .required, .references("submissions", "id"))
            .field("row_number", .int, .required)
            .field("field", .string, .required)
            .field("value", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "records_by_indicator_period").on("records").column("indicator_code").column("period").run()
        try await sql.create(index: "records_by_division").on("records").column("division_code").column("period").run()
        try await sql.create(index: "record_keys_by_value").on("record_keys").column("value").run()
        try await sql.create(index: "record_keys_by_record").on("record_keys").column("submission_id").column("row_number").run()
    }

    public func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            for index in ["records_by_indicator_period", "records_by_division"] {
                try await sql.drop(index: index).run()
            }
        }
        try await database.schema("record_keys").delete()
        for column in ["indicator_code", "period", "division_code"] {
            try await database.schema("records").deleteField(.string(column)).update()
        }
    }
}
