import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore
import Vapor

/// Sharing on the web and over the API: agreements, access requests and their decisions, grants, and the
/// bounded, masked query and download of records (`GET /api/v1/records`, `/query`).
struct SharingController: Sendable {
    // MARK: Overview

    struct RequestItem: Encodable {
        var id: String
        var requestingUnit: String
        var providingUnit: String
        var subject: String
        var periods: String
        var state: String
        var stateName: String
        var createdAt: String
    }

    struct GrantItem: Encodable {
        var id: String
        var indicator: String
        /// `HOU-004 房屋出租信息`.
        var indicatorName: String
        var clearFields: String
        var maskedFields: String
        var periods: String
        var expiresOn: String
        var limits: String
        var status: String
    }

    struct AgreementItem: Encodable {
        var unit: String
        var signedOn: String
        var signatory: String
        var document: String
    }

    struct UnitChoice: Encodable {
        var code: String
        var name: String
    }

    struct OverviewPage: Encodable {
        var title: String
        var unit: String
        var agreement: AgreementItem?
        var mine: [RequestItem]
        var toDecide: [RequestItem]
        var toConfirm: [RequestItem]
        var grants: [GrantItem]
        var agreements: [AgreementItem]
        /// Units an agreement can be recorded for (admins' form): code and name.
        var unitChoices: [UnitChoice]
        var isAdmin: Bool
        var isAnalyst: Bool
        var error: String?
    }

    /// A request as pages list it: unit names, the indicator's code and name, the time in Beijing time.
    static func item(_ r: AccessRequestRecord, names: DisplayNames) -> RequestItem {
        RequestItem(id: r.id?.uuidString.lowercased() ?? "", requestingUnit: names.unit(r.requestingUnit),
                    providingUnit: names.unit(r.providingUnit),
                    subject: r.indicatorCode.map(names.indicator) ?? "目录外：\(r.dataDescription ?? "")", periods: "\(r.periodFrom)–\(r.periodTo)",
                    state: r.state, stateName: DisplayNames.requestState(r.state), createdAt: DisplayNames.time(localText: r.createdAt))
    }

    /// A grant as pages list it: the indicator's name, field labels instead of keys, its status today.
    static func item(_ g: GrantRecord, today: CalendarDate, names: DisplayNames) -> GrantItem {
        let status: String = switch g.grant?.status(on: today) {
        case .active?: "有效"
        case .notYetValid?: "未生效"
        case .expired?: "已过期"
        case .revoked(let reason)?: "已撤销（\(reason)）"
        case nil: "—"
        }
        func labels(_ keys: String) -> String {
            let text = names.fields(keys.split(separator: ",").map(String.init), of: g.indicatorCode)
            return text.isEmpty ? "无" : text
        }
        return GrantItem(id: g.id?.uuidString.lowercased() ?? "", indicator: g.indicatorCode, indicatorName: names.indicator(g.indicatorCode),
                         clearFields: labels(g.clearFields), maskedFields: labels(g.maskedFields),
                         periods: "\(g.periodFrom)–\(g.periodTo)", expiresOn: g.expiresOn,
                         limits: "查询 \(g.dailyQueryRows) 条/人/日，下载 \(g.dailyDownloadRows) 条/人/日", status: status)
    }

    static func item(_ a: SecurityAgreementRecord, names: DisplayNames) -> AgreementItem {
        AgreementItem(unit: names.unit(a.unitCode), signedOn: a.signedOn, signatory: a.signatory,
                      document: "\(a.documentName)（SHA-256 \(a.documentSHA256.prefix(12))…）")
    }

    func overview(req: Request) async throws -> View {
        try await renderOverview(req, error: nil)
    }

    func renderOverview(_ req: Request, error: String?) async throws -> View {
        let principal = try req.principal
        let repository = SharingRepository(database: req.db)
        let names = try await DisplayNames.load(req)
        let today = req.gongzhi.clock.today()
        let mine = try await repository.requests(requesting: principal.unitCode).map { Self.item($0, names: names) }
        let toDecide = principal.has(.approver)
            ? try await repository.requests(states: [.pendingApproval]).filter { $0.requestingUnit != principal.unitCode }.map { Self.item($0, names: names) }
            : []
        let toConfirm = principal.has(.unitHead)
            ? try await repository.requests(providing: principal.unitCode, states: [.awaitingProviderConfirmation]).map { Self.item($0, names: names) }
            : []
        let grants = try await repository.grants(of: principal.unitCode).map { Self.item($0, today: today, names: names) }
        let agreement = try await repository.agreements(of: principal.unitCode).first.map { Self.item($0, names: names) }
        let agreements = principal.has(.admin) ? try await repository.agreements().map { Self.item($0, names: names) } : []
        return try await req.view.render("sharing", OverviewPage(
            title: "数据共享", unit: names.unit(principal.unitCode), agreement: agreement, mine: mine,
            toDecide: toDecide, toConfirm: toConfirm, grants: grants, agreements: agreements,
            unitChoices: principal.has(.admin) ? names.units.map { UnitChoice(code: $0.key, name: $0.value) }.sorted { $0.code < $1.code } : [],
            isAdmin: principal.has(.admin),
            isAnalyst: principal.has(.analyst), error: error))
    }

    // MARK: Agreements

    /// Records a unit's signed agreement from the admin's form (multipart: unit, signed_on, signatory, document).
    func recordAgreement(req: Request) async throws -> Response {
        let principal = try req.principal
        do {
            let file = try? req.content.get(File.self, at: "document")
            try await req.sharing.recordAgreement(
                unit: (try? req.content.get(String.self, at: "unit")) ?? "",
                signedOn: try SharingController.date((try? req.content.get(String.self, at: "signed_on")) ?? ""),
                signatory: (try? req.content.get(String.self, at: "signatory")) ?? "",
                documentName: file?.filename ?? "", document: file.map { Data(buffer: $0.data) } ?? Data(), by: principal)
        } catch let error as SharingError {
            return try await renderOverview(req, error: error.message).encodeResponse(status: SharingController.status(error), for: req)
        }
        return req.redirect(to: "/sharing", redirectType: .normal)
    }

    // MARK: Requests

    struct FieldOption: Encodable {
        var key: String
        var label: String
        var personal: Bool
        /// A taxpayer identifier (``MaskingRule/identifiesTaxpayer(_:)``).
        var identifier: Bool
        /// Ticked "明文" on the approver's form: not personal, or an identifier the request asked in the clear.
        var proposedClear: Bool

        init(_ field: Field?, key: String, in indicator: Indicator?, clearIdentifiers: Bool = false) {
            self.key = key
            label = field?.label ?? key
            personal = field.map { f in indicator.map { MaskingRule.isPersonal(f, in: $0) } ?? true } ?? true
            identifier = field.map(MaskingRule.identifiesTaxpayer) ?? false
            proposedClear = !personal || (clearIdentifiers && identifier)
        }
    }

    struct IndicatorChoice: Encodable {
        var code: String
        var label: String
        var withheld: Bool
        var selected: Bool
    }

    struct RequestForm: Encodable {
        var title: String
        var indicators: [IndicatorChoice]
        var indicator: String?
        var mode: String?
        var legalBasisOfIndicator: String?
        var withheld: Bool
        var fields: [FieldOption]
        /// The indicator has a taxpayer identifier field: the form offers 申请明文身份标识.
        var hasIdentifiers: Bool
        var error: String?
    }

    func newRequest(req: Request) async throws -> View {
        try await renderRequestForm(req, code: req.query[String.self, at: "indicator"], error: nil)
    }

    func renderRequestForm(_ req: Request, code: String?, error: String?) async throws -> View {
        let catalog = try await req.reporting.catalog()
        let indicator = code.flatMap(catalog.indicator(code:))
        return try await req.view.render("sharing-request", RequestForm(
            title: "申请共享数据",
            indicators: catalog.indicators.map {
                IndicatorChoice(code: $0.code, label: "\($0.code) \($0.name)（\($0.sharing.chineseName)）", withheld: $0.sharing == .withheld,
                                selected: $0.code == code)
            },
            indicator: indicator?.code, mode: indicator?.sharing.chineseName,
            legalBasisOfIndicator: indicator?.legalBasis, withheld: indicator?.sharing == .withheld,
            fields: indicator.map { i in i.fields.map { FieldOption($0, key: $0.key, in: i) } } ?? [],
            hasIdentifiers: indicator?.fields.contains(where: MaskingRule.identifiesTaxpayer) ?? false,
            error: error))
    }

    /// Files a request from the form or the API (`indicator` or `providing_unit` + `description`, `fields`,
    /// `from`, `to`, `purpose`, `legal_basis`, `clear_identifiers`).
    func createRequest(req: Request) async throws -> Response {
        let principal = try req.principal
        let input = RequestInput(req)
        do {
            if input.indicator == nil, (input.providingUnit ?? "").isEmpty {
                throw SharingError.badFilter("请指定申请的数据项（indicator），或目录外数据的提供单位（providing_unit）和说明（description）。")
            }
            let (record, _) = try await req.sharing.request(
                by: principal, indicatorCode: input.indicator, providingUnit: input.providingUnit, description: input.description,
                fields: input.fields, from: input.from, to: input.to, purpose: input.purpose, legalBasis: input.legalBasis,
                clearIdentifiers: input.clearIdentifiers)
            let id = try record.requireID().uuidString.lowercased()
            if req.url.path.hasPrefix("/api/") { return try await requestJSON(req, id: try record.requireID(), status: .created) }
            return req.redirect(to: "/sharing/requests/\(id)", redirectType: .normal)
        } catch let error as SharingError where !req.url.path.hasPrefix("/api/") {
            return try await renderRequestForm(req, code: input.indicator, error: error.message)
                .encodeResponse(status: Self.status(error), for: req)
        }
    }

    struct RequestInput {
        var indicator: String?
        var providingUnit: String?
        var description: String?
        var fields: [String]
        var from: String
        var to: String
        var purpose: String
        var legalBasis: String?
        /// A JSON `true`, or a ticked form checkbox (`on`, `true`, `1`).
        var clearIdentifiers: Bool

        init(_ req: Request) {
            func text(_ key: String) -> String? { (try? req.content.get(String.self, at: key)) ?? req.query[String.self, at: key] }
            indicator = text("indicator").flatMap { $0.isEmpty ? nil : $0 }
            providingUnit = text("providing_unit")
            description = text("description")
            fields = SharingController.list(req, "fields")
            from = text("from") ?? ""
            to = text("to") ?? ""
            purpose = text("purpose") ?? ""
            legalBasis = text("legal_basis")
            clearIdentifiers = (try? req.content.get(Bool.self, at: "clear_identifiers"))
                ?? ["on", "true", "1"].contains(text("clear_identifiers")?.lowercased() ?? "")
        }
    }

    struct TransitionItem: Encodable {
        var at: String
        var by: String
        var event: String
        var to: String
        var note: String?
    }

    struct RequestPage: Encodable {
        var title: String
        var request: RequestItem
        var fields: [FieldOption]
        var purpose: String
        var legalBasis: String?
        var mode: String?
        var clearIdentifiers: Bool
        var history: [TransitionItem]
        var grants: [GrantItem]
        var canDecide: Bool
        var canWithdraw: Bool
        var canConfirm: Bool
        var defaultExpiry: String
        var error: String?
    }

    func showRequest(req: Request) async throws -> View {
        try await renderRequest(req, error: nil)
    }

    func loadRequest(_ req: Request) async throws -> (AccessRequestRecord, AccessRequest) {
        guard let text = req.parameters.get("id"), let id = UUID(uuidString: text),
              let record = try await SharingRepository(database: req.db).request(id), let request = record.request else {
            throw Abort(.notFound)
        }
        let principal = try req.principal
        // Visible to the two units involved, approvers and admins.
        guard principal.unitCode == request.requestingUnit || principal.unitCode == request.providingUnit
                || principal.hasAny(of: [.approver, .admin]) else { throw Abort(.notFound) }
        return (record, request)
    }

    func renderRequest(_ req: Request, error: String?) async throws -> View {
        let (record, request) = try await loadRequest(req)
        let principal = try req.principal
        let names = try await DisplayNames.load(req)
        let catalog = try await req.reporting.catalog()
        let indicator = record.indicatorCode.flatMap(catalog.indicator(code:))
        let fields = request.fields.map { key in
            FieldOption(indicator?.field(key), key: key, in: indicator, clearIdentifiers: request.clearIdentifiers)
        }
        let today = req.gongzhi.clock.today()
        let grants = try await SharingRepository(database: req.db).grants(forRequest: try record.requireID()).map { Self.item($0, today: today, names: names) }
        return try await req.view.render("sharing-request-show", RequestPage(
            title: "共享申请", request: Self.item(record, names: names), fields: fields, purpose: request.purpose,
            legalBasis: request.legalBasis, mode: request.mode?.chineseName, clearIdentifiers: request.clearIdentifiers,
            history: request.history.map {
                TransitionItem(at: DisplayNames.time($0.at), by: names.user($0.by), event: DisplayNames.requestEvent($0.event),
                               to: $0.to.chineseName, note: $0.note)
            },
            grants: grants,
            canDecide: request.state == .pendingApproval && principal.has(.approver) && principal.unitCode != request.requestingUnit,
            canWithdraw: !request.state.isFinal && principal.unitCode == request.requestingUnit,
            canConfirm: request.state == .awaitingProviderConfirmation && principal.has(.unitHead) && principal.unitCode == request.providingUnit,
            defaultExpiry: (today.adding(days: 364) ?? today).isoString, error: error))
    }

    /// Approve / deny / withdraw / confirm, from a form or the API.
    func decide(req: Request) async throws -> Response {
        let principal = try req.principal
        let (record, _) = try await loadRequest(req)
        let id = try record.requireID()
        let action = req.parameters.get("action") ?? ""
        func text(_ key: String) -> String? { (try? req.content.get(String.self, at: key)) ?? req.query[String.self, at: key] }
        /// A whole number from a form field (text) or a JSON body (number); -1 when absent or not a number.
        func count(_ key: String) -> Int {
            (try? req.content.get(Int.self, at: key)) ?? text(key).flatMap { Int(TextNormalization.trim($0)) } ?? -1
        }
        do {
            switch action {
            case "approve":
                // The role first: an analyst posting here learns that it may not decide, not that a date is missing.
                guard principal.has(.approver) else { throw SharingError.denied(.roleRequired(.decideRequest, roles: [.approver])) }
                let clear = Self.list(req, "clear_fields"), masked = Self.list(req, "masked_fields")
                let terms = Grant.Terms(
                    clearFields: clear, maskedFields: masked.filter { !clear.contains($0) },
                    expiresOn: try Self.date(text("expires_on") ?? ""),
                    limits: QuotaLimits(dailyQueryRows: count("daily_query_rows"), dailyDownloadRows: count("daily_download_rows")))
                _ = try await req.sharing.approve(request: id, terms: terms, note: text("note"), by: principal)
            case "deny": try await req.sharing.apply(.deny(reason: text("reason") ?? ""), toRequest: id, by: principal)
            case "withdraw": try await req.sharing.apply(.withdraw, toRequest: id, by: principal)
            case "confirm":
                guard let mode = SharingMode(rawValue: text("mode") ?? "") else {
                    throw SharingError.badFilter("请选择共享方式：报备式、审批式或不予共享。")
                }
                try await req.sharing.apply(.confirmSharingMode(mode, legalBasis: text("legal_basis")), toRequest: id, by: principal)
            default: throw Abort(.notFound)
            }
        } catch let error as SharingError where !req.url.path.hasPrefix("/api/") {
            return try await renderRequest(req, error: error.message).encodeResponse(status: Self.status(error), for: req)
        }
        if req.url.path.hasPrefix("/api/") { return try await requestJSON(req, id: id, status: .ok) }
        return req.redirect(to: "/sharing/requests/\(id.uuidString.lowercased())", redirectType: .normal)
    }

    func revokeGrant(req: Request) async throws -> Response {
        let principal = try req.principal
        guard let text = req.parameters.get("id"), let id = UUID(uuidString: text) else { throw Abort(.notFound) }
        let reason = (try? req.content.get(String.self, at: "reason")) ?? req.query[String.self, at: "reason"] ?? ""
        do {
            try await req.sharing.revoke(grant: id, reason: reason, by: principal)
        } catch let error as SharingError where !req.url.path.hasPrefix("/api/") {
            return try await renderOverview(req, error: error.message).encodeResponse(status: Self.status(error), for: req)
        }
        if req.url.path.hasPrefix("/api/") { return Response.json(.object([("grant_id", .string(text.lowercased())), ("revoked", .bool(true))])) }
        return req.redirect(to: "/sharing", redirectType: .normal)
    }

    static func list(_ req: Request, _ key: String) -> [String] {
        let values = (try? req.content.get([String].self, at: key)) ?? []
        if values.count == 1, values[0].contains(",") { return values[0].split(separator: ",").map(String.init) }
        if values.isEmpty, let joined = (try? req.content.get(String.self, at: key)) ?? req.query[String.self, at: key] {
            return joined.split(separator: ",").map(String.init)
        }
        return values
    }

    // MARK: API views of requests and grants

    func requestJSON(_ req: Request, id: UUID, status: HTTPResponseStatus) async throws -> Response {
        guard let record = try await SharingRepository(database: req.db).request(id) else { throw Abort(.notFound) }
        let grants = try await SharingRepository(database: req.db).grants(forRequest: id)
        return Response.json(Self.requestValue(record, grants: grants), status: status)
    }

    static func requestValue(_ r: AccessRequestRecord, grants: [GrantRecord]) -> JSONValue {
        .object([
            ("id", .string(r.id?.uuidString.lowercased() ?? "")), ("requesting_unit", .string(r.requestingUnit)),
            ("providing_unit", .string(r.providingUnit)), ("indicator", .optional(r.indicatorCode)),
            ("description", .optional(r.dataDescription)), ("fields", .array(r.fields.split(separator: ",").map { .string(String($0)) })),
            ("from", .string(r.periodFrom)), ("to", .string(r.periodTo)), ("purpose", .string(r.purpose)),
            ("legal_basis", .optional(r.legalBasis)), ("clear_identifiers", .bool(r.clearIdentifiers)),
            ("mode", .optional(r.mode)), ("state", .string(r.state)),
            ("created_at", .string(r.createdAt)), ("grants", .array(grants.map(grantValue))),
        ])
    }

    static func grantValue(_ g: GrantRecord) -> JSONValue {
        .object([
            ("id", .string(g.id?.uuidString.lowercased() ?? "")), ("indicator", .string(g.indicatorCode)),
            ("clear_fields", .array(g.clearFields.split(separator: ",").map { .string(String($0)) })),
            ("masked_fields", .array(g.maskedFields.split(separator: ",").map { .string(String($0)) })),
            ("from", .string(g.periodFrom)), ("to", .string(g.periodTo)), ("valid_from", .string(g.validFrom)),
            ("expires_on", .string(g.expiresOn)), ("daily_query_rows", .int(g.dailyQueryRows)),
            ("daily_download_rows", .int(g.dailyDownloadRows)), ("revoked", .bool(g.revokedAt != nil)),
        ])
    }

    func apiRequests(req: Request) async throws -> Response {
        let principal = try req.principal
        let repository = SharingRepository(database: req.db)
        var records = try await repository.requests(requesting: principal.unitCode)
        if principal.has(.approver) { records += try await repository.requests(states: [.pendingApproval]).filter { $0.requestingUnit != principal.unitCode } }
        var out: [JSONValue] = []
        for r in records { out.append(Self.requestValue(r, grants: try await repository.grants(forRequest: try r.requireID()))) }
        return Response.json(.array(out), status: .ok)
    }

    func apiShowRequest(req: Request) async throws -> Response {
        let (record, _) = try await loadRequest(req)
        return try await requestJSON(req, id: try record.requireID(), status: .ok)
    }

    func apiGrants(req: Request) async throws -> Response {
        let principal = try req.principal
        return Response.json(.array(try await SharingRepository(database: req.db).grants(of: principal.unitCode).map(Self.grantValue)), status: .ok)
    }

    // MARK: Query and download

    /// The search in a request's query string: `indicator`, `from`, `to`, `division`, `identifier`, and
    /// `field.KEY=VALUE` for exact field values.
    static func search(_ req: Request) throws -> SharingService.Search {
        try search(queryItems(req))
    }

    /// The request's query string as names and values, decoded once (each `req.query[…]` decodes all of it
    /// again), `+` read as a space. A repeated name does not decode as one value: then the last one given counts.
    static func queryItems(_ req: Request) -> [String: String] {
        (try? req.query.decode([String: String].self))
            ?? Dictionary((URLComponents(string: req.url.string)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
    }

    /// The search in decoded query items (``queryItems(_:)``).
    static func search(_ items: [String: String]) throws -> SharingService.Search {
        func text(_ key: String) -> String? {
            guard let value = items[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        guard let indicator = text("indicator") else {
            throw SharingError.badFilter("请指定数据项（indicator）：查询必须限定一个数据项和报送期范围。")
        }
        guard let from = text("from") else {
            throw SharingError.badFilter("请指定起始报送期（from）：查询必须限定报送期范围。")
        }
        let filters = items.keys.filter { $0.hasPrefix("field.") }.sorted().compactMap { name -> (key: String, value: String)? in
            guard let value = items[name], !value.isEmpty else { return nil }
            return (String(name.dropFirst("field.".count)), value)
        }
        return SharingService.Search(indicator: indicator, from: from, to: text("to") ?? from,
                                     division: text("division"), identifier: text("identifier"), fieldEquals: filters)
    }

    /// `GET /api/v1/records?indicator=…&from=…[&to=…][&division=…][&identifier=…][&field.KEY=…][&page=…][&per=…]`.
    func apiRecords(req: Request) async throws -> Response {
        let principal = try req.principal
        let items = Self.queryItems(req)
        let search = try Self.search(items)
        let page = try await req.sharing.query(by: principal, search, page: items["page"].flatMap { Int($0) } ?? 1,
                                               per: items["per"].flatMap { Int($0) } ?? 50)
        return Response.json(.object([
            ("indicator", .string(search.indicator)), ("total", .int(page.total)), ("page", .int(page.page)),
            ("per", .int(page.per)), ("cut_short", .bool(page.cutShort)),
            ("fields", .array(page.fields.map { .string($0.key) })),
            ("records", .array(page.rows.map { .object([("id", .int($0.id)), ("period", .string($0.period)), ("values", $0.values)]) })),
        ]))
    }

    /// `GET /api/v1/records/download?…&format=csv|xlsx` and the page's download links: every matching record,
    /// masked, within the daily download limit.
    func download(req: Request) async throws -> Response {
        let principal = try req.principal
        let search = try Self.search(req)
        let page = try await req.sharing.download(by: principal, search)
        let header = ["记录编号", "报送期"] + page.fields.map(\.header)
        let rows: [[String]] = page.rows.map { row in
            [String(row.id), row.period] + page.fields.map { field in Self.display(row.values, field.key) }
        }
        let name = "\(search.indicator)_\(search.from)_\(search.to)"
        if req.query[String.self, at: "format"] == "xlsx" {
            // Numbers and dates as typed cells; the record id, period, identifiers and masked values as text.
            let types = page.fields.map(\.type)
            let table = XlsxTableWriter.Table(title: "\(search.indicator) \(search.from)–\(search.to)", header: header, rows: rows.map { row in
                row.enumerated().map { i, text in i < 2 ? XlsxTableWriter.Cell(text) : XlsxTableWriter.Cell.typed(text, as: types[i - 2]) }
            })
            return Response.download(.init(data: try XlsxTableWriter.workbook(sheet: search.indicator, table: table)),
                                     type: Response.xlsxType, name: name + ".xlsx", fallbackName: "records.xlsx")
        }
        return Response.download(.init(string: CSVText.document(header: header, rows: rows)), type: Response.csvType,
                                 name: name + ".csv", fallbackName: "records.csv")
    }

    static func display(_ record: JSONValue, _ key: String) -> String {
        guard case .object(let members) = record, let value = members.first(where: { $0.0 == key })?.1 else { return "" }
        switch value {
        case .null: return ""
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "是" : "否"
        case .array, .object: return value.serialized()
        }
    }

    struct QueryPage: Encodable {
        var title: String
        var indicators: [IndicatorChoice]
        var indicator: String
        var from: String
        var to: String
        var division: String
        var identifier: String
        var headers: [String]
        var rows: [QueryRow]
        /// Whether each row offers 提出疑义 (analysts reading another unit's data).
        var canObject: Bool = false
        var total: Int
        var page: Int
        var pages: Int
        var cutShort: Bool
        var query: String
        var previous: Int?
        var next: Int?
        var searched: Bool
        var error: String?
    }

    /// One result row: the record's id and the cells shown (id, period, the fields).
    struct QueryRow: Encodable {
        var id: String
        var cells: [String]
    }

    /// `/query`: the search form and one page of results.
    func queryPage(req: Request) async throws -> Response {
        let principal = try req.principal
        let catalog = try await req.reporting.catalog()
        let code = req.queryText("indicator") ?? ""
        var page = QueryPage(
            title: "数据查询",
            indicators: catalog.indicators.filter { $0.sharing != .withheld || $0.unit == principal.unitCode }.map {
                IndicatorChoice(code: $0.code, label: "\($0.code) \($0.name)", withheld: false, selected: $0.code == code)
            },
            indicator: code, from: req.queryText("from") ?? "", to: req.queryText("to") ?? "", division: req.queryText("division") ?? "",
            identifier: req.queryText("identifier") ?? "", headers: [], rows: [], total: 0, page: 1, pages: 1, cutShort: false,
            query: Self.queryWithoutPage(req), previous: nil, next: nil, searched: false, error: nil)
        var status = HTTPResponseStatus.ok
        if !code.isEmpty {
            do {
                let result = try await req.sharing.query(by: principal, try Self.search(req), page: req.query[Int.self, at: "page"] ?? 1, per: 50)
                page.searched = true
                page.headers = ["记录编号", "报送期"] + result.fields.map(\.header)
                page.rows = result.rows.map { row in
                    QueryRow(id: String(row.id), cells: [String(row.id), row.period] + result.fields.map { Self.display(row.values, $0.key) })
                }
                page.canObject = result.grantID != nil && principal.hasAny(of: RouteAccess.objectionFilers)
                page.total = result.total
                page.page = result.page
                page.pages = max((result.total + result.per - 1) / result.per, 1)
                page.cutShort = result.cutShort
                page.previous = result.page > 1 ? result.page - 1 : nil
                page.next = result.page < page.pages ? result.page + 1 : nil
            } catch let error as SharingError {
                page.error = error.message
                status = Self.status(error)
            }
        }
        return try await req.view.render("query", page).encodeResponse(status: status, for: req)
    }

    // MARK: Helpers

    /// The request's query string without `page`, for paging and download links.
    static func queryWithoutPage(_ req: Request) -> String {
        var components = URLComponents()
        components.queryItems = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "page" && $0.name != "format" }
        return components.percentEncodedQuery ?? ""
    }

    static func date(_ text: String) throws -> CalendarDate {
        guard let d = CalendarDate(iso: TextNormalization.trim(text)) else { throw SharingError.malformedDate(text) }
        return d
    }

    static func status(_ error: SharingError) -> HTTPResponseStatus {
        GongzhiErrorMiddleware.describe(error).status
    }

}

extension Request {
    var sharing: SharingService { application.gongzhi.sharing(on: db, clientAddress: clientAddress) }
}
