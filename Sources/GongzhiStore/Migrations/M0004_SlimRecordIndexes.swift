import FluentKit
import SQLKit

/// Drops two indexes that every bulk load paid for and no query needs: records of an indicator and period
/// are found through `submissions_by_task` and the records' (submission, row) key, and a record's
/// identifiers through `record_keys_by_value`. Index upkeep was the largest cost of storing a million rows.
public struct M0004_SlimRecordIndexes: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "records_by_indicator_period").ifExists().run()
        try await sql.drop(index: "record_keys_by_record").ifExists().run()
    }

    public func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "records_by_indicator_period").on("records").column("indicator_code").column("period").run()
        try await sql.create(index: "record_keys_by_record").on("record_keys").column("submission_id").column("row_number").run()
    }
}
