/// An objection (疑义) to shared data, as 附件1 第十一条 sets it out: a consumer who doubts a record (or a
/// submission that misses records) says so with a reason; the providing unit answers — upholds it and
/// corrects the data, or rejects it with a reason; the info center arbitrates a disputed rejection.
/// Upheld objections are the erroneous and omitted records the assessment counts (附件2 数据报送质量).
///
/// Pure: ``ObjectionWorkflow/apply(_:to:by:)`` is the whole state machine; the store keeps the state and
/// the server writes each transition with its audit entry.
public enum ObjectionKind: String, Sendable, CaseIterable {
    /// A record (or one field of it) is wrong.
    case erroneous
    /// A record duplicates another.
    case duplicate
    /// Records known to exist are missing from a submission (with a count and the evidence).
    case omitted

    public var chineseName: String {
        switch self {
        case .erroneous: "数据错误"
        case .duplicate: "重复数据"
        case .omitted: "数据漏报"
        }
    }
}

/// Where an objection stands.
public enum ObjectionState: String, Sendable, CaseIterable {
    /// Filed, waiting for the providing unit's answer.
    case open
    /// The providing unit (or the info center's ruling) agreed; a corrected file is due.
    case upheld
    /// The corrected file was filed; linked to the objection.
    case corrected
    /// The providing unit rejected it with a reason; the filer may dispute.
    case rejected
    /// The filer disputes the rejection; the info center rules.
    case disputed
    /// The info center ruled for the providing unit. Final.
    case dismissed
    /// The filer withdrew it. Final.
    case withdrawn

    public var chineseName: String {
        switch self {
        case .open: "待答复"
        case .upheld: "已采纳，待更正"
        case .corrected: "已更正"
        case .rejected: "不予采纳"
        case .disputed: "申请裁定中"
        case .dismissed: "裁定不予采纳"
        case .withdrawn: "已撤回"
        }
    }

    /// Whether the objection stands as a fault of the providing unit's data (counted in its 错(漏)报率).
    public var isUpheld: Bool { self == .upheld || self == .corrected }

    /// Whether someone still has to act.
    public var isOpen: Bool { self == .open || self == .upheld || self == .disputed }
}

/// Who takes a step: the parties of one objection.
public enum ObjectionParty: Sendable, Equatable {
    /// A user of the unit that filed it.
    case filer
    /// A reporter or head of the unit whose data it concerns.
    case provider
    /// The info center (信息中心), which arbitrates.
    case infoCenter
    /// Anyone else.
    case other
}

/// A step in an objection's life.
public enum ObjectionEvent: Sendable, Equatable {
    case uphold
    case reject(reason: String)
    case dispute(reason: String)
    case withdraw
    /// The info center's ruling on a disputed rejection: for the filer (`upheld == true`) or the provider.
    case arbitrate(upheld: Bool, reason: String)
    /// The providing unit filed the corrected data.
    case corrected

    public var chineseName: String {
        switch self {
        case .uphold: "采纳"
        case .reject: "不予采纳"
        case .dispute: "申请裁定"
        case .withdraw: "撤回"
        case .arbitrate(let upheld, _): upheld ? "裁定采纳" : "裁定不予采纳"
        case .corrected: "已更正"
        }
    }

    /// The stable name for the API and the audit log.
    public var code: String {
        switch self {
        case .uphold: "uphold"
        case .reject: "reject"
        case .dispute: "dispute"
        case .withdraw: "withdraw"
        case .arbitrate(let upheld, _): upheld ? "arbitrate_uphold" : "arbitrate_dismiss"
        case .corrected: "corrected"
        }
    }
}

/// Why a step cannot be taken; messages in Chinese.
public enum ObjectionError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAllowed(ObjectionEvent, ObjectionState)
    case notYourStep(ObjectionEvent)
    case reasonRequired
    case missingTarget
    case badCount
    case ownData

    public var code: String {
        switch self {
        case .notAllowed: "invalid_transition"
        case .notYourStep: "not_permitted"
        case .reasonRequired: "reason_required"
        case .missingTarget: "missing_target"
        case .badCount: "bad_count"
        case .ownData: "own_data"
        }
    }

    public var description: String {
        switch self {
        case .notAllowed(let event, let state): "疑义当前为「\(state.chineseName)」，不能\(event.chineseName)。"
        case .notYourStep(let event):
            switch event {
            case .uphold, .reject, .corrected: "只有数据提供单位的报送员或第一责任人可以答复疑义。"
            case .dispute, .withdraw: "只有提出疑义的单位可以申请裁定或撤回。"
            case .arbitrate: "只有信息中心可以裁定。"
            }
        case .reasonRequired: "请写明理由。"
        case .missingTarget: "请指明有疑义的记录（错误、重复）或报送（漏报）。"
        case .badCount: "漏报疑义须写明漏报的记录条数（1 条以上）。"
        case .ownData: "本单位的数据有误请直接补报或更正，不必提出疑义。"
        }
    }
}

/// The state machine of an objection (附件1 第十一条).
public enum ObjectionWorkflow {
    /// The state after `event`, taken by `party`, from `state`.
    /// - Throws: ``ObjectionError/notYourStep(_:)`` when `party` may not take it, ``ObjectionError/notAllowed(_:_:)``
    ///   when `state` does not allow it, ``ObjectionError/reasonRequired`` for a rejection, dispute or ruling
    ///   without a reason.
    public static func apply(_ event: ObjectionEvent, to state: ObjectionState, by party: ObjectionParty) throws(ObjectionError) -> ObjectionState {
        let allowed: ObjectionParty
        let from: Set<ObjectionState>
        let to: ObjectionState
        switch event {
        case .uphold: (allowed, from, to) = (.provider, [.open], .upheld)
        case .reject(let reason):
            guard !TextNormalization.trim(reason).isEmpty else { throw .reasonRequired }
            (allowed, from, to) = (.provider, [.open], .rejected)
        case .dispute(let reason):
            guard !TextNormalization.trim(reason).isEmpty else { throw .reasonRequired }
            (allowed, from, to) = (.filer, [.rejected], .disputed)
        case .withdraw: (allowed, from, to) = (.filer, [.open, .rejected], .withdrawn)
        case .arbitrate(let upheld, let reason):
            guard !TextNormalization.trim(reason).isEmpty else { throw .reasonRequired }
            (allowed, from, to) = (.infoCenter, [.disputed], upheld ? .upheld : .dismissed)
        case .corrected: (allowed, from, to) = (.provider, [.upheld], .corrected)
        }
        guard party == allowed else { throw .notYourStep(event) }
        guard from.contains(state) else { throw .notAllowed(event, state) }
        return to
    }

    /// Whether an objection filed on `filed` and still waiting for an answer (``ObjectionState/open``) is
    /// overdue on `today`: more than `workingDays` working days (Monday to Friday) have passed.
    public static func isOverdue(state: ObjectionState, filed: CalendarDate, today: CalendarDate, workingDays: Int) -> Bool {
        guard state == .open else { return false }
        return workingDaysBetween(filed, today) > workingDays
    }

    /// Working days (Monday to Friday) after `from`, up to and including `to`.
    public static func workingDaysBetween(_ from: CalendarDate, _ to: CalendarDate) -> Int {
        guard to.daysSinceEpoch > from.daysSinceEpoch else { return 0 }
        var count = 0
        for day in (from.daysSinceEpoch + 1)...to.daysSinceEpoch {
            // 1970-01-01 was a Thursday: day 0 → weekday index 3 (Monday = 0).
            let weekday = ((day % 7) + 7 + 3) % 7
            if weekday < 5 { count += 1 }
        }
        return count
    }

    /// How many records an objection in `state` adds to the providing unit's erroneous and omitted records:
    /// one for a record (erroneous, duplicate), its count for an omission; none unless upheld.
    public static func faultyRecords(kind: ObjectionKind, count: Int, state: ObjectionState) -> Int {
        guard state.isUpheld else { return 0 }
        return kind == .omitted ? max(count, 0) : 1
    }
}
