import Fluent
import FluentKit
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore
import Vapor

/// Uploads (web form and API), the result page, the list of submissions and a submission's records.
struct SubmissionController: Sendable {
    // MARK: Upload form

    struct IndicatorOption: Encodable {
        var code: String
        var label: String
        var selected: Bool
    }

    struct UploadPage: Encodable {
        var title: String
        var indicators: [IndicatorOption]
        var period: String
        var actingUnit: String
        /// The info center acts: the form asks who acts and why (代为报送).
        var isProxy: Bool
        var proxyBy: String
        var proxyReason: String
        var error: String?
        /// The correction mode chosen (`append`, `replace`) or empty.
        var mode: String = ""
        /// The unit's periods with tasks still owed (open or missed), newest first: the period picker.
        var openPeriods: [PeriodOption] = []
    }

    struct PeriodOption: Encodable {
        var value: String
        var label: String
    }

    /// The periods of the last year in which `unit` still owes a task (open or missed), newest first, at most
    /// 12, labelled `2024年3月（HOU-001 等 2 项，截止 2024-04-20）`.
    private func openPeriods(_ req: Request, unit: String, indicator: String?) async throws -> [PeriodOption] {
        let today = req.gongzhi.clock.today()
        let rows = try await req.reporting.tasks(from: .year(today.year - 1), to: .year(today.year), unit: unit, asOf: today)
            .filter { row in
                row.state.task.period.firstDay <= today && (indicator == nil || indicator == "" || row.state.task.indicator == indicator)
                    && (row.state.status == .open || row.state.status == .missed)
            }
        let byPeriod = Dictionary(grouping: rows, by: { $0.state.task.period })
        return byPeriod.keys.sorted(by: >).prefix(12).map { period in
            let tasks = byPeriod[period]!.sorted { $0.state.task.indicator < $1.state.task.indicator }
            let deadline = tasks.map(\.state.task.deadline).min()!
            let what = tasks.count == 1 ? tasks[0].state.task.indicator : "\(tasks[0].state.task.indicator) 等 \(tasks.count) 项"
            return PeriodOption(value: period.description, label: "\(period.chineseName)（\(what)，截止 \(deadline.isoString)）")
        }
    }

    func uploadForm(req: Request) async throws -> View {
        try await renderUploadForm(req, indicator: req.query[String.self, at: "indicator"], period: req.query[String.self, at: "period"] ?? "", error: nil,
                                   mode: req.query[String.self, at: "mode"].flatMap(CorrectionMode.init(text:)))
    }

    private func renderUploadForm(_ req: Request, indicator: String?, period: String, error: String?,
                                  view: String = "upload", explanation: String = "", mode: CorrectionMode? = nil) async throws -> View {
        let repository = CatalogRepository(database: req.db)
        let actor = try req.actor.unitCode
        let isProxy = actor == SubmissionService.proxyUnit
        let options = try await repository.currentIndicators().filter { isProxy || $0.unitCode == actor }.map {
            IndicatorOption(code: $0.code, label: "\($0.code) \($0.name)（\(CollectionPeriod(rawValue: $0.period)?.chineseName ?? $0.period)）",
                            selected: $0.code == indicator)
        }
        let unitName = try await repository.unit(code: actor)?.name ?? actor
        let proxy = Self.proxyNote(req)
        let page = UploadPage(title: view == "upload" ? "上传报送文件" : "零数据报送", indicators: options, period: period,
                              actingUnit: unitName, isProxy: isProxy, proxyBy: proxy?.actedBy ?? "",
                              proxyReason: proxy?.reason ?? "", error: error, mode: mode?.rawValue ?? "",
                              openPeriods: isProxy ? [] : try await openPeriods(req, unit: actor, indicator: indicator))
        if view == "upload" { return try await req.view.render(view, page) }
        return try await req.view.render(view, ZeroDataPage(page: page, explanation: explanation,
                                                            minimumLength: ZeroDataRule.minimumLength))
    }

    /// The proxy note (代为报送) of a streamed upload form's fields.
    static func proxyNote(_ fields: [String: String]) -> ProxyNote? {
        let by = fields["proxy_by"], reason = fields["proxy_reason"]
        guard by != nil || reason != nil else { return nil }
        return ProxyNote(actedBy: by ?? "", reason: reason ?? "")
    }

    /// The proxy note a form or an API request carries (`proxy_by`, `proxy_reason`), if any.
    static func proxyNote(_ req: Request) -> ProxyNote? {
        let by = (try? req.content.get(String.self, at: "proxy_by")) ?? req.query[String.self, at: "proxy_by"]
        let reason = (try? req.content.get(String.self, at: "proxy_reason")) ?? req.query[String.self, at: "proxy_reason"]
        guard by != nil || reason != nil else { return nil }
        return ProxyNote(actedBy: by ?? "", reason: reason ?? "")
    }

    // MARK: Zero data

    struct ZeroDataPage: Encodable {
        var page: UploadPage
        var explanation: String
        var minimumLength: Int
    }

    func zeroDataForm(req: Request) async throws -> View {
        try await renderUploadForm(req, indicator: req.query[String.self, at: "indicator"],
                                   period: req.query[String.self, at: "period"] ?? "", error: nil, view: "zero-data")
    }

    /// Files a zero-data submission from the form and shows its page.
    func zeroData(req: Request) async throws -> Response {
        let indicator = ((try? req.content.get(String.self, at: "indicator")) ?? "").trimmingCharacters(in: .whitespaces)
        let period = ((try? req.content.get(String.self, at: "period")) ?? "").trimmingCharacters(in: .whitespaces)
        let explanation = (try? req.content.get(String.self, at: "explanation")) ?? ""
        do {
            let id = try await req.submissions.fileZeroData(indicatorCode: indicator, period: period, by: req.auditActor,
                                                            explanation: explanation, proxy: Self.proxyNote(req))
            return req.redirect(to: "/submissions/\(id.uuidString.lowercased())", redirectType: .normal)
        } catch let error as SubmissionError {
            return try await renderUploadForm(req, indicator: indicator, period: period, error: error.message, view: "zero-data",
                                              explanation: explanation)
                .encodeResponse(status: GongzhiErrorMiddleware.describe(error).status, for: req)
        }
    }

    /// `POST /api/v1/zero-data` with JSON `{indicator, period, explanation, proxy_by?, proxy_reason?}`.
    func apiZeroData(req: Request) async throws -> Response {
        struct Body: Decodable {
            var indicator: String?
            var period: String?
            var explanation: String?
        }
        guard let body = try? req.content.decode(Body.self) else {
            throw Abort(.badRequest, reason: #"请求体应为 JSON：{"indicator": "HOU-001", "period": "2024-03", "explanation": "情况说明"}（UTF-8 编码，字段均为文本）。"#)
        }
        let id = try await req.submissions.fileZeroData(indicatorCode: body.indicator ?? "", period: body.period ?? "",
                                                        by: req.auditActor, explanation: body.explanation ?? "",
                                                        proxy: Self.proxyNote(req))
        guard let submission = try await SubmissionRepository(database: req.db).find(id) else { throw Abort(.internalServerError) }
        return Response.json(text: try await Self.showJSON(submission, on: req.db), status: .created)
    }

    /// Accepts the form's file, checks indicator and period at once, then imports in the background and
    /// sends the browser to the submission's page, which shows progress until the result is stored.
    func upload(req: Request) async throws -> Response {
        // The body streams to a temporary file as it arrives (MultipartUpload): memory stays flat whatever the size.
        let form = try await MultipartUpload.read(req, limitBytes: req.gongzhi.config.maxUploadBytes + (1 << 20))
        var handedOver = false
        defer { if !handedOver { form.discard() } }
        let indicator = (form.fields["indicator"] ?? "").trimmingCharacters(in: .whitespaces)
        let period = (form.fields["period"] ?? "").trimmingCharacters(in: .whitespaces)
        let mode = form.fields["mode"].flatMap(CorrectionMode.init(text:))
        func refuse(_ message: String, _ status: HTTPResponseStatus) async throws -> Response {
            try await renderUploadForm(req, indicator: indicator, period: period, error: message, mode: mode)
                .encodeResponse(status: status, for: req)
        }
        guard let file = form.file, !file.name.isEmpty else {
            return try await refuse("请选择要上传的文件（.xlsx 或 .csv）。", .badRequest)
        }
        let service = req.submissions
        let proxy = Self.proxyNote(form.fields)
        do {
            let definition = try await service.prepare(indicatorCode: indicator, period: period, actingUnit: try req.actor.unitCode,
                                                       proxy: proxy, mode: mode)
            // 更正 over accepted records is confirmed on the form (the API's mode=replace is the confirmation).
            if mode == .replace, form.fields["confirm_replace"] != "1" {
                let canonical = try service.validator.checkPeriod(period, for: definition).description
                let count = try await SubmissionService.acceptedRecords(indicator: definition.code, period: canonical, on: req.db).count
                if count > 0 { throw SubmissionError.replaceNotConfirmed(count: count) }
            }
        } catch let error as SubmissionError {
            return try await refuse(error.message, GongzhiErrorMiddleware.describe(error).status)
        }
        let temporary = file.url
        handedOver = true
        let id = UUID()
        let board = req.gongzhi.board
        let actor = req.auditActor
        let logger = req.logger
        await board.announce(id, indicator: indicator, period: period, fileName: file.name, at: req.gongzhi.clock.now())
        let work = req.gongzhi.inFlight
        work.enter()
        Task.detached {
            defer {
                try? FileManager.default.removeItem(at: temporary)
                work.leave()
            }
            do {
                let outcome = try await service.submit(
                    file: temporary, fileName: file.name, indicatorCode: indicator, period: period, by: actor,
                    proxy: proxy, mode: mode, confirmPeriod: form.fields["confirm_period"] == "1", submissionID: id, progress: { rows in Task { await board.update(id, rowsRead: rows) } })
                await board.finish(id)
                logger.info("submission \(id) \(indicator) \(period): \(outcome.report.rowsAccepted)/\(outcome.report.rowsTotal) accepted")
            } catch let error as SubmissionError {
                await board.fail(id, message: error.message)
            } catch {
                logger.error("submission \(id) failed: \(String(reflecting: error))")
                await board.fail(id, message: GongzhiErrorMiddleware.describe(error).message)
            }
        }
        return req.redirect(to: "/submissions/\(id.uuidString.lowercased())", redirectType: .normal)
    }

    struct ProgressPage: Encodable {
        var title: String
        var indicator: String
        var period: String
        var fileName: String
        var rowsRead: Int
        var seconds: Int
        var rate: Int
        var waiting: Bool
    }

    // MARK: Result page

    struct ErrorItem: Encodable {
        /// `nil` for a whole-file error without a row.
        var row: Int?
        var column: String
        var value: String
        var code: String
        var message: String
        /// The 补报 that corrected this row, if one did.
        var correctedBy: String?
    }

    struct NormalizationItem: Encodable {
        var row: Int
        var column: String
        var from: String
        var to: String
    }

    struct SubmissionSummary: Encodable {
        var id: String
        var indicatorCode: String
        var indicatorName: String
        var unitName: String
        var actingUnitName: String
        var period: String
        var fileName: String
        var fileSHA256: String
        var receivedAt: String
        var rowsTotal: Int
        var rowsAccepted: Int
        var rowsRejected: Int
        var status: String
        var statusName: String
        var sheet: String?
        var state: String
        var stateName: String
        var isZeroData: Bool
        var explanation: String?
        var proxyBy: String?
        var proxyReason: String?
        var supersededBy: String?
        var supersededAt: String?
        /// For a 补报: the submission it adds to.
        var appendsTo: String?
        /// `append` or `replace` when the file corrected accepted records.
        var correction: String?
        /// Rejected rows corrected by 补报 (of this submission), or corrected by this 补报.
        var correctedRows: Int
        /// For a file refused whole: the Chinese name of its error (`文件格式不支持`) and why, in a line
        /// (`这是 PDF 文件，不是 Excel 工作簿（.xlsx）或 CSV 文件，无法读取`).
        var refusalName: String?
        var refusalReason: String?
    }

    struct ResultPage: Encodable {
        var title: String
        var submission: SubmissionSummary
        var refusal: String?
        var errors: [ErrorItem]
        var errorCount: Int
        var errorsTruncated: Bool
        var normalized: [NormalizationItem]
        /// The rejected rows by error type (SVG), when rows were rejected.
        var chart: String?
    }

    /// Errors listed on the result page; all of them are in the CSV download.
    static let errorsShown = 500

    /// A cell for a page: at most 200 characters; with `markingSpaces`, spaces that trimming removed made
    /// visible (␣ for a space, □ for an ideographic space, ⍽ for a no-break space).
    static func shown(_ text: String, markingSpaces: Bool = false) -> String {
        var out = text.count > 200 ? String(text.prefix(200)) + "…（共 \(text.count) 字）" : text
        if markingSpaces {
            out = out.replacingOccurrences(of: " ", with: "␣").replacingOccurrences(of: "\u{3000}", with: "□")
                .replacingOccurrences(of: "\u{A0}", with: "⍽").replacingOccurrences(of: "\t", with: "⇥")
        }
        return out
    }

    /// All errors of a submission as CSV (UTF-8 with BOM, so Excel opens it): what a clerk fixes from.
    /// Recorded as a `download` with the row count.
    func errorsCSV(req: Request) async throws -> Response {
        let submission = try await findSubmission(req)
        let errors = try await SubmissionRepository(database: req.db).errors(of: submission.requireID(), limit: nil)
        let csv = CSVText.document(header: ["行号", "列", "单元格内容", "错误", "如何修改"], rows: errors.map { e in
            [e.row.map(String.init) ?? "", Self.place(of: e), e.value ?? "", ImportErrorCode(rawValue: e.code)?.chineseName ?? e.code, e.message]
        })
        try await req.audit.record(.download, by: req.auditActor,
                                   AuditTarget(indicatorCode: submission.indicatorCode, query: req.auditQuery, rowCount: errors.count,
                                               detail: "submission=\(try submission.requireID().uuidString.lowercased()); errors.csv"))
        return Response.download(.init(string: csv), type: Response.csvType, name: "\(submission.indicatorCode)_\(submission.period)_错误明细.csv", fallbackName: "errors.csv")
    }

    func show(req: Request) async throws -> Response {
        guard let text = req.parameters.get("id"), let id = UUID(uuidString: text) else { throw Abort(.notFound) }
        guard let submission = try await SubmissionRepository(database: req.db).find(id) else {
            return try await progress(req, id: id)
        }
        try Self.checkReadable(submission, req)
        switch submission.lifecycleState {
        case .received, .validated:
            // Still importing: this server's progress, or (another server's import) a page that waits for it.
            if await req.gongzhi.board.entry(id) != nil { return try await progress(req, id: id) }
            let seconds = max(Int(Date().timeIntervalSince(submission.receivedAt)), 0)
            let page = ProgressPage(title: "正在导入", indicator: submission.indicatorCode, period: submission.period,
                                    fileName: submission.fileName, rowsRead: 0, seconds: seconds, rate: 0, waiting: false)
            return try await req.view.render("progress", page).encodeResponse(for: req)
        case .interrupted:
            return try await renderUploadForm(req, indicator: submission.indicatorCode, period: submission.period,
                                              error: "“\(submission.fileName)”（\(PlatformClock.display(submission.receivedAt)) 上传）导入时服务器停止运行，导入中断，未保存任何数据：请重新上传该文件。")
                .encodeResponse(status: .conflict, for: req)
        default:
            return try await result(req, submission: submission).encodeResponse(for: req)
        }
    }

    /// The page of an upload still importing (refreshing itself), or of one that failed.
    private func progress(_ req: Request, id: UUID) async throws -> Response {
        guard let entry = await req.gongzhi.board.entry(id) else { throw Abort(.notFound) }
        // An upload still importing belongs to its indicator's unit, like the submission it becomes.
        let unit = try await CatalogRepository(database: req.db).currentIndicator(code: entry.indicator)?.indicator.unit
        guard try req.actor.mayRead(unit: unit ?? "") else { throw Abort(.notFound) }
        switch entry.state {
        case .failed(let message):
            return try await renderUploadForm(req, indicator: entry.indicator, period: entry.period,
                                              error: "“\(entry.fileName)”未能导入，未保存任何数据：\(message)")
                .encodeResponse(status: .unprocessableEntity, for: req)
        case .waiting, .running, .finished:
            let seconds = max(Int(req.gongzhi.clock.now().timeIntervalSince(entry.startedAt)), 0)
            let page = ProgressPage(title: "正在导入", indicator: entry.indicator, period: entry.period, fileName: entry.fileName,
                                    rowsRead: entry.rowsRead, seconds: seconds,
                                    rate: seconds > 0 ? entry.rowsRead / seconds : entry.rowsRead,
                                    waiting: entry.state == .waiting)
            let response = try await req.view.render("progress", page).encodeResponse(for: req)
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        }
    }

    private func result(_ req: Request, submission: SubmissionRecord) async throws -> View {
        let id = try submission.requireID()
        let repository = SubmissionRepository(database: req.db)
        let errorCount = try await repository.errorCount(of: id)
        let errors = try await repository.errors(of: id, limit: Self.errorsShown).map { e in
            ErrorItem(row: e.row, column: Self.place(of: e),
                      value: e.value.map { Self.shown($0) } ?? "（空）",
                      code: ImportErrorCode(rawValue: e.code)?.chineseName ?? e.code, message: e.message,
                      correctedBy: e.correctedBy?.uuidString.lowercased())
        }
        let report = (try? JSONSerialization.jsonObject(with: Data(try await repository.report(of: id).utf8))) as? [String: Any] ?? [:]
        let headers = try await fieldHeaders(of: submission, on: req.db)
        let normalized = (report["normalized"] as? [[String: Any]] ?? []).map { n in
            NormalizationItem(row: n["row"] as? Int ?? 0, column: headers[n["field"] as? String ?? ""] ?? (n["field"] as? String ?? ""),
                              from: Self.shown(n["from"] as? String ?? "", markingSpaces: true), to: Self.shown(n["to"] as? String ?? ""))
        }
        return try await req.view.render("submission", ResultPage(
            title: "报送结果", submission: try await summary(submission, on: req.db),
            refusal: report["message"] as? String, errors: errors, errorCount: errorCount,
            errorsTruncated: errorCount > errors.count, normalized: normalized,
            chart: submission.rowsRejected > 0 ? Self.rejectionChart(try await repository.rejectedRowsByCode(of: id)) : nil))
    }

    /// Where an error is, as the result page and the errors CSV name it: its column, else the whole row, the
    /// header (a wrong template, a header without data rows) or the whole file.
    static func place(of e: SubmissionErrorRecord) -> String {
        if let column = e.columnLabel { return column }
        switch ImportErrorCode(rawValue: e.code) {
        case .wrongTemplate?, .noDataRows?: return "表头"
        case let code? where code.isFileLevel: return "整个文件"
        default: return "整行"
        }
    }

    /// The bar chart of a submission's rejected rows by error type (Chinese names), most frequent first; a row
    /// with errors of two types counts under both.
    static func rejectionChart(_ counts: [(code: String, rows: Int)]) -> String? {
        guard !counts.isEmpty else { return nil }
        let bars = counts.sorted { ($0.rows, $1.code) > ($1.rows, $0.code) }.map {
            SVGChart.Bar(label: ImportErrorCode(rawValue: $0.code)?.chineseName ?? $0.code, value: Double($0.rows))
        }
        return SVGChart(title: "被退回的行：按错误类型", series: [.init("退回行数", color: SVGChart.Palette.red)],
                        bars: bars, unit: " 行", width: 640).svg()
    }

    /// The first sentence of a refusal message, up to its first `：` or `。` outside brackets, at most 80
    /// characters: what the submissions list shows as the reason.
    static func reasonLine(_ message: String) -> String {
        var depth = 0
        var line = ""
        for character in message {
            if character == "（" || character == "(" { depth += 1 }
            if character == "）" || character == ")" { depth = max(depth - 1, 0) }
            if depth == 0, character == "：" || character == "。" { break }
            line.append(character)
        }
        return line.count > 80 ? String(line.prefix(80)) + "…" : line
    }

    // MARK: List

    struct ListPage: Encodable {
        var title: String
        var submissions: [SubmissionSummary]
        var indicator: String
        var period: String
        var state: String
        var states: [StateOption]
        var page: Int
        var pages: Int
        var total: Int
        /// The query string of the filters, for the paging links (`&indicator=…`).
        var filterQuery: String
        var previous: Int?
        var next: Int?
    }

    struct StateOption: Encodable {
        var value: String
        var name: String
        var selected: Bool
    }

    static let listPageSize = 50

    /// 报送记录: the submissions the user may read, newest first, 50 a page, filtered by indicator, period
    /// and state (superseded, corrected by 补报 and interrupted ones included, each named).
    func index(req: Request) async throws -> View {
        let unit = try Self.listedUnit(req)
        func text(_ key: String) -> String? {
            guard let v = req.query[String.self, at: key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        let indicator = text("indicator")?.uppercased()
        let period = text("period").map { ReportingPeriod($0)?.description ?? $0 }
        let state = text("state").flatMap { SubmissionState(rawValue: $0)?.rawValue }
        let requested = req.query[Int.self, at: "page"] ?? 1
        let (rows, total) = try await SubmissionRepository(database: req.db).page(
            unit: unit, indicator: indicator, period: period, state: state, page: requested, per: Self.listPageSize)
        var items: [SubmissionSummary] = []
        for submission in rows { items.append(try await summary(submission, on: req.db)) }
        let pages = max((total + Self.listPageSize - 1) / Self.listPageSize, 1)
        let page = Paging(page: requested, per: Self.listPageSize, maxPer: 200).page
        var filters = URLComponents()
        filters.queryItems = [("indicator", indicator), ("period", period), ("state", state)]
            .compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }
        let states = SubmissionState.allCases.filter { $0 != .validated }.map {
            StateOption(value: $0.rawValue, name: $0.chineseName, selected: $0.rawValue == state)
        }
        return try await req.view.render("submissions", ListPage(
            title: "报送记录", submissions: items, indicator: indicator ?? "", period: period ?? "", state: state ?? "",
            states: states, page: page, pages: pages, total: total,
            filterQuery: filters.percentEncodedQuery.map { "&" + $0 } ?? "",
            previous: page > 1 ? page - 1 : nil, next: page < pages ? page + 1 : nil))
    }

    // MARK: Records

    struct RecordsPage: Encodable {
        var title: String
        var submission: SubmissionSummary
        var headers: [String]
        var rows: [RecordRow]
        var page: Int
        var pages: Int
        var total: Int
        var previous: Int?
        var next: Int?
    }

    struct RecordRow: Encodable {
        /// The record's id (its lineage page is `/records/<id>/lineage`).
        var id: Int
        var row: Int
        var cells: [String]
    }

    static let pageSize = 50

    func records(req: Request) async throws -> View {
        let submission = try await findSubmission(req)
        let pages = max((submission.rowsAccepted + Self.pageSize - 1) / Self.pageSize, 1)
        let page = min(max(req.query[Int.self, at: "page"] ?? 1, 1), pages)
        let (rows, total) = try await SubmissionRepository(database: req.db).records(of: submission, page: page, per: Self.pageSize)
        let fields = try await indicator(of: submission, on: req.db)?.fields ?? []
        let table = rows.map { record -> RecordRow in
            let values = (try? JSONSerialization.jsonObject(with: Data(record.values.utf8))) as? [String: Any] ?? [:]
            return RecordRow(id: record.id, row: record.rowNumber, cells: fields.map { Self.shown(Self.display(values[$0.key])) })
        }
        try await recordView(req, submission: submission, rows: rows)
        return try await req.view.render("records", RecordsPage(
            title: "接收的记录", submission: try await summary(submission, on: req.db), headers: fields.map(\.header),
            rows: table, page: page, pages: pages, total: total,
            previous: page > 1 ? page - 1 : nil, next: page < pages ? page + 1 : nil))
    }

    static func display(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: ""
        case let b as Bool: b ? "是" : "否"
        case let n as NSNumber: n.stringValue
        case let s as String: s
        default: String(describing: value!)
        }
    }

    // MARK: API

    func apiCreate(req: Request) async throws -> Response {
        guard let indicator = req.query[String.self, at: "indicator"], let period = req.query[String.self, at: "period"] else {
            throw Abort(.badRequest, reason: "请在查询参数中给出 indicator（数据项编码）和 period（报送期）。")
        }
        if let type = req.headers.contentType, type.type == "multipart" || type == .urlEncodedForm {
            throw SubmissionError.formInsteadOfFile
        }
        let fileName = req.query[String.self, at: "file"] ?? req.headers.first(name: "X-File-Name")?.removingPercentEncoding ?? "upload"
        let limit = req.gongzhi.config.maxUploadBytes
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-upload-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: temporary.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let handle = try FileHandle(forWritingTo: temporary)
        var received = 0
        do {
            for try await chunk in req.body {
                received += chunk.readableBytes
                if received > limit {
                    throw SubmissionError.unreadable(.fileTooLarge(bytes: received, limitBytes: limit))
                }
                try handle.write(contentsOf: Data(buffer: chunk))
            }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        let mode: CorrectionMode?
        if let text = req.query[String.self, at: "mode"] {
            guard let parsed = CorrectionMode(text: text) else {
                throw Abort(.badRequest, reason: "mode 只能是 append（补报）或 replace（更正）。")
            }
            mode = parsed
        } else {
            mode = nil
        }
        let outcome: SubmissionService.Outcome
        do {
            outcome = try await req.submissions.submit(
                file: temporary, fileName: fileName, indicatorCode: indicator, period: period, by: req.auditActor,
                proxy: Self.proxyNote(req), mode: mode,
                confirmPeriod: (req.query[String.self, at: "confirm"] ?? "").split(separator: ",").contains("period"))
        } catch SubmissionError.unreadable(let error) {
            // Too large or not openable: refused before it was read, so not stored — but the same result object.
            let report = ImportReport(refusing: error, indicator: indicator, period: period, file: fileName)
            return Response.json(text: report.contractJSON().serialized(),
                                 status: GongzhiErrorMiddleware.describe(SubmissionError.unreadable(error)).status)
        }
        let json = outcome.report.contractJSON(extra: SubmissionService.extraJSON(id: outcome.submissionID, status: outcome.report.outcome))
        return Response.json(text: json.serialized(), status: Self.status(of: outcome.report))
    }

    /// The HTTP status of an upload's answer: 201 for a stored file that was read — its rows accepted or not, or
    /// refused for a wrong template (the file was read; its result says what to fix); 409 for the same file
    /// again (`duplicate_file`); 422 for every file that could not be read. A refusal is stored all the same.
    /// (An upload over the limit is answered 413 before it is read, and not stored.)
    static func status(of report: ImportReport) -> HTTPResponseStatus {
        switch report.refusalCode {
        case nil, .wrongTemplate?: .created
        case .duplicateFile?: .conflict
        default: .unprocessableEntity
        }
    }

    func apiShow(req: Request) async throws -> Response {
        Response.json(text: try await Self.showJSON(try await findSubmission(req), on: req.db), status: .ok)
    }

    /// The stored report object with the submission's lifecycle appended: `state`, `kind`, `explanation`,
    /// `proxy` (`{by, reason, acting_unit}` or null), `superseded_by`, `received_at`.
    static func showJSON(_ s: SubmissionRecord, on db: any Database) async throws -> String {
        var extra = ""
        for (key, value) in lifecycleJSON(s) {
            extra += ","
            JSONValue.string(key).write(to: &extra)
            extra += ":"
            value.write(to: &extra)
        }
        let report = try await SubmissionRepository(database: db).report(of: try s.requireID()).trimmingCharacters(in: .whitespacesAndNewlines)
        guard report.hasSuffix("}"), report.count > 2 else { return "{" + extra.dropFirst() + "}" }
        return report.dropLast() + extra + "}"
    }

    static func lifecycleJSON(_ s: SubmissionRecord) -> [(String, JSONValue)] {
        let proxy: JSONValue = s.isProxy
            ? .object([("acting_unit", .string(s.actingUnitCode)), ("by", .optional(s.proxyBy)), ("reason", .optional(s.proxyReason))])
            : .null
        return [("state", .string(s.state)), ("kind", .string(s.kind)), ("explanation", .optional(s.explanation)),
                ("proxy", proxy), ("superseded_by", .optional(s.supersededBy?.uuidString.lowercased())),
                ("received_at", .string(PlatformClock.iso8601(s.receivedAt)))]
    }

    func apiIndex(req: Request) async throws -> Response {
        let unit = try Self.listedUnit(req)
        let items = try await SubmissionRepository(database: req.db).list(unit: unit).map { s -> JSONValue in
            .object([
                ("submission_id", .string(s.id?.uuidString.lowercased() ?? "")), ("indicator", .string(s.indicatorCode)),
                ("period", .string(s.period)), ("unit", .string(s.unitCode)), ("file", .string(s.fileName)),
                ("file_sha256", .string(s.fileSHA256)), ("received_at", .string(PlatformClock.iso8601(s.receivedAt))),
                ("status", .string(s.status)), ("rows_total", .int(s.rowsTotal)), ("rows_accepted", .int(s.rowsAccepted)),
                ("rows_rejected", .int(s.rowsRejected)),
            ] + Self.lifecycleJSON(s).filter { $0.0 != "received_at" })
        }
        return Response.json(text: JSONValue.array(items).serialized(), status: .ok)
    }

    func apiRecords(req: Request) async throws -> Response {
        let submission = try await findSubmission(req)
        let page = max(req.query[Int.self, at: "page"] ?? 1, 1)
        let per = min(max(req.query[Int.self, at: "per"] ?? 100, 1), 1000)
        let (rows, total) = try await SubmissionRepository(database: req.db).records(of: submission, page: page, per: per)
        try await recordView(req, submission: submission, rows: rows)
        var out = "{\"submission_id\":\"\(try submission.requireID().uuidString.lowercased())\",\"page\":\(page),\"per\":\(per),\"total\":\(total),\"records\":["
        for (i, record) in rows.enumerated() {
            if i > 0 { out += "," }
            out += "{\"id\":\(record.id),\"row\":\(record.rowNumber),\"sheet\":"
            JSONValue.optional(record.sheet).write(to: &out)
            out += ",\"values\":" + record.values + "}"
        }
        out += "]}"
        return Response.json(text: out, status: .ok)
    }

    // MARK: Helpers

    /// Records that the request was shown `rows` of `submission` (`record_view`, with their ids), before the
    /// response goes out.
    private func recordView(_ req: Request, submission: SubmissionRecord, rows: [RecordQuery.Row]) async throws {
        try await req.audit.record(.recordView, by: req.auditActor,
                                   AuditTarget(indicatorCode: submission.indicatorCode, recordIDs: rows.map { String($0.id) },
                                               query: req.auditQuery, rowCount: rows.count,
                                               detail: "submission=\(try submission.requireID().uuidString.lowercased())"))
    }


    private func findSubmission(_ req: Request) async throws -> SubmissionRecord {
        guard let text = req.parameters.get("id"), let id = UUID(uuidString: text),
              let submission = try await SubmissionRepository(database: req.db).find(id) else {
            throw Abort(.notFound)
        }
        try Self.checkReadable(submission, req)
        return submission
    }

    /// Refuses, as if it did not exist (404), a submission of another unit to a user who reads only their
    /// own unit's.
    static func checkReadable(_ submission: SubmissionRecord, _ req: Request) throws {
        guard try req.actor.mayRead(unit: submission.unitCode) else { throw Abort(.notFound) }
    }

    /// The unit whose submissions a list shows: the `unit` query parameter (all units when absent) for
    /// users who read every unit; the own unit for everyone else, who get 404 when they name another.
    static func listedUnit(_ req: Request) throws -> String? {
        let actor = try req.actor
        let asked = req.queryText("unit")
        if actor.seesAllUnits { return asked }
        guard asked == nil || asked == actor.unitCode else { throw Abort(.notFound) }
        return actor.unitCode
    }

    private func indicator(of submission: SubmissionRecord, on db: any Database) async throws -> Indicator? {
        guard let id = submission.$indicator.id, let record = try await IndicatorRecord.find(id, on: db) else { return nil }
        return try record.indicator()
    }

    private func fieldHeaders(of submission: SubmissionRecord, on db: any Database) async throws -> [String: String] {
        let fields = try await indicator(of: submission, on: db)?.fields ?? []
        return Dictionary(fields.map { ($0.key, $0.header) }, uniquingKeysWith: { a, _ in a })
    }

    private func summary(_ s: SubmissionRecord, on db: any Database) async throws -> SubmissionSummary {
        let repository = CatalogRepository(database: db)
        let unitName = try await repository.unit(code: s.unitCode)?.name ?? s.unitCode
        let actingName = s.actingUnitCode == s.unitCode ? unitName : (try await repository.unit(code: s.actingUnitCode)?.name ?? s.actingUnitCode)
        let refusal = s.status == ImportOutcome.refused.rawValue
            ? Self.refusal(report: try await SubmissionRepository(database: db).report(of: try s.requireID())) : nil
        return SubmissionSummary(
            id: try s.requireID().uuidString.lowercased(), indicatorCode: s.indicatorCode, indicatorName: s.indicatorName,
            unitName: unitName, actingUnitName: actingName, period: s.period, fileName: s.fileName,
            fileSHA256: s.fileSHA256, receivedAt: PlatformClock.display(s.receivedAt), rowsTotal: s.rowsTotal,
            rowsAccepted: s.rowsAccepted, rowsRejected: s.rowsRejected, status: s.status,
            statusName: ImportOutcome(rawValue: s.status)?.chineseName ?? s.status, sheet: s.sheet,
            state: s.state, stateName: s.lifecycleState.chineseName, isZeroData: s.kind == TaskFiling.Kind.zeroData.rawValue,
            explanation: s.explanation, proxyBy: s.isProxy ? s.proxyBy : nil, proxyReason: s.isProxy ? s.proxyReason : nil,
            supersededBy: s.supersededBy?.uuidString.lowercased(), supersededAt: s.supersededAt.map(PlatformClock.display),
            appendsTo: s.appendsTo?.uuidString.lowercased(), correction: s.correction,
            correctedRows: s.appendsTo != nil ? try await SubmissionRepository(database: db).rowsCorrected(by: try s.requireID())
                : try await SubmissionRepository(database: db).correctedRows(of: try s.requireID()),
            refusalName: refusal.map { ImportErrorCode(rawValue: $0.code)?.chineseName ?? $0.code },
            refusalReason: refusal.map { Self.reasonLine($0.message) })
    }

    /// The code and message of a file refused whole, from its stored report (`refused: true`, one error).
    static func refusal(report: String) -> (code: String, message: String)? {
        guard case .object(let members)? = try? JSONValue.parse(report),
              members.contains(where: { $0.0 == "refused" && $0.1 == .bool(true) }),
              case .array(let errors)? = members.first(where: { $0.0 == "errors" })?.1,
              case .object(let error)? = errors.first,
              case .string(let code)? = error.first(where: { $0.0 == "code" })?.1 else { return nil }
        let message: String = if case .string(let m)? = members.first(where: { $0.0 == "message" })?.1 { m } else { "" }
        return (code, message)
    }
}
