import FluentKit
import FluentSQL
import SQLKit

/// Notices to the member units, who has read them, and the outbox of reminder text messages (issue 13 §5,
/// 三(四) 信息发布). Numbered from 30: the matching tables of issue 12 take the twenties.
public struct M0030_CreateNotices: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("notices")
            .id()
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("category", .string, .required)
            .field("to_all", .bool, .required)
            .field("posted_by", .string, .required)
            .field("posted_by_unit", .string, .required)
            .field("posted_at", .datetime, .required)
            .create()
        try await database.schema("notice_recipients")
            .id()
            .field("notice_id", .uuid, .required, .references("notices", "id"))
            .field("unit_code", .string, .required)
            .unique(on: "notice_id", "unit_code")
            .create()
        try await database.schema("notice_reads")
            .id()
            .field("notice_id", .uuid, .required, .references("notices", "id"))
            .field("user_id", .string, .required)
            .field("read_at", .datetime, .required)
            .unique(on: "notice_id", "user_id")
            .create()
        try await database.schema("reminder_outbox")
            .id()
            .field("unit_code", .string, .required)
            .field("mobile", .string, .required)
            .field("text", .string, .required)
            .field("reason", .string, .required)
            .field("created_at", .datetime, .required)
            .field("handed_over_at", .datetime)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "notices_by_time").on("notices").column("posted_at").run()
        try await sql.create(index: "notice_recipients_by_unit").on("notice_recipients").column("unit_code").run()
        try await sql.create(index: "reminder_outbox_pending").on("reminder_outbox").column("handed_over_at").column("created_at").run()
    }

    public func revert(on database: any Database) async throws {
        for table in ["reminder_outbox", "notice_reads", "notice_recipients", "notices"] {
            try await database.schema(table).delete()
        }
    }
}
