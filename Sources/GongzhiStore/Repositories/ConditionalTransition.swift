import FluentKit
import SQLKit

/// A workflow's state transition stored as one conditional `UPDATE … WHERE id = ? AND state = ?` (issue 9): of
/// two concurrent transitions from the same state exactly one changes the row, and the other learns it came
/// second. Access requests, objections and complaints store their steps through it.
enum ConditionalTransition {
    /// Sets `columns` (column name, value) on the row `id` of `table` if its `state` column is still `expected`.
    /// Call it inside the transaction that also writes the step's audit entry.
    /// - Returns: `false` when another transition came first; nothing was changed then.
    /// - Throws: ``StoreError/notSQL``, database errors.
    static func update(_ table: String, id: some Encodable & Sendable, expected: String,
                       set columns: [(String, any Encodable & Sendable)], on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        var update = sql.update(table)
        for (column, value) in columns { update = update.set(column, to: SQLBind(value)) }
        let updated = try await update
            .where("id", .equal, SQLBind(id))
            .where("state", .equal, SQLBind(expected))
            .returning("id")
            .all()
        return !updated.isEmpty
    }
}
