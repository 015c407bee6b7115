import FluentKit

/// One row per run of `gongzhi backup` (issue 14 §1): what the monthly inspection reads to say whether backups
/// are taken and how old the newest is (附件1 第十四条).
public struct M0040_CreateBackupRuns: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("backup_runs")
            .id()
            .field("started_at", .datetime, .required)
            .field("finished_at", .datetime, .required)
            .field("succeeded", .bool, .required)
            .field("directory", .string, .required)
            .field("database_kind", .string, .required)
            .field("total_bytes", .int64, .required)
            .field("file_count", .int, .required)
            .field("audit_head", .string)
            .field("catalog_version", .string)
            .field("message", .string)
            .create()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("backup_runs").delete()
    }
}
