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
    /// Batches the audit entries written on their own (page views) into shared commits.
    public let auditCommits = AuditGroupCommit()
    /// Requests and background imports in flight, which a stop waits for (``GracefulShutdown``).
    public let inFlight = InFlightWork()
    /// This application's metrics (`/metrics`).
    public let metrics: GongzhiMetrics

    /// The submission service bound to `database`.
    /// The main job over `database`; `clock` replaces the platform clock (the demo files samples on past days).
    public func submissions(on database: any Database, clock: PlatformClock? = nil) -> SubmissionService {
        SubmissionService(database: database, files: files, validator: validator(clock: clock ?? self.clock), writer: writer, gate: gate,
                          metrics: metrics)
    }

    /// The validator with this configuration's limits.
    /// Sharing (agreements, requests, grants, masked queries) over `database`.
    public func sharing(on database: any Database, clientAddress: String = "local") -> SharingService {
        SharingService(database: database, clock: clock, files: files, clientAddress: clientAddress, auditCommits: auditCommits,
                       metrics: metrics)
    }

    /// The reporting calendar over `database`.
    public func reporting(on database: any Database) -> ReportingService {
        ReportingService(database: database, clock: clock)
    }

    /// Effectiveness reports and the suspension check over `database`, with the configured deadline.
    public func effectiveness(on database: any Database) -> EffectivenessService {
        EffectivenessService(database: database, clock: clock, files: files, schedule: config.effectivenessSchedule)
    }

    /// The audit log over `database`: recording acts and reading the log.
    public func audit(on database: any Database) -> AuditService {
        AuditService(database: database, clock: clock, auditCommits: auditCommits)
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
///   - requestLog: where the JSON request log lines go when ``AppConfig/logFormat`` is `json`; by default
///     standard output (tests capture them).
public func configure(_ app: Application, config: AppConfig, clock: PlatformClock = .system,
                      writer: (any RecordWriter)? = nil, requestLog: JSONLineSink? = nil) async throws {
    switch config.database {
    case .sqlite(let path):
        // SQLite calls block a thread of this pool; a writer waiting for the write lock holds one. With only
        // as many threads as cores, such waiters could take every thread from the import they wait for.
        app.threadPool = NIOThreadPool(numberOfThreads: max(System.coreCount, 2) * 8)
        let storage: SQLiteConfiguration = path == ":memory:" ? .memory : .file(path)
        app.databases.use(.sqlite(storage), as: .sqlite)
        app.databases.use(.sqlite(storage, connectionPoolTimeout: .minutes(10)), as: .imports, isDefault: false)
        // WAL lets pages read while an import's transaction is writing.
        if path != ":memory:", let sql = app.db as? any SQLDatabase {
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        }
        try await tuneSQLiteConnections(app)
    case .postgres(let url):
        try app.databases.use(.postgres(url: url, maxConnectionsPerEventLoop: 4), as: .psql)
        try app.databases.use(.postgres(url: url, maxConnectionsPerEventLoop: 2, connectionPoolTimeout: .minutes(10)),
                              as: .imports, isDefault: false)
    }
    app.migrations.add(GongzhiMigrations.all)
    try await app.autoMigrate()

    let loops = Array(app.eventLoopGroup.makeIterator()).count
    let pools: [(name: String, maxConnections: Int)] = switch config.database {
    case .sqlite: [("default", loops), ("imports", loops)]
    case .postgres: [("default", 4 * loops), ("imports", 2 * loops)]
    }
    app.gongzhi = GongzhiServices(config: config, clock: clock, divisions: try CatalogLoader.divisions(),
                                  files: FileStore(root: config.filesDirectory),
                                  writer: writer ?? RecordWriters.writer(for: config.database.dialect),
                                  gate: ImportGate(limit: config.database.dialect == .sqlite ? 1 : 2),
                                  board: ImportProgressBoard(), metrics: GongzhiMetrics(pools: pools))
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
    // Forms and JSON: 1 MB. Only the upload routes take more (routes.swift), and ``BodyLimitMiddleware``
    // refuses an announced oversized body before a byte of it is read.
    app.routes.defaultMaxBodySize = ByteCount(integerLiteral: AppConfig.maxFormBytes)

    app.middleware = Middlewares()
    // First: it times the whole request and sees the status the error middleware chose (issue 14 §3, §5).
    app.middleware.use(RequestObservationMiddleware(metrics: app.gongzhi.metrics,
                                                    jsonLines: config.logFormat == .json ? (requestLog ?? JSONLineSink()) : nil))
    // Then the count of requests in flight, which a stop waits for (503 once it has begun).
    app.middleware.use(DrainMiddleware(work: app.gongzhi.inFlight))
    if config.logFormat == .text { app.middleware.use(RouteLoggingMiddleware(logLevel: .info)) }
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(GongzhiErrorMiddleware(environment: app.environment))
    app.middleware.use(BodyLimitMiddleware(uploadBytes: config.maxUploadBytes + (1 << 20)))
    // Who acts (session cookie or bearer token), then CSRF on forms posted from a session, then a temporary
    // password's detour to the password page; route groups
    // refuse the anonymous and the unauthorised (routes.swift).
    app.middleware.use(CredentialsMiddleware())
    app.middleware.use(CSRFMiddleware())
    app.middleware.use(PasswordChangeMiddleware())
    try routes(app)

    // Imports that died with an earlier run of the server (or a crashed command) are concluded
    // `interrupted` at start, and any that die later within a few minutes of their last batch.
    let recovery = SubmissionRepository(database: app.db)
    let recovered = try await recovery.recoverInterrupted(staleAfter: 15)
    if !recovered.isEmpty { app.logger.warning("\(recovered.count) interrupted import(s) concluded at start") }
    app.lifecycle.use(InterruptedImportSweeper(repository: recovery, logger: app.logger))
    app.lifecycle.use(SuspensionCheckScheduler(service: app.gongzhi.effectiveness(on: app.db), logger: app.logger))
    // Last, so that it shuts down first: requests and imports finish before anything they use closes.
    app.lifecycle.use(GracefulShutdown(work: app.gongzhi.inFlight))
}

/// Makes every pooled SQLite connection sleep (SQLite's own busy timeout, 15 s) rather than spin while
/// another connection writes: sqlite-nio's busy handler retries at once, forever, on a pool thread.
/// One connection per event loop is pooled, so this reaches each of them.
///
/// Each also reads the database file through a memory map (up to 2 GiB) and keeps 16 MiB of pages: with
/// the default 2 MB cache a deep page of millions of records read its index pages again on every request,
/// each a `pread` copy (a tenth of the server's time under load; BENCHMARKS.md, load benchmark, run 6).
private func tuneSQLiteConnections(_ app: Application) async throws {
    for id in [DatabaseID.sqlite, .imports] {
        for loop in app.eventLoopGroup.makeIterator() {
            if let sql = app.databases.database(id, logger: app.logger, on: loop) as? any SQLDatabase {
                try await sql.raw("PRAGMA busy_timeout = 15000").run()
                try await sql.raw("PRAGMA mmap_size = 2147483648").run()
                try await sql.raw("PRAGMA cache_size = -16384").run()
            }
        }
    }
}

/// Every minute, concludes `interrupted` the imports whose heartbeat stopped 3 minutes ago (a server of
/// the same database died mid-import).
final class InterruptedImportSweeper: LifecycleHandler, @unchecked Sendable {
    let repository: SubmissionRepository
    let logger: Logger
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    init(repository: SubmissionRepository, logger: Logger) {
        self.repository = repository
        self.logger = logger
    }

    func didBootAsync(_ application: Application) async throws {
        let repository = self.repository, logger = self.logger
        lock.withLock { task = Task.detached {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                if Task.isCancelled { break }
                do {
                    let recovered = try await repository.recoverInterrupted(staleAfter: 180)
                    if !recovered.isEmpty { logger.warning("\(recovered.count) interrupted import(s) concluded") }
                } catch {
                    logger.error("interrupted-import sweep failed: \(String(reflecting: error))")
                }
            }
        } }
    }

    func shutdownAsync(_ application: Application) async {
        let task = lock.withLock { self.task }
        task?.cancel()
        await task?.value
    }
}

/// Runs the suspension check of 附件1 第十二条 (``EffectivenessService/check(asOf:by:)``) a minute after start and
/// then once a day, as the platform itself (``AuditActor/system``). Running it on several servers of one
/// database at once is harmless: a unit is suspended at most once (the store checks for one in force).
final class SuspensionCheckScheduler: LifecycleHandler, @unchecked Sendable {
    /// Seconds between two checks.
    static let interval: Double = 24 * 3600
    let service: EffectivenessService
    let logger: Logger
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    init(service: EffectivenessService, logger: Logger) {
        self.service = service
        self.logger = logger
    }

    func didBootAsync(_ application: Application) async throws {
        let service = self.service, logger = self.logger
        lock.withLock { task = Task.detached {
            var wait: Double = 60
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(wait))
                if Task.isCancelled { break }
                wait = Self.interval
                do {
                    let findings = try await service.check(by: .system)
                    if !findings.isEmpty { logger.notice("suspension check: \(findings.count) unit(s) suspended or reinstated") }
                } catch {
                    logger.error("suspension check failed: \(String(reflecting: error))")
                }
            }
        } }
    }

    func shutdownAsync(_ application: Application) async {
        let task = lock.withLock { self.task }
        task?.cancel()
        await task?.value
    }
}
