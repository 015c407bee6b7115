import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// The auditor's pages (监督检查): the audit log with filters, paging and a CSV export, and a record's lineage
/// (数据流转痕迹). Reading the log is itself recorded (`audit_view`).
struct AuditController: Sendable {
    /// Entries per page.
    static let pageSize = 50
    /// Most entries one CSV export carries.
    static let exportLimit = 100_000

    // MARK: Filters

    /// The filters of the query string: `user`, `unit`, `indicator`, `action`, `from` and `to` (dates
    /// `yyyy-mm-dd` in China Standard Time, both days included).
    struct Filters {
        var user = "", unit = "", indicator = "", action = "", from = "", to = ""
        var filter = AuditFilter()

        init(_ req: Request) throws {
            func text(_ key: String) -> String { (req.query[String.self, at: key] ?? "").trimmingCharacters(in: .whitespaces) }
            user = text("user"); unit = text("unit"); indicator = text("indicator"); action = text("action")
            from = text("from"); to = text("to")
            filter.userID = user.isEmpty ? nil : user
            filter.unitCode = unit.isEmpty ? nil : unit
            filter.indicatorCode = indicator.isEmpty ? nil : indicator
            if !action.isEmpty {
                guard let a = AuditAction(rawValue: action) else { throw Abort(.badRequest, reason: "未知的操作类型“\(action)”。") }
                filter.action = a
            }
            filter.fromMilliseconds = try Self.dayStart(from, name: "起始日期")
            filter.toMilliseconds = try Self.dayStart(to, name: "截止日期").map { $0 + 86_400_000 }
        }

        /// Milliseconds since 1970 at 00:00 China Standard Time of `text` (`yyyy-mm-dd`), `nil` when empty.
        static func dayStart(_ text: String, name: String) throws -> Int64? {
            guard !text.isEmpty else { return nil }
            guard let day = CalendarDate(iso: text) else {
                throw Abort(.badRequest, reason: "\(name)“\(text)”格式不对：请写成 2024-03-01。")
            }
            return (Int64(day.daysSinceEpoch) * 86_400 - 8 * 3600) * 1000
        }

        /// The filters as a query string (without `page`), URL-encoded, for pager and export links.
        var queryString: String {
            [("user", user), ("unit", unit), ("indicator", indicator), ("action", action), ("from", from), ("to", to)]
                .filter { !$0.1.isEmpty }
                .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&")
        }
    }

    // MARK: Rows

    struct EntryRow: Encodable {
        var seq: Int64
        var time: String
        var user: String
        var unit: String
        var action: String
        var actionName: String
        var indicator: String
        var records: [String]
        var moreRecords: Int
        var query: String
        var rows: String
        var detail: String
        var address: String
        var hash: String

        /// The entry as the page shows it: names instead of codes, the detail in Chinese, Beijing time.
        init(_ r: AuditEntryRecord, names: DisplayNames, recordsShown: Int = 20) {
            let ids = r.recordIDs ?? [r.recordIDsJSON]
            seq = r.sequence
            time = DisplayNames.time(milliseconds: r.timeMilliseconds)
            user = names.user(r.userID)
            unit = names.unit(r.unitCode)
            action = r.action
            actionName = r.auditAction?.chineseName ?? r.action
            indicator = r.indicatorCode.map(names.indicator) ?? ""
            records = Array(ids.prefix(recordsShown))
            moreRecords = max(ids.count - recordsShown, 0)
            query = AuditDetailText.chinese(r.query ?? "", indicator: r.indicatorCode, names: names)
            rows = r.rowCount.map(String.init) ?? ""
            detail = AuditDetailText.chinese(r.detail ?? "", indicator: r.indicatorCode, names: names)
            address = r.address
            hash = r.hash
        }
    }

    /// `yyyy-mm-dd hh:mm:ss` in China Standard Time.
    static func display(_ milliseconds: Int64) -> String {
        PlatformClock.display(Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000))
    }

    static func json(_ r: AuditEntryRecord) -> JSONValue {
        .object([
            ("seq", .number(String(r.sequence))), ("time", .string(display(r.timeMilliseconds) + "+08:00")),
            ("time_ms", .number(String(r.timeMilliseconds))), ("user", .string(r.userID)), ("unit", .string(r.unitCode)),
            ("action", .string(r.action)), ("indicator", .optional(r.indicatorCode)),
            ("records", .array((r.recordIDs ?? []).map(JSONValue.string))), ("query", .optional(r.query)),
            ("rows", r.rowCount.map { .number(String($0)) } ?? .null), ("detail", .optional(r.detail)),
            ("address", .string(r.address)), ("hash", .string(r.hash)),
        ])
    }

    // MARK: The log

    struct ActionOption: Encodable {
        var code: String
        var label: String
        var selected: Bool
    }

    struct LogPage: Encodable {
        var title: String
        var user: String, unit: String, indicator: String, from: String, to: String
        var actions: [ActionOption]
        /// The unit filter's choices (code, name, whether chosen), the first meaning every unit.
        var units: [ActionOption]
        var entries: [EntryRow]
        var total: Int
        var page: Int
        var pages: Int
        var previous: Int?
        var next: Int?
        var queryString: String
    }

    /// `GET /audit`: the log, newest first, filtered and paged.
    func index(req: Request) async throws -> View {
        let filters = try Filters(req)
        let audit = req.audit
        let pageAsked = max(req.query[Int.self, at: "page"] ?? 1, 1)
        let (rows, total) = try await audit.log.entries(matching: filters.filter, page: pageAsked, per: Self.pageSize)
        let pages = max((total + Self.pageSize - 1) / Self.pageSize, 1)
        try await audit.record(.auditView, by: req.auditActor,
                               AuditTarget(indicatorCode: filters.filter.indicatorCode, query: req.auditQuery, rowCount: rows.count))
        let names = try await DisplayNames.load(req)
        let units = [ActionOption(code: "", label: "全部单位", selected: filters.unit.isEmpty)]
            + names.units.sorted { $0.key < $1.key }.map { ActionOption(code: $0.key, label: $0.value, selected: $0.key == filters.unit) }
        let actions = [ActionOption(code: "", label: "全部操作", selected: filters.action.isEmpty)]
            + AuditAction.allCases.map { ActionOption(code: $0.rawValue, label: $0.chineseName, selected: $0.rawValue == filters.action) }
        return try await req.view.render("audit", LogPage(
            title: "审计日志", user: filters.user, unit: filters.unit, indicator: filters.indicator, from: filters.from, to: filters.to,
            actions: actions, units: units, entries: rows.map { EntryRow($0, names: names) }, total: total, page: pageAsked, pages: pages,
            previous: pageAsked > 1 ? pageAsked - 1 : nil, next: pageAsked < pages ? pageAsked + 1 : nil,
            queryString: filters.queryString))
    }

    /// `GET /audit.csv`: every entry the filters select (at most ``exportLimit``), newest first, as CSV.
    func export(req: Request) async throws -> Response {
        let filters = try Filters(req)
        let audit = req.audit
        var csv = CSVText.bom + CSVText.line(["序号", "时间", "用户", "单位", "操作", "操作代码", "数据项", "记录编号", "查询", "行数",
                                              "详情", "来源地址", "前一条哈希", "哈希"])
        let per = 5000
        var written = 0
        var page = 1
        while written < Self.exportLimit {
            let (rows, _) = try await audit.log.entries(matching: filters.filter, page: page, per: per)
            for r in rows.prefix(Self.exportLimit - written) {
                csv += CSVText.line([String(r.sequence), Self.display(r.timeMilliseconds), r.userID, r.unitCode,
                                     r.auditAction?.chineseName ?? r.action, r.action, r.indicatorCode ?? "",
                                     (r.recordIDs ?? [r.recordIDsJSON]).joined(separator: " "), r.query ?? "",
                                     r.rowCount.map(String.init) ?? "", r.detail ?? "", r.address, r.previousHash, r.hash])
            }
            written += min(rows.count, Self.exportLimit - written)
            if rows.count < per { break }
            page += 1
        }
        try await audit.record(.auditView, by: req.auditActor,
                               AuditTarget(indicatorCode: filters.filter.indicatorCode, query: req.auditQuery, rowCount: written,
                                           detail: "export=csv"))
        let today = req.gongzhi.clock.today().isoString
        return Response.download(.init(string: csv), type: Response.csvType, name: "审计日志_\(today).csv", fallbackName: "audit.csv")
    }

    // MARK: Lineage

    /// Where a record came from and who has touched it since.
    struct Lineage {
        var recordID: Int
        var record: AcceptedRowRecord
        var submission: SubmissionRecord
        /// The submission's own entry (its `submission` act), if the log has it.
        var submitted: AuditEntryRecord?
        /// Every entry that named the record, oldest first.
        var touches: [AuditEntryRecord]
    }

    private func lineage(_ req: Request) async throws -> Lineage {
        guard let text = req.parameters.get("id"), let id = Int(text),
              let record = try await AcceptedRowRecord.find(id, on: req.db),
              let submission = try await SubmissionRecord.find(record.$submission.id, on: req.db) else {
            throw Abort(.notFound, reason: "没有编号为 \(req.parameters.get("id") ?? "") 的记录。")
        }
        let log = req.audit.log
        let submissionID = try submission.requireID().uuidString.lowercased()
        let submitted = try await log.entries(
            matching: AuditFilter(indicatorCode: submission.indicatorCode, action: .submission,
                                  detailPrefix: SubmissionService.auditDetailPrefix(submissionID)),
            page: 1, per: 1).entries.first
        let touches = try await log.entries(touchingRecord: String(id))
        try await req.audit.record(.auditView, by: req.auditActor,
                                   AuditTarget(indicatorCode: submission.indicatorCode, query: req.auditQuery,
                                               rowCount: touches.count, detail: "lineage record=\(id)"))
        return Lineage(recordID: id, record: record, submission: submission, submitted: submitted, touches: touches)
    }

    struct LineagePage: Encodable {
        var title: String
        var recordID: Int
        var submissionID: String
        var indicatorCode: String
        var indicatorName: String
        var unitCode: String
        var unitName: String
        var period: String
        var fileName: String
        var fileSHA256: String
        var receivedAt: String
        var sheet: String?
        var row: Int
        var state: String
        var stateName: String
        var isCurrent: Bool
        var supersededBy: String?
        var submitted: EntryRow?
        var touches: [EntryRow]
        var hasTouches: Bool
    }

    /// `GET /records/:id/lineage`.
    func show(req: Request) async throws -> View {
        let l = try await lineage(req)
        let s = l.submission
        let names = try await DisplayNames.load(req)
        return try await req.view.render("lineage", LineagePage(
            title: "数据流转痕迹", recordID: l.recordID, submissionID: try s.requireID().uuidString.lowercased(),
            indicatorCode: s.indicatorCode, indicatorName: s.indicatorName, unitCode: s.unitCode, unitName: names.unit(s.unitCode), period: s.period,
            fileName: s.fileName, fileSHA256: s.fileSHA256, receivedAt: DisplayNames.time(s.receivedAt),
            sheet: l.record.sheet, row: l.record.rowNumber, state: s.state, stateName: s.lifecycleState.chineseName,
            isCurrent: s.lifecycleState.isCurrent, supersededBy: s.supersededBy?.uuidString.lowercased(),
            submitted: l.submitted.map { EntryRow($0, names: names) }, touches: l.touches.map { EntryRow($0, names: names, recordsShown: 10) },
            hasTouches: !l.touches.isEmpty))
    }

    /// `GET /api/v1/records/:id/lineage`: `{record_id, submission: {…}, sheet, row, submitted, audit: [entry…]}`.
    func apiShow(req: Request) async throws -> Response {
        let l = try await lineage(req)
        let s = l.submission
        let json = JSONValue.object([
            ("record_id", .int(l.recordID)),
            ("submission", .object([
                ("submission_id", .string(try s.requireID().uuidString.lowercased())), ("indicator", .string(s.indicatorCode)),
                ("indicator_name", .string(s.indicatorName)), ("unit", .string(s.unitCode)), ("period", .string(s.period)),
                ("file", .string(s.fileName)), ("file_sha256", .string(s.fileSHA256)),
                ("received_at", .string(PlatformClock.iso8601(s.receivedAt))), ("state", .string(s.state)),
                ("current", .bool(s.lifecycleState.isCurrent)),
                ("superseded_by", .optional(s.supersededBy?.uuidString.lowercased())),
            ])),
            ("sheet", .optional(l.record.sheet)), ("row", .int(l.record.rowNumber)),
            ("submitted", l.submitted.map(Self.json) ?? .null),
            ("audit", .array(l.touches.map(Self.json))),
        ])
        return Response.json(json)
    }
}
