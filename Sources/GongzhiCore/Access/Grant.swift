/// 授权: what a granted (报备式) or approved (审批式) ``AccessRequest`` lets the requesting unit's analysts see
/// (附件1 第十条): one indicator, some of its fields in the clear and some masked, a period range, a last day of
/// validity and per-user daily row limits.
///
/// Fields in neither list are not shown at all. A grant is used only by the grantee unit, only while
/// ``status(on:)`` is ``Status/active``, and only with a security agreement in force (see ``AccessPolicy``).
public struct Grant: Hashable, Sendable {
    /// How a granted field is shown.
    public enum FieldAccess: String, Hashable, Sendable {
        /// The stored value as is.
        case clear
        /// Masked by its ``MaskingRule`` (see ``RecordMasker``).
        case masked
    }

    /// Whether the grant can be used on a given day.
    public enum Status: Hashable, Sendable {
        case active
        /// Before ``validFrom``.
        case notYetValid(from: CalendarDate)
        /// After ``expiresOn`` (the last valid day).
        case expired(on: CalendarDate)
        /// Revoked by an approver or the info center, with the reason.
        case revoked(reason: String)
    }

    /// Who revoked the grant, when, why.
    public struct Revocation: Hashable, Sendable {
        public var by: String
        public var at: CalendarDateTime
        public var reason: String

        public init(by: String, at: CalendarDateTime, reason: String) {
            self.by = by
            self.at = at
            self.reason = reason
        }
    }

    /// Code of the unit whose analysts may use the grant (the request's requesting unit).
    public let granteeUnit: String
    /// Code of the unit that holds the data.
    public let providingUnit: String
    /// The indicator (e.g. `PSB-003`).
    public let indicatorCode: String
    /// Field keys shown in the clear, in the indicator's field order.
    public let clearFields: [String]
    /// Field keys shown masked, in the indicator's field order; disjoint from ``clearFields``.
    public let maskedFields: [String]
    /// Reporting periods covered, inclusive (from the request).
    public let periodFrom: ReportingPeriod
    public let periodTo: ReportingPeriod
    /// First day the grant may be used (the day it was issued).
    public let validFrom: CalendarDate
    /// Last day the grant may be used (inclusive).
    public let expiresOn: CalendarDate
    /// Daily row limits per user.
    public let limits: QuotaLimits
    /// User id of who issued the grant (the approver; for 报备式, the analyst whose registration granted it).
    public let issuedBy: String
    public let issuedAt: CalendarDateTime
    public private(set) var revocation: Revocation?

    /// The terms a grant is issued with: chosen by the approver (审批式), or ``proposed(for:fields:from:days:limits:)``
    /// defaults for a 报备式 registration.
    public struct Terms: Hashable, Sendable {
        public var clearFields: [String]
        public var maskedFields: [String]
        /// Last valid day (inclusive).
        public var expiresOn: CalendarDate
        public var limits: QuotaLimits

        public init(clearFields: [String], maskedFields: [String], expiresOn: CalendarDate, limits: QuotaLimits) {
            self.clearFields = clearFields
            self.maskedFields = maskedFields
            self.expiresOn = expiresOn
            self.limits = limits
        }

        /// Default terms: each of `fields` masked when ``MaskingRule/isPersonal(_:in:)`` says it holds personal
        /// information, in the clear otherwise; valid for `days` days from `day` (the last valid day is
        /// `day + days - 1`).
        public static func proposed(for indicator: Indicator, fields: [String], from day: CalendarDate, days: Int,
                                    limits: QuotaLimits) -> Terms {
            var clear: [String] = [], masked: [String] = []
            for field in indicator.fields where fields.contains(field.key) {
                if MaskingRule.isPersonal(field, in: indicator) {
                    masked.append(field.key)
                } else {
                    clear.append(field.key)
                }
            }
            let last = day.adding(days: max(days, 1) - 1) ?? day
            return Terms(clearFields: clear, maskedFields: masked, expiresOn: last, limits: limits)
        }
    }

    /// Issues the grant of `request` (state `granted` or `approved`) on `indicator` with `terms`.
    ///
    /// Catalogued requests may only be granted their own indicator and fields; for uncatalogued data the
    /// indicator (added to the catalog meanwhile) must belong to the providing unit.
    /// Who issues: for an `approved` request an approver (the terms are the approver's); for a `granted`
    /// (报备式) request an analyst of the requesting unit or an admin (use ``Terms/proposed(for:fields:from:days:limits:)``).
    /// A 报备式 grant issued at once (request `granted`) shows no personal field in the clear; only an approver
    /// may (a request with ``AccessRequest/clearIdentifiers`` goes to one).
    /// - Throws: ``GrantError`` — `.requestNotGranted`, `.issuerNotAllowed`, `.indicatorMismatch`, `.noFields`,
    ///   `.fieldsNotRequested`, `.fieldsInBothLists`, `.clearPersonalFieldsNeedApproval`, `.expiryBeforeIssue`,
    ///   `.invalidLimit`.
    public init(request: AccessRequest, indicator: Indicator, terms: Terms, by issuer: Principal,
                at time: CalendarDateTime) throws(GrantError) {
        guard request.state.allowsGrant else { throw .requestNotGranted(state: request.state) }
        if request.state == .approved {
            guard issuer.has(.approver) else { throw .issuerNotAllowed(roles: [.approver]) }
        } else {
            let requester = issuer.has(.analyst) && issuer.unitCode == request.requestingUnit
            guard requester || issuer.has(.admin) else { throw .issuerNotAllowed(roles: [.analyst, .admin]) }
        }
        let allowed: [String]
        switch request.subject {
        case .indicator(let code):
            guard code == indicator.code else { throw .indicatorMismatch(expected: code, given: indicator.code) }
            allowed = request.fields
        case .uncatalogued:
            guard indicator.unit == request.providingUnit else {
                throw .indicatorMismatch(expected: request.providingUnit, given: indicator.code)
            }
            allowed = indicator.fields.map(\.key)
        }
        guard !(terms.clearFields.isEmpty && terms.maskedFields.isEmpty) else { throw .noFields }
        let notRequested = (terms.clearFields + terms.maskedFields).filter { !allowed.contains($0) || indicator.field($0) == nil }
        guard notRequested.isEmpty else { throw .fieldsNotRequested(notRequested) }
        let both = terms.clearFields.filter(terms.maskedFields.contains)
        guard both.isEmpty else { throw .fieldsInBothLists(both) }
        // Personal fields in the clear are an approver's decision: a 报备式 grant issued at once masks them all.
        if request.state == .granted {
            let personal = terms.clearFields.filter { key in indicator.field(key).map { MaskingRule.isPersonal($0, in: indicator) } ?? false }
            guard personal.isEmpty else { throw .clearPersonalFieldsNeedApproval(personal) }
        }
        guard terms.expiresOn >= time.date else { throw .expiryBeforeIssue(expiresOn: terms.expiresOn) }
        guard terms.limits.dailyQueryRows >= 0, terms.limits.dailyDownloadRows >= 0 else { throw .invalidLimit }

        granteeUnit = request.requestingUnit
        providingUnit = indicator.unit
        indicatorCode = indicator.code
        let order = indicator.fields.map(\.key)
        clearFields = order.filter(terms.clearFields.contains)
        maskedFields = order.filter(terms.maskedFields.contains)
        periodFrom = request.periodFrom
        periodTo = request.periodTo
        validFrom = time.date
        expiresOn = terms.expiresOn
        limits = terms.limits
        issuedBy = issuer.userID
        issuedAt = time
        revocation = nil
    }

    /// How `fieldKey` is shown under this grant, or `nil` when it is not granted (then it is left out).
    public func access(to fieldKey: String) -> FieldAccess? {
        if clearFields.contains(fieldKey) { return .clear }
        if maskedFields.contains(fieldKey) { return .masked }
        return nil
    }

    /// Whether `period` lies within the granted range (by its days: `2024Q1` covers `2024-02`).
    public func covers(_ period: ReportingPeriod) -> Bool {
        period.firstDay >= periodFrom.firstDay && period.lastDay <= periodTo.lastDay
    }

    /// The grant's status on `day`. Revocation wins over expiry.
    public func status(on day: CalendarDate) -> Status {
        if let revocation { return .revoked(reason: revocation.reason) }
        if day < validFrom { return .notYetValid(from: validFrom) }
        if day > expiresOn { return .expired(on: expiresOn) }
        return .active
    }

    /// Throws unless the grant is active on `day`.
    /// - Throws: ``GrantError`` `.revoked`, `.notYetValid`, `.expired`.
    public func requireActive(on day: CalendarDate) throws(GrantError) {
        switch status(on: day) {
        case .active: return
        case .revoked(let reason): throw .revoked(reason: reason)
        case .notYetValid(let from): throw .notYetValid(from: from)
        case .expired(let on): throw .expired(on: on)
        }
    }

    /// Whether this grant is chosen before `other` when both could serve the same query or download (issue 9:
    /// among several usable grants the one used must not be arbitrary). The rule, in order:
    ///
    /// 1. the broadest: more fields shown (in the clear or masked), then more of them in the clear;
    /// 2. the latest ``expiresOn``;
    /// 3. the newest (``issuedAt``).
    ///
    /// `false` both ways means the rule sees the grants as equal; ``preferred(among:on:covering:)`` then keeps
    /// the one that comes first in its input, so callers pass grants in a fixed order (storage: by id).
    public func ranks(before other: Grant) -> Bool {
        let mine = (clearFields.count + maskedFields.count, clearFields.count)
        let theirs = (other.clearFields.count + other.maskedFields.count, other.clearFields.count)
        if mine != theirs { return mine > theirs }
        if expiresOn != other.expiresOn { return expiresOn > other.expiresOn }
        return issuedAt > other.issuedAt
    }

    /// The grant used among `grants`: of those active on `day` that cover every period in `periods`, the first
    /// by ``ranks(before:)`` (among equals, the earliest in `grants`); `nil` when none qualifies.
    public static func preferred(among grants: [Grant], on day: CalendarDate, covering periods: [ReportingPeriod]) -> Grant? {
        var best: Grant?
        for grant in grants where grant.status(on: day) == .active && periods.allSatisfy(grant.covers) {
            if let current = best, !grant.ranks(before: current) { continue }
            best = grant
        }
        return best
    }

    /// Revokes the grant (approver or info-center admin), with a reason. A revoked grant stays revoked.
    /// - Throws: ``GrantError`` `.roleRequired`, `.revocationReasonRequired`, `.alreadyRevoked`.
    public mutating func revoke(by principal: Principal, at time: CalendarDateTime, reason: String) throws(GrantError) {
        guard principal.hasAny(of: [.approver, .admin]) else { throw .roleRequired(roles: [.approver, .admin]) }
        let reason = TextNormalization.trim(reason)
        guard !reason.isEmpty else { throw .revocationReasonRequired }
        if let revocation { throw .alreadyRevoked(on: revocation.at.date) }
        revocation = Revocation(by: principal.userID, at: time, reason: reason)
    }
}

/// Why a grant could not be issued, used or revoked. `message` is Chinese for the clerk.
public enum GrantError: Error, Hashable, Sendable, CustomStringConvertible {
    case requestNotGranted(state: AccessRequest.State)
    /// The issuer may not issue this grant; `roles` may (an analyst only for the own unit's 报备式 request).
    case issuerNotAllowed(roles: [Role])
    case indicatorMismatch(expected: String, given: String)
    case noFields
    /// Field keys not requested (or not in the indicator).
    case fieldsNotRequested([String])
    case fieldsInBothLists([String])
    /// Personal fields asked in the clear on a 报备式 grant issued without an approver.
    case clearPersonalFieldsNeedApproval([String])
    case expiryBeforeIssue(expiresOn: CalendarDate)
    case invalidLimit
    case revoked(reason: String)
    case notYetValid(from: CalendarDate)
    case expired(on: CalendarDate)
    case roleRequired(roles: [Role])
    case revocationReasonRequired
    case alreadyRevoked(on: CalendarDate)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .requestNotGranted: "request_not_granted"
        case .issuerNotAllowed: "issuer_not_allowed"
        case .indicatorMismatch: "indicator_mismatch"
        case .noFields: "no_fields"
        case .fieldsNotRequested: "fields_not_requested"
        case .fieldsInBothLists: "fields_in_both_lists"
        case .clearPersonalFieldsNeedApproval: "clear_personal_fields_need_approval"
        case .expiryBeforeIssue: "expiry_before_issue"
        case .invalidLimit: "invalid_limit"
        case .revoked: "grant_revoked"
        case .notYetValid: "grant_not_yet_valid"
        case .expired: "grant_expired"
        case .roleRequired: "role_required"
        case .revocationReasonRequired: "revocation_reason_required"
        case .alreadyRevoked: "already_revoked"
        }
    }

    /// Chinese message for the clerk, saying what to do.
    public var message: String {
        switch self {
        case .requestNotGranted(let state): "申请状态为“\(state.chineseName)”，尚未获准，不能授权。"
        case .issuerNotAllowed(let roles):
            "您不能签发此授权：需要“\(roles.map(\.chineseName).joined(separator: "”或“"))”角色（报备式仅限申请单位本身）。"
        case .indicatorMismatch(let expected, let given): "授权的数据项 \(given) 与申请（\(expected)）不符，请核对。"
        case .noFields: "授权至少要包含一个字段。"
        case .fieldsNotRequested(let keys): "以下字段不在申请范围内，不能授权：\(keys.joined(separator: "、"))。"
        case .fieldsInBothLists(let keys): "以下字段同时列为明文和脱敏，请只选一种：\(keys.joined(separator: "、"))。"
        case .clearPersonalFieldsNeedApproval(let keys):
            "报备式授权的个人信息字段一律脱敏：\(keys.joined(separator: "、")) 如需明文，请在申请时勾选“申请明文身份标识”并填写法律依据，经审批后提供。"
        case .expiryBeforeIssue(let d): "授权截止日期 \(d.isoString) 早于今天，请重新选择截止日期。"
        case .invalidLimit: "每日查询、下载条数上限不能为负数。"
        case .revoked(let reason): "该授权已被撤销（理由：\(reason)），如仍需使用请重新申请。"
        case .notYetValid(let from): "该授权自 \(from.isoString) 起生效，请届时再使用。"
        case .expired(let on): "该授权已于 \(on.isoString) 到期，如仍需使用请重新申请。"
        case .roleRequired(let roles): "您没有撤销授权的权限：需要“\(roles.map(\.chineseName).joined(separator: "”或“"))”角色。"
        case .revocationReasonRequired: "撤销授权时必须填写理由。"
        case .alreadyRevoked(let on): "该授权已于 \(on.isoString) 撤销，无需重复操作。"
        }
    }

    /// English detail for the log.
    public var description: String {
        switch self {
        case .requestNotGranted(let state): "request is \(state.rawValue), not granted"
        case .issuerNotAllowed(let roles): "issuer needs one of \(roles.map(\.rawValue))"
        case .indicatorMismatch(let expected, let given): "indicator \(given) does not match \(expected)"
        case .noFields: "grant names no fields"
        case .fieldsNotRequested(let keys): "fields not requested: \(keys)"
        case .fieldsInBothLists(let keys): "fields both clear and masked: \(keys)"
        case .clearPersonalFieldsNeedApproval(let keys): "personal fields \(keys) in the clear need an approver"
        case .expiryBeforeIssue(let d): "expiry \(d) before issue day"
        case .invalidLimit: "negative daily limit"
        case .revoked: "grant revoked"
        case .notYetValid(let from): "grant valid from \(from)"
        case .expired(let on): "grant expired after \(on)"
        case .roleRequired(let roles): "role \(roles.map(\.rawValue)) required to revoke"
        case .revocationReasonRequired: "revocation needs a reason"
        case .alreadyRevoked(let on): "grant already revoked on \(on)"
        }
    }
}

// Rebuilding from storage: the checks ran when the grant was issued.
extension Grant {
    /// A grant exactly as it was stored (no checks: it was checked when it was issued).
    public init(restoringGranteeUnit granteeUnit: String, providingUnit: String, indicatorCode: String,
                clearFields: [String], maskedFields: [String], periodFrom: ReportingPeriod, periodTo: ReportingPeriod,
                validFrom: CalendarDate, expiresOn: CalendarDate, limits: QuotaLimits, issuedBy: String,
                issuedAt: CalendarDateTime, revocation: Revocation?) {
        self.granteeUnit = granteeUnit
        self.providingUnit = providingUnit
        self.indicatorCode = indicatorCode
        self.clearFields = clearFields
        self.maskedFields = maskedFields
        self.periodFrom = periodFrom
        self.periodTo = periodTo
        self.validFrom = validFrom
        self.expiresOn = expiresOn
        self.limits = limits
        self.issuedBy = issuedBy
        self.issuedAt = issuedAt
        self.revocation = revocation
    }
}
