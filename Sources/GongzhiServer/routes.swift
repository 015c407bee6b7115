import Vapor

/// Every route, grouped by area (pages, then the JSON API).
func routes(_ app: Application) throws {
    let catalog = CatalogController()
    let submissions = SubmissionController()
    let reporting = ReportingController()
    let sharing = SharingController()
    let audit = AuditController()

    // Pages (Chinese)
    app.get(use: catalog.index)
    app.get("indicators", ":code", use: catalog.show)
    app.get("indicators", ":code", "template.xlsx", use: catalog.template)
    app.get("upload", use: submissions.uploadForm)
    app.on(.POST, "submissions", body: .collect(maxSize: ByteCount(integerLiteral: app.gongzhi.config.maxUploadBytes + (1 << 20))),
           use: submissions.upload)
    app.get("submissions", use: submissions.index)
    app.get("submissions", ":id", use: submissions.show)
    app.get("submissions", ":id", "records", use: submissions.records)
    app.get("submissions", ":id", "errors.csv", use: submissions.errorsCSV)
    app.get("zero-data", use: submissions.zeroDataForm)
    app.post("zero-data", use: submissions.zeroData)
    app.get("board", use: reporting.board)
    app.get("board.xlsx", use: reporting.boardXLSX)
    app.get("units", ":code", use: reporting.unit)
    app.post("units", ":code", "contacts", use: reporting.addContact)
    app.post("units", ":code", "incidents", use: reporting.addIncident)
    app.get("sharing", use: sharing.overview)
    app.on(.POST, "sharing", "agreements", body: .collect(maxSize: "20mb"), use: sharing.recordAgreement)
    app.get("sharing", "requests", "new", use: sharing.newRequest)
    app.post("sharing", "requests", use: sharing.createRequest)
    app.get("sharing", "requests", ":id", use: sharing.showRequest)
    app.post("sharing", "requests", ":id", ":action", use: sharing.decide)
    app.post("sharing", "grants", ":id", "revoke", use: sharing.revokeGrant)
    app.get("query", use: sharing.queryPage)
    app.get("query", "download", use: sharing.download)

    // JSON API
    let api = app.grouped("api", "v1")
    api.get("catalog", "indicators", use: catalog.apiIndicators)
    api.on(.POST, "submissions", body: .stream, use: submissions.apiCreate)
    api.get("submissions", use: submissions.apiIndex)
    api.get("submissions", ":id", use: submissions.apiShow)
    api.get("submissions", ":id", "records", use: submissions.apiRecords)
    api.post("zero-data", use: submissions.apiZeroData)
    api.get("tasks", use: reporting.apiTasks)
    api.get("tasks", "overdue", use: reporting.apiOverdue)
    api.get("records", use: sharing.apiRecords)
    api.get("records", "download", use: sharing.download)
    api.get("access-requests", use: sharing.apiRequests)
    api.post("access-requests", use: sharing.createRequest)
    api.get("access-requests", ":id", use: sharing.apiShowRequest)
    api.post("access-requests", ":id", ":action", use: sharing.decide)
    api.get("grants", use: sharing.apiGrants)
    api.post("grants", ":id", "revoke", use: sharing.revokeGrant)

    // auditors (监督检查): the audit log and lineage, pages and API. Access control by role arrives with the
    // auth branch: its auditor guard goes on this group.
    let auditors: any RoutesBuilder = app
    auditors.get("audit", use: audit.index)
    auditors.get("audit.csv", use: audit.export)
    auditors.get("records", ":id", "lineage", use: audit.show)
    auditors.get("api", "v1", "records", ":id", "lineage", use: audit.apiShow)
}
