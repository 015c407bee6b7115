/// Where a submission (报送批次) is in its life (DESIGN.md "The main job"):
///
/// ```
/// received ──validated──▶ validated ──concluded──▶ accepted | partially_accepted | refused
/// accepted | partially_accepted ──supersededBy──▶ superseded
/// received | validated ──interrupted──▶ interrupted   (the import died: crash, restart; its rows are removed)
/// ```
///
/// A later accepted submission for the same task supersedes the current one; the superseded one keeps its
/// records and stays readable, but consumers see only the current submission's records. Nothing is ever
/// overwritten or deleted. Raw values are the stored and JSON spellings.
public enum SubmissionState: String, Sendable, Codable, CaseIterable {
    case received
    case validated
    case accepted
    case partiallyAccepted = "partially_accepted"
    case refused
    case superseded
    /// The import stopped before it concluded (the server stopped or crashed): nothing of it was kept and
    /// the file must be uploaded again.
    case interrupted

    /// Whether the submission was accepted at some point (it is accepted now, or was before it was superseded).
    public var wasAccepted: Bool {
        switch self {
        case .accepted, .partiallyAccepted, .superseded: true
        case .received, .validated, .refused, .interrupted: false
        }
    }

    /// Whether this is the task's current submission state: its records are the ones consumers see.
    public var isCurrent: Bool {
        self == .accepted || self == .partiallyAccepted
    }

    /// Chinese label: 已接收, 已校验, 全部接收, 部分接收, 拒收, 已被更正.
    public var chineseName: String {
        switch self {
        case .received: "已接收"
        case .validated: "已校验"
        case .accepted: "全部接收"
        case .partiallyAccepted: "部分接收"
        case .refused: "拒收"
        case .superseded: "已被更正"
        case .interrupted: "导入中断"
        }
    }

    /// The state an import outcome concludes in.
    public init(_ outcome: ImportOutcome) {
        switch outcome {
        case .accepted: self = .accepted
        case .partiallyAccepted: self = .partiallyAccepted
        case .refused: self = .refused
        }
    }
}

/// What happens to a submission.
public enum SubmissionEvent: Sendable, Equatable {
    /// The file was read and checked against its template and rules (a zero-data filing: its explanation).
    case validated
    /// Validation ended with `outcome` (refused when no row was accepted).
    case concluded(ImportOutcome)
    /// A later accepted submission for the same task took this one's place.
    case supersededBy(String)
    /// The import was found dead (no sign of life for a while, or the server restarted).
    case interrupted
}

/// A transition the lifecycle does not allow: a programming or concurrency fault, never a clerk's.
public struct SubmissionLifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var from: SubmissionState
    public var event: SubmissionEvent

    public var description: String {
        "报送批次状态“\(from.chineseName)”不能执行 \(event)：请刷新后重试。"
    }
}

/// The submission state machine: one pure transition function.
public enum SubmissionLifecycle {
    /// The state after `event` happens in `state`.
    /// - Throws: ``SubmissionLifecycleError`` for a transition the lifecycle does not allow (e.g. a refused or
    ///   already superseded submission cannot be superseded; nothing concludes twice).
    public static func apply(_ event: SubmissionEvent, to state: SubmissionState) throws(SubmissionLifecycleError) -> SubmissionState {
        switch (state, event) {
        case (.received, .validated): return .validated
        case (.validated, .concluded(let outcome)): return SubmissionState(outcome)
        case (.accepted, .supersededBy), (.partiallyAccepted, .supersededBy): return .superseded
        case (.received, .interrupted), (.validated, .interrupted): return .interrupted
        default: throw SubmissionLifecycleError(from: state, event: event)
        }
    }
}

/// Who acted for a proxy submission (代为报送) and why: the info center submitting on a unit's behalf.
public struct ProxyNote: Sendable, Equatable, Codable {
    /// The person who acted, e.g. 王敏 (until users exist, as typed by the info center).
    public var actedBy: String
    /// Why the unit did not submit itself, e.g. 单位系统故障，经电话确认由信息中心代报.
    public var reason: String

    public init(actedBy: String, reason: String) {
        self.actedBy = actedBy
        self.reason = reason
    }
}
