/// A complaint (投诉) about a unit's breach of the sharing rules, as 附件1 第二十条 sets it out: any member unit
/// may complain about another's leak, misuse or refusal to share; the city office (市政府办公室, the approver
/// role) handles it and decides. An upheld leak can be carried into the assessment's leak penalty (减分项).
///
/// Pure: ``ComplaintWorkflow/apply(_:to:by:)`` is the whole state machine.
public enum ComplaintKind: String, Sendable, CaseIterable {
    /// Shared data leaked (泄露).
    case leak
    /// Shared data used beyond the purpose granted (滥用).
    case misuse
    /// A unit refused to share what the rules require it to (拒绝共享).
    case refusal

    public var chineseName: String {
        switch self {
        case .leak: "泄露数据"
        case .misuse: "滥用数据"
        case .refusal: "拒绝共享"
        }
    }
}

/// Where a complaint stands.
public enum ComplaintState: String, Sendable, CaseIterable {
    /// Filed, waiting for the city office.
    case filed
    /// The city office is handling it (inquiry under way).
    case handling
    /// Decided: the breach is confirmed. Final.
    case upheld
    /// Decided: no breach found. Final.
    case notUpheld = "not_upheld"

    public var chineseName: String {
        switch self {
        case .filed: "待处理"
        case .handling: "处理中"
        case .upheld: "投诉成立"
        case .notUpheld: "投诉不成立"
        }
    }

    public var isOpen: Bool { self == .filed || self == .handling }
}

/// A step in a complaint's life, taken by the city office; each carries the note recorded with it.
public enum ComplaintEvent: Sendable, Equatable {
    /// Take it up: the handling under way (who inquires, what was asked).
    case handle(note: String)
    /// Decide: the outcome and its grounds.
    case decide(upheld: Bool, note: String)

    public var code: String {
        switch self {
        case .handle: "handle"
        case .decide(let upheld, _): upheld ? "uphold" : "reject"
        }
    }

    public var note: String {
        switch self {
        case .handle(let n), .decide(_, let n): n
        }
    }
}

/// Who takes a step.
public enum ComplaintParty: Sendable, Equatable {
    /// The city office (市政府办公室).
    case cityOffice
    /// Anyone else (the complainant, the unit complained about, the info center).
    case other
}

/// Why a complaint cannot be filed or a step taken.
public enum ComplaintError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAllowed(ComplaintEvent, ComplaintState)
    case notYourStep
    case noteRequired
    case textRequired
    /// The kind of breach is missing or not one of ``ComplaintKind``.
    case kindRequired
    /// A unit cannot complain about itself.
    case ownUnit
    case unknownUnit(String)
    /// Only an upheld leak complaint carries a leak penalty, once.
    case notAnUpheldLeak
    case alreadyCarried

    public var code: String {
        switch self {
        case .notAllowed: "invalid_transition"
        case .notYourStep: "not_permitted"
        case .noteRequired: "note_required"
        case .textRequired: "text_required"
        case .kindRequired: "kind_required"
        case .ownUnit: "own_unit"
        case .unknownUnit: "unknown_unit"
        case .notAnUpheldLeak: "not_an_upheld_leak"
        case .alreadyCarried: "already_carried"
        }
    }

    public var description: String {
        switch self {
        case .notAllowed(let e, let s): "投诉当前状态为“\(s.chineseName)”，不能\(e.code == "handle" ? "受理" : "作出决定")。"
        case .notYourStep: "投诉由市政府办公室处理，您不能进行这一步。"
        case .noteRequired: "请填写处理情况或决定理由。"
        case .textRequired: "请写明投诉事实：何时、何数据、如何违反规定。"
        case .kindRequired: "请选择投诉类型：泄露数据、滥用数据或拒绝共享。"
        case .ownUnit: "不能投诉本单位。"
        case .unknownUnit(let u): "单位“\(u)”不在目录中：请选择被投诉单位。"
        case .notAnUpheldLeak: "只有成立的泄露数据投诉才能计入考核泄密扣分。"
        case .alreadyCarried: "这件投诉已计入考核泄密扣分。"
        }
    }
}

public enum ComplaintWorkflow {
    /// The state after `event` on `state` by `party`: the city office takes a filed complaint up, and decides one
    /// filed or in handling; every step needs a note.
    /// - Throws: ``ComplaintError``.
    public static func apply(_ event: ComplaintEvent, to state: ComplaintState, by party: ComplaintParty) throws(ComplaintError) -> ComplaintState {
        guard party == .cityOffice else { throw .notYourStep }
        guard !TextNormalization.trim(event.note).isEmpty else { throw .noteRequired }
        switch (event, state) {
        case (.handle, .filed): return .handling
        case (.decide(let upheld, _), .filed), (.decide(let upheld, _), .handling): return upheld ? .upheld : .notUpheld
        default: throw .notAllowed(event, state)
        }
    }

    /// Whether a complaint may be carried into the assessment's leak penalty: an upheld leak not carried yet.
    /// - Throws: ``ComplaintError/notAnUpheldLeak``, ``ComplaintError/alreadyCarried``.
    public static func checkCarry(kind: ComplaintKind, state: ComplaintState, carried: Bool) throws(ComplaintError) {
        guard kind == .leak, state == .upheld else { throw .notAnUpheldLeak }
        guard !carried else { throw .alreadyCarried }
    }
}
