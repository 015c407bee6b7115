import FluentKit
import SQLKit

/// Moves each submission's import report out of `submissions` into `submission_reports`. Stored after it, the
/// columns added since (`state`, `kind`, …) sat behind a megabyte of report in every row a file with thousands
/// of rejected rows wrote, so every query that read a submission's state — the sharing query, lists, the
/// board — walked that report's overflow pages (BENCHMARKS.md, load, 2026-12-06).
public struct M0017_MoveSubmissionReports: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("submission_reports")
            .field("submission_id", .uuid, .identifier(auto: false))
            .field("report", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("INSERT INTO submission_reports (submission_id, report) SELECT id, report FROM submissions").run()
        try await database.schema("submissions").deleteField("report").update()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("submissions").field("report", .string, .required, .sql(.default("{}"))).update()
        if let sql = database as? any SQLDatabase {
            try await sql.raw("UPDATE submissions SET report = (SELECT r.report FROM submission_reports r WHERE r.submission_id = submissions.id) WHERE id IN (SELECT submission_id FROM submission_reports)").run()
        }
        try await database.schema("submission_reports").delete()
    }
}
