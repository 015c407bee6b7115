import FluentKit
import FluentSQL
import SQLKit

/// Quarterly usage reports and their quality ratings (issue 13 §2, 附件1 第十二条).
public struct M0033_CreateUsageReports: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("usage_reports")
            .id()
            .field("unit_code", .string, .required)
            .field("quarter", .string, .required)
            .field("purpose", .string, .required)
            .field("figures", .string, .required)
            .field("filed_by", .string, .required)
            .field("filed_at", .datetime, .required)
            .unique(on: "unit_code", "quarter")
            .create()
        try await database.schema("usage_ratings")
            .id()
            .field("report_id", .uuid, .required, .references("usage_reports", "id"))
            .field("rater_unit", .string, .required)
            .field("provider_unit", .string, .required)
            .field("quarter", .string, .required)
            .field("score", .int, .required)
            .field("comment", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "usage_ratings_by_provider").on("usage_ratings").column("provider_unit").column("quarter").run()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("usage_ratings").delete()
        try await database.schema("usage_reports").delete()
    }
}
