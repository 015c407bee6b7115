import CoreMetrics
import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Prometheus
import SQLKit
import NIOConcurrencyHelpers

/// The server's metrics for operators (issue 14 §3), in the Prometheus text format at `/metrics`.
///
/// One instance per `Application`, with its own `PrometheusCollectorRegistry`, handed to whatever records
/// (the request middleware, the submission and sharing services): nothing goes through swift-metrics' global
/// `MetricsSystem.bootstrap`, which can happen only once per process, so tests that make many applications
/// each read their own numbers. Code that speaks the swift-metrics API gets ``factory``, bound to the same
/// registry.
///
/// What is counted in this process (counters start at 0 when the server starts):
/// - `gongzhi_http_requests_total{method,route,status}` and `gongzhi_http_request_duration_seconds{…}`: by the
///   route's pattern (`/api/v1/submissions/:id`, never the path as sent; `unmatched` for a path no route takes)
///   and the status class (`2xx` … `5xx`). The duration ends when the handler returns its response (a streamed
///   body may still be on its way).
/// - `gongzhi_imports_total{outcome}`, `gongzhi_import_rows_accepted_total`, `gongzhi_import_rows_rejected_total`,
///   `gongzhi_import_rejected_rows_by_code_total{code}` (a row with two kinds of error counts under each code),
///   `gongzhi_import_gate_wait_seconds` (how long an import waited for its turn to write).
/// - `gongzhi_query_rows_served_total{kind,access}`: rows shown by the records query (`kind="query"`) and put in
///   downloads (`download`), of the unit's own data (`access="own"`) or under a grant (`granted`).
///
/// Read when scraped (``collect(on:gate:auditCommits:)``):
/// - `gongzhi_imports_running`, `gongzhi_imports_queued`: this server's import gate.
/// - `gongzhi_audit_appends_total`: audit entries committed, database-wide (every server of the database adds to
///   it), from the counter the appenders keep in `audit_append_lock`.
/// - `gongzhi_audit_group_commits_total`, `gongzhi_audit_group_commit_entries_total`: this server's batched
///   stand-alone audit appends (``AuditGroupCommit``).
/// - `gongzhi_db_pool_max_connections{pool}`: the configured size of the connection pools. How many connections
///   are in use is not exposed: the drivers' pools (AsyncKit's `EventLoopConnectionPool`, PostgresNIO's client)
///   keep their counts private, and reading them would mean wrapping every connection request.
public final class GongzhiMetrics: Sendable {
    /// Everything this application exports.
    public let registry: PrometheusCollectorRegistry
    /// A swift-metrics factory over ``registry``, for code written against the swift-metrics API (its metrics carry
    /// no `# HELP` line).
    public let factory: PrometheusMetricsFactory

    /// The buckets of the request latency histogram, 5 ms to 30 s.
    static let latencyBuckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                             .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                                             .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30)]

    private let rowsAccepted: Prometheus.Counter
    private let rowsRejected: Prometheus.Counter
    private let importWait: CoreMetrics.Timer
    private let running: Prometheus.Gauge
    private let queued: Prometheus.Gauge
    private let auditAppends: Prometheus.Counter
    private let groupCommits: Prometheus.Counter
    private let groupCommitEntries: Prometheus.Counter
    /// The totals read elsewhere at the last scrape, by metric name: the counters grow by the difference.
    private let lastRead = NIOLockedValueBox<[String: Int64]>([:])

    /// - Parameter pools: the configured connection pools, name → connections at most (constant while running).
    public init(pools: [(name: String, maxConnections: Int)] = []) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["gongzhi_import_gate_wait_seconds"] = Self.latencyBuckets + [.seconds(60), .seconds(300)]
        self.factory = factory
        rowsAccepted = registry.makeCounter(descriptor: Self.named("gongzhi_import_rows_accepted_total", "Rows accepted by imports (written as records)."))
        rowsRejected = registry.makeCounter(descriptor: Self.named("gongzhi_import_rows_rejected_total", "Rows rejected by imports' validation."))
        importWait = CoreMetrics.Timer(label: "gongzhi_import_gate_wait_seconds", factory: factory)
        running = registry.makeGauge(descriptor: Self.named("gongzhi_imports_running", "Imports writing now on this server."))
        queued = registry.makeGauge(descriptor: Self.named("gongzhi_imports_queued", "Imports waiting for their turn to write on this server."))
        auditAppends = registry.makeCounter(descriptor: Self.named("gongzhi_audit_appends_total", "Audit log entries committed, database-wide (all servers), read from audit_append_lock when scraped."))
        groupCommits = registry.makeCounter(descriptor: Self.named("gongzhi_audit_group_commits_total", "Transactions that committed batched stand-alone audit entries on this server."))
        groupCommitEntries = registry.makeCounter(descriptor: Self.named("gongzhi_audit_group_commit_entries_total", "Stand-alone audit entries committed in batches on this server."))
        for pool in pools {
            registry.makeGauge(descriptor: Self.named("gongzhi_db_pool_max_connections", "Connections a database pool opens at most (its use is not exposed by the drivers)."), labels: [("pool", pool.name)])
                .set(Double(pool.maxConnections))
        }
    }

    /// The descriptor of the metric `name` (already the full name, suffix included) with its `# HELP` text.
    static func named(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    // MARK: HTTP

    /// Counts one request answered with `status` after `duration`, by `method` and the route's pattern.
    public func recordRequest(method: String, route: String, status: UInt, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", "\(min(max(status / 100, 1), 5))xx")]
        registry.makeCounter(descriptor: Self.named("gongzhi_http_requests_total", "HTTP requests answered, by method, route pattern and status class."), labels: labels).increment()
        registry.makeDurationHistogram(descriptor: Self.named("gongzhi_http_request_duration_seconds", "Time to answer an HTTP request, by method, route pattern and status class."), labels: labels, buckets: Self.latencyBuckets)
            .record(duration)
    }

    // MARK: Imports

    /// Counts a concluded import: its outcome, rows accepted and rejected, and the rejected rows by error code.
    public func recordImport(_ report: ImportReport) {
        let outcome = report.refused || report.rowsAccepted == 0 ? "refused" : report.outcome.rawValue
        registry.makeCounter(descriptor: Self.named("gongzhi_imports_total", "Imports concluded, by outcome (accepted, partially_accepted, refused)."), labels: [("outcome", outcome)]).increment()
        rowsAccepted.increment(by: Int64(report.rowsAccepted))
        rowsRejected.increment(by: Int64(report.rowsRejected))
        var rowsByCode: [String: Set<Int>] = [:]
        for issue in report.errors {
            guard let row = issue.row else { continue }
            rowsByCode[issue.code.rawValue, default: []].insert(row)
        }
        for (code, rows) in rowsByCode {
            registry.makeCounter(descriptor: Self.named("gongzhi_import_rejected_rows_by_code_total", "Rejected rows by error code (a row with errors of two codes counts under each)."), labels: [("code", code)])
                .increment(by: Int64(rows.count))
        }
    }

    /// Records how long an import waited for its turn to write.
    public func recordImportWait(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        importWait.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    // MARK: Sharing

    /// Counts `rows` records served by the records query (`download == false`) or a download, of the unit's own
    /// data or under a grant.
    public func recordRowsServed(_ rows: Int, download: Bool, granted: Bool) {
        registry.makeCounter(descriptor: Self.named("gongzhi_query_rows_served_total", "Records served by queries and downloads, by kind and by own data or granted data."), labels: [("kind", download ? "download" : "query"), ("access", granted ? "granted" : "own")])
            .increment(by: Int64(rows))
    }

    // MARK: Scrape

    /// Reads the values kept elsewhere — the import gate, the group commit, the audit append counter in the
    /// database — and returns the exposition text.
    /// - Throws: database errors reading `audit_append_lock`.
    public func collect(on database: any Database, gate: ImportGate, auditCommits: AuditGroupCommit) async throws -> String {
        let (run, wait) = await (gate.running, gate.queued)
        running.set(Double(run))
        queued.set(Double(wait))
        let (batches, entries) = await (auditCommits.batches, auditCommits.entries)
        advance(groupCommits, "batches", to: Int64(batches))
        advance(groupCommitEntries, "entries", to: Int64(entries))
        if let sql = database as? any SQLDatabase,
           let row = try await sql.raw("SELECT appends FROM audit_append_lock WHERE id = 1").first() {
            advance(auditAppends, "appends", to: try row.decode(column: "appends", as: Int64.self))
        }
        return registry.emitToString()
    }

    /// Raises `counter` by how much the total `key` read elsewhere grew since the last scrape (a total that
    /// went down — a restored database — is taken as the new base).
    private func advance(_ counter: Prometheus.Counter, _ key: String, to total: Int64) {
        let grown = lastRead.withLockedValue { last -> Int64 in
            defer { last[key] = total }
            return max(0, total - (last[key] ?? 0))
        }
        if grown > 0 { counter.increment(by: grown) }
    }
}
