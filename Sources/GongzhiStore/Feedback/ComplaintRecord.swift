import FluentKit
import Foundation

/// One complaint (投诉, table `complaints`; issue 13 §4, 附件1 第二十条): a unit's complaint about another unit's
/// leak, misuse or refusal to share, and the city office's handling and outcome.
public final class ComplaintRecord: Model, @unchecked Sendable {
    public static let schema = "complaints"

    @ID(key: .id) public var id: UUID?
    /// `ComplaintKind` raw value.
    @Field(key: "kind") public var kind: String
    /// `ComplaintState` raw value.
    @Field(key: "state") public var state: String
    @Field(key: "complainant_unit") public var complainantUnit: String
    @Field(key: "filed_by") public var filedBy: String
    @Field(key: "against_unit") public var againstUnit: String
    @Field(key: "body") public var body: String
    /// The city office's handling note and its decision's grounds.
    @OptionalField(key: "handling_note") public var handlingNote: String?
    @OptionalField(key: "outcome_note") public var outcomeNote: String?
    @OptionalField(key: "decided_by") public var decidedBy: String?
    /// Once carried into the assessment: the leak penalty (5–10) and the quarter it counts in.
    @OptionalField(key: "leak_penalty") public var leakPenalty: Int?
    @OptionalField(key: "penalty_quarter") public var penaltyQuarter: String?
    @Field(key: "filed_at") public var filedAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}
