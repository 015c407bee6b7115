import Testing
import GongzhiCore

@Suite("Grant and quota")
struct GrantQuotaTests {
    typealias F = AccessFixtures

    @Test("a grant takes the request's unit, indicator and periods, fields in the indicator's order")
    func issue() throws {
        // when
        let grant = try F.approvedGrant(clear: ["division_code", "gender"], masked: ["id_no", "name"])
        // then
        #expect(grant.granteeUnit == "tax")
        #expect(grant.providingUnit == "public-security")
        #expect(grant.indicatorCode == "PSB-001")
        #expect(grant.clearFields == ["gender", "division_code"])
        #expect(grant.maskedFields == ["name", "id_no"])
        #expect(grant.access(to: "gender") == .clear)
        #expect(grant.access(to: "name") == .masked)
        #expect(grant.access(to: "phone") == nil)
        #expect(grant.validFrom == F.day("2026-11-02"))
        #expect(grant.issuedBy == "office-approver")
    }

    @Test("grants are refused for undecided requests and out-of-request fields")
    func issueChecks() throws {
        var request = try F.draft(F.residents, fields: ["name", "gender"])
        try request.apply(.submit, by: F.analyst, at: F.now)
        func issue(_ clear: [String], _ masked: [String], expires: String = "2026-12-31",
                   limits: QuotaLimits = F.limits, indicator: Indicator = F.residents) throws -> Grant {
            try Grant(request: request, indicator: indicator,
                      terms: .init(clearFields: clear, maskedFields: masked, expiresOn: F.day(expires), limits: limits),
                      by: F.approver, at: F.now)
        }
        #expect(throws: GrantError.requestNotGranted(state: .pendingApproval)) { try issue(["gender"], []) }
        try request.apply(.approve(note: nil), by: F.approver, at: F.now)
        #expect(throws: GrantError.fieldsNotRequested(["id_no"])) { try issue(["gender"], ["id_no"]) }
        #expect(throws: GrantError.fieldsInBothLists(["name"])) { try issue(["name"], ["name"]) }
        #expect(throws: GrantError.noFields) { try issue([], []) }
        #expect(throws: GrantError.expiryBeforeIssue(expiresOn: F.day("2026-11-01"))) { try issue(["gender"], [], expires: "2026-11-01") }
        #expect(throws: GrantError.invalidLimit) { try issue(["gender"], [], limits: .init(dailyQueryRows: -1, dailyDownloadRows: 0)) }
        #expect(throws: GrantError.indicatorMismatch(expected: "PSB-001", given: "HOU-003")) { try issue(["rooms"], [], indicator: F.leases) }
        // only an approver issues an approved request's grant
        #expect(throws: GrantError.issuerNotAllowed(roles: [.approver])) {
            try Grant(request: request, indicator: F.residents,
                      terms: .init(clearFields: ["gender"], maskedFields: [], expiresOn: F.day("2026-12-31"), limits: F.limits),
                      by: F.admin, at: F.now)
        }
        // expiring on the day of issue is allowed
        #expect(try issue(["gender"], ["name"], expires: "2026-11-02").expiresOn == F.day("2026-11-02"))
    }

    @Test("a 报备式 grant is issued for the requesting unit's analyst or by an admin")
    func registeredIssuer() throws {
        var request = try F.draft(F.leases, legalBasis: nil)
        try request.apply(.submit, by: F.analyst, at: F.now)
        let terms = Grant.Terms.proposed(for: F.leases, fields: request.fields, from: F.now.date, days: 90, limits: F.limits)
        #expect(try Grant(request: request, indicator: F.leases, terms: terms, by: F.analyst, at: F.now).issuedBy == "tax-analyst")
        #expect(try Grant(request: request, indicator: F.leases, terms: terms, by: F.admin, at: F.now).granteeUnit == "tax")
        #expect(throws: GrantError.issuerNotAllowed(roles: [.analyst, .admin])) {
            try Grant(request: request, indicator: F.leases, terms: terms, by: F.otherAnalyst, at: F.now)
        }
    }

    @Test("a 报备式 grant issued at once shows no personal field in the clear: that takes an approver")
    func registeredGrantMasksPersonalFields() throws {
        var request = try F.draft(F.leases, legalBasis: nil)
        try request.apply(.submit, by: F.analyst, at: F.now)
        let proposed = Grant.Terms.proposed(for: F.leases, fields: request.fields, from: F.now.date, days: 90, limits: F.limits)
        #expect(proposed.maskedFields.contains("lessor_id_no") && proposed.maskedFields.contains("lessor_org_id"))
        var clearID = proposed
        clearID.clearFields.append("lessor_id_no")
        clearID.maskedFields.removeAll { $0 == "lessor_id_no" }
        #expect(throws: GrantError.clearPersonalFieldsNeedApproval(["lessor_id_no"])) {
            try Grant(request: request, indicator: F.leases, terms: clearID, by: F.admin, at: F.now)
        }
        #expect(GrantError.clearPersonalFieldsNeedApproval(["lessor_id_no"]).message.contains("申请明文身份标识"))
    }

    @Test("validity: active from the issue day through the expiry day, inclusive", arguments: [
        ("2026-11-01", Grant.Status.notYetValid(from: AccessFixtures.day("2026-11-02"))),
        ("2026-11-02", .active), ("2026-12-31", .active),
        ("2027-01-01", .expired(on: AccessFixtures.day("2026-12-31"))),
    ])
    func validity(day: String, expected: Grant.Status) throws {
        let grant = try F.approvedGrant()
        #expect(grant.status(on: F.day(day)) == expected)
    }

    @Test("revocation: approver or admin with a reason; wins over expiry; once")
    func revoke() throws {
        var grant = try F.approvedGrant()
        #expect(throws: GrantError.roleRequired(roles: [.approver, .admin])) {
            try grant.revoke(by: F.analyst, at: F.now, reason: "x")
        }
        #expect(throws: GrantError.revocationReasonRequired) { try grant.revoke(by: F.admin, at: F.now, reason: " ") }
        try grant.revoke(by: F.admin, at: F.at("2026-11-10"), reason: "违规下载")
        #expect(grant.status(on: F.day("2026-11-20")) == .revoked(reason: "违规下载"))
        #expect(grant.status(on: F.day("2027-06-01")) == .revoked(reason: "违规下载"))
        #expect(throws: GrantError.revoked(reason: "违规下载")) { try grant.requireActive(on: F.day("2026-11-20")) }
        #expect(throws: GrantError.alreadyRevoked(on: F.day("2026-11-10"))) {
            try grant.revoke(by: F.approver, at: F.now, reason: "again")
        }
    }

    @Test("a grant covers the periods inside its range, by days")
    func covers() throws {
        let grant = try F.approvedGrant()  // 2026-01 ... 2026-06
        #expect(grant.covers(ReportingPeriod("2026-01")!))
        #expect(grant.covers(ReportingPeriod("2026-06")!))
        #expect(grant.covers(ReportingPeriod("2026Q2")!))
        #expect(!grant.covers(ReportingPeriod("2026-07")!))
        #expect(!grant.covers(ReportingPeriod("2025-12")!))
        #expect(!grant.covers(ReportingPeriod("2026")!))
    }

    @Test("proposed terms mask personal fields and keep the rest clear")
    func proposedTerms() {
        let terms = Grant.Terms.proposed(for: F.residents, fields: F.residents.fields.map(\.key), from: F.day("2026-11-02"),
                                         days: 365, limits: F.limits)
        #expect(terms.maskedFields == ["name", "id_no", "household_address", "phone"])
        #expect(terms.clearFields == ["gender", "registered_date", "division_code"])
        #expect(terms.expiresOn == F.day("2027-11-01"))
        let lease = Grant.Terms.proposed(for: F.leases, fields: ["lessor_name", "lessor_org_id", "house_address", "monthly_rent"],
                                         from: F.day("2026-11-02"), days: 1, limits: F.limits)
        #expect(lease.maskedFields == ["lessor_name", "lessor_org_id"])
        #expect(lease.clearFields == ["house_address", "monthly_rent"])
        #expect(lease.expiresOn == F.day("2026-11-02"))
    }

    // MARK: quota

    static let today = AccessFixtures.day("2026-11-02")

    @Test("query quota: cut to what is left; exhausted names the limit", arguments: [
        (0, 10, 10), (990, 10, 10), (990, 50, 10), (0, 1000, 1000), (0, 5000, 1000), (500, 0, 0),
    ])
    func queryAllowance(used: Int, requested: Int, allowed: Int) throws {
        let usage = QuotaUsage(day: Self.today, queriedRows: used)
        #expect(try Quota.allowance(.query, requested: requested, limits: F.limits, usage: usage, on: Self.today) == allowed)
    }

    @Test("query quota exhausted")
    func queryExhausted() {
        let usage = QuotaUsage(day: Self.today, queriedRows: 1000)
        #expect(throws: QuotaError.exhausted(.query, limit: 1000)) {
            try Quota.allowance(.query, requested: 1, limits: F.limits, usage: usage, on: Self.today)
        }
        let over = QuotaUsage(day: Self.today, queriedRows: 1200)
        #expect(throws: QuotaError.exhausted(.query, limit: 1000)) {
            try Quota.allowance(.query, requested: 1, limits: F.limits, usage: over, on: Self.today)
        }
        #expect(QuotaError.exhausted(.query, limit: 1000).message.contains("1000"))
        #expect(QuotaError.exhausted(.query, limit: 1000).message.contains("查询"))
    }

    @Test("download quota is all or nothing")
    func downloadAllOrNothing() throws {
        let usage = QuotaUsage(day: Self.today, downloadedRows: 150)
        #expect(try Quota.allowance(.download, requested: 50, limits: F.limits, usage: usage, on: Self.today) == 50)
        #expect(throws: QuotaError.downloadTooLarge(requested: 51, remaining: 50, limit: 200)) {
            try Quota.allowance(.download, requested: 51, limits: F.limits, usage: usage, on: Self.today)
        }
        let spent = QuotaUsage(day: Self.today, downloadedRows: 200)
        #expect(throws: QuotaError.exhausted(.download, limit: 200)) {
            try Quota.allowance(.download, requested: 1, limits: F.limits, usage: spent, on: Self.today)
        }
        #expect(QuotaError.downloadTooLarge(requested: 51, remaining: 50, limit: 200).message.contains("200"))
    }

    @Test("a new day starts afresh; counts are kept per kind")
    func dayRollover() throws {
        let yesterday = QuotaUsage(day: F.day("2026-11-01"), queriedRows: 1000, downloadedRows: 200)
        #expect(try Quota.allowance(.query, requested: 1000, limits: F.limits, usage: yesterday, on: Self.today) == 1000)
        #expect(try Quota.allowance(.download, requested: 200, limits: F.limits, usage: yesterday, on: Self.today) == 200)
        let next = yesterday.adding(30, .query, on: Self.today).adding(5, .download, on: Self.today).adding(10, .query, on: Self.today)
        #expect(next == QuotaUsage(day: Self.today, queriedRows: 40, downloadedRows: 5))
    }

    @Test("zero limit refuses; negative counts are invalid; zero requested is free")
    func edgeCounts() throws {
        let none = QuotaLimits(dailyQueryRows: 0, dailyDownloadRows: 0)
        let usage = QuotaUsage(day: Self.today)
        #expect(throws: QuotaError.exhausted(.download, limit: 0)) {
            try Quota.allowance(.download, requested: 1, limits: none, usage: usage, on: Self.today)
        }
        #expect(throws: QuotaError.invalidCount(-1)) {
            try Quota.allowance(.query, requested: -1, limits: F.limits, usage: usage, on: Self.today)
        }
        #expect(try Quota.allowance(.query, requested: 0, limits: none, usage: usage, on: Self.today) == 0)
    }
}
