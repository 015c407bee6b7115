import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import SQLKit
import Testing
import Vapor

@Suite("Cross-matching runs in the database (issue 12)")
struct MatchingRunTests {
    static let dataset = MatchingDataset.make()

    /// Runs `code` over the dataset's periods for it (keying in bulk from `bulkKeying` records to key).
    static func run(_ code: String, _ app: Application,
                    bulkKeying: Int = MatchingService.defaultBulkKeying) async throws -> (MatchRun, [MatchLeadView]) {
        let expectation = try #require(dataset.expectations[code])
        let service = MatchingService(database: app.db, clock: app.gongzhi.clock, bulkKeying: bulkKeying)
        let rule = try await service.rule(code: code)
        let run = try await service.run(rule: rule, from: try MatchingService.period(expectation.from),
                                        to: try MatchingService.period(expectation.to), by: .commandLine())
        return (run, try await service.leads(of: rule, periods: run.leftPeriods))
    }

    /// The planted-lead form of a found lead: its kind and the canonical value of the first left key field
    /// the record fills.
    static func found(_ lead: MatchLeadView, rule: MatchRule) -> MatchingDataset.PlantedLead {
        let key = rule.left.keys.lazy.compactMap { key in lead.left.values.first { $0.0 == key.field }?.1 }.first
        return .init(kind: lead.kind, key: key ?? "?", confidence: lead.confidence)
    }

    @Test("each shipped rule finds exactly the planted leads, nothing on the clean part, and a re-run adds nothing",
          arguments: ShippedMatchRules.all.map(\.code))
    func plantedLeads(_ code: String) async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given
            try await Self.dataset.load(into: app, directory: directory)
            let rule = try #require(ShippedMatchRules.rule(code: code))
            let expected = try #require(Self.dataset.expectations[code]).leads
            // when
            let (run, leads) = try await Self.run(code, app)
            // then
            #expect(Set(leads.map { Self.found($0, rule: rule) }) == expected)
            #expect(leads.count == expected.count)
            #expect(run.leadsAdded == expected.count)
            #expect(run.leftRecords > expected.count)
            #expect(leads.allSatisfy { $0.state == .open && $0.left.indicator == rule.left.indicator })
            // out-of-window and underpaid leads name the right records they were matched with
            for lead in leads {
                if lead.kind == .noMatch { #expect(lead.right.isEmpty) } else { #expect(!lead.right.isEmpty) }
                #expect(lead.right.allSatisfy { side in rule.right.contains { $0.indicator == side.indicator } })
            }
            // ranked by estimated tax
            #expect(leads.map(\.estimatedTaxFen) == leads.map(\.estimatedTaxFen).sorted(by: >))

            // when: the same rule version again, over the same data
            let (again, leadsAgain) = try await Self.run(code, app)
            // then
            #expect(again.leadsAdded == 0)
            #expect(again.id != run.id)
            #expect(leadsAgain.map(\.id) == leads.map(\.id))
        }
    }

    @Test("a bulk keying (the join index dropped, the keys written, the index built again) finds exactly the planted leads",
          arguments: ["deed-tax", "deregistration-clearance"])
    func bulkKeying(_ code: String) async throws {
        try await AppHarness.withApp { app, directory async throws in
            try await Self.dataset.load(into: app, directory: directory)
            let rule = try #require(ShippedMatchRules.rule(code: code))
            let expected = try #require(Self.dataset.expectations[code]).leads
            // every keying is a bulk one
            let (run, leads) = try await Self.run(code, app, bulkKeying: 1)
            #expect(Set(leads.map { Self.found($0, rule: rule) }) == expected)
            #expect(run.leadsAdded == expected.count)
            // the join index is back, and the keys are there once each
            let sql = try #require(app.db as? any SQLDatabase)
            let indexes: SQLQueryString = DatabaseDialect.of(app.db) == .sqlite
                ? "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' AND name = \(bind: M0020_CreateMatching.keysByValue)"
                : "SELECT COUNT(*) AS n FROM pg_indexes WHERE indexname = \(bind: M0020_CreateMatching.keysByValue)"
            #expect(try await sql.raw(indexes).first()?.decode(column: "n", as: Int.self) == 1)
            let twice = try await sql.raw("SELECT COUNT(*) AS n FROM (SELECT record_id, field, form FROM match_keys GROUP BY record_id, field, form HAVING COUNT(*) > 1) d")
                .first()?.decode(column: "n", as: Int.self)
            #expect(twice == 0)
            // a re-run has nothing to key and adds nothing
            let (again, _) = try await Self.run(code, app, bulkKeying: 1)
            #expect(again.leadsAdded == 0)
        }
    }

    @Test("the estimate: the deed tax of an unpaid sale, the difference of an underdeclared one")
    func estimates() async throws {
        try await AppHarness.withApp { app, directory async throws in
            try await Self.dataset.load(into: app, directory: directory)
            let (_, leads) = try await Self.run("deed-tax", app)
            let byKind = Dictionary(grouping: leads, by: \.kind)
            // 2,000,000 × 3 %; a 1,000,000 sale declared at 900,000: 100,000 × 3 %; 1,000,000 × 3 %
            #expect(byKind[.noMatch]?.map(\.estimatedTaxFen).sorted() == [3_000_000, 6_000_000])
            #expect(byKind[.underpaid]?.map(\.estimatedTaxFen) == [300_000])
            #expect(byKind[.outOfWindow]?.map(\.estimatedTaxFen) == [3_000_000])
            #expect(leads.first?.estimatedTaxFen == 6_000_000)
        }
    }

    @Test("--json shape: rule, version, from, to, leads with kind, confidence, estimated_tax, left and right")
    func jsonShape() async throws {
        try await AppHarness.withApp { app, directory async throws in
            try await Self.dataset.load(into: app, directory: directory)
            let (run, leads) = try await Self.run("deed-tax", app)
            let text = MatchingService.json(run, leads: leads).serialized()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(object["rule"] as? String == "deed-tax")
            #expect(object["version"] as? Int == 1)
            #expect(object["from"] as? String == "2026-07")
            #expect(object["to"] as? String == "2026-07")
            let items = try #require(object["leads"] as? [[String: Any]])
            #expect(items.count == 4)
            let underpaid = try #require(items.first { $0["kind"] as? String == "underpaid" })
            #expect(underpaid["confidence"] as? String == "identifier")
            #expect((underpaid["estimated_tax"] as? NSNumber)?.doubleValue == 3000)
            let left = try #require(underpaid["left"] as? [String: Any])
            #expect(left["indicator"] as? String == "HOU-001")
            #expect(left["record_id"] is Int)
            let values = try #require(left["values"] as? [String: String])
            #expect(values["buyer_id_no"] == IdentifierFactory.residentID18(34))
            #expect(values["price"] == "1000000")
            let right = try #require(underpaid["right"] as? [[String: Any]])
            #expect(right.count == 1)
            #expect(right.first?["indicator"] as? String == "LTS-009")
            #expect((right.first?["values"] as? [String: String])?["price"] == "900000")
        }
    }

    @Test("a 15-digit buyer ID on the left matches the tax bureau's 18-digit one, through keys stored once")
    func keysAreStoredOnce() async throws {
        try await AppHarness.withApp { app, directory async throws in
            try await Self.dataset.load(into: app, directory: directory)
            _ = try await Self.run("deed-tax", app)
            let sql = try #require(app.db as? any SQLDatabase)
            let keys = try await sql.raw("SELECT COUNT(*) AS n FROM match_keys").first()?.decode(column: "n", as: Int.self)
            _ = try await Self.run("deed-tax", app)
            let again = try await sql.raw("SELECT COUNT(*) AS n FROM match_keys").first()?.decode(column: "n", as: Int.self)
            #expect(keys == again)
            let upgraded = try await sql.raw("""
                SELECT COUNT(*) AS n FROM match_keys WHERE field = 'buyer_id_no' AND value = \(bind: IdentifierFactory.residentID18(21))
                """).first()?.decode(column: "n", as: Int.self)
            #expect(upgraded == 1)
        }
    }

    @Test("a rule in draft does not run; a changed definition needs a new version")
    func ruleVersions() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            var draft = ShippedMatchRules.deedTax
            draft.version = 2
            draft.window = .init(from: 0, to: 60)
            #expect(try await service.register(draft, by: .commandLine()) == .draft)
            await #expect(throws: MatchingError.notRunnable(code: "deed-tax", version: 2, state: .draft)) {
                _ = try await service.run(rule: draft, from: try MatchingService.period("2026-07"),
                                          to: try MatchingService.period("2026-07"), by: .commandLine())
            }
            draft.window = .init(from: 0, to: 30)
            await #expect(throws: MatchingError.versionConflict(code: "deed-tax", version: 2)) {
                try await service.register(draft, by: .commandLine())
            }
            var broken = ShippedMatchRules.deedTax
            broken.version = 3
            broken.left.dateField = "signed_on"
            await #expect(throws: MatchingError.invalidRule(code: "deed-tax", .unknownField(indicator: "HOU-001", field: "signed_on"))) {
                try await service.register(broken, by: .commandLine())
            }
            #expect(try await service.rule(code: "deed-tax").version == 2)
            await #expect(throws: MatchingError.unknownRule("no-such-rule")) { _ = try await service.rule(code: "no-such-rule") }
        }
    }

    @Test("left periods: the indicator's periods that start in the range")
    func periods() throws {
        let q = try MatchingService.periods(of: .quarterly, from: try MatchingService.period("2026-07"), to: try MatchingService.period("2026-09"))
        #expect(q.map(\.description) == ["2026Q3"])
        let m = try MatchingService.periods(of: .monthly, from: try MatchingService.period("2026Q1"), to: try MatchingService.period("2026-02"))
        #expect(m.map(\.description) == ["2026-01", "2026-02"])
        #expect(throws: MatchingError.badRange(from: "2026-03", to: "2026-01")) {
            try MatchingService.periods(of: .monthly, from: try MatchingService.period("2026-03"), to: try MatchingService.period("2026-01"))
        }
        #expect(throws: MatchingError.badPeriod("2026/03")) { try MatchingService.period("2026/03") }
    }
}
