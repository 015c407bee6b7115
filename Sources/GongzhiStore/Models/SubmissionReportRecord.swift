import FluentKit
import Foundation

/// A submission's import report (the result object the API returns, 1 MB and more for a file with thousands of
/// rejected rows), kept apart from ``SubmissionRecord`` so that listing, counting and querying submissions
/// never reads it: only the submission's own page and API answer load it.
public final class SubmissionReportRecord: Model, @unchecked Sendable {
    public static let schema = "submission_reports"

    /// The submission's id.
    @ID(custom: "submission_id", generatedBy: .user) public var id: UUID?
    /// The report as JSON object text.
    @Field(key: "report") public var report: String

    public init() {}

    public init(submissionID: UUID, report: String) {
        self.id = submissionID
        self.report = report
    }
}
