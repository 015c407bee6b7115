import FluentKit
import Foundation

/// One run of the quarterly assessment (考核评分): which quarter, judged as of which day, when and by whom,
/// against which catalog version. Never edited; a re-run is a new run.
public final class AssessmentRunRecord: Model, @unchecked Sendable {
    public static let schema = "assessment_runs"

    @ID(key: .id) public var id: UUID?
    /// `2024Q1`.
    @Field(key: "quarter") public var quarter: String
    /// The day the facts were gathered as of (`yyyy-mm-dd`, China Standard Time).
    @Field(key: "as_of") public var asOf: String
    @Field(key: "ran_at") public var ranAt: Date
    /// Who ran it: a user's login, or `cli` for the command line.
    @Field(key: "ran_by") public var ranBy: String
    @Field(key: "catalog_version") public var catalogVersion: String
    @Children(for: \.$run) public var scores: [AssessmentScoreRecord]

    public init() {}

    public init(id: UUID? = nil, quarter: String, asOf: String, ranAt: Date, ranBy: String, catalogVersion: String) {
        self.id = id
        self.quarter = quarter
        self.asOf = asOf
        self.ranAt = ranAt
        self.ranBy = ranBy
        self.catalogVersion = catalogVersion
    }
}

/// One unit's result in a run: the facts (the `--facts` JSON schema) and the scorecard JSON computed from them.
public final class AssessmentScoreRecord: Model, @unchecked Sendable {
    public static let schema = "assessment_scores"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "run_id") public var run: AssessmentRunRecord
    @Field(key: "unit_code") public var unitCode: String
    /// The total as printed (rounded half-up to 2 decimals), for lists.
    @Field(key: "total") public var total: String
    /// The facts object, JSON text.
    @Field(key: "facts") public var facts: String
    /// The scorecard object, JSON text.
    @Field(key: "scorecard") public var scorecard: String

    public init() {}

    public init(id: UUID? = nil, runID: UUID, unitCode: String, total: String, facts: String, scorecard: String) {
        self.id = id
        self.$run.id = runID
        self.unitCode = unitCode
        self.total = total
        self.facts = facts
        self.scorecard = scorecard
    }
}

/// One assessor entry (`AssessorEntry` in GongzhiCore) with who entered it and when.
public final class AssessorEntryRecord: Model, @unchecked Sendable {
    public static let schema = "assessor_entries"

    @ID(key: .id) public var id: UUID?
    @Field(key: "unit_code") public var unitCode: String
    /// `2024Q1`.
    @Field(key: "quarter") public var quarter: String
    /// `AssessorEntry.Kind` raw value.
    @Field(key: "kind") public var kind: String
    @OptionalField(key: "value") public var value: Int?
    @Field(key: "reason") public var reason: String
    /// For a leak: what leaked and when.
    @Field(key: "detail") public var detail: String
    /// The login of the assessor.
    @Field(key: "entered_by") public var enteredBy: String
    @Field(key: "entered_at") public var enteredAt: Date

    public init() {}
}

/// A published bulletin (简报): the quarter's ranking frozen on one run. At most one per quarter.
public final class AssessmentBulletinRecord: Model, @unchecked Sendable {
    public static let schema = "assessment_bulletins"

    @ID(key: .id) public var id: UUID?
    @Field(key: "quarter") public var quarter: String
    @Parent(key: "run_id") public var run: AssessmentRunRecord
    @Field(key: "published_at") public var publishedAt: Date
    @Field(key: "published_by") public var publishedBy: String

    public init() {}

    public init(quarter: String, runID: UUID, publishedAt: Date, publishedBy: String) {
        self.quarter = quarter
        self.$run.id = runID
        self.publishedAt = publishedAt
        self.publishedBy = publishedBy
    }
}
