import FluentKit
import Foundation

/// A recorded year-end security check (附件1 第十八条): `SecurityCheck` as stored, with who recorded it.
public final class SecurityCheckRecord: Model, @unchecked Sendable {
    public static let schema = "security_checks"

    @ID(key: .id) public var id: UUID?
    @Field(key: "unit_code") public var unitCode: String
    @Field(key: "year") public var year: Int
    /// `SecurityCheck.failedItemCodes`: item codes joined by commas.
    @Field(key: "failed_items") public var failedItems: String
    @Field(key: "findings") public var findings: String
    /// `yyyy-mm-dd`, for a failed check.
    @OptionalField(key: "fix_deadline") public var fixDeadline: String?
    /// `pass` or `fail`.
    @Field(key: "result") public var result: String
    /// `yyyy-mm-dd`.
    @Field(key: "checked_on") public var checkedOn: String
    /// The recording user's login name.
    @Field(key: "recorded_by") public var recordedBy: String
    @Field(key: "recorded_at") public var recordedAt: Date

    public init() {}

    /// The newest check of each unit in `year`, by unit code.
    public static func latest(year: Int, on database: any Database) async throws -> [String: SecurityCheckRecord] {
        let rows = try await SecurityCheckRecord.query(on: database).filter(\.$year == year).sort(\.$recordedAt).all()
        return rows.reduce(into: [:]) { $0[$1.unitCode] = $1 }
    }
}
