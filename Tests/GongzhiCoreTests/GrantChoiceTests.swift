import Testing
import GongzhiCore

/// Issue 9: among several usable grants the one used is chosen by a rule, not by storage order — the broadest
/// fields (then more in the clear), then the latest expiry, then the newest.
@Suite("Grant choice")
struct GrantChoiceTests {
    typealias F = AccessFixtures

    static func grant(clear: [String], masked: [String] = [], from: String = "2026-01", to: String = "2026-06",
                      expires: String = "2026-12-31", issued: String = "2026-11-01", revoked: Bool = false) -> Grant {
        Grant(restoringGranteeUnit: "tax", providingUnit: "public-security", indicatorCode: "PSB-001", clearFields: clear,
              maskedFields: masked, periodFrom: ReportingPeriod(from)!, periodTo: ReportingPeriod(to)!,
              validFrom: F.day("2026-10-01"), expiresOn: F.day(expires), limits: F.limits, issuedBy: "office-approver",
              issuedAt: F.at(issued),
              revocation: revoked ? .init(by: "office-approver", at: F.at("2026-11-01"), reason: "停用") : nil)
    }

    /// (label, grants in storage order, index of the one expected)
    static let cases: [(String, [Grant], Int)] = [
        ("more fields beat fewer, whatever the order",
         [grant(clear: ["gender"]), grant(clear: ["gender"], masked: ["name", "id_no"])], 1),
        ("with as many fields, more in the clear",
         [grant(clear: ["gender"], masked: ["name"]), grant(clear: ["gender", "name"])], 1),
        ("with the same fields, the later expiry",
         [grant(clear: ["gender"], expires: "2027-06-30"), grant(clear: ["gender"], expires: "2026-12-31", issued: "2026-11-02")], 0),
        ("with the same fields and expiry, the newest",
         [grant(clear: ["gender"], issued: "2026-10-20"), grant(clear: ["gender"], issued: "2026-11-01"), grant(clear: ["gender"], issued: "2026-10-25")], 1),
        ("a broad revoked grant is passed over",
         [grant(clear: ["gender", "name", "id_no"], revoked: true), grant(clear: ["gender"])], 1),
        ("a broad grant that does not cover the period is passed over",
         [grant(clear: ["gender", "name", "id_no"], from: "2025-01", to: "2025-12"), grant(clear: ["gender"])], 1),
        ("truly equal grants: the first in storage order",
         [grant(clear: ["gender"]), grant(clear: ["gender"])], 0),
    ]

    @Test("the rule picks the same grant whatever order storage returns them in", arguments: 0..<cases.count)
    func choice(_ index: Int) {
        let (label, grants, expected) = Self.cases[index]
        let period = [ReportingPeriod("2026-03")!]
        // when / then: in the given order …
        #expect(Grant.preferred(among: grants, on: F.day("2026-11-02"), covering: period) == grants[expected], "\(label)")
        // … and reversed (equal grants are equal values, so either is the same answer)
        #expect(Grant.preferred(among: grants.reversed(), on: F.day("2026-11-02"), covering: period) == grants[expected], "\(label), reversed")
    }

    @Test("the access policy answers with the preferred grant")
    func policy() throws {
        let narrow = Self.grant(clear: ["gender"], expires: "2027-06-30", issued: "2026-11-02")
        let broad = Self.grant(clear: ["gender", "division_code"], masked: ["name"])
        for grants in [[narrow, broad], [broad, narrow]] {
            let context = AccessContext(today: F.day("2026-11-02"), agreement: F.agreement, grants: grants)
            let chosen = try AccessPolicy.authorize(F.analyst, .query, on: AccessResource(unitCode: "public-security", indicatorCode: "PSB-001",
                                                                                         period: ReportingPeriod("2026-03")!), context: context)
            #expect(chosen == broad)
        }
    }
}
