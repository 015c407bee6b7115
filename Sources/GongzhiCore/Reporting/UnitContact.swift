/// The people a member unit answers through (附件2 领导重视): its accountable head and its data reporter.
public enum ContactRole: String, Sendable, Codable, CaseIterable {
    /// 第一责任人.
    case head
    /// 数据报送员 (with a mobile number).
    case reporter

    public var chineseName: String {
        switch self {
        case .head: "第一责任人"
        case .reporter: "数据报送员"
        }
    }
}

/// One entry of a unit's contact history: who holds `role` from `effectiveFrom`, and when the platform was
/// told (`notifiedOn`). Entries are never edited; a change is a new entry.
public struct UnitContact: Sendable, Equatable {
    public var unit: String
    public var role: ContactRole
    public var name: String
    /// The reporter's mobile number (11 digits); `nil` for the head.
    public var mobile: String?
    /// The day the person took up the role.
    public var effectiveFrom: CalendarDate
    /// The day the unit told the platform.
    public var notifiedOn: CalendarDate

    public init(unit: String, role: ContactRole, name: String, mobile: String?, effectiveFrom: CalendarDate,
                notifiedOn: CalendarDate) {
        self.unit = unit
        self.role = role
        self.name = name
        self.mobile = mobile
        self.effectiveFrom = effectiveFrom
        self.notifiedOn = notifiedOn
    }

    /// Whether the platform learnt of the change only after it took effect (an unreported change, which the
    /// info center may record as an incident).
    public var wasNotifiedLate: Bool { notifiedOn > effectiveFrom }
}

/// Why a contact change cannot be recorded.
public enum ContactError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingName
    /// The reporter needs a mainland mobile number.
    case badMobile(String)
    /// Told before it happened is fine; told in the future is not.
    case notifiedInFuture(CalendarDate)
    case unknownUnit(String)
    case missingDescription

    public var description: String {
        switch self {
        case .missingName: "请填写姓名。"
        case .badMobile(let m): "手机号码“\(m)”不对：请填写11位手机号码，如 13812345678。"
        case .notifiedInFuture(let d): "告知日期 \(d.isoString) 晚于今天：请填写平台实际得知变更的日期。"
        case .unknownUnit(let u): "单位“\(u)”不在目录中：请使用目录中的单位编码。"
        case .missingDescription: "请写明事件经过（如：报送员已调岗，未告知平台）。"
        }
    }
}

/// Rules for contact entries.
public enum ContactRules {
    /// Checks `contact` as of `today` and returns it normalised (trimmed name, half-width mobile digits).
    /// - Throws: ``ContactError`` for a blank name, a reporter without a valid 11-digit mobile number starting
    ///   with 1 (a head's number is optional but, if given, checked the same way), a notification date after
    ///   `today`.
    public static func checked(_ contact: UnitContact, today: CalendarDate) throws(ContactError) -> UnitContact {
        var c = contact
        c.name = TextNormalization.trim(contact.name)
        guard !c.name.isEmpty else { throw .missingName }
        if let raw = contact.mobile.map({ TextNormalization.foldWidth(TextNormalization.trim($0)) }), !raw.isEmpty {
            let digits = raw.filter { $0 != " " && $0 != "-" }
            guard digits.count == 11, digits.first == "1", digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .badMobile(raw)
            }
            c.mobile = digits
        } else {
            guard contact.role != .reporter else { throw .badMobile("") }
            c.mobile = nil
        }
        guard c.notifiedOn <= today else { throw .notifiedInFuture(c.notifiedOn) }
        return c
    }

    /// Who holds `role` on `date`: the entry with the latest `effectiveFrom` on or before `date` (among
    /// equals, the one listed last).
    public static func holder(of role: ContactRole, on date: CalendarDate, in history: [UnitContact]) -> UnitContact? {
        var best: UnitContact?
        for c in history where c.role == role && c.effectiveFrom <= date {
            if best == nil || c.effectiveFrom >= best!.effectiveFrom { best = c }
        }
        return best
    }
}
