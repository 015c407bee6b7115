import FluentKit
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore

/// Why a sharing step cannot be taken. Wraps the domain's own errors (their messages are the clerk's).
public enum SharingError: Error, Sendable {
    case request(AccessRequestError)
    case grant(GrantError)
    case denied(AccessDenial)
    case quota(QuotaError)
    case unknownIndicator(String)
    case unknownUnit(String)
    case notFound(String)
    case malformedPeriod(String)
    case malformedDate(String)
    /// A filter names a field the indicator does not have, or one that cannot be matched exactly.
    case badFilter(String)
    case missingDocument
    case missingSignatory
    /// Another user's action on the same request or grant came first — a concurrent approve, deny, withdraw,
    /// confirm or revoke (issue 9) — and nothing was changed. `subject` names what (Chinese: 共享申请, 授权),
    /// `current` its state now (Chinese). HTTP 409.
    case alreadyDecided(subject: String, current: String)
    /// The requesting unit's sharing is suspended: no effectiveness report for the two years `missedYears`
    /// (附件1 第十二条). HTTP 403; lifted by filing one of them.
    case suspended(missedYears: [Int])

    /// Stable machine-readable code for API clients.
    public var code: String {
        switch self {
        case .request(let e): e.code
        case .grant(let e): e.code
        case .denied(let e): e.code
        case .quota(let e): e.code
        case .unknownIndicator: "unknown_indicator"
        case .unknownUnit: "unknown_unit"
        case .notFound: "not_found"
        case .malformedPeriod: "malformed_period"
        case .malformedDate: "malformed_date"
        case .badFilter: "bad_filter"
        case .missingDocument: "missing_document"
        case .missingSignatory: "missing_signatory"
        case .alreadyDecided: "already_decided"
        case .suspended: "sharing_suspended"
        }
    }

    /// Chinese message for the clerk.
    public var message: String {
        switch self {
        case .request(let e): e.message
        case .grant(let e): e.message
        case .denied(let e): e.message
        case .quota(let e): e.message
        case .unknownIndicator(let code): "数据项 \(code) 不在当前目录中：请从目录中选择数据项。"
        case .unknownUnit(let unit): "单位“\(unit)”不在目录中：请使用目录中的单位编码。"
        case .notFound(let what): "\(what)不存在。"
        case .malformedPeriod(let p): "报送期“\(p)”格式不对：按月写 2024-03，按季写 2024Q1，按年写 2024。"
        case .malformedDate(let d): "日期“\(d)”格式不对：请写成 2025-12-31。"
        case .badFilter(let why): why
        case .missingDocument: "请上传已签署的数据安全保障协议文件（PDF 或扫描件）。"
        case .missingSignatory: "请填写协议签署人。"
        case .alreadyDecided(let subject, let current):
            "该\(subject)刚刚已由他人处理（当前状态：\(current)），您的操作未生效：请刷新页面查看最新状态。"
        case .suspended(let years): SharingSuspensionRule.message(missedYears: years)
        }
    }
}

/// The rules of sharing (附件1 第十条、第十三条–第十五条) over storage: agreements, requests and their workflow,
/// grants, and the bounded, masked, quota-limited query and download of records.
///
/// Every act — agreement, request, decision, grant change, query, download — is written to the audit log in
/// the same transaction as the act itself, with the user, unit and `clientAddress`.
public struct SharingService: Sendable {
    public let database: any Database
    public let clock: PlatformClock
    public let files: FileStore
    /// Where the requests come from, for the audit log (`local` for commands and tests).
    public let clientAddress: String
    /// Where audit entries written outside a transaction (the unit's own data) are batched; `nil` commits each alone.
    public let auditCommits: AuditGroupCommit?

    /// Where the rows served by queries and downloads are counted (`nil`: not counted).
    public let metrics: GongzhiMetrics?

    public init(database: any Database, clock: PlatformClock, files: FileStore, clientAddress: String = "local",
                auditCommits: AuditGroupCommit? = nil, metrics: GongzhiMetrics? = nil) {
        self.database = database
        self.clock = clock
        self.files = files
        self.clientAddress = clientAddress
        self.auditCommits = auditCommits
        self.metrics = metrics
    }

    /// Appends `principal` doing `action` on `target` to the audit log, on `db` (the act's transaction; outside
    /// one, through ``auditCommits`` when set).
    func audit(_ action: AuditAction, by principal: Principal, _ target: AuditTarget, on db: any Database) async throws {
        let event = AuditEvent(timeMilliseconds: AuditActor.milliseconds(clock.now()), by: principal, action: action,
                               target: target, clientAddress: clientAddress)
        if let auditCommits { _ = try await auditCommits.append(event, on: db) } else { _ = try await AuditLog.append(event, on: db) }
    }

    /// The search as the audit log records it: `indicator=…; from=…; to=…` and any filters.
    static func describe(_ search: Search, page: Int? = nil) -> String {
        var parts = ["indicator=\(search.indicator)", "from=\(search.from)", "to=\(search.to)"]
        if let d = search.division { parts.append("division=\(d)") }
        if let i = search.identifier { parts.append("identifier=\(i)") }
        parts += search.fieldEquals.map { "field.\($0.key)=\($0.value)" }
        if let page { parts.append("page=\(page)") }
        return parts.joined(separator: "; ")
    }

    /// Default terms of a 报备式 grant: one year, these daily limits per user.
    public static let registeredGrantDays = 365
    public static let defaultLimits = QuotaLimits(dailyQueryRows: 5_000, dailyDownloadRows: 2_000)

    var now: CalendarDateTime { clock.localNow() }

    func catalog() async throws -> Catalog {
        try await ReportingService(database: database, clock: clock).catalog()
    }

    // MARK: Agreements

    /// Records a unit's signed security agreement and keeps its document (info-center admins).
    /// - Throws: ``SharingError``.
    public func recordAgreement(unit: String, signedOn: CalendarDate, signatory: String, documentName: String,
                                document: Data, by principal: Principal) async throws {
        do {
            _ = try AccessPolicy.authorize(principal, .recordAgreement, on: AccessResource(unitCode: unit), context: AccessContext(today: clock.today()))
        } catch { throw SharingError.denied(error) }
        guard try await CatalogRepository(database: database).unit(code: unit) != nil else { throw SharingError.unknownUnit(unit) }
        let signatory = TextNormalization.trim(signatory)
        guard !signatory.isEmpty else { throw SharingError.missingSignatory }
        guard !document.isEmpty else { throw SharingError.missingDocument }
        let sha256 = FileDigest.sha256(of: document)
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-agreement-\(UUID().uuidString)")
        try document.write(to: temporary)
        defer { try? FileManager.default.removeItem(at: temporary) }
        _ = try files.keep(temporary, sha256: sha256)
        let record = SecurityAgreementRecord()
        record.unitCode = unit
        record.signedOn = signedOn.isoString
        record.signatory = signatory
        record.documentName = documentName.isEmpty ? "协议" : documentName
        record.documentSHA256 = sha256
        record.recordedAt = clock.now()
        record.recordedBy = principal.userID
        try await SQLiteWriteGate.transaction(on: database, lockTable: SecurityAgreementRecord.schema) { db in
            try await record.create(on: db)
            try await audit(.securityAgreement, by: principal, AuditTarget(
                detail: "unit=\(unit); signed_on=\(signedOn); signatory=\(signatory); document_sha256=\(sha256)"), on: db)
        }
    }

    // MARK: Requests

    /// Files a request for a catalogued indicator (or, with `indicatorCode` nil, for data of `providingUnit`
    /// described in `description`) and sends it on: a 报备式 indicator is granted at once with the default
    /// terms (its personal fields masked); an 审批式 one, and a 报备式 one asking for `clearIdentifiers`, waits
    /// for an approver; uncatalogued data waits for the provider to confirm its sharing mode.
    /// - Returns: the stored request and, for 报备式 granted at once, its grant.
    /// - Throws: ``SharingError``.
    public func request(by principal: Principal, indicatorCode: String?, providingUnit: String? = nil,
                        description: String? = nil, fields: [String], from: String, to: String, purpose: String,
                        legalBasis: String?, clearIdentifiers: Bool = false) async throws -> (request: AccessRequestRecord, grant: GrantRecord?) {
        try await recordingRefusal(.accessRequest, by: principal, indicator: indicatorCode) {
            try await file(by: principal, indicatorCode: indicatorCode, providingUnit: providingUnit, description: description,
                           fields: fields, from: from, to: to, purpose: purpose, legalBasis: legalBasis,
                           clearIdentifiers: clearIdentifiers)
        }
    }

    func file(by principal: Principal, indicatorCode: String?, providingUnit: String?, description: String?, fields: [String],
              from: String, to: String, purpose: String, legalBasis: String?,
              clearIdentifiers: Bool) async throws -> (request: AccessRequestRecord, grant: GrantRecord?) {
        try await refuseIfSuspended(principal)
        let catalog = try await catalog()
        let data: AccessRequest.RequestedData
        if let code = indicatorCode, !code.isEmpty {
            guard let indicator = catalog.indicator(code: code) else { throw SharingError.unknownIndicator(code) }
            guard indicator.unit != principal.unitCode else { throw SharingError.denied(.otherUnitOnly(.requestAccess)) }
            let periods = (try Self.period(from), try Self.period(to))
            guard periods.0.collectionPeriod == indicator.period, periods.1.collectionPeriod == indicator.period else {
                throw SharingError.badFilter("数据项 \(indicator.code) \(indicator.period.chineseName)归集：报送期请写成 "
                                             + indicator.period.example + " 的形式。")
            }
            guard periods.1.lastDay.year - periods.0.firstDay.year < ReportingService.maxYears else {
                throw SharingError.badFilter("申请的报送期范围不能超过 \(ReportingService.maxYears) 年：请缩小范围。")
            }
            data = .indicator(indicator)
        } else {
            let unit = providingUnit ?? ""
            guard catalog.unit(code: unit) != nil else { throw SharingError.unknownUnit(unit) }
            data = .uncatalogued(providingUnit: unit, description: description ?? "")
        }
        let today = clock.today(), time = now
        let agreement = try await SharingRepository(database: database).agreement(of: principal.unitCode, on: today)
        var request: AccessRequest
        do {
            request = try AccessRequest(by: principal, data: data, agreement: agreement, fields: fields,
                                        periodFrom: try Self.period(from), periodTo: try Self.period(to),
                                        purpose: purpose, legalBasis: legalBasis, clearIdentifiers: clearIdentifiers, at: time)
            try request.apply(.submit, by: principal, at: time)
        } catch let error as AccessRequestError {
            throw SharingError.request(error)
        }
        var grant: Grant?
        if request.state == .granted, case .indicator(let indicator) = data {
            let terms = Grant.Terms.proposed(for: indicator, fields: request.fields, from: today, days: Self.registeredGrantDays,
                                             limits: Self.defaultLimits)
            do { grant = try Grant(request: request, indicator: indicator, terms: terms, by: principal, at: time) } catch {
                throw SharingError.grant(error)
            }
        }
        let submitted = request, issued = grant
        return try await SQLiteWriteGate.transaction(on: database, lockTable: AccessRequestRecord.schema) { db in
            let record = AccessRequestRecord()
            record.update(from: submitted)
            try await record.create(on: db)
            let id = try record.requireID().uuidString.lowercased()
            try await audit(.accessRequest, by: principal, AuditTarget(
                indicatorCode: record.indicatorCode, detail: "request=\(id); state=\(record.state); fields=\(record.fields); periods=\(record.periodFrom)–\(record.periodTo)"
                    + (record.clearIdentifiers ? "; clear_identifiers=true" : "")), on: db)
            var grantRecord: GrantRecord?
            if let issued {
                grantRecord = GrantRecord(issued, requestID: try record.requireID())
                try await grantRecord!.create(on: db)
                try await audit(.grantChange, by: principal, Self.grantTarget(grantRecord!, "issued"), on: db)
            }
            return (record, grantRecord)
        }
    }

    /// Applies a workflow event to request `id` (confirm, deny, withdraw) and stores the new state.
    ///
    /// The new state is stored only if the request is still in the state the event was applied to (a
    /// conditional update in the transaction that also writes the audit entry), so of two concurrent events
    /// exactly one takes effect.
    /// - Throws: ``SharingError`` — `.alreadyDecided` when another transition came first.
    @discardableResult
    public func apply(_ event: AccessRequest.Event, toRequest id: UUID, by principal: Principal) async throws -> AccessRequestRecord {
        let repository = SharingRepository(database: database)
        guard let record = try await repository.request(id), var request = record.request else {
            throw SharingError.notFound("共享申请")
        }
        let before = request.state
        do { try request.apply(event, by: principal, at: now) } catch { throw SharingError.request(error) }
        record.update(from: request)
        let action: AuditAction = if case .deny = event { .approval } else { .accessRequest }
        try await SQLiteWriteGate.transaction(on: database, lockTable: AccessRequestRecord.schema) { db in
            guard try await repository.storeTransition(record, from: before, on: db) else { throw try await Self.conflict(request: id, on: db) }
            try await audit(action, by: principal, AuditTarget(
                indicatorCode: record.indicatorCode,
                detail: "request=\(id.uuidString.lowercased()); event=\(event.name); state=\(record.state)"), on: db)
        }
        return record
    }

    /// The refusal of a transition that lost the race: the request's state as it is now.
    static func conflict(request id: UUID, on db: any Database) async throws -> SharingError {
        let current = try await SharingRepository(database: db).request(id, on: db)
        let state = current.flatMap { AccessRequest.State(rawValue: $0.state) }
        return .alreadyDecided(subject: "共享申请", current: state?.chineseName ?? "未知")
    }

    static func grantTarget(_ g: GrantRecord, _ what: String) -> AuditTarget {
        AuditTarget(indicatorCode: g.indicatorCode,
                    detail: "grant=\(g.id?.uuidString.lowercased() ?? ""); \(what); unit=\(g.granteeUnit); clear=\(g.clearFields); masked=\(g.maskedFields); "
                        + "periods=\(g.periodFrom)–\(g.periodTo); expires=\(g.expiresOn); limits=\(g.dailyQueryRows)/\(g.dailyDownloadRows)")
    }

    /// Approves request `id` and issues its grant with `terms` (approvers). The request's new state, the grant
    /// and both audit entries are written in one transaction, the state by a conditional update: of several
    /// concurrent approvals exactly one issues a grant.
    /// - Throws: ``SharingError`` — `.alreadyDecided` when another decision came first.
    public func approve(request id: UUID, terms: Grant.Terms, note: String?, by principal: Principal) async throws -> GrantRecord {
        guard let record = try await SharingRepository(database: database).request(id), var request = record.request else {
            throw SharingError.notFound("共享申请")
        }
        let catalog = try await catalog()
        let code: String
        switch request.subject {
        case .indicator(let c): code = c
        case .uncatalogued: throw SharingError.badFilter("未列入目录的数据须先由提供单位纳入目录，才能按数据项授权。")
        }
        guard let indicator = catalog.indicator(code: code) else { throw SharingError.unknownIndicator(code) }
        let time = now
        let grant: Grant
        do {
            try request.apply(.approve(note: note), by: principal, at: time)
            grant = try Grant(request: request, indicator: indicator, terms: terms, by: principal, at: time)
        } catch let error as AccessRequestError {
            throw SharingError.request(error)
        } catch let error as GrantError {
            throw SharingError.grant(error)
        }
        let approved = request
        let repository = SharingRepository(database: database)
        return try await SQLiteWriteGate.transaction(on: database, lockTable: AccessRequestRecord.schema) { db in
            record.update(from: approved)
            // Only from pending approval: a concurrent approve or deny that came first leaves nothing to update.
            guard try await repository.storeTransition(record, from: .pendingApproval, on: db) else {
                throw try await Self.conflict(request: id, on: db)
            }
            try await audit(.approval, by: principal, AuditTarget(
                indicatorCode: code, detail: "request=\(id.uuidString.lowercased()); event=approve; note=\(note ?? "")"), on: db)
            let grantRecord = GrantRecord(grant, requestID: id)
            try await grantRecord.create(on: db)
            try await audit(.grantChange, by: principal, Self.grantTarget(grantRecord, "issued"), on: db)
            return grantRecord
        }
    }

    /// Revokes grant `id` with a reason (approvers, admins). The revocation is stored only if the grant is not
    /// revoked meanwhile (a conditional update), in the transaction of its audit entry.
    /// - Throws: ``SharingError`` — `.grant(.alreadyRevoked)`, or `.alreadyDecided` when a concurrent
    ///   revocation came first.
    public func revoke(grant id: UUID, reason: String, by principal: Principal) async throws {
        let repository = SharingRepository(database: database)
        guard let record = try await repository.grant(id), var grant = record.grant else {
            throw SharingError.notFound("授权")
        }
        do { try grant.revoke(by: principal, at: now, reason: reason) } catch { throw SharingError.grant(error) }
        record.update(from: grant)
        try await SQLiteWriteGate.transaction(on: database, lockTable: GrantRecord.schema) { db in
            guard try await repository.storeRevocation(record, on: db) else {
                throw SharingError.alreadyDecided(subject: "授权", current: "已撤销")
            }
            try await audit(.grantChange, by: principal, Self.grantTarget(record, "revoked; reason=\(reason)"), on: db)
        }
    }

    // MARK: Query and download

    /// What a search asks for. Every search names an indicator and a period range.
    public struct Search: Sendable {
        public var indicator: String
        public var from: String
        public var to: String
        public var division: String?
        public var identifier: String?
        public var fieldEquals: [(key: String, value: String)]

        public init(indicator: String, from: String, to: String, division: String? = nil, identifier: String? = nil,
                    fieldEquals: [(key: String, value: String)] = []) {
            self.indicator = indicator
            self.from = from
            self.to = to
            self.division = division
            self.identifier = identifier
            self.fieldEquals = fieldEquals
        }
    }

    /// A page of results as the user may see them.
    public struct Page: Sendable {
        /// The fields shown, in indicator order (what the grant allows; all for the unit's own data).
        public var fields: [Field]
        /// Per record: id, period and the shown values (masked where the grant masks).
        public var rows: [(id: Int, period: String, values: JSONValue)]
        /// Matching records in all.
        public var total: Int
        public var page: Int
        public var per: Int
        /// Whether the daily query limit cut this page short.
        public var cutShort: Bool
        /// The grant used (`nil` for the unit's own data).
        public var grantID: UUID?
    }

    /// Most rows a page holds.
    public static let maxPerPage = 200

    /// One page of records the user may see: the grant is checked (agreement, validity, period range), values are
    /// masked in this layer, and the rows shown count against the user's daily query limit (a page may be cut
    /// short to what is left).
    /// - Throws: ``SharingError``.
    public func query(by principal: Principal, _ search: Search, page: Int, per: Int) async throws -> Page {
        let page = try await recordingRefusal(.query, by: principal, indicator: search.indicator, query: Self.describe(search)) { try await answer(principal, search, page: page, per: per) }
        metrics?.recordRowsServed(page.rows.count, download: false, granted: page.grantID != nil)
        return page
    }

    /// Runs `body`; when it refuses with a ``SharingError``, the refused attempt is written to the audit log
    /// (who tried what, and the refusal's code) before the error is passed on.
    func recordingRefusal<T: Sendable>(_ action: AuditAction, by principal: Principal, indicator: String?, query: String? = nil,
                                       _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SharingError {
            try await SQLiteWriteGate.transaction(on: database, lockTable: AuditEntryRecord.schema) { db in
                try await audit(action, by: principal, AuditTarget(indicatorCode: indicator, query: query, rowCount: query == nil ? nil : 0,
                                                                   detail: "refused=\(error.code)"), on: db)
            }
            throw error
        }
    }

    /// Runs `body` in one transaction that counts against the quota of `access`'s grant atomically (issue 9):
    /// on SQLite the write lock is taken first (after ``SQLiteWriteGate`` lets it through), so the usage read, the records read and the usage written
    /// cannot interleave with another reservation; on PostgreSQL the usage row is locked
    /// (``SharingRepository/reserve(_:user:grant:on:db:_:)``). The unit's own data has no quota: then `body`
    /// reads outside a transaction and its audit entry takes one of its own.
    func reserving<T: Sendable>(_ kind: QuotaKind, _ principal: Principal, _ access: Access,
                                _ body: @escaping @Sendable (any Database, _ reserve: Reservation) async throws -> T) async throws -> T {
        let today = clock.today(), user = principal.userID
        guard access.grantID != nil else { return try await body(database, Reservation { rows in try await rows(nil) }) }
        return try await SQLiteWriteGate.transaction(on: database, lockTable: QuotaUsageRecord.schema) { db in
            let reservation = Reservation { rows in
                guard let grantID = access.grantID, let grant = access.grant else { return try await rows(nil) }
                return try await SharingRepository(database: db).reserve(kind, user: user, grant: grantID, on: today, db: db) { usage in
                    try await rows((grant.limits, usage))
                }
            }
            return try await body(db, reservation)
        }
    }

    /// Reserves quota inside ``reserving(_:_:_:_:)``: its closure gets the grant's limits and today's usage
    /// (`nil` for the unit's own data) and returns the rows it takes, which are added to the usage.
    struct Reservation: Sendable {
        let run: @Sendable (_ rows: @Sendable ((limits: QuotaLimits, usage: QuotaUsage)?) async throws -> Int) async throws -> Int

        init(_ run: @escaping @Sendable (_ rows: @Sendable ((limits: QuotaLimits, usage: QuotaUsage)?) async throws -> Int) async throws -> Int) {
            self.run = run
        }
    }

    func answer(_ principal: Principal, _ search: Search, page: Int, per: Int) async throws -> Page {
        let access = try await resolve(principal, .query, search)
        let paging = Paging(page: page, per: per, maxPer: Self.maxPerPage)
        let per = paging.per, page = paging.page
        let today = clock.today()
        let (total, rows, cutShort) = try await reserving(.query, principal, access) { db, reservation in
            let total = try await access.query.count(on: db)
            let wanted = max(0, min(per, total - paging.offset))
            let limit = try await reservation.run { quota in
                guard let quota, wanted > 0 else { return wanted }
                do { return try Quota.allowance(.query, requested: wanted, limits: quota.limits, usage: quota.usage, on: today) } catch let error as QuotaError {
                    throw SharingError.quota(error)
                }
            }
            let rows = limit > 0 ? try await access.query.rows(offset: paging.offset, limit: limit, on: db) : []
            try await audit(.query, by: principal, AuditTarget(indicatorCode: search.indicator, recordIDs: rows.map { String($0.id) },
                                                               query: Self.describe(search, page: page), rowCount: rows.count), on: db)
            return (total, rows, limit < wanted)
        }
        return Page(fields: access.fields, rows: try rows.map { ($0.id, $0.period, try access.show($0.values)) },
                    total: total, page: page, per: per, cutShort: cutShort, grantID: access.grantID)
    }

    /// Every matching record for a download, masked as in ``query(by:_:page:per:)``; all or nothing against the
    /// daily download limit (a file is never silently cut short). At most `maxRows` rows.
    /// - Throws: ``SharingError``.
    public func download(by principal: Principal, _ search: Search, maxRows: Int = 100_000) async throws -> Page {
        let page = try await recordingRefusal(.download, by: principal, indicator: search.indicator, query: Self.describe(search)) { try await everything(principal, search, maxRows: maxRows) }
        metrics?.recordRowsServed(page.rows.count, download: true, granted: page.grantID != nil)
        return page
    }

    func everything(_ principal: Principal, _ search: Search, maxRows: Int) async throws -> Page {
        let access = try await resolve(principal, .download, search)
        let today = clock.today()
        // Counted, checked against the quota, read and reserved in one transaction: concurrent downloads of one
        // user under one grant queue on the reservation, so together they never exceed the daily limit.
        let (total, rows) = try await reserving(.download, principal, access) { db, reservation in
            let total = try await access.query.count(on: db)
            guard total <= maxRows else {
                throw SharingError.badFilter("符合条件的记录有 \(total) 条，超过单次下载上限 \(maxRows) 条：请缩小报送期或增加条件。")
            }
            _ = try await reservation.run { quota in
                guard let quota, total > 0 else { return total }
                do { return try Quota.allowance(.download, requested: total, limits: quota.limits, usage: quota.usage, on: today) } catch let error as QuotaError {
                    throw SharingError.quota(error)
                }
            }
            var rows: [RecordQuery.Row] = []
            while rows.count < total {
                let batch = try await access.query.rows(offset: rows.count, limit: min(RecordQuery.maxLimit, total - rows.count), on: db)
                if batch.isEmpty { break }
                rows += batch
            }
            try await audit(.download, by: principal, AuditTarget(indicatorCode: search.indicator, recordIDs: rows.map { String($0.id) },
                                                                  query: Self.describe(search), rowCount: rows.count), on: db)
            return (total, rows)
        }
        return Page(fields: access.fields, rows: try rows.map { ($0.id, $0.period, try access.show($0.values)) },
                    total: total, page: 1, per: rows.count, cutShort: false, grantID: access.grantID)
    }

    /// What one search may touch: the record query, the fields shown and how values are shown.
    struct Access {
        var query: RecordQuery
        var fields: [Field]
        var grant: Grant?
        var grantID: UUID?
        var masker: RecordMasker?

        func show(_ stored: String) throws -> JSONValue {
            let value = try JSONValue.parse(stored)
            guard let masker else { return value }
            return masker.mask(value)
        }
    }

    /// Checks the principal may run `search` and builds its query: the policy decides (own unit, or an
    /// analyst with an agreement and an active grant covering every period searched), filters are checked
    /// against the indicator's fields.
    func resolve(_ principal: Principal, _ action: AccessAction, _ search: Search) async throws -> Access {
        let catalog = try await catalog()
        guard let indicator = catalog.indicator(code: search.indicator) else { throw SharingError.unknownIndicator(search.indicator) }
        let from = try Self.period(search.from), to = try Self.period(search.to)
        guard from.collectionPeriod == indicator.period, to.collectionPeriod == indicator.period else {
            throw SharingError.badFilter("数据项 \(indicator.code) \(indicator.period.chineseName)归集：报送期请写成 "
                                         + indicator.period.example + " 的形式。")
        }
        guard from <= to else { throw SharingError.badFilter("起始期 \(from) 晚于截止期 \(to)。") }
        guard to.lastDay.year - from.firstDay.year < ReportingService.maxYears else {
            throw SharingError.badFilter("查询范围不能超过 \(ReportingService.maxYears) 年：请缩小范围。")
        }
        var periods: [ReportingPeriod] = []
        for year in from.firstDay.year...to.lastDay.year {
            periods += ReportingPeriod.year(year).periods(of: indicator.period).filter { $0 >= from && $0 <= to }
        }
        if principal.unitCode != indicator.unit { try await refuseIfSuspended(principal) }
        let today = clock.today()
        let repository = SharingRepository(database: database)
        // In a fixed order (by id), so that among grants the rule sees as equal the same one is used every time;
        // the rule itself is Grant.preferred (broadest fields, then the latest expiry, then the newest).
        // A unit's own records need neither a grant nor an agreement (AccessPolicy.rules): neither is read.
        let own = principal.unitCode == indicator.unit
        let grantRecords = own ? [] : try await repository.grants(of: principal.unitCode, indicator: indicator.code)
            .sorted { ($0.id?.uuidString ?? "") < ($1.id?.uuidString ?? "") }
        let grants = grantRecords.compactMap(\.grant)
        let context = AccessContext(today: today, agreement: own ? nil : try await repository.agreement(of: principal.unitCode, on: today),
                                    grants: grants)
        var grant: Grant?
        for period in [from, to] {
            do {
                grant = try AccessPolicy.authorize(principal, action, on: AccessResource(unitCode: indicator.unit, indicatorCode: indicator.code, period: period),
                                                   context: context)
            } catch { throw SharingError.denied(error) }
        }
        if grant != nil {
            // One grant must cover the whole range; of those that do, the preferred one.
            guard let best = Grant.preferred(among: grants.filter { $0.providingUnit == indicator.unit }, on: today, covering: [from, to]) else {
                throw SharingError.denied(.periodNotGranted(indicator: indicator.code, period: "\(from)–\(to)"))
            }
            grant = best
        }
        var filters: [(key: String, value: String)] = []
        for (key, value) in search.fieldEquals {
            guard let field = indicator.field(key) else { throw SharingError.badFilter("数据项 \(indicator.code) 没有字段 \(key)。") }
            guard field.type != .integer, field.type != .decimal else {
                throw SharingError.badFilter("“\(field.label)”是数值，不能按值精确查询：请用其他条件。")
            }
            if let grant, grant.access(to: key) != .clear {
                throw SharingError.badFilter("“\(field.label)”未获明文授权，不能作为查询条件。")
            }
            filters.append((key, value))
        }
        // An exact identifier search is allowed under any grant, a 报备式 one with masked identifiers included
        // (issue 12 §6: a tax officer must find one taxpayer's house sales): the searcher already holds the
        // identifier, so the records that carry it are shown — masked as the grant masks them, nothing more — and
        // the search is audited with the identifier searched (``describe(_:page:)``, `identifier=…`). Only an exact,
        // whole identifier matches (the `record_keys` lookup), never a part of one.
        let query = RecordQuery(indicator: indicator.code, periods: periods.map(\.description),
                                division: search.division.flatMap { $0.isEmpty ? nil : $0 },
                                identifier: search.identifier.flatMap { $0.isEmpty ? nil : TextNormalization.upperASCII(TextNormalization.trim($0)) },
                                fieldEquals: filters)
        guard let grant else { return Access(query: query, fields: indicator.fields) }
        let grantID = grantRecords.first { $0.grant == grant }?.id
        let masker: RecordMasker
        do { masker = try RecordMasker(indicator: indicator, grant: grant) } catch { throw SharingError.grant(error) }
        return Access(query: query, fields: indicator.fields.filter { grant.access(to: $0.key) != nil }, grant: grant,
                      grantID: grantID, masker: masker)
    }

    /// The one gate of a suspended unit (附件1 第十二条): every new request and every query or download of
    /// another unit's data passes here (``file(by:indicatorCode:providingUnit:description:fields:from:to:purpose:legalBasis:)``
    /// and ``resolve(_:_:_:)``). The unit's own data is not shared data and stays readable.
    /// - Throws: ``SharingError/suspended(missedYears:)`` while a suspension of `principal`'s unit is in force.
    func refuseIfSuspended(_ principal: Principal) async throws {
        if let suspension = try await EffectivenessRepository(database: database).activeSuspension(of: principal.unitCode) {
            throw SharingError.suspended(missedYears: suspension.years)
        }
    }

    static func period(_ text: String) throws -> ReportingPeriod {
        guard let p = ReportingPeriod(text) else { throw SharingError.malformedPeriod(text) }
        return p
    }
}
