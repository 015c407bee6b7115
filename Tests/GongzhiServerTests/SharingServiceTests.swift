import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import SQLKit
import Testing
import Vapor

/// The rules of sharing over stored data: agreements, the three modes, grants, masking in the query layer,
/// quotas, and that consumers see only current submissions.
@Suite("Sharing: agreements, requests, grants, masked and limited queries", .serialized)
struct SharingServiceTests {
    static let analyst = Principal(userID: "zhao.lei", unitCode: "local-tax", roles: [.analyst])
    static let admin = Principal(userID: "admin", unitCode: "info-center", roles: [.admin])
    static let approver = Principal(userID: "li.approver", unitCode: "city-office", roles: [.approver])
    static let housingReporter = Principal(userID: "wang.min", unitCode: "housing", roles: [.reporter])

    static func file(_ app: Application, _ sample: String, _ indicator: String, _ period: String, as unit: String,
                     confirmPeriod: Bool = false) async throws -> UUID {
        let (name, data, _) = try AppHarness.sampleData(sample)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-\(UUID().uuidString)-\(name)")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try await app.submissions.submit(file: url, fileName: name, indicatorCode: indicator, period: period, by: .commandLine(unit: unit),
                                                   mode: .replace, confirmPeriod: confirmPeriod).submissionID
    }

    /// Every raw value of `key` in the records the query could have returned.
    static func rawValues(_ app: Application, indicator: String, key: String) async throws -> Set<String> {
        let rows = try await RecordQuery(indicator: indicator, periods: ["2024-03", "2024Q1"]).rows(offset: 0, limit: 1000, on: app.db)
        return Set(try rows.compactMap { row -> String? in
            guard case .object(let members) = try JSONValue.parse(row.values) else { return nil }
            if case .string(let s)? = members.first(where: { $0.0 == key })?.1 { return s }
            return nil
        })
    }

    static func text(_ value: JSONValue, _ key: String) -> String? {
        guard case .object(let members) = value, let v = members.first(where: { $0.0 == key })?.1 else { return nil }
        if case .string(let s) = v { return s }
        return nil
    }

    @Test("registered data is granted at once with personal fields masked; nothing masked leaks")
    func registered() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let sharing = app.gongzhi.sharing(on: app.db)
            _ = try await Self.file(app, "S01", "HOU-001", "2024-03", as: "housing")
            let fields = ["contract_no", "price", "buyer_name", "buyer_id_no", "division_code"]

            // no agreement yet: no request, no query
            await #expect { try await sharing.request(by: Self.analyst, indicatorCode: "HOU-001", fields: fields, from: "2024-01",
                                                      to: "2024-12", purpose: "存量房交易个人所得税比对", legalBasis: nil) } throws: {
                ($0 as? SharingError)?.code == "no_security_agreement"
            }
            let search = SharingService.Search(indicator: "HOU-001", from: "2024-03", to: "2024-03")
            await #expect { try await sharing.query(by: Self.analyst, search, page: 1, per: 10) } throws: {
                ($0 as? SharingError)?.code == "no_security_agreement"
            }
            // only an admin records the agreement
            await #expect { try await sharing.recordAgreement(unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "税务局 张局长",
                                                              documentName: "协议.pdf", document: Data("%PDF".utf8), by: Self.analyst) } throws: {
                ($0 as? SharingError)?.code == "role_required"
            }
            try await sharing.recordAgreement(unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "税务局 张局长",
                                              documentName: "协议.pdf", document: Data("%PDF".utf8), by: Self.admin)
            await #expect { try await sharing.query(by: Self.analyst, search, page: 1, per: 10) } throws: {
                ($0 as? SharingError)?.code == "no_grant"
            }

            // 报备式: granted at once
            let (request, grantRecord) = try await sharing.request(by: Self.analyst, indicatorCode: "HOU-001", fields: fields, from: "2024-01",
                                                                   to: "2024-12", purpose: "存量房交易个人所得税比对", legalBasis: nil)
            #expect(request.state == "granted")
            let grant = try #require(grantRecord?.grant)
            #expect(grant.maskedFields.contains("buyer_id_no") && grant.maskedFields.contains("buyer_name"))

            let page = try await sharing.query(by: Self.analyst, search, page: 1, per: 200)
            #expect(page.total == 165 && page.rows.count == 165)
            #expect(page.fields.map(\.key) == ["contract_no", "price", "buyer_name", "buyer_id_no", "division_code"])
            let rawIDs = try await Self.rawValues(app, indicator: "HOU-001", key: "buyer_id_no")
            let rawNames = try await Self.rawValues(app, indicator: "HOU-001", key: "buyer_name")
            for row in page.rows {
                guard case .object(let members) = row.values else { Issue.record("not an object"); continue }
                #expect(!members.contains { $0.0 == "seller_id_no" || $0.0 == "seller_name" }, "fields not granted are left out")
                let id = try #require(Self.text(row.values, "buyer_id_no"))
                #expect(!rawIDs.contains(id), "a masked ID never shows in the clear: \(id)")
                #expect(id.count == 18 ? id.dropFirst(6).prefix(8) == "********" : id == MaskingRule.fullMask)
                if let name = Self.text(row.values, "buyer_name") {
                    #expect(!rawNames.contains(name) || name.count == 1, "a masked name keeps only its first character: \(name)")
                }
            }
            // outside the granted periods
            await #expect { try await sharing.query(by: Self.analyst, SharingService.Search(indicator: "HOU-001", from: "2025-01", to: "2025-01"),
                                                    page: 1, per: 10) } throws: { ($0 as? SharingError)?.code == "period_not_granted" }
            // an exact identifier search under the 报备式 grant (issue 12 §6) finds the records that hold it, still
            // masked as the grant masks them, and the audit log keeps the identifier searched
            let wanted = rawIDs.sorted().first!
            let found = try await sharing.query(by: Self.analyst, SharingService.Search(indicator: "HOU-001", from: "2024-03", to: "2024-03",
                                                                                        identifier: wanted), page: 1, per: 10)
            #expect(found.total >= 1 && found.grantID != nil)
            #expect(found.rows.contains { Self.text($0.values, "buyer_id_no") == MaskingRule.residentID.mask(wanted) })
            let sql = try #require(app.db as? any SQLDatabase)
            let audited = try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'query' AND query LIKE \(bind: "%identifier=\(wanted)%")").first()?
                .decode(column: "n", as: Int.self)
            #expect(audited == 1)
            // a part of an identifier finds nothing
            let partial = try await sharing.query(by: Self.analyst, SharingService.Search(indicator: "HOU-001", from: "2024-03", to: "2024-03",
                                                                                          identifier: String(wanted.prefix(10))), page: 1, per: 10)
            #expect(partial.total == 0)
            // the providing unit reads its own data in the clear, by identifier too
            let own = try await sharing.query(by: Self.housingReporter, SharingService.Search(indicator: "HOU-001", from: "2024-03", to: "2024-03",
                                                                                              identifier: wanted), page: 1, per: 10)
            #expect(own.total >= 1 && own.grantID == nil)
            #expect(own.rows.allSatisfy { Self.text($0.values, "buyer_id_no") == wanted || Self.text($0.values, "seller_id_no") == wanted },
                    "the identifier search finds the records that hold it, in the clear for the unit's own data")
            // a negative-list indicator is never granted, and the refusal gives the legal basis
            await #expect { try await sharing.request(by: Self.analyst, indicatorCode: "LRB-007", fields: ["unit_no"], from: "2024", to: "2024",
                                                      purpose: "比对", legalBasis: "税收征管法") } throws: {
                guard let e = $0 as? SharingError else { return false }
                return e.code == "withheld" && e.message.contains("测绘成果管理条例")
            }
        }
    }

    @Test("approval data: an approver decides; grants carry per-user daily limits, queries are cut short, downloads all or nothing")
    func approvalAndQuotas() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let sharing = app.gongzhi.sharing(on: app.db)
            _ = try await Self.file(app, "S10", "PSB-003", "2024Q1", as: "public-security")
            try await sharing.recordAgreement(unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "张局长",
                                              documentName: "协议.pdf", document: Data("%PDF".utf8), by: Self.admin)
            await #expect { try await sharing.request(by: Self.analyst, indicatorCode: "PSB-003", fields: ["house_address"], from: "2024Q1",
                                                      to: "2024Q4", purpose: "房屋出租税收比对", legalBasis: nil) } throws: {
                ($0 as? SharingError)?.code == "missing_legal_basis"
            }
            let (request, grant) = try await sharing.request(by: Self.analyst, indicatorCode: "PSB-003",
                                                             fields: ["landlord_name", "landlord_id_no", "house_address", "monthly_rent"],
                                                             from: "2024Q1", to: "2024Q4", purpose: "房屋出租税收比对",
                                                             legalBasis: "《税收征收管理法》第五条")
            #expect(request.state == "pending_approval" && grant == nil)
            let id = try request.requireID()
            await #expect { try await sharing.query(by: Self.analyst, SharingService.Search(indicator: "PSB-003", from: "2024Q1", to: "2024Q1"),
                                                    page: 1, per: 10) } throws: { ($0 as? SharingError)?.code == "no_grant" }
            // the requester cannot approve itself; a denial needs a reason
            let terms = Grant.Terms(clearFields: ["house_address", "monthly_rent"], maskedFields: ["landlord_name", "landlord_id_no"],
                                    expiresOn: CalendarDate(iso: "2027-06-30")!, limits: QuotaLimits(dailyQueryRows: 10, dailyDownloadRows: 5))
            await #expect { try await sharing.approve(request: id, terms: terms, note: nil, by: Self.analyst) } throws: {
                ($0 as? SharingError)?.code == "role_required"
            }
            await #expect { try await sharing.apply(.deny(reason: "  "), toRequest: id, by: Self.approver) } throws: {
                ($0 as? SharingError)?.code == "denial_reason_required"
            }
            let grantRecord = try await sharing.approve(request: id, terms: terms, note: "同意，限本年度使用", by: Self.approver)
            #expect(try await SharingRepository(database: app.db).request(id)?.state == "approved")

            let search = SharingService.Search(indicator: "PSB-003", from: "2024Q1", to: "2024Q1")
            let first = try await sharing.query(by: Self.analyst, search, page: 1, per: 8)
            #expect(first.rows.count == 8 && !first.cutShort && first.total == 223)
            let second = try await sharing.query(by: Self.analyst, search, page: 2, per: 8)
            #expect(second.rows.count == 2 && second.cutShort, "the daily limit of 10 rows cuts the second page short")
            await #expect { try await sharing.query(by: Self.analyst, search, page: 3, per: 8) } throws: {
                ($0 as? SharingError)?.code == "quota_exhausted"
            }
            await #expect { try await sharing.download(by: Self.analyst, search) } throws: {
                ($0 as? SharingError)?.code == "quota_exhausted" || ($0 as? SharingError)?.code == "download_too_large"
            }
            // another analyst of the same unit has their own daily rows
            let colleague = Principal(userID: "qian", unitCode: "local-tax", roles: [.analyst])
            #expect(try await sharing.query(by: colleague, search, page: 1, per: 5).rows.count == 5)
            // masked fields stay masked, ungranted ones are absent
            for row in first.rows {
                let id = Self.text(row.values, "landlord_id_no") ?? ""
                #expect(id.contains("*"), "landlord ID masked: \(id)")
                guard case .object(let members) = row.values else { continue }
                #expect(!members.contains { $0.0 == "tenant_id_no" })
            }
            // revocation ends it
            try await sharing.revoke(grant: try grantRecord.requireID(), reason: "用途已结束", by: Self.approver)
            await #expect { try await sharing.query(by: colleague, search, page: 1, per: 1) } throws: {
                ($0 as? SharingError)?.code == "grant_revoked"
            }

            // every act is in the audit log: who, what, which records
            let log = AuditLog(database: app.db)
            let all = try await log.entries(matching: AuditFilter(userID: "zhao.lei", action: .query), page: 1, per: 50).entries
            let queries = all.filter { $0.detail == nil }
            #expect(queries.count == 2, "the two answered queries")
            #expect(all.filter { $0.detail?.hasPrefix("refused=") == true }.map(\.detail) == ["refused=quota_exhausted", "refused=no_grant"],
                    "and the refused ones, newest first, with why")
            let shown = Set(first.rows.map { String($0.id) } + second.rows.map { String($0.id) })
            let logged = Set(queries.flatMap { $0.recordIDs ?? [] })
            #expect(logged == shown, "the log names exactly the records shown")
            #expect(try await log.entries(matching: AuditFilter(action: .grantChange), page: 1, per: 10).total == 2, "issued and revoked")
            #expect(try await log.entries(matching: AuditFilter(action: .approval), page: 1, per: 10).total == 1)
            #expect(try await log.entries(matching: AuditFilter(action: .securityAgreement), page: 1, per: 10).total == 1)
            #expect(try await log.entries(matching: AuditFilter(action: .accessRequest), page: 1, per: 10).total == 2, "the refused request and the filed one")
            if case .intact = try await log.verify().result {} else { Issue.record("the chain verifies") }
        }
    }

    @Test("consumers see only the current submission of each task")
    func currentSubmissionsOnly() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let sharing = app.gongzhi.sharing(on: app.db)
            _ = try await Self.file(app, "S01", "HOU-001", "2024-03", as: "housing")
            let search = SharingService.Search(indicator: "HOU-001", from: "2024-03", to: "2024-03")
            #expect(try await sharing.query(by: Self.housingReporter, search, page: 1, per: 1).total == 165)
            // The February file as a correction of March: the clerk confirms the period it was warned about.
            _ = try await Self.file(app, "S02", "HOU-001", "2024-03", as: "housing", confirmPeriod: true)
            #expect(try await sharing.query(by: Self.housingReporter, search, page: 1, per: 1).total == 84,
                    "the correction replaces the 165 rows of S01 for consumers")
            #expect(try await SubmissionRepository(database: app.db).counts().records == 165 + 84, "nothing was deleted")
            let usage = try await sharing.query(by: Self.housingReporter,
                                                SharingService.Search(indicator: "HOU-001", from: "2024-03", to: "2024-03",
                                                                      fieldEquals: [("transfer_type", "买卖")]), page: 1, per: 200)
            #expect(usage.total > 0 && usage.total < 84 && usage.rows.allSatisfy { Self.text($0.values, "transfer_type") == "买卖" })
            await #expect { try await sharing.query(by: Self.housingReporter,
                                                    SharingService.Search(indicator: "HOU-001", from: "2024-03", to: "2024-03",
                                                                          fieldEquals: [("price", "1")]), page: 1, per: 1) } throws: {
                ($0 as? SharingError)?.code == "bad_filter"
            }
        }
    }

    @Test("data not in the catalog: the providing unit's head confirms the sharing mode first")
    func uncatalogued() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let sharing = app.gongzhi.sharing(on: app.db)
            try await sharing.recordAgreement(unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "张局长",
                                              documentName: "协议.pdf", document: Data("%PDF".utf8), by: Self.admin)
            let (request, grant) = try await sharing.request(by: Self.analyst, indicatorCode: nil, providingUnit: "housing",
                                                             description: "公共租赁住房承租人名单", fields: ["承租人姓名", "证件号码"],
                                                             from: "2024", to: "2024", purpose: "比对", legalBasis: "《税收征收管理法》第五条")
            #expect(request.state == "awaiting_provider_confirmation" && grant == nil)
            let id = try request.requireID()
            await #expect { try await sharing.apply(.confirmSharingMode(.approval, legalBasis: "《个人信息保护法》"), toRequest: id, by: Self.housingReporter) } throws: {
                ($0 as? SharingError)?.code == "role_required"
            }
            let head = Principal(userID: "zhang.head", unitCode: "housing", roles: [.unitHead])
            let confirmed = try await sharing.apply(.confirmSharingMode(.approval, legalBasis: "《个人信息保护法》第十三条"), toRequest: id, by: head)
            #expect(confirmed.state == "pending_approval" && confirmed.mode == "approval")
            let denied = try await sharing.apply(.deny(reason: "请先将该数据纳入目录"), toRequest: id, by: Self.approver)
            #expect(denied.state == "denied")
            #expect(denied.request?.history.map(\.event) == ["submit", "confirm_sharing_mode", "deny"])
        }
    }
}

