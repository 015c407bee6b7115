import Foundation
import NIOConcurrencyHelpers
import Vapor

extension Request {
    /// The pattern of the route that answered, as registered (`/api/v1/submissions/:id`), never the path as
    /// sent — what metrics and request logs name, so that their label values stay bounded. `unmatched` when no
    /// route took the path (a 404 before any handler).
    public var routePattern: String {
        guard let route else { return "unmatched" }
        return "/" + route.path.map(\.description).joined(separator: "/")
    }

    /// This request's id, for the request log, the `X-Request-Id` response header and the error page a clerk
    /// reads out to the info center: the client's `X-Request-Id` when it is a short token (letters, digits,
    /// `.`, `_`, `-`; at most 64), else 8 random hexadecimal digits. The same for the whole request.
    public var gongzhiRequestID: String {
        if let id = storage[RequestIDKey.self] { return id }
        let sent = headers.first(name: .xRequestId) ?? ""
        let usable = !sent.isEmpty && sent.utf8.count <= 64
            && sent.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
        let id = usable ? sent : String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8)).lowercased()
        storage[RequestIDKey.self] = id
        return id
    }
}

private struct RequestIDKey: StorageKey {
    typealias Value = String
}

/// How the server logs each request (`GONGZHI_LOG_FORMAT`, issue 14 §5).
public enum RequestLogFormat: String, Sendable, Equatable {
    /// Vapor's line per request (`GET /path`), through the application's logger.
    case text
    /// One JSON object per line on standard output, per request: `time`, `request_id`, `method`, `route` (the
    /// pattern), `status`, `latency_ms`, `user_id` (the account's database id, `null` when anonymous). Never
    /// the path as sent, the query string, a login name or any other personal data.
    case json
}

/// Times every request, counts it in ``GongzhiMetrics`` by route pattern and status class, sets the
/// `X-Request-Id` response header and, with ``RequestLogFormat/json``, writes its JSON log line. First in the
/// chain, so that it sees the status the error middleware chose; a failure that escapes every middleware is
/// counted as a 500.
struct RequestObservationMiddleware: AsyncMiddleware {
    let metrics: GongzhiMetrics
    /// Where JSON log lines go (``RequestLogFormat/json``); `nil` writes none.
    let jsonLines: JSONLineSink?

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let started = ContinuousClock.now
        let id = request.gongzhiRequestID
        let status: UInt
        let response: Response
        do {
            response = try await next.respond(to: request)
            status = response.status.code
        } catch {
            observe(request, id: id, status: 500, duration: ContinuousClock.now - started)
            throw error
        }
        response.headers.replaceOrAdd(name: .xRequestId, value: id)
        observe(request, id: id, status: status, duration: ContinuousClock.now - started)
        return response
    }

    static let standardMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]

    private func observe(_ request: Request, id: String, status: UInt, duration: Duration) {
        let route = request.routePattern
        // The method as a label only when it is a standard one: a client may send any token there.
        let method = Self.standardMethods.contains(request.method.rawValue) ? request.method.rawValue : "other"
        metrics.recordRequest(method: method, route: route, status: status, duration: duration)
        guard let jsonLines else { return }
        let (seconds, attoseconds) = duration.components
        let milliseconds = (Double(seconds) * 1000 + Double(attoseconds) / 1e15).rounded(toPlaces: 3)
        let line = RequestLogLine(time: RequestLogLine.timestamp(Date()), requestID: id, method: method,
                                  route: route, status: Int(status), latencyMilliseconds: milliseconds,
                                  userID: request.signedIn?.accountID?.uuidString.lowercased())
        jsonLines.write(line)
    }
}

/// One request's JSON log line (``RequestLogFormat/json``); keys in this order.
struct RequestLogLine: Encodable, Equatable {
    var time: String
    var requestID: String
    var method: String
    var route: String
    var status: Int
    var latencyMilliseconds: Double
    var userID: String?

    enum CodingKeys: String, CodingKey {
        case time, method, route, status
        case requestID = "request_id"
        case latencyMilliseconds = "latency_ms"
        case userID = "user_id"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(time, forKey: .time)
        try c.encode(requestID, forKey: .requestID)
        try c.encode(method, forKey: .method)
        try c.encode(route, forKey: .route)
        try c.encode(status, forKey: .status)
        try c.encode(latencyMilliseconds, forKey: .latencyMilliseconds)
        try c.encode(userID, forKey: .userID) // `null` when anonymous, so every line has the same keys
    }

    /// `2026-11-29T02:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

/// Writes JSON lines, one whole line per write, to standard output or (tests) to a closure.
public final class JSONLineSink: Sendable {
    private let output: @Sendable (String) -> Void
    private let lock = NIOLock()

    /// - Parameter output: receives each line without its newline; by default printed to standard output.
    public init(output: (@Sendable (String) -> Void)? = nil) {
        self.output = output ?? { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
    }

    func write(_ value: some Encodable) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else { return }
        lock.withLock { output(text) }
    }
}

private extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = Foundation.pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
