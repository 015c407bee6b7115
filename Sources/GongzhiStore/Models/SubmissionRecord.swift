import FluentKit
import Foundation

/// 报送批次: one uploaded file for one indicator and reporting period, with its counts and status.
/// Written in one transaction with its accepted rows and errors.
public final class SubmissionRecord: Model, @unchecked Sendable {
    public static let schema = "submissions"

    @ID(key: .id) public var id: UUID?
    /// The indicator definition (of its catalog version) the file was validated against.
    @OptionalParent(key: "indicator_id") public var indicator: IndicatorRecord?
    @Field(key: "indicator_code") public var indicatorCode: String
    /// The indicator's name at submission time (kept so a later catalog never re-labels it).
    @Field(key: "indicator_name") public var indicatorName: String
    /// The reporting unit (the indicator's owner).
    @Field(key: "unit_code") public var unitCode: String
    /// The unit that acted (the reporter's unit; the info center for a proxy submission).
    @Field(key: "acting_unit_code") public var actingUnitCode: String
    /// `2024-03`, `2024Q1` or `2024`.
    @Field(key: "period") public var period: String
    @Field(key: "file_name") public var fileName: String
    @Field(key: "file_sha256") public var fileSHA256: String
    @Field(key: "file_size") public var fileSize: Int64
    @Field(key: "format") public var format: String
    @OptionalField(key: "sheet") public var sheet: String?
    @Field(key: "received_at") public var receivedAt: Date
    @Field(key: "rows_total") public var rowsTotal: Int
    @Field(key: "rows_accepted") public var rowsAccepted: Int
    @Field(key: "rows_rejected") public var rowsRejected: Int
    /// The import outcome: `accepted`, `partially_accepted` or `refused` (`received` until it concludes).
    @Field(key: "status") public var status: String
    /// The lifecycle state (``SubmissionState`` raw value): the outcome, or `superseded` once a later
    /// accepted submission for the same task took its place.
    @Field(key: "state") public var state: String
    /// `data` or `zero_data` (``TaskFiling/Kind``).
    @Field(key: "kind") public var kind: String
    /// The zero-data explanation (情况说明).
    @OptionalField(key: "explanation") public var explanation: String?
    /// For a proxy submission (代为报送): who acted and why.
    @OptionalField(key: "proxy_by") public var proxyBy: String?
    @OptionalField(key: "proxy_reason") public var proxyReason: String?
    /// The submission that superseded this one, and when.
    @OptionalField(key: "superseded_by") public var supersededBy: UUID?
    @OptionalField(key: "superseded_at") public var supersededAt: Date?
    /// `append` (补报) or `replace` (更正) when the file corrected a task that held accepted records.
    @OptionalField(key: "correction") public var correction: String?
    /// For a 补报: the submission whose records it adds to.
    @OptionalField(key: "appends_to") public var appendsTo: UUID?
    /// While importing: when the import last wrote a batch (wall clock, ms since 1970); see ``M0009_HoldUnderLoad``.
    @OptionalField(key: "import_heartbeat_ms") public var importHeartbeatMilliseconds: Int64?

    public init() {}

    public init(id: UUID? = nil, indicatorID: UUID?, indicatorCode: String, indicatorName: String, unitCode: String,
                actingUnitCode: String, period: String, fileName: String, fileSHA256: String, fileSize: Int64,
                format: String, receivedAt: Date) {
        self.id = id
        self.$indicator.id = indicatorID
        self.indicatorCode = indicatorCode
        self.indicatorName = indicatorName
        self.unitCode = unitCode
        self.actingUnitCode = actingUnitCode
        self.period = period
        self.fileName = fileName
        self.fileSHA256 = fileSHA256
        self.fileSize = fileSize
        self.format = format
        self.receivedAt = receivedAt
        self.rowsTotal = 0
        self.rowsAccepted = 0
        self.rowsRejected = 0
        self.status = "received"
        self.state = "received"
        self.kind = "data"
    }
}
