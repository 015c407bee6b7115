import FluentKit
import FluentSQL
import SQLKit

/// The reporting calendar's facts: each submission's lifecycle state, kind (data or zero data with its
/// explanation), proxy note and supersession; each unit's contact history and contact incidents.
public struct M0005_AddReportingCalendar: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        // One column per ALTER TABLE: SQLite adds a single column at a time.
        try await database.schema("submissions").field("state", .string, .required, .sql(.default("received"))).update()
        try await database.schema("submissions").field("kind", .string, .required, .sql(.default("data"))).update()
        for column in ["explanation", "proxy_by", "proxy_reason"] {
            try await database.schema("submissions").field(.string(column), .string).update()
        }
        try await database.schema("submissions").field("superseded_by", .uuid).update()
        try await database.schema("submissions").field("superseded_at", .datetime).update()
        if let sql = database as? any SQLDatabase {
            // Submissions stored before the lifecycle existed concluded in their import outcome.
            try await sql.update("submissions").set("state", to: SQLColumn("status")).run()
        }

        try await database.schema("unit_contacts")
            .id()
            .field("unit_code", .string, .required)
            .field("role", .string, .required)
            .field("name", .string, .required)
            .field("mobile", .string)
            .field("effective_from", .string, .required)
            .field("notified_on", .string, .required)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .string, .required)
            .create()
        try await database.schema("contact_incidents")
            .id()
            .field("unit_code", .string, .required)
            .field("occurred_on", .string, .required)
            .field("description", .string, .required)
            .field("recorded_at", .datetime, .required)
            .field("recorded_by", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "submissions_by_unit").on("submissions").column("unit_code").column("period").run()
        try await sql.create(index: "unit_contacts_by_unit").on("unit_contacts").column("unit_code").column("effective_from").run()
        try await sql.create(index: "contact_incidents_by_unit").on("contact_incidents").column("unit_code").column("occurred_on").run()
    }

    public func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "submissions_by_unit").run()
        }
        try await database.schema("contact_incidents").delete()
        try await database.schema("unit_contacts").delete()
        for column in ["superseded_at", "superseded_by", "proxy_reason", "proxy_by", "explanation", "kind", "state"] {
            try await database.schema("submissions").deleteField(.string(column)).update()
        }
    }
}
