import FluentKit

/// Published bulletins (简报): one per quarter, frozen on the run it was published from (issue 11 §5).
public struct M0014_CreateAssessmentBulletins: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("assessment_bulletins")
            .id()
            .field("quarter", .string, .required)
            .field("run_id", .uuid, .required, .references("assessment_runs", "id"))
            .field("published_at", .datetime, .required)
            .field("published_by", .string, .required)
            .unique(on: "quarter")
            .create()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("assessment_bulletins").delete()
    }
}
