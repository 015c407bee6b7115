/// 共享申请: a consuming unit's request to use another unit's data, and its workflow (附件1 第十条, 第十三条).
///
/// States and transitions (`apply(_:by:at:)`; every other pair is ``AccessRequestError/invalidTransition(state:event:)``):
///
/// ```
/// draft ──submit──▶ granted                          (catalogued, 报备式: granted at once)
///       ──submit──▶ pending_approval                 (catalogued, 审批式; or 报备式 asking for clear identifiers)
///       ──submit──▶ awaiting_provider_confirmation   (data not in the catalog)
/// awaiting_provider_confirmation ──confirm(registered)──▶ granted (pending_approval with clear identifiers)
///                                ──confirm(approval)────▶ pending_approval
///                                ──confirm(withheld)────▶ denied  (reason = the provider's legal basis)
/// pending_approval ──approve──▶ approved    ──deny(reason)──▶ denied
/// draft | awaiting_provider_confirmation | pending_approval ──withdraw──▶ withdrawn
/// ```
///
/// `granted`, `approved`, `denied` and `withdrawn` are final. What a granted or approved request allows is a
/// ``Grant`` (fields in the clear, expiry, quotas); expiry and revocation belong to the grant, not the request.
///
/// Who may act: the requesting unit's analysts create and submit; the requesting unit's analysts or unit head
/// withdraw; the providing unit's head confirms the sharing mode of uncatalogued data; only an approver
/// (市政府办公室) of another unit than the requesting one approves or denies, and a denial needs a reason.
/// Indicators on the negative list (不予共享) are refused at creation with their legal basis; a unit without a
/// recorded ``SecurityAgreement`` cannot request (第十三条).
///
/// A 报备式 grant masks every personal field, identifiers included (``Grant/Terms/proposed(for:fields:from:days:limits:)``).
/// A request with ``clearIdentifiers`` asks for the taxpayer identifiers in the clear instead (issue 12 §6): it
/// needs a legal basis and goes to an approver like an 审批式 one, whatever the indicator's sharing mode.
public struct AccessRequest: Hashable, Sendable {
    /// The workflow state. Raw values are stored.
    public enum State: String, Codable, Sendable, CaseIterable {
        case draft
        case awaitingProviderConfirmation = "awaiting_provider_confirmation"
        case pendingApproval = "pending_approval"
        /// 报备式: granted on submission (or on the provider's confirmation).
        case granted
        case approved
        case denied
        case withdrawn

        /// Whether no event can move the request any more.
        public var isFinal: Bool {
            switch self {
            case .granted, .approved, .denied, .withdrawn: true
            case .draft, .awaitingProviderConfirmation, .pendingApproval: false
            }
        }

        /// Whether a ``Grant`` may be issued for a request in this state.
        public var allowsGrant: Bool { self == .granted || self == .approved }

        /// Chinese name for pages.
        public var chineseName: String {
            switch self {
            case .draft: "草稿"
            case .awaitingProviderConfirmation: "待提供单位确认共享方式"
            case .pendingApproval: "待审批"
            case .granted: "已授权（报备）"
            case .approved: "已批准"
            case .denied: "未批准"
            case .withdrawn: "已撤回"
            }
        }
    }

    /// What is asked for: a catalogued indicator, or data the catalog does not list.
    public enum Subject: Hashable, Sendable {
        /// An indicator of the catalog, by code (e.g. `HOU-001`).
        case indicator(code: String)
        /// Data not in the catalog, described in the requester's words; the providing unit first confirms its
        /// sharing mode (附件1 第十条).
        case uncatalogued(description: String)
    }

    /// One transition as it happened, for the request page and the audit log.
    public struct Transition: Hashable, Sendable {
        public var from: State
        public var to: State
        /// The event's stable name (``Event/name``).
        public var event: String
        /// User id of the actor.
        public var by: String
        public var at: CalendarDateTime
        /// The denial reason, the provider's legal basis, or the approver's note.
        public var note: String?

        public init(from: State, to: State, event: String, by: String, at: CalendarDateTime, note: String? = nil) {
            self.from = from
            self.to = to
            self.event = event
            self.by = by
            self.at = at
            self.note = note
        }
    }

    /// What can happen to a request.
    public enum Event: Hashable, Sendable {
        /// The requesting unit sends the draft on.
        case submit
        /// The providing unit states the sharing mode of uncatalogued data; `legalBasis` is required for
        /// `approval` and `withheld`.
        case confirmSharingMode(SharingMode, legalBasis: String?)
        /// An approver approves; `note` is optional.
        case approve(note: String?)
        /// An approver denies; `reason` must not be blank.
        case deny(reason: String)
        /// The requesting unit takes the request back before a decision.
        case withdraw

        /// Stable name: `submit`, `confirm_sharing_mode`, `approve`, `deny`, `withdraw`.
        public var name: String {
            switch self {
            case .submit: "submit"
            case .confirmSharingMode: "confirm_sharing_mode"
            case .approve: "approve"
            case .deny: "deny"
            case .withdraw: "withdraw"
            }
        }
    }

    /// Code of the unit asking.
    public let requestingUnit: String
    /// User id of the analyst who created the request.
    public let requestedBy: String
    /// Code of the unit that holds the data.
    public let providingUnit: String
    public let subject: Subject
    /// Field keys of the indicator (catalogued), or the requester's names for the wanted items (uncatalogued);
    /// never empty, no duplicates, in the order given.
    public let fields: [String]
    /// First reporting period wanted (inclusive).
    public let periodFrom: ReportingPeriod
    /// Last reporting period wanted (inclusive); never before ``periodFrom``.
    public let periodTo: ReportingPeriod
    /// What the data is used for (用途), never blank.
    public let purpose: String
    /// The requester's legal basis (法律依据); required unless the indicator is 报备式 and ``clearIdentifiers``
    /// is not asked.
    public let legalBasis: String?
    /// 申请明文身份标识: the requester asks to see the taxpayer identifiers among ``fields`` (resident ID,
    /// USCC, organisation code: ``MaskingRule/identifiesTaxpayer(_:)``) in the clear. It sends a 报备式 request
    /// to an approver instead of granting it at once; the approver decides field by field.
    public let clearIdentifiers: Bool
    /// The sharing mode that governs the request: the catalog's, or the provider's confirmation; `nil` while
    /// uncatalogued data awaits it.
    public private(set) var mode: SharingMode?
    public let createdAt: CalendarDateTime
    public private(set) var state: State
    /// Every transition so far, oldest first.
    public private(set) var history: [Transition]

    /// Creates a draft request by `principal` (an analyst) for their own unit.
    ///
    /// - Parameters:
    ///   - data: `.indicator` with the catalog's indicator, or `.uncatalogued` data of `providingUnit`.
    ///   - agreement: the requesting unit's recorded security agreement, or `nil` if none is recorded.
    ///   - fields: field keys (catalogued: must exist in the indicator), in the order wanted.
    ///   - periodFrom / periodTo: the reporting periods wanted, inclusive.
    ///   - clearIdentifiers: ask for the taxpayer identifiers in the clear (see ``clearIdentifiers``).
    /// - Throws: ``AccessRequestError`` — `.roleRequired` (not an analyst), `.noSecurityAgreement`,
    ///   `.withheld` (negative list, with its legal basis), `.noFields`, `.unknownFields`,
    ///   `.periodRangeReversed`, `.missingPurpose`, `.missingLegalBasis`, `.missingDataDescription`,
    ///   `.noIdentifierFields` (clear identifiers asked, but no requested field of the indicator is one).
    public init(by principal: Principal, data: RequestedData, agreement: SecurityAgreement?, fields: [String],
                periodFrom: ReportingPeriod, periodTo: ReportingPeriod, purpose: String, legalBasis: String?,
                clearIdentifiers: Bool = false, at time: CalendarDateTime) throws(AccessRequestError) {
        guard principal.has(.analyst) else { throw .roleRequired(action: "提出共享申请", roles: [.analyst]) }
        guard let agreement, agreement.covers(unit: principal.unitCode, on: time.date) else {
            throw .noSecurityAgreement(unit: principal.unitCode)
        }
        let purpose = TextNormalization.trim(purpose)
        let basis = legalBasis.map(TextNormalization.trim).flatMap { $0.isEmpty ? nil : $0 }
        var keys: [String] = []
        for key in fields.map(TextNormalization.trim) where !key.isEmpty && !keys.contains(key) { keys.append(key) }

        switch data {
        case .indicator(let indicator):
            if indicator.sharing == .withheld {
                throw .withheld(indicator: indicator.code, legalBasis: indicator.legalBasis ?? "")
            }
            guard !keys.isEmpty else { throw .noFields }
            let unknown = keys.filter { indicator.field($0) == nil }
            guard unknown.isEmpty else { throw .unknownFields(indicator: indicator.code, keys: unknown) }
            if clearIdentifiers, !keys.contains(where: { indicator.field($0).map(MaskingRule.identifiesTaxpayer) ?? false }) {
                throw .noIdentifierFields(indicator: indicator.code)
            }
            subject = .indicator(code: indicator.code)
            providingUnit = indicator.unit
            mode = indicator.sharing
        case .uncatalogued(let unit, let description):
            let description = TextNormalization.trim(description)
            guard !description.isEmpty else { throw .missingDataDescription }
            guard !keys.isEmpty else { throw .noFields }
            subject = .uncatalogued(description: description)
            providingUnit = unit
            mode = nil
        }
        guard periodFrom <= periodTo else {
            throw .periodRangeReversed(from: periodFrom.description, to: periodTo.description)
        }
        guard !purpose.isEmpty else { throw .missingPurpose }
        // 报备式 needs only the purpose; 审批式, uncatalogued data (which may turn out 审批式) and clear identifiers
        // need the basis.
        if mode != .registered || clearIdentifiers, basis == nil { throw .missingLegalBasis }

        requestingUnit = principal.unitCode
        requestedBy = principal.userID
        self.fields = keys
        self.periodFrom = periodFrom
        self.periodTo = periodTo
        self.purpose = purpose
        self.legalBasis = basis
        self.clearIdentifiers = clearIdentifiers
        createdAt = time
        state = .draft
        history = []
    }

    /// The data a new request asks for.
    public enum RequestedData: Sendable {
        /// An indicator of the catalog (its `sharing` decides the path).
        case indicator(Indicator)
        /// Data the catalog does not list, held by the unit `providingUnit`.
        case uncatalogued(providingUnit: String, description: String)
    }

    /// Applies `event` by `principal` at `time` and returns the new state; on error nothing changes.
    ///
    /// - Throws: ``AccessRequestError`` — `.invalidTransition` (the event does not apply in this state),
    ///   `.roleRequired`, `.notRequestingUnit`, `.notProvidingUnit`, `.ownUnitDecision` (an approver of the
    ///   requesting unit), `.denialReasonRequired`, `.confirmationNeedsLegalBasis`.
    @discardableResult
    public mutating func apply(_ event: Event, by principal: Principal, at time: CalendarDateTime)
        throws(AccessRequestError) -> State {
        let next: State
        var note: String? = nil
        switch (state, event) {
        case (.draft, .submit):
            try requireRequester(principal, roles: [.analyst], action: "提交共享申请")
            switch (subject, mode) {
            case (.uncatalogued, nil): next = .awaitingProviderConfirmation
            case (_, .registered?): next = clearIdentifiers ? .pendingApproval : .granted
            default: next = .pendingApproval
            }

        case (.awaitingProviderConfirmation, .confirmSharingMode(let confirmed, let basis)):
            guard principal.has(.unitHead) else {
                throw .roleRequired(action: "确认共享方式", roles: [.unitHead])
            }
            guard principal.unitCode == providingUnit else {
                throw .notProvidingUnit(unit: principal.unitCode, providingUnit: providingUnit)
            }
            let basis = basis.map(TextNormalization.trim).flatMap { $0.isEmpty ? nil : $0 }
            if confirmed != .registered, basis == nil { throw .confirmationNeedsLegalBasis(confirmed) }
            note = basis
            next = switch confirmed {
            case .registered: clearIdentifiers ? .pendingApproval : .granted
            case .approval: .pendingApproval
            case .withheld: .denied
            }
            mode = confirmed

        case (.pendingApproval, .approve(let remark)):
            try requireApprover(principal)
            note = remark.map(TextNormalization.trim).flatMap { $0.isEmpty ? nil : $0 }
            next = .approved

        case (.pendingApproval, .deny(let reason)):
            try requireApprover(principal)
            let reason = TextNormalization.trim(reason)
            guard !reason.isEmpty else { throw .denialReasonRequired }
            note = reason
            next = .denied

        case (.draft, .withdraw), (.awaitingProviderConfirmation, .withdraw), (.pendingApproval, .withdraw):
            try requireRequester(principal, roles: [.analyst, .unitHead], action: "撤回共享申请")
            next = .withdrawn

        default:
            throw .invalidTransition(state: state, event: event.name)
        }
        history.append(Transition(from: state, to: next, event: event.name, by: principal.userID, at: time, note: note))
        state = next
        return next
    }

    private func requireRequester(_ p: Principal, roles: [Role], action: String) throws(AccessRequestError) {
        guard p.hasAny(of: roles) else { throw .roleRequired(action: action, roles: roles) }
        guard p.unitCode == requestingUnit else {
            throw .notRequestingUnit(unit: p.unitCode, requestingUnit: requestingUnit)
        }
    }

    private func requireApprover(_ p: Principal) throws(AccessRequestError) {
        guard p.has(.approver) else { throw .roleRequired(action: "审批共享申请", roles: [.approver]) }
        guard p.unitCode != requestingUnit else { throw .ownUnitDecision(unit: p.unitCode) }
    }
}

/// Why a request could not be created or an event could not be applied. `message` is Chinese for the clerk
/// and says what to do; `description` is English for the log.
public enum AccessRequestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The requesting unit has no recorded 数据安全保障协议 in force (附件1 第十三条).
    case noSecurityAgreement(unit: String)
    /// The indicator is on the negative list (不予共享, 第十条(三)); `legalBasis` is the catalog's.
    case withheld(indicator: String, legalBasis: String)
    /// No field was named.
    case noFields
    /// Field keys the indicator does not have.
    case unknownFields(indicator: String, keys: [String])
    /// The last period is before the first.
    case periodRangeReversed(from: String, to: String)
    /// The purpose (用途) is blank.
    case missingPurpose
    /// An approval-mode or uncatalogued request without a legal basis.
    case missingLegalBasis
    /// Uncatalogued data without a description.
    case missingDataDescription
    /// The actor lacks every one of `roles` for `action` (Chinese verb phrase).
    case roleRequired(action: String, roles: [Role])
    /// The actor's unit is not the requesting unit.
    case notRequestingUnit(unit: String, requestingUnit: String)
    /// The actor's unit is not the unit that holds the data.
    case notProvidingUnit(unit: String, providingUnit: String)
    /// An approver may not decide a request of their own unit.
    case ownUnitDecision(unit: String)
    /// The event does not apply in the request's current state.
    case invalidTransition(state: AccessRequest.State, event: String)
    /// A denial without a reason.
    case denialReasonRequired
    /// The provider confirmed `approval` or `withheld` without a legal basis.
    case confirmationNeedsLegalBasis(SharingMode)
    /// Clear identifiers were asked, but none of the requested fields of the indicator is a taxpayer identifier.
    case noIdentifierFields(indicator: String)

    /// Stable machine-readable code for API clients.
    public var code: String {
        switch self {
        case .noSecurityAgreement: "no_security_agreement"
        case .withheld: "withheld"
        case .noFields: "no_fields"
        case .unknownFields: "unknown_fields"
        case .periodRangeReversed: "period_range_reversed"
        case .missingPurpose: "missing_purpose"
        case .missingLegalBasis: "missing_legal_basis"
        case .missingDataDescription: "missing_data_description"
        case .roleRequired: "role_required"
        case .notRequestingUnit: "not_requesting_unit"
        case .notProvidingUnit: "not_providing_unit"
        case .ownUnitDecision: "own_unit_decision"
        case .invalidTransition: "invalid_transition"
        case .denialReasonRequired: "denial_reason_required"
        case .confirmationNeedsLegalBasis: "confirmation_needs_legal_basis"
        case .noIdentifierFields: "no_identifier_fields"
        }
    }

    /// Chinese message for the clerk, saying what to do.
    public var message: String {
        switch self {
        case .noSecurityAgreement(let unit):
            "单位 \(unit) 尚未登记已签署的数据安全保障协议，不能申请或使用其他单位的数据（附件1 第十三条）：请先签署协议并交信息中心登记。"
        case .withheld(let code, let basis):
            "数据项 \(code) 属于不予共享（负面清单），不能申请" + (basis.isEmpty ? "。" : "。依据：\(basis)")
        case .noFields: "请至少选择一个数据项字段。"
        case .unknownFields(let code, let keys):
            "数据项 \(code) 没有以下字段：\(keys.joined(separator: "、"))。请从目录中该数据项的字段里选择。"
        case .periodRangeReversed(let from, let to):
            "报送期范围颠倒：起始 \(from) 晚于截止 \(to)，请调换或重新填写。"
        case .missingPurpose: "请填写数据用途。"
        case .missingLegalBasis: "审批式共享、目录外数据或申请明文身份标识时须填写法律依据，请补充后再提交。"
        case .missingDataDescription: "申请目录外数据时，请说明所需数据的内容。"
        case .roleRequired(let action, let roles):
            "您没有\(action)的权限：需要“\(roles.map(\.chineseName).joined(separator: "”或“"))”角色，请联系信息中心。"
        case .notRequestingUnit(let unit, let requester):
            "只有申请单位（\(requester)）可以进行此操作，您所在单位为 \(unit)。"
        case .notProvidingUnit(let unit, let provider):
            "只有数据提供单位（\(provider)）可以确认共享方式，您所在单位为 \(unit)。"
        case .ownUnitDecision(let unit):
            "审批人不能审批本单位（\(unit)）提出的申请，请由其他审批人处理。"
        case .invalidTransition(let state, _):
            "申请当前状态为“\(state.chineseName)”，不能进行此操作：请刷新页面查看最新状态。"
        case .denialReasonRequired: "不予批准时必须填写理由。"
        case .confirmationNeedsLegalBasis(let mode):
            "确认为“\(mode.chineseName)”时必须填写法律依据。"
        case .noIdentifierFields(let code):
            "申请明文身份标识时，须在数据项 \(code) 的字段中勾选至少一个身份证号码或统一社会信用代码（组织机构代码）字段。"
        }
    }

    /// English detail for the log.
    public var description: String {
        switch self {
        case .noSecurityAgreement(let unit): "unit \(unit) has no security agreement in force"
        case .withheld(let code, _): "indicator \(code) is withheld (negative list)"
        case .noFields: "no fields requested"
        case .unknownFields(let code, let keys): "indicator \(code) has no fields \(keys)"
        case .periodRangeReversed(let from, let to): "period range reversed: \(from) > \(to)"
        case .missingPurpose: "purpose is blank"
        case .missingLegalBasis: "legal basis is required"
        case .missingDataDescription: "uncatalogued data needs a description"
        case .roleRequired(let action, let roles): "role \(roles.map(\.rawValue)) required to \(action)"
        case .notRequestingUnit(let unit, let r): "unit \(unit) is not the requesting unit \(r)"
        case .notProvidingUnit(let unit, let p): "unit \(unit) is not the providing unit \(p)"
        case .ownUnitDecision(let unit): "approver of unit \(unit) may not decide its own unit's request"
        case .invalidTransition(let state, let event): "event \(event) not allowed in state \(state.rawValue)"
        case .denialReasonRequired: "deny needs a reason"
        case .confirmationNeedsLegalBasis(let mode): "confirming \(mode.rawValue) needs a legal basis"
        case .noIdentifierFields(let code): "clear identifiers asked but no identifier field of \(code) requested"
        }
    }
}

// Rebuilding from storage: the checks ran when the request was made and at each transition.
extension AccessRequest {
    /// A request exactly as it was stored (no checks: it was checked when it was created and at each transition).
    public init(restoringRequestingUnit requestingUnit: String, requestedBy: String, providingUnit: String, subject: Subject,
                fields: [String], periodFrom: ReportingPeriod, periodTo: ReportingPeriod, purpose: String,
                legalBasis: String?, clearIdentifiers: Bool = false, mode: SharingMode?, createdAt: CalendarDateTime, state: State,
                history: [Transition]) {
        self.requestingUnit = requestingUnit
        self.requestedBy = requestedBy
        self.providingUnit = providingUnit
        self.subject = subject
        self.fields = fields
        self.periodFrom = periodFrom
        self.periodTo = periodTo
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.clearIdentifiers = clearIdentifiers
        self.mode = mode
        self.createdAt = createdAt
        self.state = state
        self.history = history
    }
}

