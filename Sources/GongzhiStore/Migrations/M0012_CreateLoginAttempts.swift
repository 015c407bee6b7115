import FluentKit
import SQLKit

/// Sign-in attempts per client address (issue 9): the failures that throttle an address, kept for the
/// throttling window and cleared by the info center.
public struct M0012_CreateLoginAttempts: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("login_attempts")
            .id()
            .field("client_address", .string, .required)
            .field("username", .string, .required)
            .field("attempted_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "login_attempts_by_address").on("login_attempts").column("client_address").column("attempted_at").run()
        }
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("login_attempts").delete()
    }
}
