/// What an audit entry records (issue 5: "every login, query, record view, download, export, grant change,
/// approval, catalog change and submission"). Raw values are stored and hashed: never rename one.
public enum AuditAction: String, Hashable, Sendable, CaseIterable {
    case login
    case loginFailed = "login_failed"
    case logout
    /// A query over records (target: query text and row count).
    case query
    /// One or more records opened (target: record ids).
    case recordView = "record_view"
    case download
    case export
    /// A grant issued, changed or revoked.
    case grantChange = "grant_change"
    /// An access request created, submitted, confirmed or withdrawn.
    case accessRequest = "access_request"
    /// An approver's approval or denial.
    case approval
    /// A 数据安全保障协议 recorded (附件1 第十三条).
    case securityAgreement = "security_agreement"
    case catalogChange = "catalog_change"
    /// A file submitted (or proxy-submitted) for an indicator and period.
    case submission
    /// The audit log itself read or verified.
    case auditView = "audit_view"
    /// An API token created or revoked by its owner (the token itself is never logged).
    case tokenChange = "token_change"
    /// A sign-in lock-out lifted by the info center: an account's lock or an address's throttling (issue 9).
    case lockoutCleared = "lockout_cleared"
    /// An assessment run (考核评分) or an assessor's entry (grade, adopted leads, rank, leak).
    case assessment
    /// A user created by the info center (page or `gongzhi user create`); the password is never logged (issue 10).
    case userCreated = "user_created"
    /// A user changed the own password, or was refused for a wrong current password (issue 10).
    case passwordChanged = "password_changed"
    /// The info center set a temporary password for a user, who must change it at the next sign-in (issue 10).
    case passwordReset = "password_reset"
    /// The info center disabled an account: its sessions end and its API tokens are revoked (issue 10).
    case accountDisabled = "account_disabled"
    /// The info center enabled a disabled account again (issue 10).
    case accountEnabled = "account_enabled"
    /// Cross-matching (信息比对, issue 12): a rule run, a rule version's state change, a step on a tax lead.
    case matching
    /// A notice posted to the member units, with its reminder messages queued (信息发布, issue 13).
    case notice
    /// An objection (疑义) filed, answered, disputed, ruled on or resolved (issue 13).
    case objection
    /// A usage report (数据使用报告, quarterly) or an effectiveness report (应用成效报告, yearly) filed or graded
    /// (issue 13, 附件1 第十二条).
    case report
    /// A unit's sharing suspended for two years without an effectiveness report, or reinstated (附件1 第十二条).
    case suspension
    /// A complaint about a unit's breach of the rules filed, handled or decided (附件1 第二十条).
    case complaint

    /// Chinese name for the audit page.
    public var chineseName: String {
        switch self {
        case .login: "登录"
        case .loginFailed: "登录失败"
        case .logout: "退出"
        case .query: "查询"
        case .recordView: "查看记录"
        case .download: "下载"
        case .export: "导出"
        case .grantChange: "授权变更"
        case .accessRequest: "共享申请"
        case .approval: "审批"
        case .securityAgreement: "登记安全保障协议"
        case .catalogChange: "目录变更"
        case .submission: "数据报送"
        case .auditView: "查阅审计日志"
        case .tokenChange: "API 令牌变更"
        case .lockoutCleared: "解除登录锁定"
        case .assessment: "考核评分"
        case .userCreated: "新建用户"
        case .passwordChanged: "修改密码"
        case .passwordReset: "重置密码"
        case .accountDisabled: "停用账户"
        case .accountEnabled: "启用账户"
        case .matching: "信息比对"
        case .notice: "通知"
        case .objection: "数据疑义"
        case .report: "使用/成效报告"
        case .suspension: "暂停/恢复共享"
        case .complaint: "投诉"
        }
    }
}

/// What an audited act touched: the indicator, the records by id, or the query and how many rows it returned.
/// Every part is optional; an empty target (e.g. a login) is valid.
public struct AuditTarget: Hashable, Sendable {
    /// Indicator code, e.g. `PSB-003`.
    public var indicatorCode: String?
    /// Ids of the records seen, downloaded or changed, in the order they were shown.
    public var recordIDs: [String]
    /// The query as the user asked it (filters, period), in the form the query layer logs it.
    public var query: String?
    /// Rows the query returned (or the download/export contained).
    public var rowCount: Int?
    /// Anything else that identifies the object: request or grant id, submission id, catalog version, reason.
    public var detail: String?

    public init(indicatorCode: String? = nil, recordIDs: [String] = [], query: String? = nil, rowCount: Int? = nil,
                detail: String? = nil) {
        self.indicatorCode = indicatorCode
        self.recordIDs = recordIDs
        self.query = query
        self.rowCount = rowCount
        self.detail = detail
    }
}

/// One audited act before it is sealed into the chain: who, which unit, what, which records, when, from where.
public struct AuditEvent: Hashable, Sendable {
    /// When, as milliseconds since 1970-01-01T00:00:00Z (an instant; integer so it survives any database).
    public var timeMilliseconds: Int64
    /// The acting user's id (for `login_failed`, the name that was tried).
    public var userID: String
    /// The acting user's unit code (empty when unknown, e.g. a failed login).
    public var unitCode: String
    public var action: AuditAction
    public var target: AuditTarget
    /// The client's address as the server saw it (IPv4 or IPv6 text, after trusted proxies).
    public var clientAddress: String

    public init(timeMilliseconds: Int64, userID: String, unitCode: String, action: AuditAction,
                target: AuditTarget = AuditTarget(), clientAddress: String) {
        self.timeMilliseconds = timeMilliseconds
        self.userID = userID
        self.unitCode = unitCode
        self.action = action
        self.target = target
        self.clientAddress = clientAddress
    }

    /// An event by `principal`.
    public init(timeMilliseconds: Int64, by principal: Principal, action: AuditAction,
                target: AuditTarget = AuditTarget(), clientAddress: String) {
        self.init(timeMilliseconds: timeMilliseconds, userID: principal.userID, unitCode: principal.unitCode,
                  action: action, target: target, clientAddress: clientAddress)
    }
}

/// An entry of the append-only, hash-chained audit log (数据流转痕迹 / 审计日志).
///
/// `hash` = lowercase hex of H(``canonicalBytes``), where H is the caller's hash function (SHA-256 in the app,
/// see ``AuditChain``). The canonical bytes cover the sequence number, the event and `previousHash`, so an
/// entry cannot be edited, moved or dropped without breaking its own hash or its successor's link.
public struct AuditEntry: Hashable, Sendable {
    /// Position in the log, 1 for the first entry, no gaps.
    public var sequence: Int
    public var event: AuditEvent
    /// The previous entry's `hash`; ``AuditChain/genesisHash`` (64 zeros) for entry 1.
    public var previousHash: String
    /// Lowercase hex digest of ``canonicalBytes``.
    public var hash: String

    /// An entry as stored (for reading back); use ``AuditChain/seal(_:after:hash:)`` to make a new one.
    public init(sequence: Int, event: AuditEvent, previousHash: String, hash: String) {
        self.sequence = sequence
        self.event = event
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The entry's time as ISO 8601 UTC with milliseconds, `yyyy-mm-ddThh:mm:ss.sssZ`.
    public var isoTime: String {
        let ms = event.timeMilliseconds
        let (days, msOfDay) = (ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000,
                               ((ms % 86_400_000) + 86_400_000) % 86_400_000)
        let date = CalendarDate(daysSinceEpoch: Int(days))?.isoString ?? "?"
        let s = Int(msOfDay / 1000)
        return date + "T" + pad(s / 3600, 2) + ":" + pad(s / 60 % 60, 2) + ":" + pad(s % 60, 2) + "."
            + pad(Int(msOfDay % 1000), 3) + "Z"
    }

    /// The canonical encoding that is hashed: UTF-8 of one compact JSON object with exactly these keys in
    /// this order (format version 1):
    ///
    /// ```
    /// {"v":1,"seq":12,"time_ms":1709280000000,"user":"u1","unit":"tax","action":"query",
    ///  "indicator":"HOU-001"|null,"records":["…",…],"query":"…"|null,"rows":42|null,"detail":"…"|null,
    ///  "address":"10.0.0.8","prev":"<64 hex>"}
    /// ```
    ///
    /// Strings are escaped as RFC 8259 requires (`"`, `\`, control characters) and otherwise written as they
    /// are (no Unicode normalisation); numbers are decimal integers. `hash` itself is not part of it.
    public var canonicalBytes: [UInt8] {
        let t = event.target
        let json = JSONValue.object([
            ("v", .int(1)),
            ("seq", .int(sequence)),
            ("time_ms", .number(String(event.timeMilliseconds))),
            ("user", .string(event.userID)),
            ("unit", .string(event.unitCode)),
            ("action", .string(event.action.rawValue)),
            ("indicator", .optional(t.indicatorCode)),
            ("records", .array(t.recordIDs.map(JSONValue.string))),
            ("query", .optional(t.query)),
            ("rows", t.rowCount.map(JSONValue.int) ?? .null),
            ("detail", .optional(t.detail)),
            ("address", .string(event.clientAddress)),
            ("prev", .string(previousHash)),
        ])
        return Array(json.serialized().utf8)
    }
}
