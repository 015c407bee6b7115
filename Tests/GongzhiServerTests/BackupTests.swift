import Fluent
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Issue 14 §1: a backup taken while the server runs (and imports) restores into a fresh database and file
/// store with every submission, record, file and audit entry, and the audit chain verifies against the
/// manifest's head; a tampered backup and a non-empty target are refused. On PostgreSQL when
/// `TEST_DATABASE_URL` is set (pg_dump / pg_restore), else SQLite.
@Suite("Backup and restore", .serialized)
struct BackupTests {
    /// A restore target: a fresh SQLite path, or a fresh PostgreSQL database on the test server; its file store.
    struct Target {
        var config: AppConfig
        var cleanUp: @Sendable () async -> Void
    }

    static func freshTarget(in directory: URL) async throws -> Target {
        let root = directory.appendingPathComponent("restored-\(UUID().uuidString.prefix(8))")
        let files = root.appendingPathComponent("files")
        if let base = AppHarness.postgresURL {
            let name = "gongzhi_r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await AppHarness.administer(base, "CREATE DATABASE \(name)")
            return Target(config: AppConfig(database: .postgres(url: try AppHarness.url(base, database: name)), filesDirectory: files),
                          cleanUp: { try? await AppHarness.administer(base, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
        }
        return Target(config: AppConfig(database: .sqlite(path: root.appendingPathComponent("db.sqlite").path), filesDirectory: files),
                      cleanUp: {})
    }

    /// Runs `body` on an application booted on `config` (the restored data).
    static func withRestored<T>(_ config: AppConfig, _ body: (Application) async throws -> T) async throws -> T {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            try await configure(app, config: config, clock: .fixed(AppHarness.fixedNow))
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    static let actor = AuditActor(user: "test", unit: "housing", address: "127.0.0.1")

    /// Stores a small committed submission through the API.
    static func upload(_ app: Application, period: String, rows: Int, seed: Int) async throws {
        let housing = try await AppHarness.token(app, unit: "housing")
        let month = Int(period.suffix(2)) ?? 3
        try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=\(period)&file=\(period).csv",
                                     headers: housing.adding("Content-Type", "application/octet-stream"),
                                     body: ByteBuffer(data: HoldUnderLoadTests.salesCSV(rows: rows, seed: seed, month: month))) { res async in
            #expect(res.status == .created)
        }
    }

    @Test("a backup taken during an import restores elsewhere: every submission, record, file and audit entry, chain verified")
    func backupDuringImport() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given two committed submissions, and a large import running
            try await Self.upload(app, period: "2024-01", rows: 200, seed: 1)
            try await Self.upload(app, period: "2024-02", rows: 300, seed: 2)
            let file = directory.appendingPathComponent("march.csv")
            try HoldUnderLoadTests.salesCSV(rows: 30_000, seed: 3).write(to: file)
            let service = app.submissions
            let importTask = Task {
                try await service.submit(file: file, fileName: "march.csv", indicatorCode: "HOU-001", period: "2024-03", by: Self.actor)
            }
            var running = false
            for _ in 0..<400 where !running {
                running = try await SubmissionRecord.query(on: app.db).filter(\.$period == "2024-03").first() != nil
                if !running { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(running, "the import should have started")

            // when a backup is taken while it runs
            let backupDir = directory.appendingPathComponent("backup")
            let outcome = try await BackupService.backup(app, to: backupDir, by: .commandLine(osUser: "test"))
            let imported = try await importTask.value
            #expect(imported.report.rowsAccepted == 30_000)

            // then the manifest lists the database and every stored file, and records the head and the catalog version
            let manifest = try BackupManifest.read(from: backupDir)
            #expect(manifest == outcome.manifest)
            #expect(manifest.differences(in: backupDir).isEmpty)
            #expect(manifest.catalogVersion != nil)
            #expect(manifest.storedFiles.count >= 2)
            let runs = try await BackupRunRecord.query(on: app.db).all()
            #expect(runs.count == 1 && runs.first?.succeeded == true && runs.first?.auditHead == manifest.auditHead)

            // when it is restored into a fresh database and file store
            let target = try await Self.freshTarget(in: directory)
            let restored = try await BackupService.restore(from: backupDir, into: target.config, environment: .testing,
                                                           clock: .fixed(AppHarness.fixedNow))
            guard case .intact(let count) = restored.verification.result else {
                Issue.record("chain broken after restore: \(restored.verification.result)")
                return
            }
            #expect(count == manifest.auditEntries)
            #expect(restored.verification.head.text == manifest.auditHead)

            // then every submission concluded before the backup is there with all its records and its file
            let live = try await SubmissionRecord.query(on: app.db).all()
            let liveEntries = try await AuditEntryRecord.query(on: app.db).all()
            var liveRecordCounts: [UUID: Int] = [:]
            for s in live { liveRecordCounts[s.id!] = try await AcceptedRowRecord.query(on: app.db).filter(\.$submission.$id == s.id!).count() }
            try await Self.withRestored(target.config) { copy in
                let submissions = try await SubmissionRecord.query(on: copy.db).all()
                let byID = Dictionary(uniqueKeysWithValues: submissions.map { ($0.id!, $0) })
                for s in live where s.period != "2024-03" {
                    let twin = try #require(byID[s.id!], "submission \(s.period) missing after restore")
                    #expect(twin.state == s.state && twin.fileSHA256 == s.fileSHA256)
                    let records = try await AcceptedRowRecord.query(on: copy.db).filter(\.$submission.$id == s.id!).count()
                    #expect(records == liveRecordCounts[s.id!], "records of \(s.period)")
                }
                #expect(submissions.count == manifest.counts["submissions"])
                // the import that ran is there whole if it had concluded, else not yet visible (received)
                if let march = submissions.first(where: { $0.period == "2024-03" }),
                   march.state == live.first(where: { $0.period == "2024-03" })?.state {
                    let records = try await AcceptedRowRecord.query(on: copy.db).filter(\.$submission.$id == march.id!).count()
                    #expect(records == 30_000)
                }
                for s in submissions {
                    let url = copy.gongzhi.files.url(for: s.fileSHA256)
                    #expect(try FileDigest.sha256(of: url) == s.fileSHA256, "file of \(s.period)")
                }
                // every audit entry of the backup is the live log's entry of the same sequence
                let entries = try await AuditEntryRecord.query(on: copy.db).all()
                #expect(entries.count == manifest.auditEntries)
                let liveHashes = Dictionary(uniqueKeysWithValues: liveEntries.map { ($0.sequence, $0.hash) })
                for e in entries { #expect(liveHashes[e.sequence] == e.hash, "audit entry \(e.sequence)") }
                #expect(try await AuditLog(database: copy.db).verify().result == .intact(count: entries.count))
            }
        }
    }

    @Test("a backup whose manifest or files were changed is refused, and nothing is written")
    func tamperedRefused() async throws {
        try await AppHarness.withApp { app, directory async throws in
            try await Self.upload(app, period: "2024-01", rows: 50, seed: 4)
            let backupDir = directory.appendingPathComponent("backup")
            let outcome = try await BackupService.backup(app, to: backupDir, by: .commandLine(osUser: "test"))
            let stored = try #require(outcome.manifest.storedFiles.first)
            let storedURL = backupDir.appendingPathComponent(stored.path)
            let manifestURL = backupDir.appendingPathComponent(BackupManifest.fileName)
            let original = try Data(contentsOf: storedURL)
            let originalManifest = try Data(contentsOf: manifestURL)

            func refused(_ check: (BackupError) -> Bool) async throws {
                let target = try await Self.freshTarget(in: directory)
                do {
                    _ = try await BackupService.restore(from: backupDir, into: target.config, environment: .testing)
                    Issue.record("restore should have been refused")
                } catch let error as BackupError {
                    #expect(check(error), "\(error)")
                    #expect(!FileManager.default.fileExists(atPath: target.config.filesDirectory.path))
                    if case .sqlite(let path) = target.config.database {
                        #expect(!FileManager.default.fileExists(atPath: path))
                    }
                }
            }

            // a stored file changed in place (same size)
            var changed = original
            changed[0] ^= 0x01
            try changed.write(to: storedURL)
            try await refused { if case .filesDoNotMatch(let p) = $0 { p.contains { $0.contains(stored.path) } } else { false } }
            try original.write(to: storedURL)

            // a stored file removed
            try FileManager.default.removeItem(at: storedURL)
            try await refused { if case .filesDoNotMatch(let p) = $0 { p.contains { $0.contains("缺少文件") } } else { false } }
            try original.write(to: storedURL)

            // a file slipped in that the manifest does not list
            let extra = backupDir.appendingPathComponent("files/zz/extra.bin")
            try FileManager.default.createDirectory(at: extra.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: extra)
            try await refused { if case .filesDoNotMatch(let p) = $0 { p.contains { $0.contains("未列出") } } else { false } }
            try FileManager.default.removeItem(at: extra.deletingLastPathComponent())

            // the manifest edited (its digest no longer matches)
            let edited = String(decoding: originalManifest, as: UTF8.self).replacingOccurrences(of: "\"audit_entries\"", with: "\"audit_entries\" ")
            try Data(edited.utf8).write(to: manifestURL)
            try await refused { $0 == .manifestAltered }

            // the manifest rewritten whole with a foreign audit head and a fresh digest: the chain check refuses it
            var forged = outcome.manifest
            let head = try #require(AuditChain.Anchor(text: forged.auditHead))
            forged.auditHead = AuditChain.Anchor(sequence: head.sequence, hash: String(repeating: "ab", count: 32)).text
            try forged.write(to: backupDir)
            let target = try await Self.freshTarget(in: directory)
            await #expect(throws: BackupError.self) {
                _ = try await BackupService.restore(from: backupDir, into: target.config, environment: .testing)
            }
            do {
                _ = try await BackupService.restore(from: backupDir, into: (try await Self.freshTarget(in: directory)).config,
                                                    environment: .testing)
            } catch let error as BackupError {
                if case .auditBroken = error {} else { Issue.record("expected auditBroken, got \(error)") }
            }
        }
    }

    @Test("restore into a database or file store that is not empty is refused; backup into a used directory too")
    func nonEmptyTargetsRefused() async throws {
        try await AppHarness.withApp { app, directory async throws in
            try await Self.upload(app, period: "2024-01", rows: 20, seed: 5)
            let backupDir = directory.appendingPathComponent("backup")
            _ = try await BackupService.backup(app, to: backupDir, by: .commandLine(osUser: "test"))

            // the running platform's own database and store are not empty
            await #expect(throws: BackupError.self) {
                _ = try await BackupService.restore(from: backupDir, into: app.gongzhi.config, environment: .testing)
            }
            do {
                _ = try await BackupService.restore(from: backupDir, into: app.gongzhi.config, environment: .testing)
            } catch let error as BackupError {
                switch error {
                case .databaseNotEmpty, .fileStoreNotEmpty: break
                default: Issue.record("unexpected \(error)")
                }
            }

            // an empty database with a used file store
            var target = try await Self.freshTarget(in: directory)
            try FileManager.default.createDirectory(at: target.config.filesDirectory.appendingPathComponent("ab"), withIntermediateDirectories: true)
            await #expect(throws: BackupError.fileStoreNotEmpty(target.config.filesDirectory.path)) {
                _ = try await BackupService.restore(from: backupDir, into: target.config, environment: .testing)
            }

            // a database already restored once
            target = try await Self.freshTarget(in: directory)
            _ = try await BackupService.restore(from: backupDir, into: target.config, environment: .testing)
            target.config.filesDirectory = directory.appendingPathComponent("other-files")
            do {
                _ = try await BackupService.restore(from: backupDir, into: target.config, environment: .testing)
                Issue.record("a second restore into the same database should be refused")
            } catch let error as BackupError {
                if case .databaseNotEmpty = error {} else { Issue.record("unexpected \(error)") }
            }

            // a backup into a directory that already holds files
            await #expect(throws: BackupError.targetNotEmpty(backupDir.path)) {
                _ = try await BackupService.backup(app, to: backupDir, by: .commandLine(osUser: "test"))
            }
            let runs = try await BackupRunRecord.query(on: app.db).sort(\.$startedAt).all()
            #expect(runs.filter(\.succeeded).count == 1 && runs.filter { !$0.succeeded }.count == 1)
        }
    }
}

/// The commands as an operator runs them (SQLite).
@Suite("gongzhi backup / restore / inspect", .serialized)
struct BackupCLITests {
    @Test("import, backup, restore elsewhere, audit verify against the head; inspect prints its report")
    func roundTrip() throws {
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s01 = try #require(ContractCase.samples().first { $0.name.hasPrefix("S01") })
        let live = ["GONGZHI_DB": dir.appendingPathComponent("live.sqlite").path, "GONGZHI_FILES": dir.appendingPathComponent("files").path]
        let imported = try CLITests.run(["import", s01.file.path, "--indicator", s01.indicator.code, "--period", s01.period, "--json"],
                                        environment: live)
        #expect(imported.status == 0, Comment(rawValue: imported.stderr))

        let backup = try CLITests.run(["backup", "--to", dir.appendingPathComponent("b1").path, "--json"], environment: live)
        #expect(backup.status == 0, Comment(rawValue: backup.stderr))
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any])
        let head = try #require(manifest["audit_head"] as? String)
        #expect((manifest["files"] as? [[String: Any]])?.count == 2, "the database and the one stored file")

        let restored = ["GONGZHI_DB": dir.appendingPathComponent("restored/db.sqlite").path,
                        "GONGZHI_FILES": dir.appendingPathComponent("restored/files").path]
        let restore = try CLITests.run(["restore", "--from", dir.appendingPathComponent("b1").path], environment: restored)
        #expect(restore.status == 0, Comment(rawValue: restore.stderr))
        #expect(restore.stdout.contains("审计日志完整"))
        let verify = try CLITests.run(["audit", "verify", "--head", head], environment: restored)
        #expect(verify.status == 0, Comment(rawValue: verify.stdout + verify.stderr))

        // a second restore into the now used target is refused, naming why
        let again = try CLITests.run(["restore", "--from", dir.appendingPathComponent("b1").path], environment: restored)
        #expect(again.status == 1)
        #expect(again.stderr.contains("不是空的"))

        let inspect = try CLITests.run(["inspect", "--month", "2026-11", "--json"], environment: live)
        #expect(inspect.status == 0 || inspect.status == 3, Comment(rawValue: inspect.stderr))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        #expect((report["items"] as? [[String: Any]])?.count == 9)
    }
}
