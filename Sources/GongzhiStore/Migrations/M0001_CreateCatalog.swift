import FluentKit

/// Catalog versions, member units and indicators.
public struct M0001_CreateCatalog: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("catalog_versions")
            .id()
            .field("version", .string, .required)
            .field("effective", .string, .required)
            .field("source", .string)
            .field("sha256", .string, .required)
            .field("yaml", .string, .required)
            .field("is_current", .bool, .required)
            .field("loaded_at", .datetime, .required)
            .create()
        try await database.schema("member_units")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("short_name", .string)
            .field("prefix", .string)
            .field("kind", .string)
            .field("item", .int)
            .field("is_operator", .bool, .required)
            .unique(on: "code")
            .create()
        try await database.schema("indicators")
            .id()
            .field("catalog_version_id", .uuid, .required, .references("catalog_versions", "id"))
            .field("code", .string, .required)
            .field("unit_code", .string, .required)
            .field("name", .string, .required)
            .field("period", .string, .required)
            .field("sharing", .string, .required)
            .field("position", .int, .required)
            .field("definition", .string, .required)
            .unique(on: "catalog_version_id", "code")
            .create()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("indicators").delete()
        try await database.schema("member_units").delete()
        try await database.schema("catalog_versions").delete()
    }
}
