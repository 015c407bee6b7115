import FluentKit
import Foundation

/// An accepted record with its lineage (submission, sheet, row). Written in bulk by
/// ``SubmissionRepository``; this model is for reading.
public final class AcceptedRowRecord: Model, @unchecked Sendable {
    public static let schema = "records"

    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Parent(key: "submission_id") public var submission: SubmissionRecord
    @OptionalField(key: "sheet") public var sheet: String?
    /// The row as the spreadsheet shows it.
    @Field(key: "row_number") public var rowNumber: Int
    /// `{"key": canonical, ...}` in field order, as in `records.jsonl`.
    @Field(key: "values") public var values: String

    public init() {}
}

/// A rejected cell, row or file of a submission, as in the report's `errors`.
public final class SubmissionErrorRecord: Model, @unchecked Sendable {
    public static let schema = "submission_errors"

    @ID(custom: .id, generatedBy: .database) public var id: Int?
    @Parent(key: "submission_id") public var submission: SubmissionRecord
    /// The spreadsheet row (from 1), or ``wholeFileRow`` for a whole-file error without a row (`row: null` in
    /// the report): the column is required, and no spreadsheet row is numbered 0.
    @Field(key: "row_number") public var rowNumber: Int
    @OptionalField(key: "field") public var field: String?
    @OptionalField(key: "column_label") public var columnLabel: String?
    @Field(key: "code") public var code: String
    @OptionalField(key: "value") public var value: String?
    @Field(key: "message") public var message: String
    @OptionalField(key: "duplicate_of_row") public var duplicateOfRow: Int?
    /// The rejected row's ``CorrectionKey`` (see ``ImportIssue/correctionKey``).
    @OptionalField(key: "correction_key") public var correctionKey: String?
    /// The 补报 submission whose row corrected this rejected row, if one did.
    @OptionalField(key: "corrected_by") public var correctedBy: UUID?

    public init() {}

    /// ``rowNumber`` of a whole-file error that has no row.
    public static let wholeFileRow = 0

    /// The row as the report gives it: `nil` for a whole-file error without a row.
    public var row: Int? { rowNumber == Self.wholeFileRow ? nil : rowNumber }
}
