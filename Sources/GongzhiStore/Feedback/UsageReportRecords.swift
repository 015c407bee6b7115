import FluentKit
import Foundation

/// One quarterly usage report (数据使用报告, table `usage_reports`; issue 13 §2, 附件1 第十二条): one per unit
/// and quarter, with the figures pre-filled from the audit log as they stood when it was filed.
public final class UsageReportRecord: Model, @unchecked Sendable {
    public static let schema = "usage_reports"

    @ID(key: .id) public var id: UUID?
    @Field(key: "unit_code") public var unitCode: String
    /// `2026Q3`.
    @Field(key: "quarter") public var quarter: String
    /// What the unit used the data for.
    @Field(key: "purpose") public var purpose: String
    /// The pre-filled figures, a JSON array of `{indicator, provider, queries, rows_read, downloads, rows_downloaded, leads}`.
    @Field(key: "figures") public var figures: String
    @Field(key: "filed_by") public var filedBy: String
    @Field(key: "filed_at") public var filedAt: Date

    public init() {}
}

/// One quality rating in a usage report (table `usage_ratings`): the rating unit's 1–5 for a providing unit's
/// data in a quarter, with a comment. The tax bureaus' ratings are shown on the providing unit's page.
public final class UsageRatingRecord: Model, @unchecked Sendable {
    public static let schema = "usage_ratings"

    @ID(key: .id) public var id: UUID?
    @Field(key: "report_id") public var reportID: UUID
    @Field(key: "rater_unit") public var raterUnit: String
    @Field(key: "provider_unit") public var providerUnit: String
    @Field(key: "quarter") public var quarter: String
    @Field(key: "score") public var score: Int
    @Field(key: "comment") public var comment: String

    public init() {}
}
