import FluentKit
import SQLKit

/// Users with their unit and roles, their API tokens (hashes only) and their browser sessions (issue 5).
public struct M0006_CreateUsers: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("unit_code", .string, .required)
            .field("roles", .string, .required)
            .field("password_hash", .string, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .datetime)
            .field("created_at", .datetime, .required)
            .field("disabled", .bool, .required)
            .unique(on: "username")
            .create()
        try await database.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("name", .string, .required)
            .field("token_sha256", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_sha256")
            .create()
        try await database.schema("user_sessions")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("token_sha256", .string, .required)
            .field("csrf_token", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_sha256")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "api_tokens_by_user").on("api_tokens").column("user_id").run()
            try await sql.create(index: "user_sessions_by_user").on("user_sessions").column("user_id").run()
        }
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("user_sessions").delete()
        try await database.schema("api_tokens").delete()
        try await database.schema("users").delete()
    }
}
