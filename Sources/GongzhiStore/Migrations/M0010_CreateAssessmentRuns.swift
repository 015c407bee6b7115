import FluentKit
import FluentSQL
import SQLKit

/// Assessment runs (考核评分, 附件2): each run of a quarter, and per unit the exact facts it was computed from
/// and the scorecard, both as JSON text, so any score is explained and reproduced later. Runs are never
/// edited: a re-run (再次考核) is a new run and the earlier one stays as history.
public struct M0010_CreateAssessmentRuns: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("assessment_runs")
            .id()
            .field("quarter", .string, .required)
            .field("as_of", .string, .required)
            .field("ran_at", .datetime, .required)
            .field("ran_by", .string, .required)
            .field("catalog_version", .string, .required)
            .create()
        try await database.schema("assessment_scores")
            .id()
            .field("run_id", .uuid, .required, .references("assessment_runs", "id"))
            .field("unit_code", .string, .required)
            .field("total", .string, .required)
            .field("facts", .string, .required)
            .field("scorecard", .string, .required)
            .unique(on: "run_id", "unit_code")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "assessment_runs_by_quarter").on("assessment_runs").column("quarter").column("ran_at").run()
        try await sql.create(index: "assessment_scores_by_unit").on("assessment_scores").column("unit_code").run()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("assessment_scores").delete()
        try await database.schema("assessment_runs").delete()
    }
}
