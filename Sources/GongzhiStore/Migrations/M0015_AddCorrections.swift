import FluentKit
import SQLKit

/// Corrections that never lose data (issue 10): a 补报 submission adds its rows to the task's current
/// submission (`submissions.appends_to`, `submissions.correction`), and the rejected rows it corrects are
/// marked (`submission_errors.correction_key`, `corrected_by`, `corrected_at`).
public struct M0015_AddCorrections: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        // One column per ALTER TABLE: SQLite adds a single column at a time.
        try await database.schema("submissions").field("correction", .string).update()
        try await database.schema("submissions").field("appends_to", .uuid).update()
        try await database.schema("submission_errors").field("correction_key", .string).update()
        try await database.schema("submission_errors").field("corrected_by", .uuid).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "submissions_by_appends_to").on("submissions").column("appends_to").run()
    }

    public func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "submissions_by_appends_to").run()
        }
        for column in ["corrected_by", "correction_key"] {
            try await database.schema("submission_errors").deleteField(.string(column)).update()
        }
        for column in ["appends_to", "correction"] {
            try await database.schema("submissions").deleteField(.string(column)).update()
        }
    }
}
