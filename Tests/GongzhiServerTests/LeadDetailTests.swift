import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite("A lead's page, the objection a dismissal files, the review of name matches (issue 12 §2, §4, §6)")
struct LeadDetailTests {
    /// The object at `key` of `json`.
    static func member(_ json: [String: Any], _ key: String) -> [String: Any] { json[key] as? [String: Any] ?? [:] }

    @Test("the lead's page shows the rule version, both sides with their lineage, fields as the viewer's unit may see them, and the history; opening it is audited")
    func detail() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given: the underpaid deed-tax lead (sale 34: housing's record, local-tax's own deed-tax record), taken
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            _ = try await MatchingRunTests.run("deed-tax", app)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            let lead = try #require(try await service.queue().first { $0.kind == .underpaid })
            var officer = try await AppHarness.token(app, unit: "local-tax", roles: [.taxOfficer])
            let auditor = try await AppHarness.token(app, unit: "tax-office", roles: [.auditor])
            officer.contentType = .urlEncodedForm
            try await app.testing().test(.POST, "leads/\(lead.id)/take", headers: officer, body: ByteBuffer(string: "back=detail")) { res async in
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location) == "/leads/\(lead.id)")
            }
            let buyer = IdentifierFactory.residentID18(34)
            let masked = String(buyer.prefix(6)) + "********" + String(buyer.suffix(4))
            let housing = try #require(try await SubmissionRecord.query(on: app.db).filter(\.$indicatorCode == "HOU-001").first())
            let row = try #require(try await RecordQuery.record(id: lead.leftRecordID, on: app.db)).rowNumber
            // when: the officer opens the page
            try await app.testing().test(.GET, "leads/\(lead.id)", headers: officer) { res async in
                // then
                #expect(res.status == .ok)
                let body = res.body.string
                #expect(body.contains("房产交易未缴契税") && body.contains("第 1 版"))
                #expect(body.contains(housing.fileSHA256))
                #expect(body.contains("第 \(row) 行"))
                #expect(body.contains(masked))
                #expect(body.contains("本单位报送的数据，明文显示"))
                #expect(body.contains("已分派"))
                #expect(body.contains("开始核查"))
                #expect(!body.contains("/records/\(lead.leftRecordID)/lineage"))
            }
            // the API: the left side masked (no grant), the right side — local-tax's own data — in the clear
            try await app.testing().test(.GET, "api/v1/leads/\(lead.id)", headers: officer) { res async throws in
                #expect(res.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any])
                #expect(json["rule"] as? String == "deed-tax" && json["rule_version"] as? Int == 1 && json["kind"] as? String == "underpaid")
                let left = Self.member(json, "left")
                #expect(left["shown_as"] as? String == "default")
                #expect(left["file_sha256"] as? String == housing.fileSHA256)
                #expect(Self.member(left, "values")["buyer_id_no"] as? String == masked)
                #expect(Self.member(left, "values")["price"] as? String == "1000000")
                let right = try #require((json["right"] as? [[String: Any]])?.first)
                #expect(right["shown_as"] as? String == "own")
                #expect(Self.member(right, "values")["taxpayer_id_no"] as? String == buyer)
                #expect((json["history"] as? [Any])?.count == 1)
            }
            // the auditor reads it with the lineage links, and no forms; both sides masked for the auditor's unit
            try await app.testing().test(.GET, "leads/\(lead.id)", headers: auditor) { res async in
                #expect(res.status == .ok)
                let body = res.body.string
                #expect(body.contains("/records/\(lead.leftRecordID)/lineage"))
                #expect(!body.contains("开始核查") && !body.contains(buyer))
            }
            let sql = try #require(app.db as? any SQLDatabase)
            let views = try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'record_view' AND detail LIKE \(bind: "lead=\(lead.id);%")").first()?
                .decode(column: "n", as: Int.self)
            #expect(views == 3)
            // an unknown lead is a 404
            try await app.testing().test(.GET, "leads/999999", headers: officer) { res async in
                #expect(res.status == .notFound)
            }
        }
    }

    @Test("dismissed as 源数据错误, a lead files an erroneous-record objection against its source record, linked and audited; own data files none")
    func dismissalFilesObjection() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            _ = try await MatchingRunTests.run("deed-tax", app)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            let queue = try await service.queue()
            let lead = try #require(queue.first)
            var officer = try await AppHarness.token(app, unit: "local-tax", roles: [.taxOfficer])
            officer.contentType = .urlEncodedForm
            // when
            try await app.testing().test(.POST, "leads/\(lead.id)/dismiss", headers: officer,
                                         body: ByteBuffer(string: "reason=source_data_error&note=%E6%88%90%E4%BA%A4%E4%BB%B7%E6%A0%BC%E6%9C%89%E8%AF%AF")) { res async in
                #expect(res.status == .seeOther, "\(res.body.string)")
            }
            // then: one open objection on the left record, for housing, filed by local-tax
            let stored = try #require(try await service.lead(lead.id))
            let objectionID = try #require(stored.objectionID)
            let objection = try #require(try await ObjectionRecord.find(objectionID, on: app.db))
            #expect(objection.kind == ObjectionKind.erroneous.rawValue && objection.state == ObjectionState.open.rawValue)
            #expect(objection.recordID == lead.leftRecordID && objection.providerUnit == "housing" && objection.filerUnit == "local-tax")
            #expect(objection.indicatorCode == "HOU-001" && objection.period == "2026-07")
            #expect(objection.reason.contains("涉税线索 #\(lead.id)") && objection.reason.contains("成交价格有误"))
            // audited: the objection's entry names the lead, the lead's entry names the objection
            let sql = try #require(app.db as? any SQLDatabase)
            let id = objectionID.uuidString.lowercased()
            let filed = try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'objection' AND detail LIKE \(bind: "objection=\(id); event=file;%lead=\(lead.id)")").first()?
                .decode(column: "n", as: Int.self)
            #expect(filed == 1)
            let step = try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'matching' AND detail LIKE \(bind: "lead=\(lead.id);%objection=\(id)")").first()?
                .decode(column: "n", as: Int.self)
            #expect(step == 1)
            // housing sees it among its objections; the lead's page links it
            let reporter = try await AppHarness.token(app, unit: "housing", roles: [.reporter])
            try await app.testing().test(.GET, "api/v1/objections", headers: reporter) { res async in
                #expect(res.body.string.contains(id))
            }
            try await app.testing().test(.GET, "leads/\(lead.id)", headers: officer) { res async in
                #expect(res.body.string.contains(id))
                #expect(res.body.string.contains("源数据错误"))
            }
            // when the source record is the officer's own unit's data, no objection is filed
            let other = try #require(queue.last)
            try await service.apply(.dismiss(.sourceDataError, note: nil), toLead: other.id, by: AuditActor(user: "h", unit: "housing", address: "local"))
            #expect(try await service.lead(other.id)?.objectionID == nil)
            #expect(try await ObjectionRecord.query(on: app.db).count() == 1)
        }
    }

    @Test("a name-and-division lead waits in the review queue, out of the officers' queue, and counts only once a person confirms the match")
    func reviewQueue() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given: the deregistration rule's name-matched lead
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            _ = try await MatchingRunTests.run("deregistration-clearance", app)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            let review = try await service.queue(review: true)
            let lead = try #require(review.first)
            #expect(review.count == 1 && lead.confidence == .nameDivision)
            #expect(try await service.queue().allSatisfy { $0.confidence == .identifier })
            var officer = try await AppHarness.token(app, unit: "state-tax", roles: [.taxOfficer])
            officer.contentType = .urlEncodedForm
            try await app.testing().test(.GET, "leads", headers: officer) { res async in
                let body = res.body.string
                #expect(body.contains("待人工确认匹配") && body.contains("/leads/\(lead.id)/reject-match"))
            }
            // when: taken, investigated, confirmed without a verified match → refused
            for action in ["take", "start"] {
                try await app.testing().test(.POST, "leads/\(lead.id)/\(action)", headers: officer) { res async in
                    #expect(res.status == .seeOther)
                }
            }
            try await app.testing().test(.POST, "leads/\(lead.id)/confirm", headers: officer,
                                         body: ByteBuffer(string: "tax_kind=vat&amount=5000")) { res async in
                #expect(res.status == .badRequest)
            }
            // when: a person confirms the match, it joins the officers' queue and may be confirmed
            try await app.testing().test(.POST, "leads/\(lead.id)/verify", headers: officer) { res async in
                #expect(res.status == .seeOther)
            }
            #expect(try await service.queue(review: true).isEmpty)
            #expect(try await service.queue().contains { $0.id == lead.id })
            let left = try #require(try await service.lead(lead.id)).leftRecordID
            let record = try #require(try await RecordQuery.record(id: left, on: app.db))
            let provider = try #require(try await SubmissionRecord.find(record.submissionID, on: app.db)).unitCode
            let day = SharedData.today
            #expect(try await service.adoptedLeads(unit: provider, from: day, through: day) == 0)
            try await app.testing().test(.POST, "leads/\(lead.id)/confirm", headers: officer,
                                         body: ByteBuffer(string: "tax_kind=vat&amount=5000")) { res async in
                #expect(res.status == .seeOther)
            }
            // then
            #expect(try await service.adoptedLeads(unit: provider, from: day, through: day) == 1)
        }
    }

    @Test("a rejected name match dismisses the lead, which never counts as adopted")
    func rejectMatch() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            _ = try await MatchingRunTests.run("deregistration-clearance", app)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            let lead = try #require(try await service.queue(review: true).first)
            var officer = try await AppHarness.token(app, unit: "state-tax", roles: [.taxOfficer])
            officer.contentType = .urlEncodedForm
            // when
            try await app.testing().test(.POST, "leads/\(lead.id)/reject-match", headers: officer) { res async in
                #expect(res.status == .seeOther)
            }
            // then
            let work = try #require(try await service.work(lead: lead.id))
            #expect(work.state == .dismissed && work.matchRejectedBy != nil && work.dismissalNote == TaxLeadWork.nameMismatchNote)
            #expect(try await service.queue(review: true).isEmpty)
            #expect(!(try await service.queue().contains { $0.id == lead.id }))
            let stats = try #require(try await service.statistics().first { $0.ruleCode == "deregistration-clearance" && $0.period == nil })
            #expect(stats.dismissed[.other] == 1 && stats.confirmed == 0)
            // an identifier lead has no match to reject
            let identifierLead = try #require(try await service.queue().first)
            try await app.testing().test(.POST, "leads/\(identifierLead.id)/reject-match", headers: officer) { res async in
                #expect(res.status == .badRequest)
            }
        }
    }

    @Test("the year's tax recovered on confirmed leads ranks the providing units for 特别贡献 in the assessment facts; the unit page shows what its data yielded, without personal data")
    func specialContribution() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given: two deed-tax leads of housing's records confirmed, 60 000 and 500 元 recovered
            try await MatchingRunTests.dataset.load(into: app, directory: directory)
            _ = try await MatchingRunTests.run("deed-tax", app)
            let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
            let queue = try await service.queue()
            for (lead, amount) in [(queue[0], Decimal(60_000)), (queue[1], Decimal(500))] {
                for event in [TaxLeadWork.Event.assign(to: "officer1"), .startInvestigation, .confirm(recovered: [.deedTax: amount])] {
                    try await service.apply(event, toLead: lead.id, by: .commandLine(unit: "local-tax"))
                }
            }
            let assessment = AssessmentService(database: app.db, clock: app.gongzhi.clock)
            let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
            let quarter = try #require(ReportingPeriod("2026Q4"))
            // when / then: housing ranks first; a unit whose data yielded nothing has no place
            #expect(try await service.recoveredByUnit(from: CalendarDate(year: 2026, month: 1, day: 1)!, through: SharedData.today) == ["housing": 6_050_000])
            #expect(try await assessment.facts(unit: "housing", quarter: quarter, asOf: SharedData.today, catalog: catalog).specialContributionRank == 1)
            #expect(try await assessment.facts(unit: "local-tax", quarter: quarter, asOf: SharedData.today, catalog: catalog).specialContributionRank == nil)
            // the unit page: per indicator, counts and amounts only
            let head = try await AppHarness.token(app, unit: "housing", roles: [.unitHead])
            try await app.testing().test(.GET, "units/housing", headers: head) { res async in
                #expect(res.status == .ok)
                let body = res.body.string
                #expect(body.contains("数据应用成效（信息比对）"))
                #expect(body.contains("60500.00") && body.contains("特别贡献排名第 1 名"))
                #expect(!body.contains(IdentifierFactory.residentID18(31)))
            }
        }
    }
}
