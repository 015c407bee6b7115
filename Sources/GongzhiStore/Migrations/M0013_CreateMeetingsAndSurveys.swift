import FluentKit
import FluentSQL
import SQLKit

/// Joint meetings and trainings with each invited unit's attendance, and survey forms (调研反馈表) with each
/// unit's return (issue 11 §3): the facts behind the assessment's 其他 item.
public struct M0013_CreateMeetingsAndSurveys: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("joint_meetings")
            .id()
            .field("kind", .string, .required)
            .field("held_on", .string, .required)
            .field("time", .string, .required)
            .field("place", .string, .required)
            .field("topic", .string, .required)
            .field("minutes", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("meeting_invitations")
            .id()
            .field("meeting_id", .uuid, .required, .references("joint_meetings", "id"))
            .field("unit_code", .string, .required)
            .field("attendance", .string)
            .field("recorded_by", .string)
            .field("recorded_at", .datetime)
            .unique(on: "meeting_id", "unit_code")
            .create()
        try await database.schema("survey_forms")
            .id()
            .field("title", .string, .required)
            .field("instructions", .string, .required)
            .field("issued_on", .string, .required)
            .field("due_on", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("survey_recipients")
            .id()
            .field("survey_id", .uuid, .required, .references("survey_forms", "id"))
            .field("unit_code", .string, .required)
            .field("returned_at", .datetime)
            .field("return_file_name", .string)
            .field("return_sha256", .string)
            .field("returned_by", .string)
            .unique(on: "survey_id", "unit_code")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "joint_meetings_by_day").on("joint_meetings").column("held_on").run()
        try await sql.create(index: "meeting_invitations_by_unit").on("meeting_invitations").column("unit_code").run()
        try await sql.create(index: "survey_forms_by_due").on("survey_forms").column("due_on").run()
        try await sql.create(index: "survey_recipients_by_unit").on("survey_recipients").column("unit_code").run()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("survey_recipients").delete()
        try await database.schema("survey_forms").delete()
        try await database.schema("meeting_invitations").delete()
        try await database.schema("joint_meetings").delete()
    }
}
