/// A user's role on the platform (DESIGN.md "Who uses it"; issue 5). A user may hold several roles, all within
/// the one member unit they belong to.
///
/// Raw values are the stable spellings stored and sent over the API.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    /// 数据报送员: uploads the unit's files, fixes rejected rows; sees only the own unit's submissions.
    case reporter
    /// 第一责任人: accountable for the unit; sees its status and score; confirms the sharing mode of
    /// uncatalogued data the unit is asked for.
    case unitHead = "unit_head"
    /// 市政府信息资源管理中心 administrator: runs the platform (catalog, units, deadlines, proxy submissions).
    case admin
    /// 市政府办公室 approver: approves or denies approval-mode requests (附件1 第十条(二)), revokes grants.
    case approver
    /// 信息使用单位 analyst: requests access, queries and downloads under a grant.
    case analyst
    /// 监督检查 auditor: reads the audit log and lineage, verifies the log chain.
    case auditor
    /// 市综合治税办公室 (at 财政局, unit `tax-office`) coordinator: runs the quarterly and annual assessment
    /// (附件2 考核评分表), publishes bulletins, schedules joint meetings, issues survey forms (issue 11).
    case coordinator
    /// 税务比对人员: staff of the two tax units (国税局, 地税局) who work the tax leads of cross-matching to
    /// confirmed or dismissed (issue 12 §6).
    case taxOfficer = "tax_officer"

    /// Chinese name for pages and messages.
    public var chineseName: String {
        switch self {
        case .reporter: "数据报送员"
        case .unitHead: "第一责任人"
        case .admin: "信息中心管理员"
        case .approver: "审批人（市政府办公室）"
        case .analyst: "数据使用人员"
        case .auditor: "审计监督人员"
        case .coordinator: "综合治税办考核人员"
        case .taxOfficer: "税务比对人员"
        }
    }

    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The acting user, as the authentication layer establishes it: who, in which unit, with which roles.
///
/// Every access decision and every state transition takes a `Principal`; nothing in Core reads a session.
public struct Principal: Hashable, Codable, Sendable {
    /// The user's stable id (login name or UUID string), as written into the audit log.
    public var userID: String
    /// Code of the member unit (or operator) the user belongs to, e.g. `tax`, `housing`, `info-center`.
    public var unitCode: String
    /// The user's roles; empty means the user may do nothing but log in.
    public var roles: Set<Role>

    public init(userID: String, unitCode: String, roles: Set<Role>) {
        self.userID = userID
        self.unitCode = unitCode
        self.roles = roles
    }

    /// Whether the user holds `role`.
    public func has(_ role: Role) -> Bool { roles.contains(role) }

    /// Whether the user holds at least one of `roles`.
    public func hasAny(of roles: some Sequence<Role>) -> Bool { roles.contains(where: self.roles.contains) }
}
