import Foundation
import GongzhiCore
import Logging
import SQLKit
import SQLiteKit
import SQLiteNIO

/// What a backup records about the database it copied (issue 14 §1): the audit log head, the catalog version,
/// row counts of the main tables, and the stored files the database refers to. Read from the copy itself
/// (SQLite) or inside the exported snapshot `pg_dump` reads (PostgreSQL), so they describe exactly what was
/// backed up.
public struct SnapshotFacts: Sendable, Equatable {
    /// The newest audit entry (``AuditChain/Anchor/genesis`` for an empty log).
    public var auditHead: AuditChain.Anchor
    /// Entries in the audit log.
    public var auditEntries: Int
    /// The current catalog version string (`2017.1`), if a catalog is loaded.
    public var catalogVersion: String?
    /// Rows per table, for the tables in ``countedTables``.
    public var counts: [String: Int]
    /// SHA-256s of the stored files the database refers to (uploaded submissions, security agreements,
    /// survey returns): each must be in the backup's file store.
    public var referencedFiles: Set<String>

    public init(auditHead: AuditChain.Anchor, auditEntries: Int, catalogVersion: String?, counts: [String: Int],
                referencedFiles: Set<String>) {
        self.auditHead = auditHead
        self.auditEntries = auditEntries
        self.catalogVersion = catalogVersion
        self.counts = counts
        self.referencedFiles = referencedFiles
    }

    /// Tables whose row counts a manifest lists (constant names: they go into SQL unquoted).
    public static let countedTables = ["submissions", "records", "submission_errors", "audit_log", "users", "grants",
                                       "access_requests", "objections", "assessment_runs", "catalog_versions"]

    /// Reads the facts through `sql` (inside a transaction that sees one snapshot, on PostgreSQL).
    public static func read(on sql: any SQLDatabase) async throws -> SnapshotFacts {
        struct Head: Decodable { var sequence: Int; var hash: String }
        struct Version: Decodable { var version: String }
        struct Count: Decodable { var n: Int }
        struct Digest: Decodable { var sha: String? }
        let head = try await sql.raw("SELECT seq AS sequence, hash FROM audit_log ORDER BY id DESC LIMIT 1").first(decoding: Head.self)
        let version = try await sql.raw("SELECT version FROM catalog_versions WHERE is_current = \(bind: true) LIMIT 1")
            .first(decoding: Version.self)
        var counts: [String: Int] = [:]
        for table in countedTables {
            counts[table] = try await sql.raw(SQLQueryString("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)")).first(decoding: Count.self)?.n ?? 0
        }
        var referenced = Set<String>()
        for (table, column) in [("submissions", "file_sha256"), ("security_agreements", "document_sha256"),
                                ("survey_recipients", "return_sha256")] {
            let rows = try await sql.raw(SQLQueryString("SELECT DISTINCT \(unsafeRaw: column) AS sha FROM \(unsafeRaw: table)"))
                .all(decoding: Digest.self)
            referenced.formUnion(rows.compactMap(\.sha).filter { !$0.isEmpty })
        }
        return SnapshotFacts(auditHead: head.map { AuditChain.Anchor(sequence: $0.sequence, hash: $0.hash) } ?? .genesis,
                             auditEntries: counts["audit_log"] ?? 0, catalogVersion: version?.version, counts: counts,
                             referencedFiles: referenced)
    }

    /// Opens the SQLite file at `path` (a fresh `VACUUM INTO` copy) on its own connection, turns it into a
    /// single file (rollback journal, no `-wal`/`-shm` beside it), reads the facts and closes it.
    public static func readSQLiteFile(_ path: String) async throws -> SnapshotFacts {
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        do {
            let sql = connection.sql()
            try await sql.raw("PRAGMA journal_mode=DELETE").run()
            let facts = try await read(on: sql)
            try await connection.close()
            return facts
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
