import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import SQLKit
import Testing
import Vapor

@Suite("Tax leads stored and worked (issue 12 §4)")
struct LeadWorkTests {
    @Test("the queue ranks unworked leads by estimated tax; a lead goes assigned → investigating → confirmed, each step audited")
    func queueAndConfirm() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            _ = try await MatchingRunTests.run("deed-tax", app)
            _ = try await MatchingRunTests.run("vehicle-purchase-tax", app)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            // when
            let queue = try await service.queue()
            // then: 4 deed-tax + 3 vehicle leads, highest estimate first
            #expect(queue.count == 7)
            #expect(queue.map(\.estimatedTaxFen) == queue.map(\.estimatedTaxFen).sorted(by: >))
            #expect(queue.first?.ruleCode == "deed-tax" && queue.first?.estimatedTaxFen == 6_000_000)
            #expect(queue.allSatisfy { $0.state == .open && $0.division == "321002" })

            // when: the top lead is worked to confirmed
            let top = try #require(queue.first)
            let officer = AuditActor(user: "officer1", unit: "local-tax", address: "127.0.0.1")
            try await service.apply(.assign(to: "officer1"), toLead: top.id, by: officer)
            try await service.apply(.startInvestigation, toLead: top.id, by: officer)
            let done = try await service.apply(.confirm(recovered: [.deedTax: 60_000, .stampDuty: Decimal(string: "300.5")!]),
                                               toLead: top.id, by: officer)
            // then
            #expect(done.state == .confirmed)
            let stored = try #require(try await service.work(lead: top.id))
            #expect(stored == done)
            #expect(stored.recovered[.stampDuty] == Decimal(string: "300.5")!)
            #expect(stored.countsAsAdopted)
            #expect(try await service.queue().map(\.id).contains(top.id) == false)
            let sql = try #require(app.db as? any SQLDatabase)
            let fen = try await sql.raw("SELECT recovered_fen FROM match_leads WHERE id = \(bind: top.id)").first()?.decode(column: "recovered_fen", as: Int.self)
            #expect(fen == 6_030_050)
            let entries = try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'matching' AND user_id = 'officer1'").first()?
                .decode(column: "n", as: Int.self)
            #expect(entries == 3)
            // statistics: per rule, and per rule, period and county
            let other = try #require(try await service.queue().last)
            try await service.apply(.dismiss(.exempt, note: nil), toLead: other.id, by: officer)
            let stats = try await service.statistics()
            let deed = try #require(stats.first { $0.ruleCode == "deed-tax" && $0.period == nil })
            #expect(deed.found == 4 && deed.worked == 2 && deed.confirmed == 1 && deed.dismissed == [.exempt: 1])
            #expect(deed.recoveredFen == 6_030_050)
            #expect(deed.unworked == 2)
            #expect(deed.strikeRate == 0.5)
            let vehicles = try #require(stats.first { $0.ruleCode == "vehicle-purchase-tax" && $0.period == nil })
            #expect(vehicles.found == 3 && vehicles.unworked == 3)
            #expect(stats.contains { $0.ruleCode == "deed-tax" && $0.period == "2026-07" && $0.division == "321002" && $0.found == 4 })
            // a closed lead takes no further step
            await #expect(throws: LeadWorkError.refused(.closed(.confirmed))) {
                try await service.apply(.dismiss(.duplicate, note: nil), toLead: top.id, by: officer)
            }
        }
    }

    @Test("dismissals take a reason from the fixed list; 'other' needs a note; unknown leads are refused")
    func dismiss() async throws {
        try await AppHarness.withApp { app, directory async throws in
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            _ = try await MatchingRunTests.run("deed-tax", app)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            let lead = try #require(try await service.queue().last)
            await #expect(throws: LeadWorkError.refused(.otherNeedsNote)) {
                try await service.apply(.dismiss(.other, note: " "), toLead: lead.id, by: .commandLine())
            }
            let dismissed = try await service.apply(.dismiss(.sourceDataError, note: "合同价格录入错误"), toLead: lead.id, by: .commandLine())
            #expect(dismissed.state == .dismissed && dismissed.filesObjection)
            #expect(try await service.work(lead: lead.id)?.dismissal == .sourceDataError)
            await #expect(throws: LeadWorkError.unknownLead(999_999)) {
                try await service.apply(.startInvestigation, toLead: 999_999, by: .commandLine())
            }
        }
    }

    @Test("a trial rule runs and records its leads, which stay out of the queue until it is active")
    func trial() async throws {
        try await AppHarness.withApp { app, directory async throws in
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            var rule = ShippedMatchRules.rentalIncome
            rule.version = 2
            #expect(try await service.register(rule, by: .commandLine()) == .draft)
            await #expect(throws: LeadWorkError.ruleRefused(MatchRuleTransitionError(from: .draft, event: .activate))) {
                try await service.change(rule: rule.code, version: 2, .activate, by: .commandLine())
            }
            #expect(try await service.change(rule: rule.code, version: 2, .startTrial, by: .commandLine()) == .trial)
            let run = try await service.run(rule: rule, from: try MatchingService.period("2026Q3"), to: try MatchingService.period("2026Q3"),
                                            by: .commandLine())
            #expect(run.state == .trial && run.leadsAdded == 2)
            #expect(try await service.queue().isEmpty)
            // when activated, the trial's leads join the queue
            #expect(try await service.change(rule: rule.code, version: 2, .activate, by: .commandLine()) == .active)
            #expect(try await service.queue().count == 2)
        }
    }

    @Test("a confirmed lead is an adopted lead in the assessment facts of the unit whose record produced it")
    func adoptedInAssessment() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given: a deed-tax lead from housing's record, confirmed on 2026-11-29 (the harness's clock)
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            _ = try await MatchingRunTests.run("deed-tax", app)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            let lead = try #require(try await service.queue().first)
            let assessment = AssessmentService(database: app.db, clock: app.gongzhi.clock)
            let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
            let quarter = try #require(ReportingPeriod("2026Q4"))
            let before = try await assessment.facts(unit: "housing", quarter: quarter, asOf: SharedData.today, catalog: catalog)
            #expect(before.adoptedLeads == 0)
            // when
            for event in [TaxLeadWork.Event.assign(to: "officer1"), .startInvestigation, .confirm(recovered: [.deedTax: 60_000])] {
                try await service.apply(event, toLead: lead.id, by: .commandLine())
            }
            // then
            let after = try await assessment.facts(unit: "housing", quarter: quarter, asOf: SharedData.today, catalog: catalog)
            #expect(after.adoptedLeads == 1)
            #expect(try await assessment.facts(unit: "local-tax", quarter: quarter, asOf: SharedData.today, catalog: catalog).adoptedLeads == 0)
            let earlier = try #require(ReportingPeriod("2026Q3"))
            #expect(try await assessment.facts(unit: "housing", quarter: earlier, asOf: SharedData.today, catalog: catalog).adoptedLeads == 0)
        }
    }
}
