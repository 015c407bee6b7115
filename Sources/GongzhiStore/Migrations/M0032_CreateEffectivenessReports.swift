import FluentKit
import FluentSQL
import SQLKit

/// Annual effectiveness reports and the suspensions of sharing that follow two years without one (issue 13 §3,
/// 附件1 第十二条).
public struct M0032_CreateEffectivenessReports: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("effectiveness_reports")
            .id()
            .field("unit_code", .string, .required)
            .field("year", .int, .required)
            .field("body", .string, .required)
            .field("tax_recovered", .string, .required)
            .field("cases", .int, .required)
            .field("other_results", .string, .required)
            .field("attachments", .string, .required)
            .field("filed_by", .string, .required)
            .field("filed_at", .datetime, .required)
            .field("grade", .int)
            .field("grade_reason", .string)
            .field("graded_by", .string)
            .field("graded_at", .datetime)
            .unique(on: "unit_code", "year")
            .create()
        try await database.schema("sharing_suspensions")
            .id()
            .field("unit_code", .string, .required)
            .field("missed_years", .string, .required)
            .field("suspended_at", .datetime, .required)
            .field("reinstated_at", .datetime)
            .field("reinstated_reason", .string)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "sharing_suspensions_by_unit").on("sharing_suspensions").column("unit_code").column("reinstated_at").run()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("sharing_suspensions").delete()
        try await database.schema("effectiveness_reports").delete()
    }
}
