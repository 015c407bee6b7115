import Testing
import GongzhiCore

@Suite("Access policy")
struct AccessPolicyTests {
    typealias F = AccessFixtures

    static let today = AccessFixtures.day("2026-11-20")
    static func context(agreement: SecurityAgreement? = AccessFixtures.agreement, grants: [Grant] = []) -> AccessContext {
        AccessContext(today: today, agreement: agreement, grants: grants)
    }

    @Test("every action has a rule")
    func complete() {
        for action in AccessAction.allCases { #expect(!(AccessPolicy.rules[action] ?? []).isEmpty, "\(action)") }
    }

    /// (principal, action, resource unit, allowed) without grants or agreements in play.
    @Test("role and unit matrix", arguments: [
        // reporter: own unit only
        (AccessFixtures.policeReporter, AccessAction.submit, "public-security", true),
        (AccessFixtures.policeReporter, .submit, "housing", false),
        (AccessFixtures.policeReporter, .viewSubmissions, "public-security", true),
        (AccessFixtures.policeReporter, .viewSubmissions, "housing", false),
        (AccessFixtures.policeReporter, .proxySubmit, "housing", false),
        (AccessFixtures.policeReporter, .query, "public-security", true),
        (AccessFixtures.policeReporter, .readAudit, "public-security", false),
        // unit head: own unit; confirms sharing modes for it
        (AccessFixtures.policeHead, .viewScore, "public-security", true),
        (AccessFixtures.policeHead, .viewScore, "housing", false),
        (AccessFixtures.policeHead, .confirmSharingMode, "public-security", true),
        (AccessFixtures.policeHead, .confirmSharingMode, "housing", false),
        (AccessFixtures.policeHead, .submit, "public-security", false),
        // admin: everything operational, not other units' records, not the audit log
        (AccessFixtures.admin, .proxySubmit, "housing", true),
        (AccessFixtures.admin, .manageCatalog, "info-center", true),
        (AccessFixtures.admin, .manageUnits, "housing", true),
        (AccessFixtures.admin, .recordAgreement, "tax", true),
        (AccessFixtures.admin, .viewSubmissions, "housing", true),
        (AccessFixtures.admin, .viewScore, "housing", true),
        (AccessFixtures.admin, .revokeGrant, "tax", true),
        (AccessFixtures.admin, .readLineage, "housing", true),
        (AccessFixtures.admin, .query, "housing", false),
        (AccessFixtures.admin, .readAudit, "info-center", false),
        (AccessFixtures.admin, .decideRequest, "tax", false),
        // approver: decides other units' requests, revokes
        (AccessFixtures.approver, .decideRequest, "tax", true),
        (AccessFixtures.approver, .decideRequest, "city-office", false),
        (AccessFixtures.approver, .revokeGrant, "tax", true),
        (AccessFixtures.approver, .query, "housing", false),
        (AccessFixtures.approver, .manageCatalog, "info-center", false),
        // auditor: audit log and lineage only
        (AccessFixtures.auditor, .readAudit, "info-center", true),
        (AccessFixtures.auditor, .verifyAudit, "info-center", true),
        (AccessFixtures.auditor, .readLineage, "housing", true),
        (AccessFixtures.auditor, .query, "housing", false),
        (AccessFixtures.auditor, .viewSubmissions, "housing", false),
        // analyst: own unit's records; requests other units' data (agreement in force)
        (AccessFixtures.analyst, .query, "tax", true),
        (AccessFixtures.analyst, .requestAccess, "housing", true),
        (AccessFixtures.analyst, .requestAccess, "tax", false),
        (AccessFixtures.analyst, .submit, "tax", false),
        (AccessFixtures.analyst, .readAudit, "tax", false),
    ])
    func matrix(principal: Principal, action: AccessAction, unit: String, allowed: Bool) {
        let decision = AccessPolicy.decide(principal, action, on: AccessResource(unitCode: unit), context: Self.context())
        #expect(decision.isAllowed == allowed, "\(principal.userID) \(action.rawValue) \(unit)")
    }

    @Test("denials say what is missing")
    func denialReasons() {
        let ctx = Self.context()
        #expect(AccessPolicy.decide(F.auditor, .submit, on: .init(unitCode: "housing"), context: ctx)
                == .denied(.roleRequired(.submit, roles: [.reporter])))
        #expect(AccessPolicy.decide(F.policeReporter, .submit, on: .init(unitCode: "housing"), context: ctx)
                == .denied(.ownUnitOnly(.submit, unit: "housing")))
        #expect(AccessPolicy.decide(F.analyst, .requestAccess, on: .init(unitCode: "tax"), context: ctx)
                == .denied(.otherUnitOnly(.requestAccess)))
        #expect(AccessPolicy.decide(F.analyst, .requestAccess, on: .init(unitCode: "housing"), context: Self.context(agreement: nil))
                == .denied(.noSecurityAgreement(unit: "tax")))
        #expect(AccessPolicy.decide(F.admin, .query, on: .init(unitCode: "housing", indicatorCode: "HOU-003"), context: ctx)
                == .denied(.roleRequired(.query, roles: [.reporter, .unitHead, .analyst])))
        // a grant-less analyst gets the furthest step missing, not "own unit only"
        #expect(AccessPolicy.decide(F.analyst, .query, on: .init(unitCode: "housing", indicatorCode: "HOU-003"), context: ctx)
                == .denied(.noGrant(indicator: "HOU-003")))
        #expect(AccessDenial.noSecurityAgreement(unit: "tax").message.contains("第十三条"))
    }

    @Test("another unit's records need an agreement and an active grant covering indicator and period")
    func grantedReads() throws {
        // given an approved grant on PSB-001 for 2026-01...2026-06, valid through 2026-12-31
        let grant = try F.approvedGrant()
        let march = AccessResource(unitCode: "public-security", indicatorCode: "PSB-001", period: ReportingPeriod("2026-03")!)
        // then
        for action in [AccessAction.query, .viewRecord, .download, .export] {
            #expect(AccessPolicy.decide(F.analyst, action, on: march, context: Self.context(grants: [grant])) == .allowed(grant: grant))
        }
        #expect(AccessPolicy.decide(F.analyst, .query, on: march, context: Self.context())
                == .denied(.noGrant(indicator: "PSB-001")))
        #expect(AccessPolicy.decide(F.analyst, .query, on: march, context: Self.context(agreement: nil, grants: [grant]))
                == .denied(.noSecurityAgreement(unit: "tax")))
        let september = AccessResource(unitCode: "public-security", indicatorCode: "PSB-001", period: ReportingPeriod("2026-09")!)
        #expect(AccessPolicy.decide(F.analyst, .query, on: september, context: Self.context(grants: [grant]))
                == .denied(.periodNotGranted(indicator: "PSB-001", period: "2026-09")))
        let noIndicator = AccessResource(unitCode: "public-security")
        #expect(AccessPolicy.decide(F.analyst, .query, on: noIndicator, context: Self.context(grants: [grant]))
                == .denied(.noGrant(indicator: nil)))
        // another unit's analyst cannot use the tax bureau's grant
        let land = AccessContext(today: Self.today,
                                 agreement: SecurityAgreement(unitCode: "land-resources", signedOn: F.day("2026-01-01"), signatory: "赵某", document: "d"),
                                 grants: [grant])
        #expect(AccessPolicy.decide(F.otherAnalyst, .query, on: march, context: land) == .denied(.noGrant(indicator: "PSB-001")))
        // a grant of another indicator of the same unit does not help
        let otherIndicator = AccessResource(unitCode: "public-security", indicatorCode: "PSB-003")
        #expect(AccessPolicy.decide(F.analyst, .query, on: otherIndicator, context: Self.context(grants: [grant]))
                == .denied(.noGrant(indicator: "PSB-003")))
    }

    @Test("expired and revoked grants do not allow reads; an active one among them does")
    func inactiveGrants() throws {
        let expired = try F.approvedGrant(expiresOn: "2026-11-10")
        var revoked = try F.approvedGrant()
        try revoked.revoke(by: F.approver, at: F.at("2026-11-05"), reason: "超范围使用")
        let resource = AccessResource(unitCode: "public-security", indicatorCode: "PSB-001", period: ReportingPeriod("2026-02")!)
        #expect(AccessPolicy.decide(F.analyst, .download, on: resource, context: Self.context(grants: [expired]))
                == .denied(.grantInactive(.expired(on: F.day("2026-11-10")))))
        #expect(AccessPolicy.decide(F.analyst, .download, on: resource, context: Self.context(grants: [revoked]))
                == .denied(.grantInactive(.revoked(reason: "超范围使用"))))
        let active = try F.approvedGrant(clear: ["gender"], masked: ["name"])
        #expect(AccessPolicy.decide(F.analyst, .download, on: resource, context: Self.context(grants: [expired, revoked, active]))
                == .allowed(grant: active))
        #expect(throws: AccessDenial.grantInactive(.expired(on: F.day("2026-11-10")))) {
            try AccessPolicy.authorize(F.analyst, .query, on: resource, context: Self.context(grants: [expired]))
        }
    }

    @Test("a unit reads its own records without a grant, withheld indicators included")
    func ownRecords() throws {
        let own = AccessResource(unitCode: "court", indicatorCode: "CRT-009", period: ReportingPeriod("2026-01")!)
        let clerk = Principal(userID: "court-reporter", unitCode: "court", roles: [.reporter])
        #expect(try AccessPolicy.authorize(clerk, .query, on: own, context: AccessContext(today: Self.today)) == nil)
        // nobody else can: a withheld indicator never has a grant
        #expect(!AccessPolicy.decide(F.analyst, .query, on: own, context: Self.context()).isAllowed)
    }
}
