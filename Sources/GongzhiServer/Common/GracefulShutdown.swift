import NIOConcurrencyHelpers
import Vapor

/// The work this server has in flight: requests being answered and web uploads importing in the background.
/// A stop (SIGTERM, SIGINT) waits for it, bounded by ``GracefulShutdown/grace``, before the databases close:
/// Vapor shuts its stored services down in no fixed order, and a request that asks for its database once the
/// databases are gone stops the whole process (Fluent's `Request.db` force-unwraps it).
public final class InFlightWork: Sendable {
    private struct State {
        var count = 0
        var draining = false
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Counts one piece of work that must finish before the databases close, unless the server is stopping:
    /// then `false`, and nothing is counted (the caller refuses the work).
    public func admit() -> Bool {
        state.withLockedValue { state in
            guard !state.draining else { return false }
            state.count += 1
            return true
        }
    }

    /// Counts work that continues what an admitted request began (an upload's import in the background),
    /// even while the server stops.
    public func enter() {
        state.withLockedValue { $0.count += 1 }
    }

    /// Ends one piece of counted work.
    public func leave() {
        state.withLockedValue { $0.count -= 1 }
    }

    /// How many pieces of work are in flight.
    public var count: Int { state.withLockedValue { $0.count } }

    /// Whether the server is stopping (new work is refused).
    public var isDraining: Bool { state.withLockedValue { $0.draining } }

    /// From now on ``admit()`` refuses.
    public func beginDraining() {
        state.withLockedValue { $0.draining = true }
    }

    /// Waits until no work is in flight or `timeout` has passed; the count left (0 when all finished).
    public func waitUntilIdle(timeout: Duration) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return count
    }
}

/// Counts every request in ``InFlightWork`` and, once the server is stopping, answers a request that still
/// arrives on an open connection with 503 `shutting_down` and `Connection: close`, without touching the
/// database. First in the middleware chain.
struct DrainMiddleware: AsyncMiddleware {
    let work: InFlightWork

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard work.admit() else {
            let message = "服务器正在停止，请稍后重试。"
            let response = Response(status: .serviceUnavailable)
            if request.url.path.hasPrefix("/api/") {
                try response.content.encode(ErrorBody(error: "shutting_down", message: message, requestID: ""), as: .json)
            } else {
                response.body = .init(string: message)
                response.headers.contentType = .plainText
            }
            response.headers.replaceOrAdd(name: .connection, value: "close")
            response.headers.replaceOrAdd(name: .retryAfter, value: "5")
            return response
        }
        defer { work.leave() }
        return try await next.respond(to: request)
    }
}

/// Stops the server in order on SIGTERM or SIGINT: refuse new work, let the HTTP server finish the requests
/// it has (NIO's quiescing, bounded by the server's shutdown timeout), wait for the remaining counted work
/// (background imports) up to ``grace``, and only then let the databases close. Registered last in
/// ``configure(_:config:clock:writer:)``, so that it runs first: lifecycle handlers shut down in reverse.
/// An import still running after the grace is abandoned and concluded `interrupted` at the next start.
struct GracefulShutdown: LifecycleHandler {
    /// The longest a stop waits for counted work after the HTTP server has closed.
    static let grace: Duration = .seconds(20)

    let work: InFlightWork

    func shutdownAsync(_ application: Application) async {
        work.beginDraining()
        await application.server.shutdown()
        let left = await work.waitUntilIdle(timeout: Self.grace)
        if left > 0 {
            application.logger.warning("stopping with \(left) request(s) or import(s) unfinished after \(Self.grace)")
        }
    }
}
