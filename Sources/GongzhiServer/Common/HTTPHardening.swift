import Vapor

/// Refuses a body larger than its route takes before reading any of it, from the announced
/// `Content-Length` (413, `body_too_large`): forms and JSON take ``AppConfig/maxFormBytes``; the upload
/// routes (``uploadRoutes``) the upload limit. A body sent without a length is cut off by the route's own
/// collection limit (routes.swift) or, for streamed uploads, by the import's size check.
struct BodyLimitMiddleware: AsyncMiddleware {
    /// The largest upload body, in bytes (the file limit plus room for the multipart envelope).
    let uploadBytes: Int

    /// `(method, path)` of the routes that take files: submissions on the web and the API, and the signed
    /// security agreement (at most 20 MB).
    static let uploadRoutes: [(HTTPMethod, String, Int?)] = [
        (.POST, "/submissions", nil), (.POST, "/api/v1/submissions", nil), (.POST, "/sharing/agreements", 20 << 20),
    ]

    /// The largest body `request` may carry, in bytes.
    func limit(for request: Request) -> Int {
        let path = request.url.path
        for (method, route, limit) in Self.uploadRoutes where request.method == method && path == route {
            return limit ?? uploadBytes
        }
        return AppConfig.maxFormBytes
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let text = request.headers.first(name: .contentLength) {
            guard let length = Int(text), length >= 0 else { throw Abort(.badRequest, reason: "Content-Length 无效。") }
            let limit = limit(for: request)
            if length > limit {
                throw GongzhiHTTPError.bodyTooLarge(limitBytes: limit)
            }
        }
        return try await next.respond(to: request)
    }
}

/// Errors of the HTTP boundary itself, with a code for API clients and a Chinese message.
enum GongzhiHTTPError: Error, AbortError {
    /// The body is larger than the route takes.
    case bodyTooLarge(limitBytes: Int)
    /// A form posted from another site (its `Origin` is not this server).
    case foreignOrigin

    var status: HTTPResponseStatus {
        switch self {
        case .bodyTooLarge: .payloadTooLarge
        case .foreignOrigin: .forbidden
        }
    }

    var code: String {
        switch self {
        case .bodyTooLarge: "body_too_large"
        case .foreignOrigin: "foreign_origin"
        }
    }

    var reason: String {
        switch self {
        case .bodyTooLarge(let limit):
            limit >= 1 << 20 ? "请求内容超过 \(limit >> 20) MB 的上限，未被接收。" : "请求内容超过 \(limit >> 10) KB 的上限，未被接收。"
        case .foreignOrigin: "该表单不是从本平台的页面提交的，已拒绝：请在平台的登录页面登录。"
        }
    }

    /// Whether `request` comes from a page of this server: its `Origin` (or, without one, its `Referer`)
    /// names the host the request was sent to. Requests that carry neither (command-line clients) pass.
    static func isSameOrigin(_ request: Request) -> Bool {
        let host = request.headers.first(name: .host)
        let source = request.headers.first(name: .origin) ?? request.headers.first(name: .referer)
        guard let source else { return true }
        guard source != "null", let url = URL(string: source), let sourceHost = url.host else { return false }
        let sourceAuthority = url.port.map { "\(sourceHost):\($0)" } ?? sourceHost
        guard let host else { return false }
        return sourceAuthority.lowercased() == host.lowercased()
    }
}

/// Headers on every response: no framing by other sites (`X-Frame-Options: DENY`, CSP `frame-ancestors
/// 'none'`), no content sniffing, no referrer leaving the site, and — since pages and downloads show
/// records and personal data — nothing kept in a browser or proxy cache (`Cache-Control: no-store`, unless
/// a handler chose otherwise).
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        let headers = [
            ("X-Frame-Options", "DENY"),
            ("Content-Security-Policy", "frame-ancestors 'none'"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
        ]
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        if !response.headers.contains(name: .cacheControl) {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}

/// Refuses a form posted from another site (403, `foreign_origin`): put in front of `/login`, which has no
/// session yet and so no CSRF token (a login CSRF would sign the victim in as the attacker).
struct SameOriginMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard GongzhiHTTPError.isSameOrigin(request) else { throw GongzhiHTTPError.foreignOrigin }
        return try await next.respond(to: request)
    }
}
