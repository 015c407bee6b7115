import Fluent
import FluentPostgresDriver
import SQLKit
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// A fresh application per test: its own SQLite file, or — when `TEST_DATABASE_URL` names a PostgreSQL
/// server — its own database created on that server and dropped afterwards; its own file store; a clock
/// fixed at 2026-11-29 10:00 (UTC+8).
enum AppHarness {
    static let fixedNow = Date(timeIntervalSince1970: 1_795_917_600) // 2026-11-29T02:00:00Z

    /// Whether the suites run against PostgreSQL.
    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty else { return nil }
        return url
    }

    static func withApp<T>(writer: (any RecordWriter)? = nil, maxUploadBytes: Int = 200 << 20,
                           clock: PlatformClock = .fixed(fixedNow),
                           _ test: (Application, URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var database = AppConfig.DatabaseChoice.sqlite(path: directory.appendingPathComponent("test.sqlite").path)
        var scratchDatabase: String? = nil
        if let base = postgresURL {
            let name = "gongzhi_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            try await administer(base, "CREATE DATABASE \(name)")
            scratchDatabase = name
            database = .postgres(url: try url(base, database: name))
        }
        let config = AppConfig(database: database, filesDirectory: directory.appendingPathComponent("files"),
                               maxUploadBytes: maxUploadBytes)
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        func cleanUp() async {
            try? await app.asyncShutdown()
            if let base = postgresURL, let scratchDatabase {
                try? await administer(base, "DROP DATABASE IF EXISTS \(scratchDatabase) WITH (FORCE)")
            }
        }
        do {
            try await configure(app, config: config, clock: clock, writer: writer)
            let result = try await test(app, directory)
            await cleanUp()
            return result
        } catch {
            await cleanUp()
            throw error
        }
    }

    /// `base` with its database replaced by `database`.
    static func url(_ base: String, database: String) throws -> String {
        guard var components = URLComponents(string: base) else { throw Abort(.internalServerError, reason: "bad TEST_DATABASE_URL") }
        components.path = "/" + database
        return components.string ?? base
    }

    /// Runs one administrative statement (CREATE/DROP DATABASE) on the server of `base`.
    private static func administer(_ base: String, _ statement: String) async throws {
        let admin = try await Application.make(.testing)
        admin.logger.logLevel = .warning
        do {
            try admin.databases.use(.postgres(url: try url(base, database: "postgres")), as: .psql)
            if let sql = admin.db as? any SQLDatabase {
                try await sql.raw(SQLQueryString(statement)).run()
            }
            try await admin.asyncShutdown()
        } catch {
            try? await admin.asyncShutdown()
            throw error
        }
    }

    /// Polls a submission page until the background import has finished (at most 60 s).
    static func waitForResult(_ app: Application, path: String) async throws {
        for _ in 0..<600 {
            var done = false
            try await app.testing().test(.GET, path) { res async in
                done = !res.body.string.contains("正在导入")
            }
            if done { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("import of \(path) did not finish")
    }

    /// The bytes of a shared sample file.
    static func sampleData(_ folderPrefix: String) throws -> (name: String, data: Data, contract: ContractCase) {
        guard let contract = ContractCase.samples().first(where: { $0.name.hasPrefix(folderPrefix) }) else {
            throw Abort(.notFound, reason: "sample \(folderPrefix) missing")
        }
        return (contract.file.lastPathComponent, try Data(contentsOf: contract.file), contract)
    }

    /// A multipart/form-data body with text fields and one file.
    static func multipart(boundary: String, fields: [(String, String)], file: (field: String, name: String, data: Data)?) -> ByteBuffer {
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        if let file {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            body.writeBytes(file.data)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return body
    }
}

/// A clock a test moves by hand, so submissions can arrive on chosen days.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var date = AppHarness.fixedNow

    /// Sets the time to `day` (yyyy-mm-dd) at `hour`:00 China Standard Time.
    func set(_ day: String, hour: Int = 10) {
        let d = CalendarDate(iso: day)!
        lock.withLock { date = Date(timeIntervalSince1970: TimeInterval(d.daysSinceEpoch * 86_400 + (hour - 8) * 3600)) }
    }

    var clock: PlatformClock {
        PlatformClock { [self] in lock.withLock { date } }
    }
}
