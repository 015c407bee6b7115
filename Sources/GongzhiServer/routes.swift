import GongzhiCore
import Vapor

/// Who may use each group of routes: the one place that says it. A route is registered in exactly one
/// group of ``routes(_:)``; within a group, handlers narrow further by unit (a reporter reads only its own
/// unit's submissions and pages, see ``Actor/mayRead(unit:)``).
enum RouteAccess {
    /// Any signed-in user: the home (what is due, per role), the catalog, templates, the own password and API tokens.
    static let authenticated: Set<Role> = []
    /// File submissions and zero data: reporters for their own unit, admins (info center) for any unit
    /// as proxy. Analysts, approvers and auditors do not upload.
    static let reporters: Set<Role> = [.reporter, .admin]
    /// Read submissions, their records and errors, unit pages and tasks: the unit's own staff (own unit
    /// only), admins and auditors (every unit).
    static let unitReaders: Set<Role> = [.reporter, .unitHead, .admin, .auditor]
    /// Record a unit's contact changes: its reporter or head, or an admin.
    static let unitStaff: Set<Role> = [.reporter, .unitHead, .admin]
    /// The status board of every unit: the info center, the city office and auditors.
    static let oversight: Set<Role> = [.admin, .approver, .auditor]
    /// Info-center administration (contact incidents, security agreements, users and their passwords, sign-in
    /// lock-outs).
    static let admins: Set<Role> = [.admin]
    /// Ask for other units' data (共享申请): analysts of a consuming unit.
    static let analysts: Set<Role> = [.analyst]
    /// Act on an access request: approvers decide, the requesting unit's analysts withdraw, the providing
    /// unit's head confirms the sharing mode of uncatalogued data (the workflow checks which may do what).
    static let requestActors: Set<Role> = [.approver, .analyst, .unitHead]
    /// Revoke a grant: approvers and the info center.
    static let grantKeepers: Set<Role> = [.approver, .admin]
    /// Query and download records: a unit's own staff (own data) and analysts (granted data, masked).
    static let recordReaders: Set<Role> = [.reporter, .unitHead, .analyst]
    /// The audit log (监督检查).
    static let auditors: Set<Role> = [.auditor]
    /// A record's lineage (数据流转痕迹): auditors and the info center.
    static let lineageReaders: Set<Role> = [.auditor, .admin]
    /// Every unit's assessment results and the bulletin (考核评分, 简报): the 综合治税办, the info center, the
    /// city office and auditors.
    static let assessmentReaders: Set<Role> = [.coordinator, .admin, .approver, .auditor]
    /// Run a quarter's assessment and record the assessor's entries: the 综合治税办 and the info center.
    static let assessmentRunners: Set<Role> = [.coordinator, .admin]
    /// A unit's explained scorecard: the readers above (every unit) and a unit's head (own unit only).
    static let scorecardReaders: Set<Role> = [.unitHead, .coordinator, .admin, .approver, .auditor]
    /// Return the unit's survey forms (调研反馈表): its reporter or head.
    static let surveyResponders: Set<Role> = [.reporter, .unitHead]
    /// The tax-lead queue of cross-matching (涉税线索, issue 12 §6): the tax officers and auditors.
    static let leadReaders: Set<Role> = [.taxOfficer, .auditor]
    /// Run a matching rule and work a tax lead (take, investigate, confirm, dismiss): the tax officers.
    static let leadWorkers: Set<Role> = [.taxOfficer]
    /// Post notices to the member units (信息发布) and read the reminder outbox: the info center and the 综合治税办.
    static let noticePublishers: Set<Role> = [.admin, .coordinator]
    /// Objections (疑义): analysts file them; the providing unit's staff answer; the info center rules; the
    /// city office and auditors read. The workflow decides which party may take which step.
    static let objectionParties: Set<Role> = [.analyst, .reporter, .unitHead, .admin, .approver, .auditor]
    /// File an objection: analysts of a consuming unit.
    static let objectionFilers: Set<Role> = [.analyst]
    /// Read usage and effectiveness reports (数据使用报告, 应用成效报告; 附件1 第十二条): a consuming unit's analysts
    /// and head (own unit only), the 综合治税办, the info center, the city office and auditors (every unit).
    static let reportReaders: Set<Role> = [.analyst, .unitHead, .coordinator, .admin, .approver, .auditor]
    /// File the unit's usage and effectiveness reports: a consuming unit's analysts and head.
    static let reportFilers: Set<Role> = [.analyst, .unitHead]
    /// Grade effectiveness reports (数据应用成效 0–5): the 综合治税办.
    static let effectivenessGraders: Set<Role> = [.coordinator]
    /// Run the suspension check on demand: the info center.
    static let suspensionCheckers: Set<Role> = [.admin]
    /// Complaints (投诉, 附件1 第二十条): a unit's staff read their unit's; the city office, the info center, the
    /// 综合治税办 and auditors read all.
    static let complaintReaders: Set<Role> = [.reporter, .unitHead, .analyst, .taxOfficer, .approver, .admin, .coordinator, .auditor]
    /// File a complaint about another unit: any unit's staff.
    static let complaintFilers: Set<Role> = [.reporter, .unitHead, .analyst, .taxOfficer]
    /// Handle and decide complaints: the city office (市政府办公室).
    static let complaintHandlers: Set<Role> = [.approver]
    /// Carry an upheld leak complaint into the assessment's leak penalty: the city office and the 综合治税办.
    static let penaltyCarriers: Set<Role> = [.approver, .coordinator]
    /// The monthly inspection (每月巡检, 附件1 第十四条): the info center that runs the platform and auditors.
    static let inspectors: Set<Role> = [.admin, .auditor]
    /// Record the year-end security check of a unit (年底安全检查, 附件1 第十八条): the 综合治税办.
    static let securityCheckers: Set<Role> = [.coordinator]
}

/// Every route, grouped by who may use it (``RouteAccess``), pages first, then the JSON API.
func routes(_ app: Application) throws {
    let home = HomeController()
    let catalog = CatalogController()
    let submissions = SubmissionController()
    let reporting = ReportingController()
    let sharing = SharingController()
    let audit = AuditController()
    let account = AccountController()
    let password = PasswordController()
    let users = UsersController()
    let assessment = AssessmentController()
    let meetings = MeetingController()
    let leads = LeadController()
    let notices = NoticeController()
    let objections = ObjectionController()
    let effectiveness = EffectivenessController()
    let usage = UsageReportController()
    let complaints = ComplaintController()

    // Public: sign-in, liveness and readiness, the API's OpenAPI document; metrics for the monitoring network
    // only (``AppConfig/metricsAllowed``).
    let operations = OperationsController()
    app.get("health") { (_: Request) -> [String: String] in ["status": "ok"] }
    app.get("ready", use: operations.ready)
    app.get("metrics", use: operations.metrics)
    app.get("api", "v1", "openapi.json", use: operations.openAPI)
    app.get("login", use: account.loginForm)
    app.grouped(SameOriginMiddleware()).post("login", use: account.login)

    // Pages (Chinese)
    let authenticated = app.require(RouteAccess.authenticated)
    authenticated.post("logout", use: account.logout)
    authenticated.get("account", "tokens", use: account.tokens)
    authenticated.post("account", "tokens", use: account.createToken)
    authenticated.post("account", "tokens", ":id", "revoke", use: account.revokeToken)
    authenticated.get("account", "password", use: password.form)
    authenticated.post("account", "password", use: password.change)
    authenticated.get(use: home.index)
    authenticated.get("catalog", use: catalog.index)
    authenticated.get("indicators", ":code", use: catalog.show)
    authenticated.get("indicators", ":code", "template.xlsx", use: catalog.template)
    authenticated.get("sharing", use: sharing.overview)
    authenticated.get("sharing", "requests", ":id", use: sharing.showRequest)
    authenticated.get("notices", use: notices.index)
    authenticated.get("notices", ":id", use: notices.show)
    app.require(RouteAccess.noticePublishers).post("notices", use: notices.create)
    let objectionParties = app.require(RouteAccess.objectionParties)
    objectionParties.get("objections", use: objections.index)
    objectionParties.post("objections", ":id", ":action", use: objections.act)
    app.require(RouteAccess.objectionFilers).post("objections", use: objections.create)
    let reportReaders = app.require(RouteAccess.reportReaders)
    reportReaders.get("reports", "effectiveness", use: effectiveness.index)
    reportReaders.get("reports", "usage", use: usage.index)
    reportReaders.get("reports", "effectiveness", ":id", "attachments", ":sha256", use: effectiveness.attachment)
    let reportFilers = app.require(RouteAccess.reportFilers)
    reportFilers.on(.POST, "reports", "effectiveness", body: .collect(maxSize: "20mb"), use: effectiveness.create)
    reportFilers.post("reports", "usage", use: usage.create)
    app.require(RouteAccess.effectivenessGraders).post("reports", "effectiveness", ":id", "grade", use: effectiveness.grade)
    app.require(RouteAccess.suspensionCheckers).post("reports", "check", use: effectiveness.check)
    app.require(RouteAccess.complaintReaders).get("complaints", use: complaints.index)
    app.require(RouteAccess.complaintFilers).post("complaints", use: complaints.create)
    app.require(RouteAccess.complaintHandlers).post("complaints", ":id", ":action", use: complaints.act)
    app.require(RouteAccess.penaltyCarriers).post("complaints", ":id", "penalty", use: complaints.penalty)

    let reporters = app.require(RouteAccess.reporters)
    reporters.get("upload", use: submissions.uploadForm)
    reporters.on(.POST, "submissions", body: .stream, use: submissions.upload)
    reporters.get("zero-data", use: submissions.zeroDataForm)
    reporters.post("zero-data", use: submissions.zeroData)

    let unitReaders = app.require(RouteAccess.unitReaders)
    unitReaders.get("submissions", use: submissions.index)
    unitReaders.get("submissions", ":id", use: submissions.show)
    unitReaders.get("submissions", ":id", "records", use: submissions.records)
    unitReaders.get("submissions", ":id", "errors.csv", use: submissions.errorsCSV)
    unitReaders.get("units", ":code", use: reporting.unit)

    let unitStaff = app.require(RouteAccess.unitStaff)
    unitStaff.post("units", ":code", "contacts", use: reporting.addContact)

    let oversight = app.require(RouteAccess.oversight)
    oversight.get("board", use: reporting.board)
    oversight.get("board.xlsx", use: reporting.boardXLSX)

    let inspection = InspectionController()
    app.require(RouteAccess.inspectors).get("operations", "inspection", use: inspection.page)

    let securityChecks = SecurityCheckController()
    app.require(RouteAccess.assessmentReaders).get("assessment", "security-checks", use: securityChecks.page)
    app.require(RouteAccess.securityCheckers).post("assessment", "security-checks", use: securityChecks.recordForm)

    let admins = app.require(RouteAccess.admins)
    admins.post("units", ":code", "incidents", use: reporting.addIncident)
    admins.on(.POST, "sharing", "agreements", body: .collect(maxSize: "20mb"), use: sharing.recordAgreement)
    admins.get("account", "lockouts", use: account.lockOuts)
    admins.post("account", "lockouts", "clear", use: account.clearLockOut)
    admins.get("account", "users", use: users.index)
    admins.post("account", "users", use: users.create)
    admins.post("account", "users", ":username", "reset-password", use: users.resetPassword)
    admins.post("account", "users", ":username", "disable", use: users.disable)
    admins.post("account", "users", ":username", "enable", use: users.enable)

    let analysts = app.require(RouteAccess.analysts)
    analysts.get("sharing", "requests", "new", use: sharing.newRequest)
    analysts.post("sharing", "requests", use: sharing.createRequest)

    app.require(RouteAccess.requestActors).post("sharing", "requests", ":id", ":action", use: sharing.decide)
    app.require(RouteAccess.grantKeepers).post("sharing", "grants", ":id", "revoke", use: sharing.revokeGrant)

    let recordReaders = app.require(RouteAccess.recordReaders)
    recordReaders.get("query", use: sharing.queryPage)
    recordReaders.get("query", "download", use: sharing.download)

    let auditors = app.require(RouteAccess.auditors)
    auditors.get("audit", use: audit.index)
    auditors.get("audit.csv", use: audit.export)

    app.require(RouteAccess.lineageReaders).get("records", ":id", "lineage", use: audit.show)

    let assessmentReaders = app.require(RouteAccess.assessmentReaders)
    assessmentReaders.get("assessment", use: assessment.index)
    assessmentReaders.get("assessment", "bulletin", use: assessment.bulletin)
    assessmentReaders.get("assessment", "bulletin.xlsx", use: assessment.bulletinXLSX)
    assessmentReaders.get("assessment", "annual", use: assessment.annualPage)
    assessmentReaders.get("assessment", "annual.xlsx", use: assessment.annualXLSX)
    assessmentReaders.get("assessment", "meetings", use: meetings.index)
    let assessmentRunners = app.require(RouteAccess.assessmentRunners)
    assessmentRunners.post("assessment", "runs", use: assessment.runQuarter)
    assessmentRunners.post("assessment", "units", ":code", "entries", use: assessment.addEntry)
    assessmentRunners.post("assessment", "meetings", use: meetings.schedule)
    assessmentRunners.post("assessment", "meetings", ":id", "attendance", use: meetings.attendance)
    assessmentRunners.post("assessment", "surveys", use: meetings.issue)
    assessmentRunners.post("assessment", "bulletin", "publish", use: assessment.publish)
    let surveyResponders = app.require(RouteAccess.surveyResponders)
    surveyResponders.get("surveys", use: meetings.unitSurveys)
    surveyResponders.on(.POST, "surveys", ":id", "return", body: .collect(maxSize: "20mb"), use: meetings.returnSurvey)
    app.require(RouteAccess.scorecardReaders).get("assessment", "units", ":code", use: assessment.unit)

    let leadReaders = app.require(RouteAccess.leadReaders)
    leadReaders.get("leads", use: leads.index)
    leadReaders.get("leads", ":id", use: leads.show)
    let leadWorkers = app.require(RouteAccess.leadWorkers)
    leadWorkers.post("leads", "runs", use: leads.run)
    leadWorkers.post("leads", ":id", ":action", use: leads.act)

    // JSON API (bearer tokens)
    let api = app.grouped("api", "v1")
    let apiAuthenticated = api.require(RouteAccess.authenticated)
    apiAuthenticated.get("catalog", "indicators", use: catalog.apiIndicators)
    apiAuthenticated.get("tokens", use: account.apiTokens)
    apiAuthenticated.post("tokens", use: account.apiCreateToken)
    apiAuthenticated.delete("tokens", ":id", use: account.apiRevokeToken)
    apiAuthenticated.get("access-requests", use: sharing.apiRequests)
    apiAuthenticated.get("access-requests", ":id", use: sharing.apiShowRequest)
    apiAuthenticated.get("grants", use: sharing.apiGrants)
    apiAuthenticated.get("notices", use: notices.apiIndex)
    apiAuthenticated.post("notices", ":id", "read", use: notices.apiRead)
    let apiNoticePublishers = api.require(RouteAccess.noticePublishers)
    apiNoticePublishers.post("notices", use: notices.apiCreate)
    apiNoticePublishers.get("reminders", use: notices.apiReminders)
    let apiObjectionParties = api.require(RouteAccess.objectionParties)
    apiObjectionParties.get("objections", use: objections.apiIndex)
    apiObjectionParties.post("objections", ":id", ":action", use: objections.apiAct)
    api.require(RouteAccess.objectionFilers).post("objections", use: objections.apiCreate)
    let apiReportReaders = api.require(RouteAccess.reportReaders)
    apiReportReaders.get("effectiveness-reports", use: effectiveness.apiIndex)
    apiReportReaders.get("usage-reports", use: usage.apiIndex)
    let apiReportFilers = api.require(RouteAccess.reportFilers)
    apiReportFilers.on(.POST, "effectiveness-reports", body: .collect(maxSize: "20mb"), use: effectiveness.apiCreate)
    apiReportFilers.get("usage-reports", "prefill", use: usage.apiPrefill)
    apiReportFilers.post("usage-reports", use: usage.apiCreate)
    api.require(RouteAccess.effectivenessGraders).post("effectiveness-reports", ":id", "grade", use: effectiveness.apiGrade)
    api.require(RouteAccess.suspensionCheckers).post("reports", "check", use: effectiveness.apiCheck)
    api.require(RouteAccess.complaintReaders).get("complaints", use: complaints.apiIndex)
    api.require(RouteAccess.complaintFilers).post("complaints", use: complaints.apiCreate)
    api.require(RouteAccess.complaintHandlers).post("complaints", ":id", ":action", use: complaints.apiAct)
    api.require(RouteAccess.penaltyCarriers).post("complaints", ":id", "penalty", use: complaints.apiPenalty)

    api.require(RouteAccess.inspectors).get("operations", "inspection", use: inspection.api)

    api.require(RouteAccess.assessmentReaders).get("assessment", "security-checks", use: securityChecks.list)
    api.require(RouteAccess.securityCheckers).post("assessment", "security-checks", use: securityChecks.create)

    let apiReporters = api.require(RouteAccess.reporters)
    apiReporters.on(.POST, "submissions", body: .stream, use: submissions.apiCreate)
    apiReporters.post("zero-data", use: submissions.apiZeroData)

    let apiUnitReaders = api.require(RouteAccess.unitReaders)
    apiUnitReaders.get("submissions", use: submissions.apiIndex)
    apiUnitReaders.get("submissions", ":id", use: submissions.apiShow)
    apiUnitReaders.get("submissions", ":id", "records", use: submissions.apiRecords)
    apiUnitReaders.get("tasks", use: reporting.apiTasks)
    apiUnitReaders.get("tasks", "overdue", use: reporting.apiOverdue)

    api.require(RouteAccess.analysts).post("access-requests", use: sharing.createRequest)
    api.require(RouteAccess.requestActors).post("access-requests", ":id", ":action", use: sharing.decide)
    api.require(RouteAccess.grantKeepers).post("grants", ":id", "revoke", use: sharing.revokeGrant)

    let apiRecordReaders = api.require(RouteAccess.recordReaders)
    apiRecordReaders.get("records", use: sharing.apiRecords)
    apiRecordReaders.get("records", "download", use: sharing.download)

    api.require(RouteAccess.lineageReaders).get("records", ":id", "lineage", use: audit.apiShow)
    api.require(RouteAccess.leadReaders).get("leads", ":id", use: leads.apiShow)
}
