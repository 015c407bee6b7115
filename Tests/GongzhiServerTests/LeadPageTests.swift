import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

@Suite("The tax-lead queue page (issue 12 §4, §6)")
struct LeadPageTests {
    @Test("a tax officer takes the top lead from the queue to confirmed; the auditor reads the queue without forms")
    func officerConfirms() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            _ = try await MatchingRunTests.run("deed-tax", app)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            let top = try #require(try await service.queue().first)
            let officer = try await AppHarness.token(app, unit: "local-tax", roles: [.taxOfficer])
            let auditor = try await AppHarness.token(app, unit: "tax-office", roles: [.auditor])
            // when / then: the queue, highest estimate first, no personal data
            try await app.testing().test(.GET, "leads", headers: officer) { res async in
                #expect(res.status == .ok)
                let body = res.body.string
                #expect(body.contains("房产交易未缴契税"))
                #expect(body.contains("领取"))
                let first = body.range(of: "60000.00"), last = body.range(of: "3000.00")
                #expect(first != nil && last != nil && first!.lowerBound < last!.lowerBound)
                #expect(!body.contains(IdentifierFactory.residentID18(31)))
                // each rule with its parameters, and the statistics per rule
                #expect(body.contains("房产交易信息（HOU-001），交易类型为买卖；按买方证件号码比对"))
                #expect(body.contains("以合同签订日期为准，左侧日期当日至左侧日期后 90 天之间"))
                #expect(body.contains("右侧金额低于成交价格超过 5% 为少缴"))
                #expect(body.contains("成交价格 × 3%（契税）"))
                #expect(body.contains("合同价格 × 10000 × 2%（增值税）"))
                #expect(body.contains("各规则成效"))
            }
            try await app.testing().test(.GET, "leads", headers: auditor) { res async in
                #expect(res.status == .ok)
                #expect(!res.body.string.contains("领取"))
            }
            for (action, body) in [("take", ""), ("start", ""), ("confirm", "tax_kind=deed_tax&amount=60000")] {
                var headers = officer
                headers.contentType = .urlEncodedForm
                try await app.testing().test(.POST, "leads/\(top.id)/\(action)", headers: headers, body: ByteBuffer(string: body)) { res async in
                    #expect(res.status == .seeOther, "\(action): \(res.body.string)")
                }
            }
            let work = try #require(try await service.work(lead: top.id))
            #expect(work.state == .confirmed)
            #expect(work.recovered == [.deedTax: 60_000])
            #expect(work.countsAsAdopted)
            // a step out of order is refused with the workflow's message
            let next = try #require(try await service.queue().first)
            var headers = officer
            headers.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "leads/\(next.id)/confirm", headers: headers,
                                         body: ByteBuffer(string: "tax_kind=deed_tax&amount=1")) { res async in
                #expect(res.status == .badRequest)
            }
            try await app.testing().test(.POST, "leads/\(next.id)/dismiss", headers: headers,
                                         body: ByteBuffer(string: "reason=other&note=")) { res async in
                #expect(res.status == .badRequest)
            }
        }
    }

    @Test("a tax officer runs a rule from the page; a bad period is refused with the reason")
    func runFromPage() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            var officer = try await AppHarness.token(app, unit: "state-tax", roles: [.taxOfficer])
            officer.contentType = .urlEncodedForm
            // when
            try await app.testing().test(.POST, "leads/runs", headers: officer,
                                         body: ByteBuffer(string: "rule=vehicle-purchase-tax&from=2026-09&to=2026-09")) { res async in
                #expect(res.status == .seeOther, "\(res.body.string)")
            }
            // then
            let queue = try await MatchingService(database: app.db, clock: app.gongzhi.clock).queue()
            #expect(queue.count == 3 && queue.allSatisfy { $0.ruleCode == "vehicle-purchase-tax" })
            try await app.testing().test(.POST, "leads/runs", headers: officer,
                                         body: ByteBuffer(string: "rule=vehicle-purchase-tax&from=2026/09&to=2026-09")) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("2024Q1"))
            }
        }
    }
}
