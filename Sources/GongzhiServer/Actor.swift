import GongzhiCore
import GongzhiStore
import Vapor

/// Who a request acts for: the signed-in user, established by ``CredentialsMiddleware`` from a session
/// cookie (pages) or an `Authorization: Bearer` token (API and scripts). Handlers read `try req.actor`.
public struct Actor: Sendable, Equatable {
    /// How the request proved who it is.
    public enum Credential: Sendable, Equatable {
        /// A browser session; its forms must carry this CSRF token.
        case session(csrfToken: String)
        /// An API token: exempt from CSRF checks, since browsers never send it on their own.
        case token
    }

    /// The user as access decisions see them (user id, unit, roles).
    public var principal: Principal
    /// The login name.
    public var username: String
    /// The name the page header shows.
    public var displayName: String
    public var credential: Credential
    /// The unit's name for the page header (`市住房保障和房产管理局`); `nil` for API requests, which show no page.
    public var unitName: String?
    /// Whether the user still has a temporary password from the info center: pages then lead only to the
    /// password page (``PasswordChangeMiddleware``).
    public var mustChangePassword = false
    /// The account's database id: what operators' request logs name (never the login name, which may be a
    /// person's name). `nil` for an actor not read from the database.
    public var accountID: UUID?

    public init(principal: Principal, username: String, displayName: String, credential: Credential) {
        self.principal = principal
        self.username = username
        self.displayName = displayName
        self.credential = credential
    }

    init(_ user: UserRecord, credential: Credential) {
        self.init(principal: user.principal, username: user.username, displayName: user.displayName, credential: credential)
        mustChangePassword = user.mustChangePassword
        accountID = user.id
    }

    /// The acting member unit's code, e.g. `housing` or `info-center`.
    public var unitCode: String { principal.unitCode }

    /// Whether the user reads every unit's submissions and pages (admins and auditors); everyone else reads
    /// only their own unit's.
    public var seesAllUnits: Bool { principal.hasAny(of: [Role.admin, .auditor]) }

    /// Whether the user may read the submissions and pages of `unit`.
    public func mayRead(unit: String) -> Bool { seesAllUnits || unit == unitCode }
}

struct ActorKey: StorageKey {
    typealias Value = Actor
}

extension Request {
    /// The signed-in user, or `nil` for an anonymous request.
    public internal(set) var signedIn: Actor? {
        get { storage[ActorKey.self] }
        set { storage[ActorKey.self] = newValue }
    }

    /// The signed-in user.
    /// - Throws: ``AuthError/unauthenticated`` (401) for an anonymous request.
    public var actor: Actor {
        get throws {
            guard let actor = signedIn else { throw AuthError.unauthenticated }
            return actor
        }
    }

    /// The signed-in user's principal (user id, unit, roles).
    /// - Throws: ``AuthError/unauthenticated`` (401) for an anonymous request.
    public var principal: Principal {
        get throws { try actor.principal }
    }

    /// Whether the request is for the JSON API (errors and refusals answer in JSON).
    var isAPI: Bool { url.path.hasPrefix("/api/") }
}

/// Establishes ``Actor`` from the request's credentials, for every route: a bearer token anywhere, the
/// session cookie outside the API. A bearer token that does not authenticate is refused at once (401);
/// an unknown or expired session cookie leaves the request anonymous. It refuses nothing else: route groups
/// do, with ``RoleGuard``.
struct CredentialsMiddleware: AsyncMiddleware {
    /// The session cookie's name.
    static let cookieName = "gongzhi_session"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            request.signedIn = Actor(try await request.accounts.user(bearer: bearer.token), credential: .token)
        } else if !request.isAPI, let cookie = request.cookies[Self.cookieName]?.string, !cookie.isEmpty,
                  let found = try await request.accounts.session(cookieToken: cookie) {
            request.signedIn = Actor(found.user, credential: .session(csrfToken: found.session.csrfToken))
        }
        if !request.isAPI, let code = request.signedIn?.unitCode {
            // Pages name the unit in their header.
            request.signedIn?.unitName = try await CatalogRepository(database: request.db).unit(code: code)?.name
        }
        return try await next.respond(to: request)
    }
}

/// Refuses anonymous requests and users without one of ``roles``: pages send anonymous visitors to
/// `/login?next=…`, the API answers 401; a user without the role gets 403. `roles` empty means any
/// signed-in user. Route groups take their roles from ``RouteAccess``.
struct RoleGuard: AsyncMiddleware {
    let roles: Set<Role>

    init(_ roles: Set<Role>) {
        self.roles = roles
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let actor = request.signedIn else {
            if request.isAPI { throw AuthError.unauthenticated }
            let next = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
            return request.redirect(to: LoginTarget.loginPath(next: next), redirectType: .normal)
        }
        guard roles.isEmpty || actor.principal.hasAny(of: roles) else { throw AuthError.forbidden(needs: roles) }
        return try await next.respond(to: request)
    }
}

/// Sends a browser whose user has a temporary password from the info center to the password page, whatever it
/// asked for, until the password is changed (issue 10): a 303 to `/account/password`, for forms too (nothing is
/// done). Signing out and the health check stay open; API tokens are not affected.
struct PasswordChangeMiddleware: AsyncMiddleware {
    static let passwordPath = "/account/password"
    static let open: Set<String> = [passwordPath, "/logout", "/login", "/health", "/ready", "/metrics"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let actor = request.signedIn, actor.mustChangePassword, case .session = actor.credential,
              !Self.open.contains(request.url.path) else {
            return try await next.respond(to: request)
        }
        return request.redirect(to: Self.passwordPath, redirectType: .normal)
    }
}

extension RoutesBuilder {
    /// This group, open only to signed-in users holding one of `roles` (any signed-in user when empty).
    func require(_ roles: Set<Role>) -> any RoutesBuilder {
        grouped(RoleGuard(roles))
    }
}

/// Checks that every state-changing request authenticated by a session carries the session's CSRF token,
/// as the form field `csrf_token` (url-encoded or multipart) or the header `X-CSRF-Token`. Requests
/// authenticated by a bearer token and anonymous ones (refused later, or the login form) are not checked.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "csrf_token"
    static let header = "X-CSRF-Token"
    /// POST paths whose multipart body streams to disk: their form's token is checked as the body is read.
    static let streamedUploads: Set<String> = ["/submissions"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard ![.GET, .HEAD, .OPTIONS].contains(request.method), request.url.path != "/login",
              case .session(let expected)? = request.signedIn?.credential else {
            return try await next.respond(to: request)
        }
        var presented = request.headers.first(name: Self.header)
        if presented == nil, request.headers.contentType?.type == "multipart", Self.streamedUploads.contains(request.url.path) {
            // A streamed upload is not collected here: ``MultipartUpload/read(_:fileField:limitBytes:csrf:)``
            // checks the form's token against this one before it hands over a single field.
            request.storage[PendingCSRFKey.self] = expected
            return try await next.respond(to: request)
        }
        if presented == nil {
            // The form's fields are in the body: collect it now (the route would anyway), within the
            // upload limit for multipart forms and the default limit otherwise.
            let config = request.application.gongzhi.config
            let limit = request.headers.contentType?.type == "multipart"
                ? config.maxUploadBytes + (1 << 20) : request.application.routes.defaultMaxBodySize.value
            _ = try await request.body.collect(max: limit).get()
            presented = try? request.content.get(String.self, at: Self.field)
        }
        guard let presented, AccountService.constantTimeEquals(presented, expected) else { throw AuthError.csrfMismatch }
        return try await next.respond(to: request)
    }
}

/// Where sign-in sends the browser afterwards.
enum LoginTarget {
    /// `/login?next=<path>`, the path percent-encoded except for letters, digits, `-._~/`.
    static func loginPath(next: String) -> String {
        var allowed = CharacterSet(charactersIn: "-._~/")
        allowed.formUnion(CharacterSet(charactersIn: "a"..."z"))
        allowed.formUnion(CharacterSet(charactersIn: "A"..."Z"))
        allowed.formUnion(CharacterSet(charactersIn: "0"..."9"))
        return "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: allowed) ?? "%2F")
    }

    /// `next` if it is a path on this site (not `//host` nor a full URL), else `/`.
    static func safe(_ next: String?) -> String {
        // Only a path on this site: no scheme-relative `//`, no backslash, no white space or control character
        // (browsers drop a tab inside `/\t/evil.example`, which would make it `//evil.example`).
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"),
              !next.unicodeScalars.contains(where: { $0 == "\\" || $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { return "/" }
        return next
    }
}

/// The session's CSRF token a streamed multipart upload must still present (set by ``CSRFMiddleware``).
struct PendingCSRFKey: StorageKey {
    typealias Value = String
}
