import Foundation
import GongzhiCore
import Testing

@Suite("Matching rules as data (issue 12 §1)")
struct MatchRuleTests {
    /// A catalog with just what the rule tests need.
    static let catalog = Catalog(
        catalog: .init(version: "t", effective: "2017-09-01"), units: [],
        indicators: [
            Indicator(code: "L-1", unit: "u", name: "左", period: .monthly, subject: "person", sharing: .registered, fields: [
                Field(key: "id_no", label: "证件号码", type: .personID, identifies: true),
                Field(key: "kind", label: "类型", type: .enum, values: ["买卖", "赠与"]),
                Field(key: "day", label: "日期", type: .date),
                Field(key: "price", label: "价格", type: .decimal),
                Field(key: "vin", label: "VIN", type: .text),
            ]),
            Indicator(code: "R-1", unit: "u", name: "右", period: .monthly, subject: "person", sharing: .registered, fields: [
                Field(key: "payer_id", label: "纳税人", type: .personID, identifies: true),
                Field(key: "paid", label: "完税日期", type: .date),
                Field(key: "amount", label: "金额", type: .decimal),
            ]),
        ])

    static let valid = MatchRule(
        code: "test-rule", version: 1, name: "测试", source: "test",
        left: .init(indicator: "L-1", filters: [.init("kind", ["买卖"])], keys: [.init("id_no", .person)], dateField: "day"),
        right: [.init(indicator: "R-1", keys: [.init("payer_id", .person)], dateField: "paid", amountField: "amount")],
        window: .init(from: 0, to: 90),
        underpayment: .init(leftBaseField: "price", tolerance: Decimal(string: "0.05")!),
        estimate: .init(taxKind: .deedTax, baseField: "price", rate: Decimal(string: "0.03")!))

    @Test("a well-formed rule has no problem and survives its JSON form")
    func validRule() throws {
        #expect(Self.valid.problems(in: Self.catalog).isEmpty)
        let text = try Self.valid.jsonText()
        #expect(try MatchRule(jsonText: text) == Self.valid)
    }

    /// ``valid`` changed so that it has `problem`.
    static func rule(with problem: MatchRuleError) -> MatchRule {
        var r = valid
        switch problem {
        case .badCode: r.code = "Deed Tax"
        case .badVersion: r.version = 0
        case .unknownIndicator: r.left.indicator = "X-9"
        case .unknownField: r.left.dateField = "when"
        case .wrongFieldType(_, let field, _) where field == "price": r.left.dateField = "price"
        case .wrongFieldType: r.left.keys = [.init("kind", .person)]
        case .valueNotAllowed: r.left.filters = [.init("kind", ["出租"])]
        case .keysNeverMeet: r.left.keys = [.init("vin", .vehicle)]
        case .noRightSide: r.right = []
        case .badWindow: r.window = .init(from: 10, to: 0)
        case .badTolerance: r.underpayment?.tolerance = 1
        case .noRightAmount: r.right[0].amountField = nil
        case .badEstimate: r.estimate.rate = 0
        case .noKeys: r.left.keys = []
        }
        return r
    }

    @Test("each way of being wrong is reported with a Chinese message",
          arguments: [
            MatchRuleError.badCode("Deed Tax"), .badVersion(0), .unknownIndicator("X-9"),
            .unknownField(indicator: "L-1", field: "when"),
            .wrongFieldType(indicator: "L-1", field: "price", expected: "日期（date）"),
            .wrongFieldType(indicator: "L-1", field: "kind", expected: "公民身份号码（person_id）"),
            .valueNotAllowed(indicator: "L-1", field: "kind", value: "出租"),
            .keysNeverMeet(left: "L-1", right: "R-1"), .noRightSide, .badWindow(from: 10, to: 0), .badTolerance(1),
            .noRightAmount, .badEstimate("税率 0 应在 0 至 1 之间（0.03 表示 3%）"), .noKeys(indicator: "L-1"),
          ])
    func problems(_ expected: MatchRuleError) {
        // given
        let rule = Self.rule(with: expected)
        // when
        let problems = rule.problems(in: Self.catalog)
        // then
        #expect(problems.contains(expected), "\(problems)")
        #expect(!expected.message.isEmpty)
        #expect(throws: MatchRuleError.self) { _ = try rule.validated(in: Self.catalog) }
    }

    @Test("the window counts days relative to the left date, both ends inclusive")
    func window() {
        let ninety = MatchRule.DayWindow(from: 0, to: 90)
        #expect(ninety.contains(0) && ninety.contains(90))
        #expect(!ninety.contains(91) && !ninety.contains(-1))
        let onOrBefore = MatchRule.DayWindow(from: nil, to: 0)
        #expect(onOrBefore.contains(-4000) && !onOrBefore.contains(1))
        #expect(onOrBefore.chineseDescription == "不晚于左侧日期当日")
        #expect(ninety.chineseDescription == "左侧日期当日至左侧日期后 90 天之间")
        #expect(MatchRule.DayWindow(from: -365, to: 0).chineseDescription == "左侧日期前 365 天至左侧日期当日之间")
    }

    @Test("the estimate is base × multiplier × rate, rounded to the fen")
    func estimate() {
        let deed = ShippedMatchRules.deedTax.estimate
        #expect(deed.tax(onBase: 1_234_567) == Decimal(string: "37037.01")!)
        let builder = ShippedMatchRules.outOfTownBuilder.estimate
        #expect(builder.tax(onBase: Decimal(string: "350.5")!) == 70_100)
    }

    @Test("rule states: draft → trial → active → retired")
    func states() throws {
        #expect(try MatchRuleState.draft.applying(.startTrial) == .trial)
        #expect(try MatchRuleState.trial.applying(.activate) == .active)
        #expect(try MatchRuleState.trial.applying(.revise) == .draft)
        #expect(try MatchRuleState.active.applying(.retire) == .retired)
        #expect(throws: MatchRuleTransitionError(from: .draft, event: .activate)) { try MatchRuleState.draft.applying(.activate) }
        #expect(throws: MatchRuleTransitionError(from: .retired, event: .startTrial)) { try MatchRuleState.retired.applying(.startTrial) }
        #expect(MatchRuleTransitionError(from: .draft, event: .activate).message.contains("试跑"))
        #expect(MatchRuleState.trial.runs && !MatchRuleState.trial.sendsLeads)
        #expect(MatchRuleState.active.sendsLeads && !MatchRuleState.retired.runs && !MatchRuleState.draft.runs)
    }

    @Test("shipped rules have distinct codes and are version 1")
    func shipped() {
        let codes = ShippedMatchRules.all.map(\.code)
        #expect(codes == ["deed-tax", "property-registration-deed-tax", "vehicle-purchase-tax",
                          "deregistration-clearance", "out-of-town-builder", "rental-income"])
        #expect(ShippedMatchRules.all.allSatisfy { $0.version == 1 })
        #expect(ShippedMatchRules.rule(code: "deed-tax") == ShippedMatchRules.deedTax)
    }
}

@Suite("Lead workflow (issue 12 §4)")
struct TaxLeadWorkTests {
    @Test("assigned, investigating, confirmed with tax recovered by kind")
    func confirm() throws {
        // given
        let lead = TaxLeadWork()
        // when
        let done = try lead.applying(.assign(to: "officer1")).applying(.startInvestigation)
            .applying(.confirm(recovered: [.deedTax: 30_000, .stampDuty: 150]))
        // then
        #expect(done.state == .confirmed)
        #expect(done.assignee == "officer1")
        #expect(done.totalRecovered == 30_150)
        #expect(done.countsAsAdopted)
        #expect(throws: TaxLeadWorkError.closed(.confirmed)) { try done.applying(.dismiss(.duplicate, note: nil)) }
    }

    @Test("steps out of order are refused with a message")
    func order() throws {
        #expect(throws: TaxLeadWorkError.notAllowed(from: .open, action: "确认")) {
            try TaxLeadWork().applying(.confirm(recovered: [.deedTax: 1]))
        }
        #expect(throws: TaxLeadWorkError.notAllowed(from: .open, action: "开始核查")) { try TaxLeadWork().applying(.startInvestigation) }
        let investigating = try TaxLeadWork().applying(.assign(to: "a")).applying(.startInvestigation)
        #expect(throws: TaxLeadWorkError.noRecoveredTax) { try investigating.applying(.confirm(recovered: [:])) }
        #expect(throws: TaxLeadWorkError.negativeAmount(.deedTax)) { try investigating.applying(.confirm(recovered: [.deedTax: -1])) }
        #expect(throws: TaxLeadWorkError.noAssignee) { try TaxLeadWork().applying(.assign(to: "")) }
        // reassigning goes back to assigned
        #expect(try investigating.applying(.assign(to: "b")).state == .assigned)
    }

    @Test("dismissed with a reason from the fixed list; other needs a note", arguments: DismissalReason.allCases)
    func dismiss(_ reason: DismissalReason) throws {
        let dismissed = try TaxLeadWork().applying(.dismiss(reason, note: "说明"))
        #expect(dismissed.state == .dismissed)
        #expect(dismissed.dismissal == reason)
        #expect(dismissed.filesObjection == (reason == .sourceDataError))
        #expect(!dismissed.countsAsAdopted)
        if reason == .other {
            #expect(throws: TaxLeadWorkError.otherNeedsNote) { try TaxLeadWork().applying(.dismiss(.other, note: "  ")) }
        }
    }

    @Test("a name-and-division lead counts only after a person verifies the match")
    func nameDivision() throws {
        let lead = try TaxLeadWork(confidence: .nameDivision).applying(.assign(to: "a")).applying(.startInvestigation)
        #expect(throws: TaxLeadWorkError.nameMatchNotVerified) { try lead.applying(.confirm(recovered: [.deedTax: 10])) }
        let verified = try lead.applying(.verifyNameMatch(by: "a")).applying(.confirm(recovered: [.deedTax: 10]))
        #expect(verified.countsAsAdopted)
        #expect(throws: TaxLeadWorkError.notANameMatch) { try TaxLeadWork().applying(.verifyNameMatch(by: "a")) }
    }

    @Test("a name-and-division lead waits for review; a rejected match dismisses it and never counts")
    func nameDivisionReview() throws {
        // given
        let lead = TaxLeadWork(confidence: .nameDivision)
        #expect(lead.awaitsMatchReview)
        #expect(!TaxLeadWork().awaitsMatchReview)
        // when: verified, it leaves the review queue
        #expect(!(try lead.applying(.verifyNameMatch(by: "a")).awaitsMatchReview))
        // when: rejected, it is dismissed with the fixed note and counts for nothing
        let rejected = try lead.applying(.assign(to: "a")).applying(.rejectNameMatch(by: "b"))
        #expect(rejected.state == .dismissed && rejected.dismissal == .other && rejected.dismissalNote == TaxLeadWork.nameMismatchNote)
        #expect(rejected.matchRejectedBy == "b" && !rejected.awaitsMatchReview && !rejected.countsAsAdopted && !rejected.filesObjection)
        // then: a verified match cannot be rejected, an identifier lead has no match to reject, a closed lead takes no step
        #expect(throws: TaxLeadWorkError.nameMatchAlreadyVerified) {
            try lead.applying(.verifyNameMatch(by: "a")).applying(.rejectNameMatch(by: "b"))
        }
        #expect(throws: TaxLeadWorkError.notANameMatch) { try TaxLeadWork().applying(.rejectNameMatch(by: "b")) }
        #expect(throws: TaxLeadWorkError.closed(.dismissed)) { try rejected.applying(.rejectNameMatch(by: "b")) }
    }
}

@Suite("特别贡献 from the tax recovered (issue 12 §5)")
struct SpecialContributionTests {
    @Test("units rank by tax recovered, highest first; equal amounts share a place; nothing recovered has no place")
    func ranks() {
        // given / when
        let ranks = SpecialContribution.ranks(recoveredFen: ["a": 500, "b": 9_000, "c": 500, "d": 100, "e": 0])
        // then
        #expect(ranks == ["b": 1, "a": 2, "c": 2, "d": 4])
        #expect(SpecialContribution.ranks(recoveredFen: [:]).isEmpty)
    }
}
