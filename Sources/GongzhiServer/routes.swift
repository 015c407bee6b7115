import GongzhiCore
import Vapor

/// Who may use each group of routes: the one place that says it. A route is registered in exactly one
/// group of ``routes(_:)``; within a group, handlers narrow further by unit (a reporter reads only its own
/// unit's submissions and pages, see ``Actor/mayRead(unit:)``).
enum RouteAccess {
    /// Any signed-in user: the catalog, templates, the own account and API tokens.
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
    /// Info-center administration (contact incidents).
    static let admins: Set<Role> = [.admin]
}

/// Every route, grouped by who may use it (``RouteAccess``), pages first, then the JSON API.
func routes(_ app: Application) throws {
    let catalog = CatalogController()
    let submissions = SubmissionController()
    let reporting = ReportingController()
    let account = AccountController()

    // Public: sign-in and the health check.
    app.get("health") { (_: Request) -> [String: String] in ["status": "ok"] }
    app.get("login", use: account.loginForm)
    app.post("login", use: account.login)

    // Pages (Chinese)
    let authenticated = app.require(RouteAccess.authenticated)
    authenticated.post("logout", use: account.logout)
    authenticated.get("account", "tokens", use: account.tokens)
    authenticated.post("account", "tokens", use: account.createToken)
    authenticated.post("account", "tokens", ":id", "revoke", use: account.revokeToken)
    authenticated.get(use: catalog.index)
    authenticated.get("indicators", ":code", use: catalog.show)
    authenticated.get("indicators", ":code", "template.xlsx", use: catalog.template)

    let reporters = app.require(RouteAccess.reporters)
    reporters.get("upload", use: submissions.uploadForm)
    reporters.on(.POST, "submissions", body: .collect(maxSize: ByteCount(integerLiteral: app.gongzhi.config.maxUploadBytes + (1 << 20))),
                 use: submissions.upload)
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

    let admins = app.require(RouteAccess.admins)
    admins.post("units", ":code", "incidents", use: reporting.addIncident)

    // JSON API (bearer tokens)
    let api = app.grouped("api", "v1")
    let apiAuthenticated = api.require(RouteAccess.authenticated)
    apiAuthenticated.get("catalog", "indicators", use: catalog.apiIndicators)
    apiAuthenticated.get("tokens", use: account.apiTokens)
    apiAuthenticated.post("tokens", use: account.apiCreateToken)
    apiAuthenticated.delete("tokens", ":id", use: account.apiRevokeToken)

    let apiReporters = api.require(RouteAccess.reporters)
    apiReporters.on(.POST, "submissions", body: .stream, use: submissions.apiCreate)
    apiReporters.post("zero-data", use: submissions.apiZeroData)

    let apiUnitReaders = api.require(RouteAccess.unitReaders)
    apiUnitReaders.get("submissions", use: submissions.apiIndex)
    apiUnitReaders.get("submissions", ":id", use: submissions.apiShow)
    apiUnitReaders.get("submissions", ":id", "records", use: submissions.apiRecords)
    apiUnitReaders.get("tasks", use: reporting.apiTasks)
    apiUnitReaders.get("tasks", "overdue", use: reporting.apiOverdue)
}
