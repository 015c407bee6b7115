import Testing
import GongzhiCore

@Suite("AccessRequest state machine")
struct AccessRequestTests {
    typealias F = AccessFixtures

    @Test("报备式: submit grants at once")
    func registeredGrantsAtOnce() throws {
        // given a draft for a registered indicator
        var request = try F.draft(F.leases, legalBasis: nil)
        #expect(request.state == .draft)
        #expect(request.mode == .registered)
        // when
        let state = try request.apply(.submit, by: F.analyst, at: F.now)
        // then
        #expect(state == .granted)
        #expect(request.state.allowsGrant)
        #expect(request.history == [.init(from: .draft, to: .granted, event: "submit", by: "tax-analyst", at: F.now)])
    }

    @Test("报备式 with clear identifiers: a legal basis, an identifier field, then an approver (issue 12 §6)")
    func registeredClearIdentifiersGoToApprover() throws {
        // a legal basis is required, and at least one requested field must be a taxpayer identifier
        #expect(throws: AccessRequestError.missingLegalBasis) { try F.draft(F.leases, legalBasis: nil, clearIdentifiers: true) }
        #expect(throws: AccessRequestError.noIdentifierFields(indicator: "HOU-003")) {
            try F.draft(F.leases, fields: ["lessor_name", "monthly_rent"], clearIdentifiers: true)
        }
        // given a 报备式 draft asking for the identifiers in the clear
        var request = try F.draft(F.leases, fields: ["lessor_name", "lessor_id_no", "monthly_rent"], clearIdentifiers: true)
        #expect(request.mode == .registered)
        #expect(request.clearIdentifiers)
        // when submitted it is not granted at once: it waits for an approver
        try request.apply(.submit, by: F.analyst, at: F.now)
        #expect(request.state == .pendingApproval)
        #expect(!request.state.allowsGrant)
        // the analyst cannot issue the grant; an approver of another unit decides
        #expect(throws: AccessRequestError.roleRequired(action: "审批共享申请", roles: [.approver])) {
            try request.apply(.approve(note: nil), by: F.analyst, at: F.now)
        }
        try request.apply(.approve(note: "比对核查需要"), by: F.approver, at: F.now)
        #expect(request.state == .approved)
        // and the approver's grant may show the identifier in the clear
        let grant = try Grant(request: request, indicator: F.leases,
                              terms: .init(clearFields: ["lessor_id_no", "monthly_rent"], maskedFields: ["lessor_name"],
                                           expiresOn: F.day("2026-12-31"), limits: F.limits),
                              by: F.approver, at: F.now)
        #expect(grant.access(to: "lessor_id_no") == .clear)
        #expect(grant.access(to: "lessor_name") == .masked)
    }

    @Test("uncatalogued data confirmed 报备式 still goes to an approver when clear identifiers were asked")
    func uncataloguedClearIdentifiers() throws {
        var request = try AccessRequest(by: F.analyst, data: .uncatalogued(providingUnit: "public-security", description: "出租人身份证号码"),
                                        agreement: F.agreement, fields: ["身份证号码"], periodFrom: ReportingPeriod("2026-01")!,
                                        periodTo: ReportingPeriod("2026-03")!, purpose: "出租收入比对", legalBasis: "《税收征收管理法》第五条",
                                        clearIdentifiers: true, at: F.now)
        try request.apply(.submit, by: F.analyst, at: F.now)
        try request.apply(.confirmSharingMode(.registered, legalBasis: nil), by: F.policeHead, at: F.now)
        #expect(request.mode == .registered)
        #expect(request.state == .pendingApproval)
    }

    @Test("审批式: submit, then an approver approves")
    func approvalPath() throws {
        // given
        var request = try F.draft(F.residents)
        // when
        try request.apply(.submit, by: F.analyst, at: F.now)
        #expect(request.state == .pendingApproval)
        try request.apply(.approve(note: "  同意 "), by: F.approver, at: F.at("2026-11-03"))
        // then
        #expect(request.state == .approved)
        #expect(request.history.map(\.to) == [.pendingApproval, .approved])
        #expect(request.history.last?.note == "同意")
        #expect(request.history.last?.by == "office-approver")
    }

    @Test("审批式: a denial needs a reason, which is kept")
    func denyNeedsReason() throws {
        // given
        var request = try F.draft(F.residents)
        try request.apply(.submit, by: F.analyst, at: F.now)
        // when / then
        #expect(throws: AccessRequestError.denialReasonRequired) { try request.apply(.deny(reason: "  "), by: F.approver, at: F.now) }
        #expect(request.state == .pendingApproval)
        try request.apply(.deny(reason: "用途与申请字段不符"), by: F.approver, at: F.now)
        #expect(request.state == .denied)
        #expect(request.history.last?.note == "用途与申请字段不符")
    }

    @Test("only approvers approve or deny", arguments: [
        AccessFixtures.analyst, AccessFixtures.admin, AccessFixtures.auditor, AccessFixtures.policeHead,
    ])
    func onlyApproversDecide(actor: Principal) throws {
        // given
        var request = try F.draft(F.residents)
        try request.apply(.submit, by: F.analyst, at: F.now)
        // when / then
        #expect(throws: AccessRequestError.roleRequired(action: "审批共享申请", roles: [.approver])) {
            try request.apply(.approve(note: nil), by: actor, at: F.now)
        }
        #expect(throws: AccessRequestError.roleRequired(action: "审批共享申请", roles: [.approver])) {
            try request.apply(.deny(reason: "不同意"), by: actor, at: F.now)
        }
        #expect(request.state == .pendingApproval)
    }

    @Test("an approver may not decide a request of their own unit")
    func noOwnUnitDecision() throws {
        var request = try F.draft(F.residents)
        try request.apply(.submit, by: F.analyst, at: F.now)
        #expect(throws: AccessRequestError.ownUnitDecision(unit: "tax")) {
            try request.apply(.approve(note: nil), by: F.taxApprover, at: F.now)
        }
    }

    @Test("only the requesting unit submits and withdraws")
    func requesterOnly() throws {
        // given
        var request = try F.draft(F.residents)
        // when / then
        #expect(throws: AccessRequestError.notRequestingUnit(unit: "land-resources", requestingUnit: "tax")) {
            try request.apply(.submit, by: F.otherAnalyst, at: F.now)
        }
        try request.apply(.submit, by: F.analyst, at: F.now)
        #expect(throws: AccessRequestError.notRequestingUnit(unit: "land-resources", requestingUnit: "tax")) {
            try request.apply(.withdraw, by: F.otherAnalyst, at: F.now)
        }
        #expect(throws: AccessRequestError.roleRequired(action: "撤回共享申请", roles: [.analyst, .unitHead])) {
            try request.apply(.withdraw, by: F.approver, at: F.now)
        }
        // the unit head of the requesting unit may withdraw
        try request.apply(.withdraw, by: F.taxHead, at: F.now)
        #expect(request.state == .withdrawn)
    }

    @Test("final states refuse every event", arguments: AccessRequest.State.allCases.filter(\.isFinal))
    func finalStatesAreFinal(final: AccessRequest.State) throws {
        // given a request driven into `final`
        var request = try F.draft(final == .granted ? F.leases : F.residents)
        try request.apply(.submit, by: F.analyst, at: F.now)
        switch final {
        case .approved: try request.apply(.approve(note: nil), by: F.approver, at: F.now)
        case .denied: try request.apply(.deny(reason: "无"), by: F.approver, at: F.now)
        case .withdrawn: try request.apply(.withdraw, by: F.analyst, at: F.now)
        default: break
        }
        #expect(request.state == final)
        // when / then
        let events: [(AccessRequest.Event, Principal)] = [
            (.submit, F.analyst), (.approve(note: nil), F.approver), (.deny(reason: "x"), F.approver),
            (.withdraw, F.analyst), (.confirmSharingMode(.registered, legalBasis: nil), F.policeHead),
        ]
        for (event, actor) in events {
            #expect(throws: AccessRequestError.invalidTransition(state: final, event: event.name)) {
                try request.apply(event, by: actor, at: F.now)
            }
        }
        #expect(request.state == final)
    }

    @Test("a draft cannot be approved before it is submitted; a pending one not submitted twice")
    func outOfOrderEvents() throws {
        var request = try F.draft(F.residents)
        #expect(throws: AccessRequestError.invalidTransition(state: .draft, event: "approve")) {
            try request.apply(.approve(note: nil), by: F.approver, at: F.now)
        }
        try request.apply(.submit, by: F.analyst, at: F.now)
        #expect(throws: AccessRequestError.invalidTransition(state: .pendingApproval, event: "submit")) {
            try request.apply(.submit, by: F.analyst, at: F.now)
        }
    }

    @Test("不予共享 indicators are refused at creation with their legal basis")
    func withheldRefused() {
        #expect(throws: AccessRequestError.withheld(indicator: "CRT-009", legalBasis: "《中华人民共和国个人信息保护法》第十三条")) {
            try F.draft(F.sealed)
        }
        let error = AccessRequestError.withheld(indicator: "CRT-009", legalBasis: "《中华人民共和国个人信息保护法》第十三条")
        #expect(error.message.contains("个人信息保护法"))
        #expect(error.code == "withheld")
    }

    @Test("without a security agreement in force a unit cannot request (第十三条)")
    func agreementRequired() throws {
        func make(_ agreement: SecurityAgreement?) throws -> AccessRequest {
            try AccessRequest(by: F.analyst, data: .indicator(F.leases), agreement: agreement, fields: ["lessor_name"],
                              periodFrom: ReportingPeriod("2026Q1")!, periodTo: ReportingPeriod("2026Q2")!,
                              purpose: "房产税比对", legalBasis: nil, at: F.now)
        }
        #expect(throws: AccessRequestError.noSecurityAgreement(unit: "tax")) { try make(nil) }
        // signed after today, or by another unit: not in force for this unit today
        let later = SecurityAgreement(unitCode: "tax", signedOn: F.day("2026-12-01"), signatory: "王某", document: "d")
        #expect(throws: AccessRequestError.noSecurityAgreement(unit: "tax")) { try make(later) }
        let other = SecurityAgreement(unitCode: "housing", signedOn: F.day("2026-01-01"), signatory: "李某", document: "d")
        #expect(throws: AccessRequestError.noSecurityAgreement(unit: "tax")) { try make(other) }
        _ = try make(F.agreement)
    }

    @Test("creation checks: role, fields, period range, purpose, legal basis")
    func creationChecks() throws {
        func make(by p: Principal = F.analyst, _ indicator: Indicator = F.residents, fields: [String] = ["name"],
                  from: String = "2026-01", to: String = "2026-06", purpose: String = "比对",
                  basis: String? = "依据") throws -> AccessRequest {
            try AccessRequest(by: p, data: .indicator(indicator), agreement: F.agreement, fields: fields,
                              periodFrom: ReportingPeriod(from)!, periodTo: ReportingPeriod(to)!,
                              purpose: purpose, legalBasis: basis, at: F.now)
        }
        #expect(throws: AccessRequestError.roleRequired(action: "提出共享申请", roles: [.analyst])) { try make(by: F.taxHead) }
        #expect(throws: AccessRequestError.noFields) { try make(fields: []) }
        #expect(throws: AccessRequestError.noFields) { try make(fields: [" "]) }
        #expect(throws: AccessRequestError.unknownFields(indicator: "PSB-001", keys: ["salary", "bonus"])) {
            try make(fields: ["name", "salary", "bonus"])
        }
        #expect(throws: AccessRequestError.periodRangeReversed(from: "2026-06", to: "2026-01")) { try make(from: "2026-06", to: "2026-01") }
        #expect(throws: AccessRequestError.missingPurpose) { try make(purpose: "　 ") }
        #expect(throws: AccessRequestError.missingLegalBasis) { try make(basis: nil) }
        #expect(throws: AccessRequestError.missingLegalBasis) { try make(basis: " ") }
        // registered indicators need no legal basis; duplicates are dropped, order kept
        let ok = try make(F.leases, fields: ["rooms", "lessor_name", "rooms"], basis: nil)
        #expect(ok.fields == ["rooms", "lessor_name"])
        #expect(ok.providingUnit == "housing")
        #expect(ok.requestingUnit == "tax")
        #expect(ok.subject == .indicator(code: "HOU-003"))
    }

    @Test("data not in the catalog: the providing unit's head confirms the sharing mode first")
    func uncatalogued() throws {
        func make() throws -> AccessRequest {
            var r = try AccessRequest(by: F.analyst, data: .uncatalogued(providingUnit: "public-security", description: "网约车司机登记信息"),
                                      agreement: F.agreement, fields: ["姓名", "身份证号码", "车牌号"],
                                      periodFrom: ReportingPeriod("2026")!, periodTo: ReportingPeriod("2026")!,
                                      purpose: "个税比对", legalBasis: "《税收征收管理法》第五条", at: F.now)
            try r.apply(.submit, by: F.analyst, at: F.now)
            return r
        }
        var request = try make()
        #expect(request.state == .awaitingProviderConfirmation)
        #expect(request.mode == nil)
        // another unit's head, or the providing unit's reporter, may not confirm
        #expect(throws: AccessRequestError.notProvidingUnit(unit: "housing", providingUnit: "public-security")) {
            try request.apply(.confirmSharingMode(.registered, legalBasis: nil), by: F.housingHead, at: F.now)
        }
        #expect(throws: AccessRequestError.roleRequired(action: "确认共享方式", roles: [.unitHead])) {
            try request.apply(.confirmSharingMode(.registered, legalBasis: nil), by: F.policeReporter, at: F.now)
        }
        #expect(throws: AccessRequestError.confirmationNeedsLegalBasis(.approval)) {
            try request.apply(.confirmSharingMode(.approval, legalBasis: nil), by: F.policeHead, at: F.now)
        }
        // approval → pending, then the approver decides
        try request.apply(.confirmSharingMode(.approval, legalBasis: "含个人身份信息"), by: F.policeHead, at: F.now)
        #expect(request.state == .pendingApproval)
        #expect(request.mode == .approval)
        try request.apply(.approve(note: nil), by: F.approver, at: F.now)
        #expect(request.state == .approved)

        // registered → granted
        var registered = try make()
        try registered.apply(.confirmSharingMode(.registered, legalBasis: nil), by: F.policeHead, at: F.now)
        #expect(registered.state == .granted)

        // withheld → denied, the provider's legal basis is the reason
        var withheld = try make()
        #expect(throws: AccessRequestError.confirmationNeedsLegalBasis(.withheld)) {
            try withheld.apply(.confirmSharingMode(.withheld, legalBasis: ""), by: F.policeHead, at: F.now)
        }
        try withheld.apply(.confirmSharingMode(.withheld, legalBasis: "《网络安全法》第四十二条"), by: F.policeHead, at: F.now)
        #expect(withheld.state == .denied)
        #expect(withheld.history.last?.note == "《网络安全法》第四十二条")
    }

    @Test("uncatalogued data needs a description and a legal basis")
    func uncataloguedChecks() {
        func make(_ description: String, _ basis: String?) throws -> AccessRequest {
            try AccessRequest(by: F.analyst, data: .uncatalogued(providingUnit: "public-security", description: description),
                              agreement: F.agreement, fields: ["姓名"], periodFrom: ReportingPeriod("2026")!,
                              periodTo: ReportingPeriod("2026")!, purpose: "比对", legalBasis: basis, at: F.now)
        }
        #expect(throws: AccessRequestError.missingDataDescription) { try make(" ", "依据") }
        #expect(throws: AccessRequestError.missingLegalBasis) { try make("网约车司机", nil) }
    }

    @Test("every error has a code and a Chinese message")
    func messages() {
        let errors: [AccessRequestError] = [
            .noSecurityAgreement(unit: "tax"), .withheld(indicator: "X", legalBasis: ""), .noFields,
            .unknownFields(indicator: "X", keys: ["a"]), .periodRangeReversed(from: "2026", to: "2025"),
            .missingPurpose, .missingLegalBasis, .missingDataDescription, .roleRequired(action: "审批", roles: [.approver]),
            .notRequestingUnit(unit: "a", requestingUnit: "b"), .notProvidingUnit(unit: "a", providingUnit: "b"),
            .ownUnitDecision(unit: "a"), .invalidTransition(state: .denied, event: "approve"), .denialReasonRequired,
            .confirmationNeedsLegalBasis(.withheld), .noIdentifierFields(indicator: "HOU-003"),
        ]
        #expect(Set(errors.map(\.code)).count == errors.count)
        for e in errors {
            #expect(e.message.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, "\(e.code)")
            #expect(!e.description.isEmpty)
        }
        #expect(AccessRequestError.roleRequired(action: "审批共享申请", roles: [.approver]).message.contains("审批人"))
    }
}
