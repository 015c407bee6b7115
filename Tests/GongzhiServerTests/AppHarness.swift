import Fluent
import FluentPostgresDriver
import SQLKit
import Foundation
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Vapor
import VaporTesting

/// A fresh application per test: its own SQLite file (or the PostgreSQL database of `TEST_DATABASE_URL`,
/// emptied first), its own file store, a clock fixed at 2026-11-29 10:00 (UTC+8).
enum AppHarness {
    static let fixedNow = Date(timeIntervalSince1970: 1_795_831_200) // 2026-11-29T02:00:00Z

    static func withApp<T>(writer: any RecordWriter = SQLRecordWriter(), maxUploadBytes: Int = 200 << 20,
                           _ test: (Application, URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database: AppConfig.DatabaseChoice
        if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
            database = .postgres(url: url)
        } else {
            database = .sqlite(path: directory.appendingPathComponent("test.sqlite").path)
        }
        let config = AppConfig(database: database, filesDirectory: directory.appendingPathComponent("files"),
                               maxUploadBytes: maxUploadBytes)
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        do {
            if case .postgres = database { try await resetPostgres(app, config: config) }
            try await configure(app, config: config, clock: .fixed(fixedNow), writer: writer)
            let result = try await test(app, directory)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Drops every table so each test starts from an empty PostgreSQL database.
    private static func resetPostgres(_ app: Application, config: AppConfig) async throws {
        guard case .postgres(let url) = config.database else { return }
        let scratch = try await Application.make(.testing)
        scratch.logger.logLevel = .warning
        try scratch.databases.use(.postgres(url: url), as: .psql)
        do {
            if let sql = scratch.db as? any SQLDatabase {
                try await sql.raw("DROP SCHEMA public CASCADE").run()
                try await sql.raw("CREATE SCHEMA public").run()
            }
            try await scratch.asyncShutdown()
        } catch {
            try? await scratch.asyncShutdown()
            throw error
        }
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
