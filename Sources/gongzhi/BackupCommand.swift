import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import Vapor

/// `gongzhi backup --to DIR`: a consistent, verifiable backup while the server runs (附件1 第十四条).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the database and the stored files, with a manifest of sizes and SHA-256s.",
        discussion: """
        gongzhi backup --to DIR [--json]
          DIR must be new or empty. Writes DIR/database.sqlite (SQLite, VACUUM INTO) or DIR/database.pgdump
          (PostgreSQL, pg_dump of one snapshot), DIR/files/… and DIR/manifest.json with the audit log head.
          Each run, successful or not, is recorded in backup_runs for the monthly inspection.
        """)

    @ArgumentParser.Option(help: "The directory to write the backup into (new or empty).")
    var to: String

    @ArgumentParser.Flag(help: "Print the manifest as JSON.")
    var json = false

    func run() async throws {
        AppRunner.bootstrapLogging(level: .warning)
        let directory = URL(fileURLWithPath: to, isDirectory: true)
        do {
            let outcome = try await AppRunner.withApp(existingDatabase: true) { app in
                try await BackupService.backup(app, to: directory, by: .commandLine())
            }
            let m = outcome.manifest
            if json {
                print(String(decoding: try BackupManifest.jsonData(m), as: UTF8.self))
            } else {
                print("备份完成：\(directory.path)")
                print("数据库：\(m.databaseFile)；文件 \(m.storedFiles.count) 个；共 \(m.totalBytes) 字节")
                print("审计日志末条：\(m.auditHead)（共 \(m.auditEntries) 条）；目录版本：\(m.catalogVersion ?? "无")")
            }
        } catch let error as BackupError {
            printError(error.description)
            throw ExitStatus.failure
        }
    }
}

/// `gongzhi restore --from DIR`: restores a backup into an empty database and file store, then verifies the
/// audit chain against the head recorded in the manifest.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into an empty database and file store, then verify the audit chain.",
        discussion: """
        gongzhi restore --from DIR
          The configured database (GONGZHI_DB or DATABASE_URL) and file store (GONGZHI_FILES) must be empty.
          Refuses a backup whose files do not match its manifest. Exit 0 when restored and the audit chain
          verifies against the manifest's head, 1 otherwise.
        """)

    @ArgumentParser.Option(help: "The backup directory (with manifest.json).")
    var from: String

    func run() async throws {
        AppRunner.bootstrapLogging(level: .warning)
        do {
            let config = try AppConfig.fromEnvironment()
            var environment = try Environment.detect(arguments: ["gongzhi"])
            environment.arguments = ["gongzhi"]
            let outcome = try await BackupService.restore(from: URL(fileURLWithPath: from, isDirectory: true), into: config,
                                                          environment: environment)
            print("恢复完成：文件 \(outcome.filesRestored) 个；目录版本 \(outcome.manifest.catalogVersion ?? "无")")
            if case .intact(let count) = outcome.verification.result {
                print("审计日志完整：共 \(count) 条，经过备份时的末条 \(outcome.manifest.auditHead)")
            }
        } catch let error as BackupError {
            printError(error.description)
            throw ExitStatus.failure
        }
    }
}
