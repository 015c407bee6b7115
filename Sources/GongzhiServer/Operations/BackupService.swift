import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore
import SQLKit
import Vapor

/// Backups and restores of the whole platform while it runs (issue 14 §1, 附件1 第十四条 “定期备份应用系统和数据”).
///
/// A backup is consistent: the database is copied as one snapshot (SQLite `VACUUM INTO`, which reads one
/// transaction's view while imports keep writing; PostgreSQL `pg_dump --snapshot` of a snapshot exported
/// by a repeatable-read transaction in which the manifest's facts are read too). The file store is copied
/// after the snapshot: a file is kept before the submission that refers to it commits, so every file the
/// snapshot refers to is there (an import still running when the snapshot is taken is in it as `received`;
/// the restored server concludes it `interrupted`, as after a crash, and its unit uploads the file again).
public enum BackupService {
    /// The result of a backup: its manifest and where it was written.
    public struct Outcome: Sendable {
        public var manifest: BackupManifest
        public var directory: URL
    }

    /// Writes a backup of `app`'s database and file store into `directory` (created; must be empty or
    /// absent) and records the run in `backup_runs` and the audit log (as `actor`).
    /// - Throws: ``BackupError`` (target not empty, `pg_dump` failed, a referenced file missing or corrupt);
    ///   database and file-system errors. A failed run is recorded too.
    public static func backup(_ app: Application, to directory: URL, by actor: AuditActor) async throws -> Outcome {
        let started = app.gongzhi.clock.now()
        let kind = app.gongzhi.config.database.dialect == .sqlite ? "sqlite" : "postgres"
        do {
            let outcome = try await write(app, to: directory)
            let head = outcome.manifest.auditHead
            try await BackupRunRecord(startedAt: started, finishedAt: app.gongzhi.clock.now(), succeeded: true,
                                      directory: directory.path, databaseKind: kind, totalBytes: outcome.manifest.totalBytes,
                                      fileCount: outcome.manifest.storedFiles.count, auditHead: head,
                                      catalogVersion: outcome.manifest.catalogVersion, message: nil).create(on: app.db)
            try await app.gongzhi.audit(on: app.db).record(.export, by: actor, AuditTarget(
                query: "gongzhi backup --to \(directory.path)", rowCount: outcome.manifest.counts["records"],
                detail: "backup: head=\(head) files=\(outcome.manifest.storedFiles.count) bytes=\(outcome.manifest.totalBytes)"))
            return outcome
        } catch {
            let message = (error as? BackupError)?.description ?? String(describing: error)
            try? await BackupRunRecord(startedAt: started, finishedAt: app.gongzhi.clock.now(), succeeded: false,
                                       directory: directory.path, databaseKind: kind, totalBytes: 0, fileCount: 0,
                                       auditHead: nil, catalogVersion: nil, message: String(message.prefix(500))).create(on: app.db)
            throw error
        }
    }

    private static func write(_ app: Application, to directory: URL) async throws -> Outcome {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory.path) {
            if !((try? fm.contentsOfDirectory(atPath: directory.path)) ?? ["?"]).isEmpty {
                throw BackupError.targetNotEmpty(directory.path)
            }
        }
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let createdAt = ISO8601DateFormatter().string(from: app.gongzhi.clock.now())

        // 1. The database, as one snapshot, and the facts of that snapshot.
        let databaseFile: String
        let facts: SnapshotFacts
        switch app.gongzhi.config.database {
        case .sqlite:
            databaseFile = "database.sqlite"
            let target = directory.appendingPathComponent(databaseFile).path
            guard let sql = app.db as? any SQLDatabase else { throw BackupError.toolFailed(tool: "SQLite", detail: "不是 SQL 数据库") }
            try await sql.raw(SQLQueryString("VACUUM INTO '\(unsafeRaw: target.replacingOccurrences(of: "'", with: "''"))'")).run()
            facts = try await SnapshotFacts.readSQLiteFile(target)
        case .postgres(let url):
            databaseFile = "database.pgdump"
            let target = directory.appendingPathComponent(databaseFile).path
            facts = try await app.db.transaction { db in
                guard let sql = db as? any SQLDatabase else { throw BackupError.toolFailed(tool: "pg_dump", detail: "不是 SQL 数据库") }
                try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
                struct Snapshot: Decodable { var id: String }
                guard let snapshot = try await sql.raw("SELECT pg_export_snapshot() AS id").first(decoding: Snapshot.self) else {
                    throw BackupError.toolFailed(tool: "pg_dump", detail: "无法导出快照")
                }
                let facts = try await SnapshotFacts.read(on: sql)
                try await PostgresTools.run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges",
                                                        "--snapshot=\(snapshot.id)", "--file=\(target)", "--dbname=\(url)"])
                return facts
            }
        }

        // 2. The file store, after the snapshot: each file checked against its name while copied.
        let store = app.gongzhi.files
        var copied = Set<String>()
        var entries: [BackupManifest.Entry] = []
        for path in BackupManifest.regularFiles(under: store.root) {
            let name = (path as NSString).lastPathComponent
            guard name.hasSuffix(".bin"), !name.hasPrefix(".") else { continue }
            let sha = String(name.dropLast(4))
            let relative = "files/" + path
            let target = directory.appendingPathComponent(relative)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(at: store.root.appendingPathComponent(path), to: target)
            let digest = try FileDigest.sha256(of: target)
            guard digest == sha else { throw BackupError.storedFileCorrupt(store.root.appendingPathComponent(path).path) }
            copied.insert(sha)
            entries.append(.init(path: relative, bytes: try size(of: target), sha256: digest))
        }
        let missing = facts.referencedFiles.subtracting(copied)
        if !missing.isEmpty { throw BackupError.filesMissing(missing.sorted()) }

        // 3. The manifest.
        let databaseURL = directory.appendingPathComponent(databaseFile)
        entries.insert(.init(path: databaseFile, bytes: try size(of: databaseURL), sha256: try FileDigest.sha256(of: databaseURL)), at: 0)
        let manifest = BackupManifest(createdAt: createdAt, database: databaseFile == "database.sqlite" ? "sqlite" : "postgres",
                                      databaseFile: databaseFile, auditHead: facts.auditHead.text, auditEntries: facts.auditEntries,
                                      catalogVersion: facts.catalogVersion, counts: facts.counts, files: entries)
        try manifest.write(to: directory)
        return Outcome(manifest: manifest, directory: directory)
    }

    static func size(of url: URL) throws -> Int64 {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
    }

    // MARK: Restoring

    /// What a restore found once it was done.
    public struct RestoreOutcome: Sendable {
        public var manifest: BackupManifest
        /// The audit chain's verification against the manifest's head.
        public var verification: AuditVerification
        /// Stored files put back.
        public var filesRestored: Int
    }

    /// Restores the backup in `directory` into the database and file store of `config`, which must both be
    /// empty; then boots the platform on them (migrations newer than the backup run) and verifies the audit
    /// chain against the head in the manifest.
    ///
    /// - Parameter environment: the environment the restored application boots in.
    /// - Throws: ``BackupError``: the manifest altered or its files not matching (nothing is written then),
    ///   the target not empty, the backup of another database kind, `pg_restore` failing, a referenced file
    ///   missing, or the audit chain broken after the restore.
    public static func restore(from directory: URL, into config: AppConfig, environment: Environment,
                               clock: PlatformClock = .system) async throws -> RestoreOutcome {
        // 1. The backup must be whole before anything is written.
        let manifest = try BackupManifest.read(from: directory)
        let problems = manifest.differences(in: directory)
        guard problems.isEmpty else { throw BackupError.filesDoNotMatch(problems) }
        let configured = config.database.dialect == .sqlite ? "sqlite" : "postgres"
        guard manifest.database == configured else { throw BackupError.wrongDatabaseKind(backup: manifest.database, configured: configured) }

        // 2. The targets must be empty.
        let fm = FileManager.default
        let store = config.filesDirectory
        if fm.fileExists(atPath: store.path), !((try? fm.contentsOfDirectory(atPath: store.path)) ?? ["?"]).isEmpty {
            throw BackupError.fileStoreNotEmpty(store.path)
        }
        let source = directory.appendingPathComponent(manifest.databaseFile)
        switch config.database {
        case .sqlite(let path):
            if let attributes = try? fm.attributesOfItem(atPath: path), ((attributes[.size] as? NSNumber)?.intValue ?? 0) > 0 {
                throw BackupError.databaseNotEmpty(path)
            }
            for suffix in ["-wal", "-shm"] where fm.fileExists(atPath: path + suffix) {
                throw BackupError.databaseNotEmpty(path + suffix)
            }
            let target = URL(fileURLWithPath: path)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).restoring")
            try fm.copyItem(at: source, to: temporary)
            try? fm.removeItem(at: target)
            try fm.moveItem(at: temporary, to: target)
        case .postgres(let url):
            let tables = try await postgresTableCount(url: url, environment: environment)
            if tables > 0 { throw BackupError.databaseNotEmpty("已有 \(tables) 张表") }
            try await PostgresTools.run("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error",
                                                       "--dbname=\(url)", source.path])
        }

        // 3. The stored files.
        try fm.createDirectory(at: store, withIntermediateDirectories: true)
        for entry in manifest.storedFiles {
            let target = store.appendingPathComponent(String(entry.path.dropFirst("files/".count)))
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(at: directory.appendingPathComponent(entry.path), to: target)
        }

        // 4. Boot on the restored data, check every referenced file is there and the chain reaches the head.
        let app = try await Application.make(environment)
        app.logger.logLevel = .warning
        do {
            try await configure(app, config: config, clock: clock)
            guard let sql = app.db as? any SQLDatabase else { throw BackupError.toolFailed(tool: "restore", detail: "不是 SQL 数据库") }
            let facts = try await SnapshotFacts.read(on: sql)
            let missing = facts.referencedFiles.filter { !fm.fileExists(atPath: app.gongzhi.files.url(for: $0).path) }
            if !missing.isEmpty { throw BackupError.filesMissing(missing.sorted()) }
            let verification = try await AuditLog(database: app.db).verify(head: AuditChain.Anchor(text: manifest.auditHead))
            if case .broken(let failure) = verification.result { throw BackupError.auditBroken(failure.message) }
            try await app.asyncShutdown()
            return RestoreOutcome(manifest: manifest, verification: verification, filesRestored: manifest.storedFiles.count)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Tables in the current schema of the PostgreSQL database at `url`.
    static func postgresTableCount(url: String, environment: Environment) async throws -> Int {
        let app = try await Application.make(environment)
        app.logger.logLevel = .warning
        do {
            try app.databases.use(.postgres(url: url), as: .psql)
            struct Count: Decodable { var n: Int }
            let n = try await (app.db as? any SQLDatabase)?.raw("""
                SELECT COUNT(*)::int AS n FROM information_schema.tables WHERE table_schema = current_schema()
                """).first(decoding: Count.self)?.n ?? 0
            try await app.asyncShutdown()
            return n
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}

/// Runs PostgreSQL's client programs (`pg_dump`, `pg_restore`) of the Debian packages that
/// `scripts/lib/postgres.sh` installs: the newest `/usr/lib/postgresql/N/bin`, else the one on the `PATH`.
enum PostgresTools {
    static func executable(_ name: String) -> URL? {
        let fm = FileManager.default
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted(by: >)
        for version in versions {
            let path = "/usr/lib/postgresql/\(version)/bin/\(name)"
            if fm.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if fm.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        }
        return nil
    }

    /// Runs `name` with `arguments`, waiting without blocking a task thread.
    /// - Throws: ``BackupError/toolFailed(tool:detail:)`` when it is missing or exits non-zero (with its stderr).
    static func run(_ name: String, _ arguments: [String]) async throws {
        guard let executable = executable(name) else {
            throw BackupError.toolFailed(tool: name, detail: "找不到该程序（请安装 Debian 的 postgresql-client 软件包）")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-\(name)-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer { try? errorHandle.close() }
        process.standardError = errorHandle
        process.standardOutput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: BackupError.toolFailed(tool: name, detail: String(describing: error)))
            }
        }
        guard status == 0 else {
            let detail = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw BackupError.toolFailed(tool: name, detail: "退出码 \(status)：" + detail.prefix(800))
        }
    }
}
