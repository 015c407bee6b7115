import FluentKit
import SQLKit

/// What holding under load needs from the schema (issue 9):
/// - `submissions.import_heartbeat_ms`: the wall-clock time (ms since 1970) an import last wrote a batch. An
///   import commits batch by batch so that pages keep answering; one whose heartbeat has stopped died with
///   its server and is marked `interrupted` (``SubmissionState/interrupted``), its rows removed.
/// - `submissions_by_task_id` (indicator, period, id): the sharing query walks a task's current submissions
///   in (period, submission) order and each one's records in row order, so a page of records is an index
///   walk that stops at the page's end, never a scan and sort of the whole records table.
public struct M0009_HoldUnderLoad: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("submissions").field("import_heartbeat_ms", .int64).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "submissions_by_task_id").on("submissions")
            .column("indicator_code").column("period").column("id").run()
        try await sql.create(index: "submissions_by_state").on("submissions").column("state").run()
    }

    public func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "submissions_by_state").run()
            try await sql.drop(index: "submissions_by_task_id").run()
        }
        try await database.schema("submissions").deleteField("import_heartbeat_ms").update()
    }
}
