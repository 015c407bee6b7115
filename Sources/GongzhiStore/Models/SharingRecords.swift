import FluentKit
import Foundation

/// 数据安全保障协议 as recorded by the info center (附件1 第十三条): until it is recorded, the unit sees no other
/// unit's data. The signed document is kept in the file store by its SHA-256.
public final class SecurityAgreementRecord: Model, @unchecked Sendable {
    public static let schema = "security_agreements"

    @ID(key: .id) public var id: UUID?
    @Field(key: "unit_code") public var unitCode: String
    /// ISO date the agreement was signed.
    @Field(key: "signed_on") public var signedOn: String
    @Field(key: "signatory") public var signatory: String
    @Field(key: "document_name") public var documentName: String
    @Field(key: "document_sha256") public var documentSHA256: String
    @Field(key: "recorded_at") public var recordedAt: Date
    @Field(key: "recorded_by") public var recordedBy: String

    public init() {}
}

/// 共享申请 as stored: the request's contents, its state and its history (JSON array of transitions).
public final class AccessRequestRecord: Model, @unchecked Sendable {
    public static let schema = "access_requests"

    @ID(key: .id) public var id: UUID?
    @Field(key: "requesting_unit") public var requestingUnit: String
    @Field(key: "requested_by") public var requestedBy: String
    @Field(key: "providing_unit") public var providingUnit: String
    /// The catalogued indicator, or `nil` for uncatalogued data (then `description` says what).
    @OptionalField(key: "indicator_code") public var indicatorCode: String?
    @OptionalField(key: "description") public var dataDescription: String?
    /// Field keys, comma-separated.
    @Field(key: "fields") public var fields: String
    @Field(key: "period_from") public var periodFrom: String
    @Field(key: "period_to") public var periodTo: String
    @Field(key: "purpose") public var purpose: String
    @OptionalField(key: "legal_basis") public var legalBasis: String?
    /// 申请明文身份标识 (``AccessRequest/clearIdentifiers``).
    @Field(key: "clear_identifiers") public var clearIdentifiers: Bool
    /// `registered`, `approval`, `withheld`, or `nil` while the provider has not confirmed it.
    @OptionalField(key: "mode") public var mode: String?
    /// Local (UTC+8) `yyyy-mm-ddThh:mm:ss`.
    @Field(key: "created_at") public var createdAt: String
    @Field(key: "state") public var state: String
    /// JSON array of `{from, to, event, by, at, note}`.
    @Field(key: "history") public var history: String

    public init() {}
}

/// 授权 as stored; revocation columns are empty while it stands.
public final class GrantRecord: Model, @unchecked Sendable {
    public static let schema = "grants"

    @ID(key: .id) public var id: UUID?
    @Field(key: "request_id") public var requestID: UUID
    @Field(key: "grantee_unit") public var granteeUnit: String
    @Field(key: "providing_unit") public var providingUnit: String
    @Field(key: "indicator_code") public var indicatorCode: String
    /// Comma-separated field keys.
    @Field(key: "clear_fields") public var clearFields: String
    @Field(key: "masked_fields") public var maskedFields: String
    @Field(key: "period_from") public var periodFrom: String
    @Field(key: "period_to") public var periodTo: String
    @Field(key: "valid_from") public var validFrom: String
    @Field(key: "expires_on") public var expiresOn: String
    @Field(key: "daily_query_rows") public var dailyQueryRows: Int
    @Field(key: "daily_download_rows") public var dailyDownloadRows: Int
    @Field(key: "issued_by") public var issuedBy: String
    @Field(key: "issued_at") public var issuedAt: String
    @OptionalField(key: "revoked_by") public var revokedBy: String?
    @OptionalField(key: "revoked_at") public var revokedAt: String?
    @OptionalField(key: "revoke_reason") public var revokeReason: String?

    public init() {}
}

/// Rows one user used under one grant on one day.
public final class QuotaUsageRecord: Model, @unchecked Sendable {
    public static let schema = "quota_usage"

    @ID(key: .id) public var id: UUID?
    @Field(key: "user_id") public var userID: String
    @Field(key: "grant_id") public var grantID: UUID
    /// ISO date.
    @Field(key: "day") public var day: String
    @Field(key: "queried_rows") public var queriedRows: Int
    @Field(key: "downloaded_rows") public var downloadedRows: Int

    public init() {}
}
