import Foundation

/// What a lead says about its left record (issue 12 §1). Raw values are the stored and JSON spellings.
public enum TaxLeadKind: String, Sendable, Codable, CaseIterable {
    /// No right record shares a key with the left record.
    case noMatch = "no_match"
    /// Right records share a key, but none lies in the rule's window.
    case outOfWindow = "out_of_window"
    /// Right records in the window, all below the left base by more than the tolerance.
    case underpaid

    /// Chinese label: 无匹配, 超出时限, 少缴.
    public var chineseName: String {
        switch self {
        case .noMatch: "无匹配"
        case .outOfWindow: "超出时限"
        case .underpaid: "少缴"
        }
    }
}

/// How the two sides of a lead were joined (issue 12 §2).
public enum TaxLeadConfidence: String, Sendable, Codable, CaseIterable {
    /// Through a canonical identifier.
    case identifier
    /// Through a normalised name and 信息属地 only: a person must confirm the match before the lead counts.
    case nameDivision = "name_division"
}

/// The tax kinds recovered tax is reported by (税种).
public enum TaxKind: String, Sendable, Codable, CaseIterable {
    case deedTax = "deed_tax"
    case vehiclePurchaseTax = "vehicle_purchase_tax"
    case valueAddedTax = "vat"
    case corporateIncomeTax = "corporate_income_tax"
    case individualIncomeTax = "individual_income_tax"
    case propertyTax = "property_tax"
    case landValueIncrementTax = "land_value_increment_tax"
    case stampDuty = "stamp_duty"
    case other

    /// Chinese name: 契税, 车辆购置税, 增值税…
    public var chineseName: String {
        switch self {
        case .deedTax: "契税"
        case .vehiclePurchaseTax: "车辆购置税"
        case .valueAddedTax: "增值税"
        case .corporateIncomeTax: "企业所得税"
        case .individualIncomeTax: "个人所得税"
        case .propertyTax: "房产税"
        case .landValueIncrementTax: "土地增值税"
        case .stampDuty: "印花税"
        case .other: "其他"
        }
    }
}

/// The fixed reasons a lead is dismissed for (issue 12 §4).
public enum DismissalReason: String, Sendable, Codable, CaseIterable {
    /// 源数据错误: the source record is wrong; an objection is filed against it for the providing unit.
    case sourceDataError = "source_data_error"
    /// 已在外地缴纳
    case paidElsewhere = "paid_elsewhere"
    /// 依法免税
    case exempt
    /// 不属于应税行为
    case notTaxable = "not_taxable"
    /// 重复线索
    case duplicate
    /// 其他 (with a text saying what)
    case other

    /// Chinese label shown in the dismissal form and the per-reason statistics.
    public var chineseName: String {
        switch self {
        case .sourceDataError: "源数据错误"
        case .paidElsewhere: "已在外地缴纳"
        case .exempt: "依法免税"
        case .notTaxable: "不属于应税行为"
        case .duplicate: "重复线索"
        case .other: "其他"
        }
    }
}

/// Where a lead is in its work (issue 12 §4):
///
/// ```
/// open ──assign──▶ assigned ──startInvestigation──▶ investigating ──confirm──▶ confirmed
///                  assigned | investigating ──assign──▶ assigned (to another officer)
///    open | assigned | investigating ──dismiss──▶ dismissed
/// ```
///
/// `confirmed` and `dismissed` are final. Raw values are the stored spellings.
public enum TaxLeadState: String, Sendable, Codable, CaseIterable {
    case open, assigned, investigating, confirmed, dismissed

    /// Chinese label: 待分派, 已分派, 核查中, 已确认, 已排除.
    public var chineseName: String {
        switch self {
        case .open: "待分派"
        case .assigned: "已分派"
        case .investigating: "核查中"
        case .confirmed: "已确认"
        case .dismissed: "已排除"
        }
    }

    /// Whether the lead is closed.
    public var isFinal: Bool { self == .confirmed || self == .dismissed }
}

/// The work on one lead, as a value: its state and the facts each step recorded.
public struct TaxLeadWork: Sendable, Equatable {
    /// Where the lead is, and how its sides were joined.
    public var state: TaxLeadState
    public var confidence: TaxLeadConfidence
    /// The officer (username) the lead is assigned to.
    public var assignee: String?
    /// For a `name_division` lead: who confirmed that both sides are the same taxpayer.
    public var matchVerifiedBy: String?
    /// For a `name_division` lead: who found that the two sides are not the same taxpayer (the lead is then
    /// dismissed with reason `other` and a note saying so).
    public var matchRejectedBy: String?
    /// Tax recovered, in 元, by tax kind (set when confirmed).
    public var recovered: [TaxKind: Decimal]
    /// Why the lead was dismissed (set when dismissed).
    public var dismissal: DismissalReason?
    /// The text of an `other` dismissal, or a note to any dismissal.
    public var dismissalNote: String?

    /// Work in any state (a new lead: `open`, nothing recorded).
    public init(state: TaxLeadState = .open, confidence: TaxLeadConfidence = .identifier, assignee: String? = nil,
                matchVerifiedBy: String? = nil, matchRejectedBy: String? = nil, recovered: [TaxKind: Decimal] = [:],
                dismissal: DismissalReason? = nil, dismissalNote: String? = nil) {
        self.state = state
        self.confidence = confidence
        self.assignee = assignee
        self.matchVerifiedBy = matchVerifiedBy
        self.matchRejectedBy = matchRejectedBy
        self.recovered = recovered
        self.dismissal = dismissal
        self.dismissalNote = dismissalNote
    }

    /// What an officer does to a lead.
    public enum Event: Sendable, Equatable {
        /// Give the lead to the officer with this username (again, to reassign).
        case assign(to: String)
        /// The assignee starts investigating.
        case startInvestigation
        /// For a `name_division` lead: `by` confirms both sides are the same taxpayer.
        case verifyNameMatch(by: String)
        /// For a `name_division` lead not yet verified: `by` finds the sides are not the same taxpayer; the lead
        /// is dismissed (reason `other`, note ``TaxLeadWork/nameMismatchNote``).
        case rejectNameMatch(by: String)
        /// Tax recovered in 元 by tax kind; at least one kind, every amount ≥ 0.
        case confirm(recovered: [TaxKind: Decimal])
        /// Closed without tax; `other` needs a note.
        case dismiss(DismissalReason, note: String?)
    }

    /// The note of a lead dismissed because its name-and-division match was rejected (its reason is `other`).
    public static let nameMismatchNote = "人工核对：两侧不是同一纳税人，名称匹配不成立"

    /// Whether the lead waits in the review queue (issue 12 §2): a `name_division` lead still open to work
    /// whose match no person has confirmed yet. Such a lead stays out of the officers' queue.
    public var awaitsMatchReview: Bool {
        confidence == .nameDivision && matchVerifiedBy == nil && !state.isFinal
    }

    /// Total tax recovered, in 元.
    public var totalRecovered: Decimal { recovered.values.reduce(0, +) }

    /// Whether the lead counts as an adopted lead (信息报送, 特别贡献) for the unit whose record produced it:
    /// confirmed, and for a `name_division` lead with its match verified by a person.
    public var countsAsAdopted: Bool {
        state == .confirmed && (confidence == .identifier || matchVerifiedBy != nil)
    }

    /// Whether a `source_data_error` dismissal must be passed to the providing unit (an objection).
    public var filesObjection: Bool { state == .dismissed && dismissal == .sourceDataError }

    /// The work after `event`.
    /// - Throws: ``TaxLeadWorkError`` when the state does not allow the event or its facts are incomplete.
    public func applying(_ event: Event) throws(TaxLeadWorkError) -> TaxLeadWork {
        var next = self
        switch event {
        case .assign(let officer):
            guard !state.isFinal else { throw .closed(state) }
            guard !officer.isEmpty else { throw .noAssignee }
            next.state = .assigned
            next.assignee = officer
        case .startInvestigation:
            guard state == .assigned else { throw .notAllowed(from: state, action: "开始核查") }
            next.state = .investigating
        case .verifyNameMatch(let by):
            guard !state.isFinal else { throw .closed(state) }
            guard confidence == .nameDivision else { throw .notANameMatch }
            next.matchVerifiedBy = by
        case .rejectNameMatch(let by):
            guard !state.isFinal else { throw .closed(state) }
            guard confidence == .nameDivision else { throw .notANameMatch }
            guard matchVerifiedBy == nil else { throw .nameMatchAlreadyVerified }
            next.matchRejectedBy = by
            next.state = .dismissed
            next.dismissal = .other
            next.dismissalNote = Self.nameMismatchNote
        case .confirm(let recovered):
            guard state == .investigating else { throw .notAllowed(from: state, action: "确认") }
            guard !recovered.isEmpty else { throw .noRecoveredTax }
            if let negative = recovered.first(where: { $0.value < 0 }) { throw .negativeAmount(negative.key) }
            if confidence == .nameDivision, matchVerifiedBy == nil { throw .nameMatchNotVerified }
            next.state = .confirmed
            next.recovered = recovered
        case .dismiss(let reason, let note):
            guard !state.isFinal else { throw .closed(state) }
            let text = note.map(TextNormalization.trim)
            if reason == .other, text?.isEmpty ?? true { throw .otherNeedsNote }
            next.state = .dismissed
            next.dismissal = reason
            next.dismissalNote = (text?.isEmpty ?? true) ? nil : text
        }
        return next
    }
}

/// Why a step on a lead was refused, with a Chinese message the officer can act on.
public enum TaxLeadWorkError: Error, Sendable, Equatable, CustomStringConvertible {
    case closed(TaxLeadState)
    case notAllowed(from: TaxLeadState, action: String)
    case noAssignee
    case noRecoveredTax
    case negativeAmount(TaxKind)
    case otherNeedsNote
    case notANameMatch
    case nameMatchNotVerified
    case nameMatchAlreadyVerified

    /// Chinese message the officer can act on.
    public var message: String {
        switch self {
        case .closed(let state): "线索已\(state == .confirmed ? "确认" : "排除")，不能再处理"
        case .notAllowed(let from, let action): "线索处于“\(from.chineseName)”状态，不能\(action)：请先\(from == .open ? "分派给税务人员" : "开始核查")"
        case .noAssignee: "请选择承办的税务人员"
        case .noRecoveredTax: "确认线索时请填写追缴税款（按税种，单位：元）"
        case .negativeAmount(let kind): "\(kind.chineseName)追缴税款不能为负数"
        case .otherNeedsNote: "排除原因为“其他”时请填写具体说明"
        case .notANameMatch: "该线索按证件号码匹配，无需人工确认匹配"
        case .nameMatchNotVerified: "该线索仅按名称和信息属地匹配：请先确认两侧为同一纳税人，再确认线索"
        case .nameMatchAlreadyVerified: "该线索的名称匹配已经人工确认，不能再否定；如核查不成立请选择排除原因"
        }
    }

    public var description: String { message }
}
