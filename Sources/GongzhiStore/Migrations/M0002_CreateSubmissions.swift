import FluentKit
import SQLKit

/// Submissions, their accepted records (with lineage) and their errors.
public struct M0002_CreateSubmissions: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("submissions")
            .id()
            .field("indicator_id", .uuid, .references("indicators", "id"))
            .field("indicator_code", .string, .required)
            .field("indicator_name", .string, .required)
            .field("unit_code", .string, .required)
            .field("acting_unit_code", .string, .required)
            .field("period", .string, .required)
            .field("file_name", .string, .required)
            .field("file_sha256", .string, .required)
            .field("file_size", .int64, .required)
            .field("format", .string, .required)
            .field("sheet", .string)
            .field("received_at", .datetime, .required)
            .field("rows_total", .int, .required)
            .field("rows_accepted", .int, .required)
            .field("rows_rejected", .int, .required)
            .field("status", .string, .required)
            .field("report", .string, .required)
            .create()
        try await database.schema("records")
            .field("id", .int64, .identifier(auto: true))
            .field("submission_id", .uuid, .required, .references("submissions", "id"))
            .field("sheet", .string)
            .field("row_number", .int, .required)
            .field("values", .string, .required)
            .unique(on: "submission_id", "row_number")
            .create()
        try await database.schema("submission_errors")
            .field("id", .int64, .identifier(auto: true))
            .field("submission_id", .uuid, .required, .references("submissions", "id"))
            .field("row_number", .int, .required)
            .field("field", .string)
            .field("column_label", .string)
            .field("code", .string, .required)
            .field("value", .string)
            .field("message", .string, .required)
            .field("duplicate_of_row", .int)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "submissions_by_task").on("submissions")
                .column("indicator_code").column("period").run()
            try await sql.create(index: "submission_errors_by_submission").on("submission_errors")
                .column("submission_id").column("row_number").run()
        }
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("submission_errors").delete()
        try await database.schema("records").delete()
        try await database.schema("submissions").delete()
    }
}

/// Every migration, in order. Applied by `gongzhi migrate` and on server start.
public enum GongzhiMigrations {
    public static let all: [any Migration] = [
        M0001_CreateCatalog(),
        M0002_CreateSubmissions(),
        M0003_AddQueryKeysToRecords(),
        M0004_SlimRecordIndexes(),
        M0005_AddReportingCalendar(),
        M0006_CreateUsers(),
        M0007_CreateAuditLog(),
        M0008_CreateSharing(),
        M0009_HoldUnderLoad(),
        M0010_CreateAssessmentRuns(),
        M0011_CreateAssessorEntries(),
        M0012_CreateLoginAttempts(),
        M0013_CreateMeetingsAndSurveys(),
        M0014_CreateAssessmentBulletins(),
        M0015_AddCorrections(),
        M0016_AddAccountStates(),
        M0017_MoveSubmissionReports(),
        M0020_CreateMatching(),
        M0030_CreateNotices(),
        M0031_CreateObjections(),
        M0021_AddLeadReviewAndObjection(),
        M0032_CreateEffectivenessReports(),
        M0033_CreateUsageReports(),
        M0034_CreateComplaints(),
        M0040_CreateBackupRuns(),
        M0041_CreateSecurityChecks(),
        M0042_AddClearIdentifierRequests(),
    ]
}
