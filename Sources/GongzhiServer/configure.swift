import Fluent
import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore
import Leaf
import SQLKit
import LeafKit
import Vapor

/// The services a request handler reaches through `req.gongzhi`: built once in ``configure(_:config:clock:writer:)``.
public struct GongzhiServices: Sendable {
    public let config: AppConfig
    public let clock: PlatformClock
    public let divisions: DivisionRegistry
    public let files: FileStore
    public let writer: any RecordWriter
    /// Serialises imports (one at a time on SQLite).
    public let gate: ImportGate
    /// Progress of web uploads importing in the background.
    public let board: ImportProgressBoard

    /// The submission service bound to `database`.
    /// The main job over `database`; `clock` replaces the platform clock (the demo files samples on past days).
    public func submissions(on database: any Database, clock: PlatformClock? = nil) -> SubmissionService {
        SubmissionService(database: database, files: files, validator: validator(clock: clock ?? self.clock), writer: writer, gate: gate)
    }

    /// The validator with this configuration's limits.
    /// Sharing (agreements, requests, grants, masked queries) over `database`.
    public func sharing(on database: any Database, clientAddress: String = "local") -> SharingService {
        SharingService(database: database, clock: clock, files: files, clientAddress: clientAddress)
    }

    /// The reporting calendar over `database`.
    public func reporting(on database: any Database) -> ReportingService {
        ReportingService(database: database, clock: clock)
    }

    /// The audit log over `database`: recording acts and reading the log.
    public func audit(on database: any Database) -> AuditService {
        AuditService(database: database, clock: clock)
    }

    public var validator: SubmissionValidator { validator(clock: clock) }

    func validator(clock: PlatformClock) -> SubmissionValidator {
        SubmissionValidator(divisions: divisions, clock: clock, maxUploadBytes: config.maxUploadBytes,
                            maxInflatedBytes: config.maxInflatedBytes)
    }
}

struct GongzhiServicesKey: StorageKey {
    typealias Value = GongzhiServices
}

extension DatabaseID {
    /// The connections imports write through, apart from the ones pages read through: an import holds its
    /// connection for its whole transaction.
    public static let imports = DatabaseID(string: "gongzhi-imports")
}

extension Application {
    /// The submission service on the imports connection.
    public var submissions: SubmissionService { gongzhi.submissions(on: db(.imports)) }

    /// Gongzhi's services; set by ``configure(_:config:clock:writer:)``.
    public var gongzhi: GongzhiServices {
        get {
            guard let services = storage[GongzhiServicesKey.self] else { fatalError("configure(_:config:) was not called") }
            return services
        }
        set { storage[GongzhiServicesKey.self] = newValue }
    }
}

extension Request {
    public var gongzhi: GongzhiServices { application.gongzhi }
    public var submissions: SubmissionService { application.submissions }
    public var reporting: ReportingService { application.gongzhi.reporting(on: db) }
    /// The audit log on the request's database; record acts with ``auditActor``.
    public var audit: AuditService { application.gongzhi.audit(on: db) }
}

/// Builds the application: database, migrations, seed catalog, views, middleware and routes. `main` and the
/// tests both call this.
///
/// - Parameters:
///   - config: configuration read once at start-up.
///   - clock: the platform's clock (fixed in tests).
///   - writer: how accepted rows are written; by default the database's bulk writer (tests inject failures).
public func configure(_ app: Application, config: AppConfig, clock: PlatformClock = .system,
                      writer: (any RecordWriter)? = nil) async throws {
    switch config.database {
    case .sqlite(let path):
        let storage: SQLiteConfiguration = path == ":memory:" ? .memory : .file(path)
        app.databases.use(.sqlite(storage), as: .sqlite)
        app.databases.use(.sqlite(storage, connectionPoolTimeout: .minutes(10)), as: .imports, isDefault: false)
        // WAL lets pages read while an import's transaction is writing.
        if path != ":memory:", let sql = app.db as? any SQLDatabase {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        }
    case .postgres(let url):
        try app.databases.use(.postgres(url: url, maxConnectionsPerEventLoop: 4), as: .psql)
        try app.databases.use(.postgres(url: url, maxConnectionsPerEventLoop: 2, connectionPoolTimeout: .minutes(10)),
                              as: .imports, isDefault: false)
    }
    app.migrations.add(GongzhiMigrations.all)
    try await app.autoMigrate()

    app.gongzhi = GongzhiServices(config: config, clock: clock, divisions: try CatalogLoader.divisions(),
                                  files: FileStore(root: config.filesDirectory),
                                  writer: writer ?? RecordWriters.writer(for: config.database.dialect),
                                  gate: ImportGate(limit: config.database.dialect == .sqlite ? 1 : 2),
                                  board: ImportProgressBoard())
    try await CatalogService(database: app.db, clock: clock).seedIfEmpty(by: .system)

    // Views ship inside the binary's resource bundle, so `gongzhi serve` works from any directory. The bundle
    // may sit under a hidden directory (`.build/`), so Leaf's visible-files limit is not applied; the
    // sandbox limit still confines it to the views.
    if let views = Bundle.module.resourceURL?.appendingPathComponent("Views", isDirectory: true) {
        app.directory.viewsDirectory = views.path + "/"
        app.leaf.sources = .singleSource(NIOLeafFiles(fileio: app.fileio, limits: [.toSandbox, .requireExtensions],
                                                      sandboxDirectory: views.path + "/", viewDirectory: views.path + "/"))
    }
    app.views.use(.leaf)
    app.leaf.tags["csrfToken"] = CSRFTokenTag()
    app.leaf.tags["accountBar"] = AccountBarTag()
    app.leaf.tags["nav"] = NavTag()
    app.routes.defaultMaxBodySize = ByteCount(integerLiteral: config.maxUploadBytes)

    app.middleware = Middlewares()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(GongzhiErrorMiddleware(environment: app.environment))
    // Who acts (session cookie or bearer token), then CSRF on forms posted from a session; route groups
    // refuse the anonymous and the unauthorised (routes.swift).
    app.middleware.use(CredentialsMiddleware())
    app.middleware.use(CSRFMiddleware())
    try routes(app)
}
