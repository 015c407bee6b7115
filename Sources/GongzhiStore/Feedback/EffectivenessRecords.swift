import FluentKit
import Foundation

/// One annual effectiveness report (应用成效报告, table `effectiveness_reports`; issue 13 §3, 附件1 第十二条):
/// one per unit and year, with the 综合治税办's grade once given.
public final class EffectivenessReportRecord: Model, @unchecked Sendable {
    public static let schema = "effectiveness_reports"

    @ID(key: .id) public var id: UUID?
    @Field(key: "unit_code") public var unitCode: String
    /// The year reported on (`2025`).
    @Field(key: "year") public var year: Int
    @Field(key: "body") public var body: String
    /// Tax recovered, 元, decimal text with at most 2 decimals.
    @Field(key: "tax_recovered") public var taxRecovered: String
    @Field(key: "cases") public var cases: Int
    @Field(key: "other_results") public var otherResults: String
    /// The attachments as a JSON array of `{"name": …, "sha256": …}` (kept in the ``FileStore``).
    @Field(key: "attachments") public var attachments: String
    @Field(key: "filed_by") public var filedBy: String
    @Field(key: "filed_at") public var filedAt: Date
    /// 0–5, once graded.
    @OptionalField(key: "grade") public var grade: Int?
    @OptionalField(key: "grade_reason") public var gradeReason: String?
    @OptionalField(key: "graded_by") public var gradedBy: String?
    @OptionalField(key: "graded_at") public var gradedAt: Date?

    public init() {}
}

/// One suspension of a unit's sharing (table `sharing_suspensions`; 附件1 第十二条): in force while
/// `reinstated_at` is null.
public final class SharingSuspensionRecord: Model, @unchecked Sendable {
    public static let schema = "sharing_suspensions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "unit_code") public var unitCode: String
    /// The two years without a report, `2024,2025`.
    @Field(key: "missed_years") public var missedYears: String
    @Field(key: "suspended_at") public var suspendedAt: Date
    @OptionalField(key: "reinstated_at") public var reinstatedAt: Date?
    /// Why it was lifted (the report filed, or the check's finding).
    @OptionalField(key: "reinstated_reason") public var reinstatedReason: String?

    public init() {}

    /// The missed years as numbers.
    public var years: [Int] { missedYears.split(separator: ",").compactMap { Int($0) } }
}
