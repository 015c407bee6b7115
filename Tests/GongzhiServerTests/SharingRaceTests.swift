import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// Issue 9: the same action fired concurrently. Every transition of an access request (approve, deny, withdraw,
/// confirm) and a grant's revocation take effect once, the others fail with 409 `already_decided` (or
/// `invalid_transition` when they start after the winner committed); concurrent downloads and queries never
/// exceed the daily quota. On SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.
@Suite("Races: concurrent workflow transitions and quota reservations", .serialized)
struct SharingRaceTests {
    static let analyst = SharingServiceTests.analyst
    static let admin = SharingServiceTests.admin
    static let approver = SharingServiceTests.approver
    static let head = Principal(userID: "zhang.head", unitCode: "housing", roles: [.unitHead])
    static let concurrency = 8

    static let terms = Grant.Terms(clearFields: ["house_address", "usage", "monthly_rent"], maskedFields: ["landlord_name"],
                                   expiresOn: CalendarDate(iso: "2027-06-30")!, limits: QuotaLimits(dailyQueryRows: 50, dailyDownloadRows: 50))

    /// The codes a losing transition may fail with.
    static let losing: Set<String> = ["already_decided", "invalid_transition", "already_revoked"]

    /// S10 (PSB-003, 审批式) filed, local-tax's agreement recorded, and a request pending approval.
    static func pendingRequest(_ app: Application) async throws -> UUID {
        let sharing = app.gongzhi.sharing(on: app.db)
        _ = try await SharingServiceTests.file(app, "S10", "PSB-003", "2024Q1", as: "public-security")
        try await sharing.recordAgreement(unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "张局长",
                                          documentName: "协议.pdf", document: Data("%PDF".utf8), by: admin)
        let (request, _) = try await sharing.request(by: analyst, indicatorCode: "PSB-003",
                                                     fields: ["landlord_name", "house_address", "usage", "monthly_rent"],
                                                     from: "2024Q1", to: "2024Q4", purpose: "房屋出租税收比对",
                                                     legalBasis: "《税收征收管理法》第五条")
        return try request.requireID()
    }

    /// An uncatalogued request of local-tax to housing, awaiting the provider's confirmation.
    static func awaitingConfirmation(_ app: Application) async throws -> UUID {
        let sharing = app.gongzhi.sharing(on: app.db)
        try await sharing.recordAgreement(unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "张局长",
                                          documentName: "协议.pdf", document: Data("%PDF".utf8), by: admin)
        let (request, _) = try await sharing.request(by: analyst, indicatorCode: nil, providingUnit: "housing",
                                                     description: "公共租赁住房承租人名单", fields: ["承租人姓名"],
                                                     from: "2024", to: "2024", purpose: "比对", legalBasis: "《税收征收管理法》第五条")
        return try request.requireID()
    }

    /// Runs `action` `concurrency` times at once; returns how many succeeded and the codes of the failures.
    static func fire(_ action: @escaping @Sendable () async throws -> Void) async -> (successes: Int, failures: [String]) {
        await withTaskGroup(of: String?.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    do { try await action(); return nil } catch let error as SharingError { return error.code } catch { return "\(error)" }
                }
            }
            var successes = 0, failures: [String] = []
            for await outcome in group {
                if let outcome { failures.append(outcome) } else { successes += 1 }
            }
            return (successes, failures)
        }
    }

    // MARK: The service

    @Test("eight concurrent approvals of one request issue exactly one grant")
    func approvals() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let id = try await Self.pendingRequest(app)
            let sharing = app.gongzhi.sharing(on: app.db)
            // when
            let outcome = await Self.fire { _ = try await sharing.approve(request: id, terms: Self.terms, note: nil, by: Self.approver) }
            // then
            #expect(outcome.successes == 1, "\(outcome.failures)")
            #expect(outcome.failures.count == Self.concurrency - 1 && Set(outcome.failures).isSubset(of: Self.losing), "\(outcome.failures)")
            let repository = SharingRepository(database: app.db)
            #expect(try await repository.grants(forRequest: id).count == 1)
            let stored = try #require(try await repository.request(id))
            #expect(stored.state == "approved" && stored.request?.history.map(\.event) == ["submit", "approve"])
            #expect(try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .approval), page: 1, per: 50).total == 1)
            if case .intact = try await AuditLog(database: app.db).verify().result {} else { Issue.record("the chain verifies") }
        }
    }

    @Test("concurrent deny, withdraw and confirm each take effect once", arguments: ["deny", "withdraw", "confirm", "approve-or-deny"])
    func transitions(_ action: String) async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let id = action == "confirm" ? try await Self.awaitingConfirmation(app) : try await Self.pendingRequest(app)
            let sharing = app.gongzhi.sharing(on: app.db)
            let counter = Counter()
            // when
            let outcome = await Self.fire {
                switch action {
                case "deny": try await sharing.apply(.deny(reason: "用途不明确"), toRequest: id, by: Self.approver)
                case "withdraw": try await sharing.apply(.withdraw, toRequest: id, by: Self.analyst)
                case "confirm": try await sharing.apply(.confirmSharingMode(.approval, legalBasis: "《个人信息保护法》第十三条"), toRequest: id, by: Self.head)
                default:
                    // half approve, half deny: one decision wins, never both
                    if counter.next() % 2 == 0 {
                        _ = try await sharing.approve(request: id, terms: Self.terms, note: nil, by: Self.approver)
                    } else {
                        try await sharing.apply(.deny(reason: "用途不明确"), toRequest: id, by: Self.approver)
                    }
                }
            }
            // then
            #expect(outcome.successes == 1, "\(outcome.failures)")
            #expect(Set(outcome.failures).isSubset(of: Self.losing), "\(outcome.failures)")
            let stored = try #require(try await SharingRepository(database: app.db).request(id)?.request)
            #expect(stored.history.count == 2, "submit and exactly one more transition: \(stored.history.map(\.event))")
            let grants = try await SharingRepository(database: app.db).grants(forRequest: id)
            #expect(grants.count == (stored.state == .approved ? 1 : 0))
        }
    }

    @Test("concurrent revocations of one grant are recorded once")
    func revocations() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let id = try await Self.pendingRequest(app)
            let sharing = app.gongzhi.sharing(on: app.db)
            let grant = try await sharing.approve(request: id, terms: Self.terms, note: nil, by: Self.approver).requireID()
            let outcome = await Self.fire { try await sharing.revoke(grant: grant, reason: "用途已结束", by: Self.approver) }
            #expect(outcome.successes == 1, "\(outcome.failures)")
            #expect(Set(outcome.failures).isSubset(of: Self.losing), "\(outcome.failures)")
            let revocations = try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .grantChange), page: 1, per: 50).entries
                .filter { $0.detail?.contains("revoked") == true }
            #expect(revocations.count == 1)
        }
    }

    @Test("eight concurrent downloads against a 50-row limit never exceed 50 rows")
    func downloads() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given: a grant of 50 download rows a day; each download is the 22 shops (usage = 商铺)
            let id = try await Self.pendingRequest(app)
            let sharing = app.gongzhi.sharing(on: app.db)
            let grant = try await sharing.approve(request: id, terms: Self.terms, note: nil, by: Self.approver).requireID()
            let search = SharingService.Search(indicator: "PSB-003", from: "2024Q1", to: "2024Q1", fieldEquals: [("usage", "商铺")])
            let rows = Counter()
            // when
            let outcome = await Self.fire { rows.add(try await sharing.download(by: Self.analyst, search).rows.count) }
            // then
            #expect(rows.value <= 50, "\(rows.value) rows downloaded against a limit of 50")
            #expect(outcome.successes == 2 && rows.value == 44, "two downloads of 22 fit, a third does not: \(outcome)")
            #expect(Set(outcome.failures).isSubset(of: ["download_too_large", "quota_exhausted"]), "\(outcome.failures)")
            let used = try await SharingRepository(database: app.db).usage(user: Self.analyst.userID, grant: grant, on: app.gongzhi.clock.today())
            #expect(used.downloadedRows == rows.value, "the usage counts exactly the rows handed out")
            let logged = try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .download), page: 1, per: 50).entries
            #expect(logged.compactMap(\.rowCount).reduce(0, +) == 44)
        }
    }

    @Test("eight concurrent queries against a 50-row limit show at most 50 rows")
    func queries() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let id = try await Self.pendingRequest(app)
            let sharing = app.gongzhi.sharing(on: app.db)
            _ = try await sharing.approve(request: id, terms: Self.terms, note: nil, by: Self.approver)
            let search = SharingService.Search(indicator: "PSB-003", from: "2024Q1", to: "2024Q1")
            let rows = Counter()
            let outcome = await Self.fire { rows.add(try await sharing.query(by: Self.analyst, search, page: 1, per: 20).rows.count) }
            #expect(rows.value == 50, "20 + 20 + 10 (cut short), then nothing: \(rows.value) \(outcome)")
            #expect(Set(outcome.failures).isSubset(of: ["quota_exhausted"]), "\(outcome.failures)")
        }
    }

    // MARK: Over HTTP

    @Test("over the API: of eight concurrent approvals one answers 200, seven 409, and one grant exists")
    func approvalsOverHTTP() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let id = try await Self.pendingRequest(app).uuidString.lowercased()
            var approver = try await AppHarness.token(app, unit: "city-office", roles: [.approver])
            approver.add(name: .contentType, value: "application/json")
            let headers = approver
            let terms = #"{"clear_fields":["house_address","monthly_rent"],"masked_fields":["landlord_name"],"expires_on":"2027-06-30","daily_query_rows":100,"daily_download_rows":50}"#
            let statuses = try await withThrowingTaskGroup(of: (UInt, String).self) { group in
                for _ in 0..<Self.concurrency {
                    group.addTask {
                        var result: (UInt, String) = (0, "")
                        try await app.testing().test(.POST, "api/v1/access-requests/\(id)/approve", headers: headers,
                                                     body: ByteBuffer(string: terms)) { res async in
                            result = (res.status.code, res.body.string)
                        }
                        return result
                    }
                }
                var all: [(UInt, String)] = []
                for try await s in group { all.append(s) }
                return all
            }
            #expect(statuses.filter { $0.0 == 200 }.count == 1, "\(statuses.map(\.0))")
            let refused = statuses.filter { $0.0 != 200 }
            #expect(refused.count == Self.concurrency - 1 && refused.allSatisfy { $0.0 == 409 }, "\(refused)")
            #expect(refused.allSatisfy { $0.1.contains("请刷新页面查看最新状态") }, "a Chinese message that says what to do")
            #expect(try await SharingRepository(database: app.db).grants(forRequest: UUID(uuidString: id)!).count == 1)
        }
    }

    @Test("over the API: concurrent deny, withdraw and confirm answer one 200 and otherwise 409", arguments: ["deny", "withdraw", "confirm"])
    func transitionsOverHTTP(_ action: String) async throws {
        try await AppHarness.withApp { app, _ async throws in
            let id = (action == "confirm" ? try await Self.awaitingConfirmation(app) : try await Self.pendingRequest(app)).uuidString.lowercased()
            var headers: HTTPHeaders = switch action {
            case "deny": try await AppHarness.token(app, unit: "city-office", roles: [.approver])
            case "withdraw": try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            default: try await AppHarness.token(app, unit: "housing", roles: [.unitHead])
            }
            headers.add(name: .contentType, value: "application/json")
            let body = switch action {
            case "deny": #"{"reason":"用途不明确"}"#
            case "withdraw": "{}"
            default: #"{"mode":"approval","legal_basis":"《个人信息保护法》第十三条"}"#
            }
            let sent = headers
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for _ in 0..<Self.concurrency {
                    group.addTask {
                        var status: UInt = 0
                        try await app.testing().test(.POST, "api/v1/access-requests/\(id)/\(action)", headers: sent,
                                                     body: ByteBuffer(string: body)) { res async in status = res.status.code }
                        return status
                    }
                }
                var all: [UInt] = []
                for try await s in group { all.append(s) }
                return all
            }
            #expect(statuses.filter { $0 == 200 }.count == 1 && statuses.filter { $0 == 409 }.count == Self.concurrency - 1, "\(statuses)")
            let stored = try #require(try await SharingRepository(database: app.db).request(UUID(uuidString: id)!)?.request)
            #expect(stored.history.count == 2)
        }
    }

    @Test("over the API: eight concurrent downloads against a 50-row limit hand out at most 50 rows")
    func downloadsOverHTTP() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let id = try await Self.pendingRequest(app)
            _ = try await app.gongzhi.sharing(on: app.db).approve(request: id, terms: Self.terms, note: nil, by: Self.approver)
            let analyst = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            let results = try await withThrowingTaskGroup(of: (UInt, Int).self) { group in
                for _ in 0..<Self.concurrency {
                    group.addTask {
                        var result: (UInt, Int) = (0, 0)
                        try await app.testing().test(.GET, "api/v1/records/download?indicator=PSB-003&from=2024Q1&format=csv&field.usage=%E5%95%86%E9%93%BA",
                                                     headers: analyst) { res async in
                            // data lines of the CSV: every line but the header
                            let lines = res.body.string.split(whereSeparator: \.isNewline).count
                            result = (res.status.code, res.status == .ok ? max(0, lines - 1) : 0)
                        }
                        return result
                    }
                }
                var all: [(UInt, Int)] = []
                for try await r in group { all.append(r) }
                return all
            }
            let rows = results.map(\.1).reduce(0, +)
            #expect(rows <= 50 && rows == 44, "\(results)")
            #expect(results.filter { $0.0 == 200 }.count == 2 && results.filter { $0.0 == 429 }.count == Self.concurrency - 2, "\(results)")
        }
    }
}

/// A counter shared by concurrent tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    /// Returns the count before adding one.
    func next() -> Int { lock.withLock { defer { count += 1 }; return count } }

    func add(_ n: Int) { lock.withLock { count += n } }

    var value: Int { lock.withLock { count } }
}
