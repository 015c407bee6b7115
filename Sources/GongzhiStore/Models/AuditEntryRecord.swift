import FluentKit
import Foundation

/// One entry of the audit log (审计日志, table `audit_log`): exactly the parts of the Core canonical encoding
/// (`AuditEntry.canonicalBytes`), so an entry read back hashes to the same bytes it was sealed with. Rows are
/// only ever inserted, by ``AuditLog/append(_:on:)``; this model is for reading.
///
/// Two orders: `id` is the order rows were inserted in, which the verifier walks; `seq` is the chain position
/// carried inside the hash. A row whose `seq` was changed therefore shows up out of place (reordered).
public final class AuditEntryRecord: Model, @unchecked Sendable {
    public static let schema = "audit_log"

    @ID(custom: .id, generatedBy: .database) public var id: Int?
    /// Position in the chain, 1 for the first entry.
    @Field(key: "seq") public var sequence: Int64
    /// Milliseconds since 1970-01-01T00:00:00Z.
    @Field(key: "time_ms") public var timeMilliseconds: Int64
    /// The acting user's id (the canonical encoding's `user`; not named `user`, a reserved word in PostgreSQL).
    @Field(key: "user_id") public var userID: String
    /// The acting user's unit code.
    @Field(key: "unit") public var unitCode: String
    /// `AuditAction` raw value, e.g. `record_view`.
    @Field(key: "action") public var action: String
    @OptionalField(key: "indicator") public var indicatorCode: String?
    /// The record ids as a compact JSON array of strings, e.g. `["12","13"]` (`[]` when none).
    @Field(key: "records") public var recordIDsJSON: String
    @OptionalField(key: "query") public var query: String?
    @OptionalField(key: "rows") public var rowCount: Int64?
    @OptionalField(key: "detail") public var detail: String?
    /// The client's address as the server saw it.
    @Field(key: "address") public var address: String
    /// The previous entry's hash (64 hex digits; 64 zeros for entry 1).
    @Field(key: "prev_hash") public var previousHash: String
    /// Lowercase hex SHA-256 of the entry's canonical bytes.
    @Field(key: "hash") public var hash: String

    public init() {}

    /// The record ids of ``recordIDsJSON``; `nil` when the text is not a JSON array of strings.
    public var recordIDs: [String]? {
        try? JSONDecoder().decode([String].self, from: Data(recordIDsJSON.utf8))
    }
}
