import FluentKit
import Foundation

/// One objection (table `objections`): on a record (erroneous, duplicate; `record_id`, optionally one field)
/// or on a submission (omitted; `record_count` records missing), with the answers given so far.
public final class ObjectionRecord: Model, @unchecked Sendable {
    public static let schema = "objections"

    @ID(key: .id) public var id: UUID?
    /// `ObjectionKind` raw value.
    @Field(key: "kind") public var kind: String
    /// `ObjectionState` raw value.
    @Field(key: "state") public var state: String
    @Field(key: "indicator_code") public var indicatorCode: String
    @Field(key: "period") public var period: String
    /// The unit whose data it concerns, and the unit (and user) that filed it.
    @Field(key: "provider_unit") public var providerUnit: String
    @Field(key: "filer_unit") public var filerUnit: String
    @Field(key: "filed_by") public var filedBy: String
    /// The submission the record belongs to, or the one that misses records.
    @Field(key: "submission_id") public var submissionID: UUID
    @OptionalField(key: "record_id") public var recordID: Int?
    /// The field key when one field is in doubt.
    @OptionalField(key: "field_key") public var fieldKey: String?
    /// Records missing (omitted); 1 for a record.
    @Field(key: "record_count") public var recordCount: Int
    @Field(key: "reason") public var reason: String
    @OptionalField(key: "evidence") public var evidence: String?
    /// The provider's reason for a rejection, the filer's for a dispute, the info center's ruling.
    @OptionalField(key: "answer") public var answer: String?
    @OptionalField(key: "dispute") public var dispute: String?
    @OptionalField(key: "ruling") public var ruling: String?
    /// The corrected submission that resolved an upheld objection.
    @OptionalField(key: "correcting_submission_id") public var correctingSubmissionID: UUID?
    @Field(key: "filed_at") public var filedAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}
