/// Something a user may try to do; the rows of ``AccessPolicy/rules``. Raw values are stable (matrix tests,
/// logs).
public enum AccessAction: String, Hashable, Sendable, CaseIterable {
    /// See a unit's submissions, rejected rows and reporting status.
    case viewSubmissions = "view_submissions"
    /// Upload a file for the own unit.
    case submit
    /// 代为报送: upload a file on a unit's behalf (info center).
    case proxySubmit = "proxy_submit"
    /// See a unit's assessment score and its breakdown.
    case viewScore = "view_score"
    /// Change the catalog (indicators, fields, sharing modes).
    case manageCatalog = "manage_catalog"
    /// Manage units, users, contacts and deadlines.
    case manageUnits = "manage_units"
    /// Record a unit's 数据安全保障协议.
    case recordAgreement = "record_agreement"
    /// Ask for another unit's data (resource unit = the providing unit).
    case requestAccess = "request_access"
    /// State the sharing mode of uncatalogued data (resource unit = the providing unit).
    case confirmSharingMode = "confirm_sharing_mode"
    /// Approve or deny an approval-mode request (resource unit = the requesting unit).
    case decideRequest = "decide_request"
    /// Revoke a grant.
    case revokeGrant = "revoke_grant"
    /// Query records of an indicator (resource unit = the providing unit).
    case query
    /// Open single records.
    case viewRecord = "view_record"
    case download
    case export
    /// Read the audit log.
    case readAudit = "read_audit"
    /// Run the chain verification.
    case verifyAudit = "verify_audit"
    /// Read records' lineage (submission, file hash, row).
    case readLineage = "read_lineage"

    /// Chinese verb phrase for messages.
    public var chineseName: String {
        switch self {
        case .viewSubmissions: "查看报送情况"
        case .submit: "报送数据"
        case .proxySubmit: "代为报送"
        case .viewScore: "查看考核得分"
        case .manageCatalog: "维护数据目录"
        case .manageUnits: "管理单位与用户"
        case .recordAgreement: "登记数据安全保障协议"
        case .requestAccess: "申请共享数据"
        case .confirmSharingMode: "确认共享方式"
        case .decideRequest: "审批共享申请"
        case .revokeGrant: "撤销授权"
        case .query: "查询数据"
        case .viewRecord: "查看记录"
        case .download: "下载数据"
        case .export: "导出数据"
        case .readAudit: "查阅审计日志"
        case .verifyAudit: "校验审计日志"
        case .readLineage: "查看数据流转痕迹"
        }
    }

    /// Whether the action reads records of an indicator (and so, for another unit's data, needs a grant).
    public var readsRecords: Bool {
        switch self {
        case .query, .viewRecord, .download, .export: true
        default: false
        }
    }
}

/// What an action is aimed at: a unit's data or affairs, optionally one indicator and period.
public struct AccessResource: Hashable, Sendable {
    /// The unit whose data or affairs are touched (for records: the providing unit).
    public var unitCode: String
    public var indicatorCode: String?
    /// The reporting period read, if the action names one. Without it a grant-based read is allowed by any
    /// active grant, and the query layer must keep to that grant's `periodFrom...periodTo` itself.
    public var period: ReportingPeriod?

    public init(unitCode: String, indicatorCode: String? = nil, period: ReportingPeriod? = nil) {
        self.unitCode = unitCode
        self.indicatorCode = indicatorCode
        self.period = period
    }
}

/// The facts a decision needs besides the principal and the resource, loaded by the caller.
public struct AccessContext: Sendable {
    /// Today (local calendar day).
    public var today: CalendarDate
    /// The principal's unit's recorded security agreement, if any.
    public var agreement: SecurityAgreement?
    /// Grants whose grantee is the principal's unit (others are ignored).
    public var grants: [Grant]

    public init(today: CalendarDate, agreement: SecurityAgreement? = nil, grants: [Grant] = []) {
        self.today = today
        self.agreement = agreement
        self.grants = grants
    }
}

/// The outcome of ``AccessPolicy/decide(_:_:on:context:)``.
public enum AccessDecision: Hashable, Sendable {
    /// Allowed; `grant` is the grant that allows it when the action reads another unit's records (the query
    /// layer masks with it and counts quota against it), `nil` otherwise.
    case allowed(grant: Grant?)
    case denied(AccessDenial)

    public var isAllowed: Bool {
        if case .allowed = self { return true }
        return false
    }
}

/// Why an action is refused. `message` is Chinese for the clerk and says what to do.
public enum AccessDenial: Error, Hashable, Sendable, CustomStringConvertible {
    /// None of the principal's roles may do `action`; `roles` are those that may.
    case roleRequired(AccessAction, roles: [Role])
    /// The principal's roles allow `action` only on their own unit, and the resource is of `unit`.
    case ownUnitOnly(AccessAction, unit: String)
    /// The action is only for another unit than the own one (requesting access to one's own data, deciding
    /// one's own unit's request).
    case otherUnitOnly(AccessAction)
    /// The principal's unit has no 数据安全保障协议 in force (附件1 第十三条).
    case noSecurityAgreement(unit: String)
    /// No grant of the principal's unit covers the indicator (or the resource names none).
    case noGrant(indicator: String?)
    /// The only grants there are cannot be used now (expired, revoked, not yet valid).
    case grantInactive(GrantError)
    /// An active grant exists but does not cover `period`.
    case periodNotGranted(indicator: String, period: String)

    public var code: String {
        switch self {
        case .roleRequired: "role_required"
        case .ownUnitOnly: "own_unit_only"
        case .otherUnitOnly: "other_unit_only"
        case .noSecurityAgreement: "no_security_agreement"
        case .noGrant: "no_grant"
        case .grantInactive(let e): e.code
        case .periodNotGranted: "period_not_granted"
        }
    }

    public var message: String {
        switch self {
        case .roleRequired(let action, let roles):
            "您没有\(action.chineseName)的权限" + (roles.isEmpty ? "。" :
                "：需要“\(roles.map(\.chineseName).joined(separator: "”或“"))”角色，请联系信息中心。")
        case .ownUnitOnly(let action, let unit): "您只能\(action.chineseName)本单位的事项，不能操作单位 \(unit) 的。"
        case .otherUnitOnly(let action): "不能对本单位自己的事项\(action.chineseName)。"
        case .noSecurityAgreement(let unit):
            "单位 \(unit) 尚未登记已签署的数据安全保障协议，不能使用其他单位的数据（附件1 第十三条）：请先签署协议并交信息中心登记。"
        case .noGrant(let code):
            "您所在单位没有数据项\(code.map { " \($0) " } ?? "")的使用授权：请先提出共享申请。"
        case .grantInactive(let e): e.message
        case .periodNotGranted(let code, let period):
            "数据项 \(code) 的授权不包括报送期 \(period)：请在授权范围内查询，或另行申请。"
        }
    }

    public var description: String {
        switch self {
        case .roleRequired(let a, let roles): "\(a.rawValue) needs one of \(roles.map(\.rawValue))"
        case .ownUnitOnly(let a, let unit): "\(a.rawValue) only on own unit, not \(unit)"
        case .otherUnitOnly(let a): "\(a.rawValue) only on another unit"
        case .noSecurityAgreement(let unit): "unit \(unit) has no security agreement in force"
        case .noGrant(let code): "no grant for \(code ?? "-")"
        case .grantInactive(let e): "grant inactive: \(e.description)"
        case .periodNotGranted(let code, let period): "grant for \(code) does not cover \(period)"
        }
    }
}

/// Who may do what, as data (issue 5; DESIGN.md "Who uses it"), and the pure decision over it.
///
/// Each action lists rules; a principal may act when one rule allows: the principal holds one of its roles,
/// the resource's unit fits its scope, and — when the rule says so — the unit's security agreement is in force
/// (附件1 第十三条) and an active grant of the unit covers the indicator and period (第十条).
///
/// In words: a reporter works on their own unit only; a unit head sees their own unit and confirms sharing
/// modes for it; the info-center admin does everything operational (catalog, units, agreements, proxy
/// submissions, revocations, lineage) but neither reads other units' records nor the audit log; an approver
/// decides other units' requests and revokes grants; an analyst requests other units' data and reads it only
/// under a grant and an agreement; an auditor reads and verifies the audit log and lineage. Every unit reads its
/// own records.
public enum AccessPolicy {
    /// Which units a rule reaches.
    public enum Scope: String, Hashable, Sendable {
        /// Only the principal's own unit.
        case ownUnit = "own_unit"
        /// Only units other than the principal's.
        case otherUnit = "other_unit"
        case anyUnit = "any_unit"
    }

    /// One way to be allowed an action.
    public struct Rule: Hashable, Sendable {
        public var roles: Set<Role>
        public var scope: Scope
        /// The principal's unit needs a security agreement in force.
        public var needsAgreement: Bool
        /// The principal's unit needs an active grant covering the indicator and period.
        public var needsGrant: Bool

        public init(_ roles: Set<Role>, _ scope: Scope, needsAgreement: Bool = false, needsGrant: Bool = false) {
            self.roles = roles
            self.scope = scope
            self.needsAgreement = needsAgreement
            self.needsGrant = needsGrant
        }
    }

    /// The policy table. Every action has at least one rule.
    public static let rules: [AccessAction: [Rule]] = {
        let ownRecords = Rule([.reporter, .unitHead, .analyst], .ownUnit)
        let grantedRecords = Rule([.analyst], .otherUnit, needsAgreement: true, needsGrant: true)
        return [
            .viewSubmissions: [Rule([.reporter, .unitHead], .ownUnit), Rule([.admin], .anyUnit)],
            .submit: [Rule([.reporter], .ownUnit)],
            .proxySubmit: [Rule([.admin], .anyUnit)],
            .viewScore: [Rule([.reporter, .unitHead], .ownUnit), Rule([.admin], .anyUnit)],
            .manageCatalog: [Rule([.admin], .anyUnit)],
            .manageUnits: [Rule([.admin], .anyUnit)],
            .recordAgreement: [Rule([.admin], .anyUnit)],
            .requestAccess: [Rule([.analyst], .otherUnit, needsAgreement: true)],
            .confirmSharingMode: [Rule([.unitHead], .ownUnit)],
            .decideRequest: [Rule([.approver], .otherUnit)],
            .revokeGrant: [Rule([.approver, .admin], .anyUnit)],
            .query: [ownRecords, grantedRecords],
            .viewRecord: [ownRecords, grantedRecords],
            .download: [ownRecords, grantedRecords],
            .export: [ownRecords, grantedRecords],
            .readAudit: [Rule([.auditor], .anyUnit)],
            .verifyAudit: [Rule([.auditor], .anyUnit)],
            .readLineage: [Rule([.auditor, .admin], .anyUnit)],
        ]
    }()

    /// May `principal` do `action` on `resource`? Pure: everything it needs is in the arguments.
    ///
    /// When several rules fail, the denial of the rule that got furthest is returned (role < scope < agreement
    /// < grant), so the message names the step that is actually missing.
    public static func decide(_ principal: Principal, _ action: AccessAction, on resource: AccessResource,
                              context: AccessContext) -> AccessDecision {
        let candidates = rules[action] ?? []
        var best: (rank: Int, denial: AccessDenial)? = nil
        func note(_ rank: Int, _ denial: AccessDenial) {
            if best == nil || rank > best!.rank { best = (rank, denial) }
        }
        for rule in candidates {
            guard principal.hasAny(of: rule.roles) else { continue }
            let own = principal.unitCode == resource.unitCode
            switch rule.scope {
            case .ownUnit where !own: note(1, .ownUnitOnly(action, unit: resource.unitCode)); continue
            case .otherUnit where own: note(1, .otherUnitOnly(action)); continue
            default: break
            }
            if rule.needsAgreement {
                guard let agreement = context.agreement, agreement.covers(unit: principal.unitCode, on: context.today) else {
                    note(2, .noSecurityAgreement(unit: principal.unitCode)); continue
                }
            }
            if rule.needsGrant {
                switch grant(for: principal, resource: resource, context: context) {
                case .success(let grant): return .allowed(grant: grant)
                case .failure(let denial): note(3, denial); continue
                }
            }
            return .allowed(grant: nil)
        }
        if let best { return .denied(best.denial) }
        let roles = candidates.reduce(into: Set<Role>()) { $0.formUnion($1.roles) }.sorted()
        return .denied(.roleRequired(action, roles: roles))
    }

    /// ``decide(_:_:on:context:)`` as a throwing check: returns the grant that allows the action (if any).
    public static func authorize(_ principal: Principal, _ action: AccessAction, on resource: AccessResource,
                                 context: AccessContext) throws(AccessDenial) -> Grant? {
        switch decide(principal, action, on: resource, context: context) {
        case .allowed(let grant): return grant
        case .denied(let denial): throw denial
        }
    }

    /// The unit's grant for the resource's indicator that is active today and covers the period; among several,
    /// the one ``Grant/preferred(among:on:covering:)`` chooses (broadest fields, then latest expiry, then newest).
    private static func grant(for principal: Principal, resource: AccessResource,
                              context: AccessContext) -> Result<Grant, AccessDenial> {
        guard let code = resource.indicatorCode else { return .failure(.noGrant(indicator: nil)) }
        let grants = context.grants.filter {
            $0.granteeUnit == principal.unitCode && $0.indicatorCode == code && $0.providingUnit == resource.unitCode
        }
        guard !grants.isEmpty else { return .failure(.noGrant(indicator: code)) }
        let active = grants.filter { $0.status(on: context.today) == .active }
        guard let first = Grant.preferred(among: active, on: context.today, covering: []) else {
            do throws(GrantError) {
                try grants[0].requireActive(on: context.today)
            } catch {
                return .failure(.grantInactive(error))
            }
            return .failure(.noGrant(indicator: code))
        }
        guard let period = resource.period else { return .success(first) }
        guard let covering = Grant.preferred(among: active, on: context.today, covering: [period]) else {
            return .failure(.periodNotGranted(indicator: code, period: period.description))
        }
        return .success(covering)
    }
}
