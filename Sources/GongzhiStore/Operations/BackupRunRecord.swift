import FluentKit
import Foundation

/// One run of `gongzhi backup`, successful or not (issue 14 §1). Written by the backup command into the live
/// database after the snapshot was taken, so a backup never contains its own run.
public final class BackupRunRecord: Model, @unchecked Sendable {
    public static let schema = "backup_runs"

    @ID(key: .id) public var id: UUID?
    @Field(key: "started_at") public var startedAt: Date
    @Field(key: "finished_at") public var finishedAt: Date
    /// Whether the backup was written whole, with its manifest.
    @Field(key: "succeeded") public var succeeded: Bool
    /// The backup's directory, as given to `--to`.
    @Field(key: "directory") public var directory: String
    /// `sqlite` or `postgres`.
    @Field(key: "database_kind") public var databaseKind: String
    /// Bytes of every file the manifest lists (database dump and stored files).
    @Field(key: "total_bytes") public var totalBytes: Int64
    /// Number of stored files copied (the database dump not counted).
    @Field(key: "file_count") public var fileCount: Int
    /// The audit log head of the snapshot, `SEQ:HASH`.
    @OptionalField(key: "audit_head") public var auditHead: String?
    @OptionalField(key: "catalog_version") public var catalogVersion: String?
    /// Why a failed run failed (Chinese, for the inspection report).
    @OptionalField(key: "message") public var message: String?

    public init() {}

    public init(id: UUID? = nil, startedAt: Date, finishedAt: Date, succeeded: Bool, directory: String, databaseKind: String,
                totalBytes: Int64, fileCount: Int, auditHead: String?, catalogVersion: String?, message: String?) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.succeeded = succeeded
        self.directory = directory
        self.databaseKind = databaseKind
        self.totalBytes = totalBytes
        self.fileCount = fileCount
        self.auditHead = auditHead
        self.catalogVersion = catalogVersion
        self.message = message
    }
}
