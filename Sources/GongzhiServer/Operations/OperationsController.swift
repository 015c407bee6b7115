import FluentKit
import GongzhiCore
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// What operators and client developers read without signing in (issue 14 §3, §4): readiness, metrics (from the
/// monitoring network only) and the API's OpenAPI document.
public struct OperationsController: Sendable {
    public init() {}

    /// How long `/ready` waits for the database before it answers 503.
    public static let readinessTimeout: Duration = .seconds(5)

    /// `GET /ready`: 200 `{"status":"ready"}` when the database answers a trivial query within
    /// ``readinessTimeout``; else 503 `{"status":"unavailable","reason":"database","message":…}` (the error itself
    /// goes to the log). Liveness is `/health`, which touches nothing.
    func ready(req: Request) async throws -> Response {
        let (status, body, problem) = await Self.readiness(of: req.db)
        if let problem { req.logger.error("readiness: \(problem)") }
        return Response.json(body, status: status)
    }

    /// The trivial query `/ready` runs: `SELECT 1`.
    public static let selectOne: @Sendable (any Database) async throws -> Void = { db in
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "not an SQL database") }
        _ = try await sql.raw("SELECT 1 AS ok").first()
    }

    /// Runs `probe` on `db` for at most `timeout`: the status and body `/ready` answers, and what went wrong for
    /// the log (`nil` when ready).
    public static func readiness(of db: any Database, timeout: Duration = readinessTimeout,
                          probe: @escaping @Sendable (any Database) async throws -> Void = selectOne)
        async -> (status: HTTPResponseStatus, body: JSONValue, problem: String?) {
        // Raced in unstructured tasks: a database that hangs does not heed cancellation, and a task group would
        // wait for it. The first to finish answers; a hanging probe is left to end on its own.
        let result: Result<Bool, any Error> = await withCheckedContinuation { continuation in
            let once = NIOLockedValueBox(Optional(continuation))
            @Sendable func finish(_ result: Result<Bool, any Error>) {
                once.withLockedValue { pending in
                    pending?.resume(returning: result)
                    pending = nil
                }
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                finish(.success(false))
            }
            Task {
                do { try await probe(db); finish(.success(true)) } catch { finish(.failure(error)) }
                timer.cancel()
            }
        }
        switch result {
        case .success(true):
            return (.ok, .object([("status", .string("ready"))]), nil)
        case .success(false):
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            return (.serviceUnavailable, Self.unavailable("数据库在 \(String(format: "%g", seconds)) 秒内未响应。"),
                    "database did not answer within \(timeout)")
        case .failure(let error):
            return (.serviceUnavailable, Self.unavailable("数据库无法查询。"), "database failed: \(String(reflecting: error))")
        }
    }

    private static func unavailable(_ message: String) -> JSONValue {
        .object([("status", .string("unavailable")), ("reason", .string("database")), ("message", .string(message))])
    }

    /// `GET /metrics`: the Prometheus text exposition (``GongzhiMetrics``), for clients in
    /// ``AppConfig/metricsAllowed`` only; anyone else gets a plain 404, as if there were nothing here. A request
    /// that came through a proxy (`X-Forwarded-For`, `Forwarded`) from a peer that is not a trusted proxy is
    /// refused too: its real client is unknown (a reverse proxy on the same host would otherwise make every
    /// visitor look like loopback).
    func metrics(req: Request) async throws -> Response {
        guard Self.mayReadMetrics(req) else { throw Abort(.notFound) }
        let services = req.gongzhi
        let text = try await services.metrics.collect(on: req.db, gate: services.gate, auditCommits: services.auditCommits)
        let response = Response(status: .ok, body: .init(string: text))
        response.headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return response
    }

    /// Whether `req` comes from a client allowed to read `/metrics`.
    static func mayReadMetrics(_ req: Request) -> Bool {
        let config = req.gongzhi.config
        let peer = req.remoteAddress?.ipAddress ?? ""
        let forwarded = req.headers.contains(name: .xForwardedFor) || req.headers.contains(name: .forwarded)
        if forwarded, !config.trustedProxies.contains(peer) { return false }
        let client = req.clientAddress
        return config.metricsAllowed.contains { $0.contains(client) }
    }

    /// `GET /api/v1/openapi.json`: the API's OpenAPI 3.1 document (`Resources/openapi.json`), without sign-in.
    func openAPI(req: Request) async throws -> Response {
        guard let document = Self.openAPIDocument else { throw Abort(.notFound) }
        let response = Response(status: .ok, body: .init(data: document))
        response.headers.contentType = .json
        response.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return response
    }

    /// The OpenAPI document shipped in the resource bundle.
    static let openAPIDocument: Data? = Bundle.module.url(forResource: "openapi", withExtension: "json")
        .flatMap { try? Data(contentsOf: $0) }
}
