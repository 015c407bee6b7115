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

    /// `trustedProxies`: proxies whose `X-Forwarded-For` is believed; `[""]` lets in-memory test requests
    /// (which have no peer address) name their client address in that header.
    /// `adjust` changes the rest of the configuration (e.g. ``AppConfig/logFormat``); `requestLog` receives the
    /// JSON request log lines.
    static func withApp<T>(writer: (any RecordWriter)? = nil, maxUploadBytes: Int = 200 << 20,
                           clock: PlatformClock = .fixed(fixedNow), trustedProxies: Set<String> = [],
                           adjust: (inout AppConfig) -> Void = { _ in }, requestLog: JSONLineSink? = nil,
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
        var config = AppConfig(database: database, filesDirectory: directory.appendingPathComponent("files"),
                               maxUploadBytes: maxUploadBytes, trustedProxies: trustedProxies)
        adjust(&config)
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        func cleanUp() async {
            try? await app.asyncShutdown()
            if let base = postgresURL, let scratchDatabase {
                try? await administer(base, "DROP DATABASE IF EXISTS \(scratchDatabase) WITH (FORCE)")
            }
        }
        do {
            try await configure(app, config: config, clock: clock, writer: writer, requestLog: requestLog)
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
    static func administer(_ base: String, _ statement: String) async throws {
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

    /// Polls a submission page until the background import has finished (at most 60 s), as the user of
    /// `headers` (a session or a token).
    static func waitForResult(_ app: Application, path: String, headers: HTTPHeaders) async throws {
        for _ in 0..<600 {
            var done = false
            try await app.testing().test(.GET, path, headers: headers) { res async in
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

// MARK: Users, sessions and tokens

extension AppHarness {
    /// The password of every user the harness creates.
    static let password = "correct-horse-battery-staple"
    /// Its Bcrypt hash at the lowest cost, so that creating and signing in test users is fast (the cost is
    /// part of the hash; verification works the same).
    static let passwordHash = try! Bcrypt.hash(password, cost: 4)

    /// The roles a test user of `unit` gets by default: admin for the info center, reporter elsewhere.
    static func defaultRoles(_ unit: String) -> Set<Role> {
        unit == SubmissionService.proxyUnit ? [.admin] : [.reporter]
    }

    /// Stores a user of `unit` with `roles` (default ``defaultRoles(_:)``) and the harness ``password``.
    @discardableResult
    static func user(_ app: Application, username: String? = nil, unit: String = SubmissionService.proxyUnit,
                     roles: Set<Role>? = nil) async throws -> UserRecord {
        let name = username ?? "\(unit)-\(UUID().uuidString.prefix(8).lowercased())"
        let user = UserRecord(username: name, displayName: "测试用户 \(name)", unitCode: unit,
                              roles: UserRecord.storedRoles(roles ?? defaultRoles(unit)), passwordHash: passwordHash,
                              createdAt: app.gongzhi.clock.now())
        try await UserRepository(database: app.db).create(user)
        return user
    }

    /// Headers carrying a fresh API token (`Authorization: Bearer …`) of a new user of `unit` with `roles`
    /// (default: the info center's admin).
    static func token(_ app: Application, unit: String = SubmissionService.proxyUnit, roles: Set<Role>? = nil) async throws -> HTTPHeaders {
        let user = try await user(app, unit: unit, roles: roles)
        let created = try await app.accounts.createToken(for: user, name: "测试")
        return ["Authorization": "Bearer \(created.token)"]
    }

    /// A signed-in browser: the session cookie and the session's CSRF token.
    struct Session: Sendable {
        var cookie: String
        var csrf: String
        var username: String

        /// The cookie alone: for pages.
        var headers: HTTPHeaders { ["Cookie": "\(CookieName.session)=\(cookie)"] }

        /// The cookie and a form's content type: for posting `form(_:)` bodies.
        var formHeaders: HTTPHeaders {
            var h = headers
            h.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            return h
        }

        /// An url-encoded form body with the session's `csrf_token` first.
        func form(_ fields: String) -> ByteBuffer {
            ByteBuffer(string: "csrf_token=\(csrf)" + (fields.isEmpty ? "" : "&" + fields))
        }

        /// Headers for a multipart body with `boundary`.
        func multipartHeaders(boundary: String) -> HTTPHeaders {
            var h = headers
            h.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
            return h
        }
    }

    enum CookieName {
        static let session = "gongzhi_session"
    }

    /// Signs a new user of `unit` with `roles` (default: the info center's admin) in through `POST /login`,
    /// and reads the CSRF token from a page, as a browser would.
    static func login(_ app: Application, unit: String = SubmissionService.proxyUnit, roles: Set<Role>? = nil) async throws -> Session {
        let user = try await user(app, unit: unit, roles: roles)
        return try await login(app, username: user.username)
    }

    /// Signs `username` in with the harness password.
    static func login(_ app: Application, username: String, password: String = AppHarness.password) async throws -> Session {
        var cookie = ""
        try await app.testing().test(.POST, "login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "username=\(username)&password=\(password)")) { res async in
            #expect(res.status == .seeOther, "login of \(username): \(res.body.string)")
            cookie = res.headers.setCookie?[CookieName.session]?.string ?? ""
        }
        try #require(!cookie.isEmpty, "login of \(username) set no session cookie")
        var csrf = ""
        // The password page: open to every signed-in user, a temporary password's too.
        try await app.testing().test(.GET, "account/password", headers: ["Cookie": "\(CookieName.session)=\(cookie)"]) { res async in
            let page = res.body.string
            if let range = page.range(of: #"name="csrf_token" value=""#) {
                csrf = String(page[range.upperBound...].prefix { $0 != "\"" })
            }
        }
        try #require(!csrf.isEmpty, "no csrf_token on the page")
        return Session(cookie: cookie, csrf: csrf, username: username)
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

    /// Moves the time on by `minutes`.
    func advance(minutes: Int) {
        lock.withLock { date = date.addingTimeInterval(TimeInterval(minutes * 60)) }
    }

    var clock: PlatformClock {
        PlatformClock { [self] in lock.withLock { date } }
    }
}
