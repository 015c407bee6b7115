import FluentKit
import FluentSQL
import SQLKit

/// Objections (疑义) to shared data and their answers (issue 13 §1, 附件1 第十一条).
public struct M0031_CreateObjections: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("objections")
            .id()
            .field("kind", .string, .required)
            .field("state", .string, .required)
            .field("indicator_code", .string, .required)
            .field("period", .string, .required)
            .field("provider_unit", .string, .required)
            .field("filer_unit", .string, .required)
            .field("filed_by", .string, .required)
            .field("submission_id", .uuid, .required)
            .field("record_id", .int)
            .field("field_key", .string)
            .field("record_count", .int, .required)
            .field("reason", .string, .required)
            .field("evidence", .string)
            .field("answer", .string)
            .field("dispute", .string)
            .field("ruling", .string)
            .field("correcting_submission_id", .uuid)
            .field("filed_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "objections_by_provider").on("objections").column("provider_unit").column("state").run()
        try await sql.create(index: "objections_by_filer").on("objections").column("filer_unit").column("state").run()
        try await sql.create(index: "objections_by_submission").on("objections").column("submission_id").run()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("objections").delete()
    }
}
