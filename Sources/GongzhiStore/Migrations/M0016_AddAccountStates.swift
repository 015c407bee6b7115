import FluentKit
import FluentSQL
import SQLKit

/// Accounts the info center runs (issue 10): when an account was disabled (`users.disabled_at`; the
/// `disabled` flag itself dates from M0006), and whether the user must change a temporary password set by
/// the info center before doing anything else (`users.must_change_password`).
public struct M0016_AddAccountStates: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        // One column per ALTER TABLE: SQLite adds a single column at a time.
        try await database.schema("users").field("disabled_at", .datetime).update()
        try await database.schema("users")
            .field("must_change_password", .bool, .required, .sql(.default(false)))
            .update()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("users").deleteField("must_change_password").update()
        try await database.schema("users").deleteField("disabled_at").update()
    }
}
