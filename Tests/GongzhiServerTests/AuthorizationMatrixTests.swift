import Foundation
import GongzhiCore
import GongzhiServer
import Testing
import Vapor
import VaporTesting

/// Every route × every role (and anonymous) against the intended policy, written out here independently of
/// the route groups: a route registered without a rule in this table fails the test, as does a rule for a
/// route that no longer exists.
@Suite("Authorization matrix: every route × every role", .serialized)
struct AuthorizationMatrixTests {
    /// Who is let through the door of each route (handlers narrow further, e.g. to the user's own unit).
    /// `nil` = public (anonymous too); an empty set = any signed-in user.
    static let policy: [String: Set<Role>?] = {
        let anyone: Set<Role>? = nil
        let signedIn: Set<Role>? = []
        let reporters: Set<Role> = [.reporter, .admin]
        let unitReaders: Set<Role> = [.reporter, .unitHead, .admin, .auditor]
        let recordReaders: Set<Role> = [.reporter, .unitHead, .analyst]
        let requestActors: Set<Role> = [.approver, .analyst, .unitHead]
        let grantKeepers: Set<Role> = [.approver, .admin]
        let lineage: Set<Role> = [.auditor, .admin]
        return [
            "GET /health": anyone, "GET /login": anyone, "POST /login": anyone,
            // Open to all; /metrics answers only the monitoring network's addresses (404 to others), whoever signs.
            "GET /ready": anyone, "GET /metrics": anyone, "GET /api/v1/openapi.json": anyone,
            "POST /logout": signedIn, "GET /account/tokens": signedIn, "POST /account/tokens": signedIn,
            "POST /account/tokens/:id/revoke": signedIn, "GET /account/password": signedIn, "POST /account/password": signedIn,
            "GET /": signedIn, "GET /catalog": signedIn, "GET /indicators/:code": signedIn, "GET /indicators/:code/template.xlsx": signedIn,
            "GET /sharing": signedIn, "GET /sharing/requests/:id": signedIn,
            "GET /upload": reporters, "POST /submissions": reporters, "GET /zero-data": reporters, "POST /zero-data": reporters,
            "GET /submissions": unitReaders, "GET /submissions/:id": unitReaders, "GET /submissions/:id/records": unitReaders,
            "GET /submissions/:id/errors.csv": unitReaders, "GET /units/:code": unitReaders,
            "POST /units/:code/contacts": [.reporter, .unitHead, .admin],
            "GET /board": [.admin, .approver, .auditor], "GET /board.xlsx": [.admin, .approver, .auditor],
            "POST /units/:code/incidents": [.admin], "POST /sharing/agreements": [.admin],
            "GET /account/lockouts": [.admin], "POST /account/lockouts/clear": [.admin],
            "GET /account/users": [.admin], "POST /account/users": [.admin], "POST /account/users/:username/reset-password": [.admin],
            "POST /account/users/:username/disable": [.admin], "POST /account/users/:username/enable": [.admin],
            "GET /sharing/requests/new": [.analyst], "POST /sharing/requests": [.analyst],
            "POST /sharing/requests/:id/:action": requestActors, "POST /sharing/grants/:id/revoke": grantKeepers,
            "GET /query": recordReaders, "GET /query/download": recordReaders,
            "GET /audit": [.auditor], "GET /audit.csv": [.auditor],
            "GET /records/:id/lineage": lineage,
            "GET /api/v1/catalog/indicators": signedIn, "GET /api/v1/tokens": signedIn, "POST /api/v1/tokens": signedIn,
            "DELETE /api/v1/tokens/:id": signedIn, "GET /api/v1/access-requests": signedIn,
            "GET /api/v1/access-requests/:id": signedIn, "GET /api/v1/grants": signedIn,
            "POST /api/v1/submissions": reporters, "POST /api/v1/zero-data": reporters,
            "GET /api/v1/submissions": unitReaders, "GET /api/v1/submissions/:id": unitReaders,
            "GET /api/v1/submissions/:id/records": unitReaders, "GET /api/v1/tasks": unitReaders,
            "GET /api/v1/tasks/overdue": unitReaders,
            "POST /api/v1/access-requests": [.analyst], "POST /api/v1/access-requests/:id/:action": requestActors,
            "POST /api/v1/grants/:id/revoke": grantKeepers,
            "GET /api/v1/records": recordReaders, "GET /api/v1/records/download": recordReaders,
            "GET /api/v1/records/:id/lineage": lineage,
            "GET /assessment": [.coordinator, .admin, .approver, .auditor],
            "GET /assessment/bulletin": [.coordinator, .admin, .approver, .auditor],
            "GET /assessment/bulletin.xlsx": [.coordinator, .admin, .approver, .auditor],
            "GET /assessment/annual": [.coordinator, .admin, .approver, .auditor],
            "GET /assessment/annual.xlsx": [.coordinator, .admin, .approver, .auditor],
            "POST /assessment/runs": [.coordinator, .admin],
            "POST /assessment/units/:code/entries": [.coordinator, .admin],
            "GET /assessment/meetings": [.coordinator, .admin, .approver, .auditor],
            "POST /assessment/meetings": [.coordinator, .admin],
            "POST /assessment/meetings/:id/attendance": [.coordinator, .admin],
            "POST /assessment/surveys": [.coordinator, .admin],
            "POST /assessment/bulletin/publish": [.coordinator, .admin],
            "GET /surveys": [.reporter, .unitHead],
            "GET /notices": signedIn, "GET /notices/:id": signedIn, "POST /notices": [.admin, .coordinator],
            "GET /api/v1/notices": signedIn, "POST /api/v1/notices/:id/read": signedIn,
            "POST /api/v1/notices": [.admin, .coordinator], "GET /api/v1/reminders": [.admin, .coordinator],
            "GET /objections": [.analyst, .reporter, .unitHead, .admin, .approver, .auditor],
            "POST /objections/:id/:action": [.analyst, .reporter, .unitHead, .admin, .approver, .auditor],
            "POST /objections": [.analyst],
            "GET /api/v1/objections": [.analyst, .reporter, .unitHead, .admin, .approver, .auditor],
            "POST /api/v1/objections/:id/:action": [.analyst, .reporter, .unitHead, .admin, .approver, .auditor],
            "POST /api/v1/objections": [.analyst],
            "GET /reports/effectiveness": [.analyst, .unitHead, .coordinator, .admin, .approver, .auditor],
            "GET /reports/effectiveness/:id/attachments/:sha256": [.analyst, .unitHead, .coordinator, .admin, .approver, .auditor],
            "POST /reports/effectiveness": [.analyst, .unitHead],
            "POST /reports/effectiveness/:id/grade": [.coordinator],
            "POST /reports/check": [.admin],
            "GET /reports/usage": [.analyst, .unitHead, .coordinator, .admin, .approver, .auditor],
            "POST /reports/usage": [.analyst, .unitHead],
            "GET /api/v1/usage-reports": [.analyst, .unitHead, .coordinator, .admin, .approver, .auditor],
            "GET /api/v1/usage-reports/prefill": [.analyst, .unitHead],
            "POST /api/v1/usage-reports": [.analyst, .unitHead],
            "GET /complaints": [.reporter, .unitHead, .analyst, .taxOfficer, .approver, .admin, .coordinator, .auditor],
            "POST /complaints": [.reporter, .unitHead, .analyst, .taxOfficer],
            "POST /complaints/:id/:action": [.approver],
            "POST /complaints/:id/penalty": [.approver, .coordinator],
            "GET /api/v1/complaints": [.reporter, .unitHead, .analyst, .taxOfficer, .approver, .admin, .coordinator, .auditor],
            "POST /api/v1/complaints": [.reporter, .unitHead, .analyst, .taxOfficer],
            "POST /api/v1/complaints/:id/:action": [.approver],
            "POST /api/v1/complaints/:id/penalty": [.approver, .coordinator],
            "GET /api/v1/effectiveness-reports": [.analyst, .unitHead, .coordinator, .admin, .approver, .auditor],
            "POST /api/v1/effectiveness-reports": [.analyst, .unitHead],
            "POST /api/v1/effectiveness-reports/:id/grade": [.coordinator],
            "POST /api/v1/reports/check": [.admin],
            "POST /surveys/:id/return": [.reporter, .unitHead],
            "GET /assessment/units/:code": [.unitHead, .coordinator, .admin, .approver, .auditor],
            "GET /leads": [.taxOfficer, .auditor], "GET /leads/:id": [.taxOfficer, .auditor], "GET /api/v1/leads/:id": [.taxOfficer, .auditor],
            "POST /leads/:id/:action": [.taxOfficer], "POST /leads/runs": [.taxOfficer],
            "GET /operations/inspection": [.admin, .auditor], "GET /api/v1/operations/inspection": [.admin, .auditor],
            "GET /assessment/security-checks": [.coordinator, .admin, .approver, .auditor],
            "POST /assessment/security-checks": [.coordinator],
            "GET /api/v1/assessment/security-checks": [.coordinator, .admin, .approver, .auditor],
            "POST /api/v1/assessment/security-checks": [.coordinator],
        ]
    }()

    /// One user per role, each of a unit where that role makes sense.
    static let identities: [(role: Role, unit: String)] = [
        (.reporter, "housing"), (.unitHead, "housing"), (.admin, "info-center"), (.approver, "city-office"),
        (.analyst, "local-tax"), (.auditor, "tax-office"), (.coordinator, "tax-office"), (.taxOfficer, "local-tax"),
    ]

    static func key(_ route: Route) -> String {
        "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
    }

    /// The route's path with parameters filled: `:code` the user's unit (an indicator under /indicators),
    /// `:id` an id that exists nowhere, `:action` a workflow action.
    static func path(_ route: Route, unit: String) -> String {
        let parts = route.path.enumerated().map { index, component -> String in
            switch component.description {
            case ":code": route.path.first?.description == "indicators" ? "HOU-001" : unit
            case ":id": route.path.contains { $0.description == "records" } && route.path.first?.description != "submissions"
                ? "999999" : UUID().uuidString.lowercased()
            case ":action": "withdraw"
            default: component.description
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether the response is the door closing: 401, 403, or a page sending the visitor to sign in (`/login?next=…`;
    /// a plain redirect to `/login` is what signing out does).
    static func refused(_ res: TestingHTTPResponse) -> Bool {
        if res.status == .unauthorized || res.status == .forbidden { return true }
        return res.status == .seeOther && (res.headers.first(name: .location) ?? "").hasPrefix("/login?next=")
    }

    @Test("every route has a rule, and every role (and anonymous) is let in exactly where the rule says")
    func matrix() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let routes = app.routes.all
            let keys = Set(routes.map(Self.key))
            #expect(keys.subtracting(Self.policy.keys).isEmpty, "routes without a rule: \(keys.subtracting(Self.policy.keys).sorted())")
            #expect(Set(Self.policy.keys).subtracting(keys).isEmpty, "rules without a route: \(Set(Self.policy.keys).subtracting(keys).sorted())")

            var tokens: [Role: HTTPHeaders] = [:]
            for (role, unit) in Self.identities {
                tokens[role] = try await AppHarness.token(app, unit: unit, roles: [role])
            }
            var checked = 0
            for route in routes.sorted(by: { Self.key($0) < Self.key($1) }) {
                guard let rule = Self.policy[Self.key(route)] else { continue }
                // anonymous (a public route may still answer 401 to wrong credentials, e.g. POST /login)
                try await app.testing().test(route.method, Self.path(route, unit: "housing")) { res async in
                    if rule == nil {
                        #expect(res.status != .forbidden && !(Self.refused(res) && res.status != .unauthorized), "anonymous \(Self.key(route)) → \(res.status.code)")
                    } else {
                        #expect(Self.refused(res), "anonymous \(Self.key(route)) → \(res.status.code)")
                    }
                }
                for (role, unit) in Self.identities {
                    let allowed = rule.map { $0.isEmpty || $0.contains(role) } ?? true
                    try await app.testing().test(route.method, Self.path(route, unit: unit), headers: tokens[role]!) { res async in
                        if rule == nil {
                            #expect(res.status != .forbidden, "\(role.rawValue) \(Self.key(route)) → \(res.status.code)")
                        } else {
                            #expect(Self.refused(res) == !allowed, "\(role.rawValue) \(Self.key(route)) → \(res.status.code)")
                        }
                    }
                    checked += 1
                }
            }
            #expect(checked == Self.policy.count * Self.identities.count)
        }
    }
}
