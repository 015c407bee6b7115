import Foundation
import GongzhiCore
import GongzhiStore
import NIOCore
import Vapor

/// Who did an audited act, as the audit log records it: the user, the user's unit and the client's address.
/// Built from a request in one place, ``Vapor/Request/auditActor``; commands and the platform itself use
/// ``commandLine(unit:)`` and ``system``.
public struct AuditActor: Sendable, Equatable {
    /// The acting user's id. Until login arrives every web request is ``anonymousUser``.
    public var user: String
    /// The acting unit's code (the unit on whose authority the act is done).
    public var unit: String
    /// The client's address (IPv4 or IPv6 text), after trusted proxies; `local` for commands.
    public var address: String

    public init(user: String, unit: String, address: String) {
        self.user = user
        self.unit = unit
        self.address = address
    }

    /// The user id of a request made without logging in (the demo mode before access control).
    public static let anonymousUser = "anonymous"

    /// The platform itself, e.g. loading the seed catalog on first start.
    public static let system = AuditActor(user: "system", unit: SubmissionService.proxyUnit, address: "local")

    /// A `gongzhi` command run on the server by the operating-system user `osUser` (`cli:<name>`), acting for
    /// `unit` (by default the info center that runs the platform).
    public static func commandLine(unit: String = SubmissionService.proxyUnit,
                                   osUser: String = ProcessInfo.processInfo.userName) -> AuditActor {
        AuditActor(user: "cli:" + osUser, unit: unit, address: "local")
    }

    /// The same actor acting for `unit`.
    public func acting(for unit: String) -> AuditActor {
        AuditActor(user: user, unit: unit, address: address)
    }

    /// The event of this actor doing `action` on `target` at `date`.
    public func event(_ action: AuditAction, _ target: AuditTarget = AuditTarget(), at date: Date) -> AuditEvent {
        AuditEvent(timeMilliseconds: Self.milliseconds(date), userID: user, unitCode: unit, action: action,
                   target: target, clientAddress: address)
    }

    /// Milliseconds since 1970 of `date`, rounded down.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}

extension Request {
    /// Who this request acts as, for the audit log: the place where user, unit and address are taken from a
    /// request (the signed-in user's id and unit; `anonymous` for a request nobody signed, e.g. a failed login).
    public var auditActor: AuditActor {
        guard let actor = signedIn else {
            return AuditActor(user: AuditActor.anonymousUser, unit: "", address: clientAddress)
        }
        return AuditActor(user: actor.principal.userID, unit: actor.unitCode, address: clientAddress)
    }

    /// The client's address: the peer's, or — when the peer is one of `GONGZHI_TRUSTED_PROXIES` — the
    /// nearest address in `X-Forwarded-For` that is not a trusted proxy (read from the right, since each
    /// proxy appends the address it saw). Empty when unknown.
    public var clientAddress: String {
        let peer = remoteAddress?.ipAddress ?? ""
        return AuditActor.clientAddress(peer: peer, forwardedFor: headers[.xForwardedFor],
                                        trusted: application.gongzhi.config.trustedProxies)
    }

    /// What the request asked for, as the audit log's `query`: the path and query string, e.g.
    /// `/submissions/…/records?page=2`.
    public var auditQuery: String {
        let path = url.path.hasPrefix("/") ? url.path : "/" + url.path
        return path + (url.query.map { "?" + $0 } ?? "")
    }
}

extension AuditActor {
    /// The rule of ``Vapor/Request/clientAddress`` on plain values: `peer` itself unless it is `trusted`;
    /// then the last `X-Forwarded-For` hop that is not trusted (the first hop when all are).
    public static func clientAddress(peer: String, forwardedFor: [String], trusted: Set<String>) -> String {
        guard trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trusted.contains($0) } ?? hops.first ?? peer
    }
}
