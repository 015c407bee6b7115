import Vapor

/// Who a request acts for. Until login arrives (roles come with access control), the acting unit is given
/// explicitly — header `X-Gongzhi-Unit` or cookie `gongzhi_unit` — and defaults to the info center that runs
/// the platform. Handlers only ever read `req.actor`, so authentication will replace this middleware and
/// change no handler.
public struct Actor: Sendable, Equatable {
    /// The acting member unit's code, e.g. `housing` or `info-center`.
    public var unitCode: String

    /// The platform operator, acting when no unit is named.
    public static let infoCenter = Actor(unitCode: "info-center")
}

struct ActorKey: StorageKey {
    typealias Value = Actor
}

extension Request {
    /// The acting unit; set for every request by ``ActorMiddleware``.
    public var actor: Actor {
        get { storage[ActorKey.self] ?? .infoCenter }
        set { storage[ActorKey.self] = newValue }
    }
}

/// Resolves ``Actor`` for each request.
struct ActorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let named = request.headers.first(name: "X-Gongzhi-Unit") ?? request.cookies["gongzhi_unit"]?.string
        if let code = named?.trimmingCharacters(in: .whitespaces), !code.isEmpty,
           code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            request.actor = Actor(unitCode: code)
        } else {
            request.actor = .infoCenter
        }
        return try await next.respond(to: request)
    }
}
