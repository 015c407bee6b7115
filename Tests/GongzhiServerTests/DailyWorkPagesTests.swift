import Foundation
import GongzhiCore
@testable import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// Issue 10, items 4, 5 and 7: each role's home says what is due, the board ranks and charts, the unit page
/// honours `as_of` and pages by indicator, and pages name units and fields instead of showing their codes.
@Suite("Homes, board and unit pages as civil servants read them", .serialized)
struct DailyWorkPagesTests {
    // MARK: Helpers

    /// The text a person sees: tags, styles and the document title removed, and commands shown as `<code>`
    /// (such as `gongzhi audit verify`), which are meant to be typed as written.
    static func visibleText(_ html: String) -> String {
        html.replacingOccurrences(of: "<style[\\s\\S]*?</style>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "<code>[\\s\\S]*?</code>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "<title>[\\s\\S]*?</title>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
    }

    /// The codes of `codes` that stand as words in `text` (not inside a path such as `/audit` or an indicator code).
    static func rawCodes(in text: String, _ codes: [String]) -> [String] {
        codes.filter { code in
            text.range(of: "(?<![A-Za-z0-9_./-])" + NSRegularExpression.escapedPattern(for: code) + "(?![A-Za-z0-9_-])",
                       options: .regularExpression) != nil
        }
    }

    /// Every unit code of the catalog and every field key with an underscore (`landlord_id_type`).
    static func codes(_ app: Application) async throws -> [String] {
        let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
        return catalog.units.map(\.code) + catalog.operators.map(\.code)
            + Set(catalog.indicators.flatMap { $0.fields.map(\.key) }.filter { $0.contains("_") }).sorted()
    }

    /// The drawn bars of the page's charts: (label, series, value).
    static func bars(_ html: String) -> [(label: String, series: String, value: String)] {
        html.components(separatedBy: "<rect class=\"bar\" ").dropFirst().map { piece in
            func attribute(_ name: String) -> String {
                guard let start = piece.range(of: "\(name)=\"") else { return "" }
                return String(piece[start.upperBound...].prefix { $0 != "\"" })
            }
            return (attribute("data-label"), attribute("data-series"), attribute("data-value"))
        }
    }

    /// A signed-in browser of a user whose login name says nothing about the unit.
    static func login(_ app: Application, _ username: String, unit: String, roles: Set<Role>) async throws -> AppHarness.Session {
        try await AppHarness.user(app, username: username, unit: unit, roles: roles)
        return try await AppHarness.login(app, username: username)
    }

    static func page(_ app: Application, _ path: String, _ session: AppHarness.Session) async throws -> String {
        var body = ""
        try await app.testing().test(.GET, path, headers: session.headers) { res async in
            #expect(res.status == .ok, "\(path) → \(res.status.code)")
            body = res.body.string
        }
        return body
    }

    // MARK: Reporting homes, board and unit page

    @Test("reporter, unit head and admin homes; the board ranks, sorts, pages and charts; the unit page honours as_of")
    func reportingPages() async throws {
        let clock = TestClock()
        try await AppHarness.withApp(clock: clock.clock) { app, _ async throws in
            // given the hand-checked first quarter of 2024 (ReportingBoardTests), seen on 2024-05-15
            _ = try await ReportingBoardTests.fileQuarter(app, clock)
            clock.set("2024-05-15")
            let codes = try await Self.codes(app)
            let reporter = try await Self.login(app, "liming", unit: "housing", roles: [.reporter])
            let head = try await Self.login(app, "zhangju", unit: "housing", roles: [.unitHead])
            let admin = try await Self.login(app, "wangmin", unit: SubmissionService.proxyUnit, roles: [.admin])

            // the reporter's home: April's five monthly tasks fall due on 05-20; the overdue grouped by indicator
            let home = try await Self.page(app, "/", reporter)
            #expect(home.contains("<h1>市住房保障和房产管理局</h1>"))
            #expect(home.contains("7 天内到期（5 项）"))
            #expect(home.contains("<td class=\"num\">5 天</td>"), "05-20 is five days away")
            #expect(home.contains("已逾期未报（"))
            // HOU-002 missed since 2023-01 (overdue counts from the year before): 15 periods, the last 2024-03 due
            // 04-20 (25 days), the first 2023-01 due 2023-02-20 (365 + 85 = 450 days)
            #expect(home.contains("<td>产权证发放信息</td><td class=\"num\">15</td><td>2023-01、2023-02、2023-03 … 2024-03</td><td class=\"num\">25–450 天</td>"))
            #expect(home.contains("href=\"/upload?indicator=HOU-002&period=2024-03\""))
            #expect(home.contains("最近的报送") && home.contains("零数据（已说明）") && home.contains("接收 "))
            #expect(home.contains("（北京时间）"))
            #expect(home.contains("href=\"/catalog#housing\""), "the catalog one click away, at the own unit")
            #expect(!home.contains("待审批的申请") && !home.contains("逾期未报最多的单位"), "only the reporter's parts")
            #expect(!home.contains("本单位与全市"), "the comparison is the unit head's")
            #expect(Self.rawCodes(in: Self.visibleText(home), codes).isEmpty, "\(Self.rawCodes(in: Self.visibleText(home), codes))")

            // the unit head also sees the unit's board row of 2024Q1 beside the city's totals, charted
            let headHome = try await Self.page(app, "/", head)
            let board = try await app.gongzhi.reporting(on: app.db).board(from: ReportingPeriod("2024Q1")!, to: ReportingPeriod("2024Q1")!,
                                                                         asOf: CalendarDate(iso: "2024-05-15")!)
            #expect(headHome.contains("本单位与全市（2024Q1）"))
            #expect(!headHome.contains("href=\"/upload?"), "a unit head does not upload, so no upload links")
            #expect(headHome.contains("<strong>12.5%</strong>") && headHome.contains("<strong>\(board.totals.onTimeRateText)</strong>"))
            let comparison = Self.bars(headHome)
            #expect(comparison.map(\.label) == ["市住房保障和房产管理局", "全市"] || comparison.map(\.label) == ["市住房保障和房产管理局"],
                    "the city's bar is drawn unless its rate is 0")
            #expect(comparison.first?.value == "12.5")

            // the admin: the units most behind, charted, and the proxy filing for urban construction
            let adminHome = try await Self.page(app, "/", admin)
            #expect(adminHome.contains("逾期未报最多的单位") && adminHome.contains("<svg"))
            #expect(adminHome.contains("最近的代为报送") && adminHome.contains("建设局报送员调岗"))
            #expect(adminHome.contains("CON-003 "))
            let behind = Self.bars(adminHome)
            #expect(!behind.isEmpty && behind.allSatisfy { $0.series == "未报" })
            let counts = behind.compactMap { Int($0.value) }
            #expect(counts == counts.sorted(by: >), "most behind first")
            #expect(Self.rawCodes(in: Self.visibleText(adminHome), codes).isEmpty, "\(Self.rawCodes(in: Self.visibleText(adminHome), codes))")

            // the board: ranked by on-time rate, a chart with one bar per unit that owed something
            let page = try await Self.page(app, "/board?from=2024-01&to=2024Q1&as_of=2024-04-30", admin)
            #expect(page.contains("单位排名（按时率排名）"))
            let rankingRows = page.components(separatedBy: "<tr data-unit=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(rankingRows.count == board.units.count)
            let rates = Dictionary(board.units.map { ($0.unit, $0.counts.onTimeRate ?? -1) }, uniquingKeysWith: { a, _ in a })
            let rowRates = rankingRows.map { rates[$0] ?? -1 }
            #expect(rowRates == rowRates.sorted(by: >), "best on-time rate first")
            let chart = Self.bars(page)
            #expect(chart.contains { $0.label == "1. 市公安局" || $0.label.hasSuffix("市住房保障和房产管理局") })
            #expect(chart.contains { $0.label.hasSuffix(". 市住房保障和房产管理局") && $0.value == "12.5" })
            #expect(chart.map { Double($0.value) ?? 0 } == chart.map { Double($0.value) ?? 0 }.sorted(by: >))
            #expect(page.contains("第 1/"), "the grid is paged")
            #expect(Self.rawCodes(in: Self.visibleText(page), codes).isEmpty, "\(Self.rawCodes(in: Self.visibleText(page), codes))")
            // sorted by most missed instead
            let byMissed = try await Self.page(app, "/board?from=2024-01&to=2024Q1&as_of=2024-04-30&sort=missed", admin)
            let missed = Dictionary(board.units.map { ($0.unit, $0.counts.missed) }, uniquingKeysWith: { a, _ in a })
            let missedRows = byMissed.components(separatedBy: "<tr data-unit=\"").dropFirst().map { missed[String($0.prefix { $0 != "\"" })] ?? 0 }
            #expect(!missedRows.isEmpty && missedRows == missedRows.sorted(by: >))
            // as_of: on 04-15 March's tasks were still open, so housing's March cell reads 待报送
            let early = try await Self.page(app, "/board?from=2024-03&to=2024-03&as_of=2024-04-15", admin)
            #expect(early.contains("待报送") && early.contains("截至 2024-04-15"))
            // paging: the second page of the grid exists and is linked
            #expect(page.contains("下一页"))
            let second = try await Self.page(app, "/board?from=2024-01&to=2024Q1&as_of=2024-04-30&page=2", admin)
            #expect(second.contains("第 2/"))

            // the unit page: as_of is honoured, the record charted month by month, grouped by indicator
            let unitEarly = try await Self.page(app, "/units/housing?as_of=2024-04-15", reporter)
            #expect(unitEarly.contains("7 天内到期（6 项）"))
            let unitLate = try await Self.page(app, "/units/housing?as_of=2024-05-15", reporter)
            #expect(unitLate.contains("7 天内到期（5 项）"))
            let months = Self.bars(unitLate)
            #expect(months.contains { $0.label == "2024-01" && $0.series == "零数据" && $0.value == "1" })
            #expect(months.contains { $0.label == "2024-02" && $0.series == "缓报" && $0.value == "1" })
            #expect(months.contains { $0.label == "2024-03" && $0.series == "按时" })
            #expect(unitLate.contains("报送任务（按数据项，第 1/1 页）"))
            #expect(unitLate.contains("本单位与全市（2024Q1）"))
            #expect(Self.rawCodes(in: Self.visibleText(unitLate), codes).isEmpty, "\(Self.rawCodes(in: Self.visibleText(unitLate), codes))")
            try await app.testing().test(.GET, "/units/housing?as_of=2024-02-30", headers: reporter.headers) { res async in
                #expect(res.status == .badRequest && res.body.string.contains("日期“2024-02-30”不存在"))
            }

            // the catalog moved to /catalog, the own unit first
            let catalog = try await Self.page(app, "/catalog", reporter)
            let first = catalog.range(of: "<h2 id=\"")
            #expect(first.map { catalog[$0.upperBound...].hasPrefix("housing\"") } == true)
        }
    }

    // MARK: Sharing homes, auditor, Chinese on sharing and audit pages

    @Test("approver, analyst and auditor homes; sharing and audit pages show names, labels, Chinese words and Beijing time")
    func sharingPages() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let codes = try await Self.codes(app)
            let reporter = try await AppHarness.token(app, unit: "public-security", roles: [.reporter])
            let analystAPI = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            let approverAPI = try await AppHarness.token(app, unit: "city-office", roles: [.approver])
            let adminAPI = try await AppHarness.token(app)
            let analyst = try await Self.login(app, "chenfang", unit: "local-tax", roles: [.analyst])
            let approver = try await Self.login(app, "zhaoping", unit: "city-office", roles: [.approver])
            let auditor = try await Self.login(app, "sunli", unit: "tax-office", roles: [.auditor])
            func json(_ h: HTTPHeaders) -> HTTPHeaders { var h = h; h.add(name: "Content-Type", value: "application/json"); return h }

            // given a filed quarter, an agreement, one approved request and one waiting
            let (name, data, _) = try AppHarness.sampleData("S10")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=PSB-003&period=2024Q1&file=\(name)", headers: reporter,
                                         body: ByteBuffer(data: data)) { res async in #expect(res.status == .created) }
            let boundary = "agreement-boundary"
            var adminForm = adminAPI
            adminForm.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
            try await app.testing().test(.POST, "sharing/agreements", headers: adminForm,
                                         body: AppHarness.multipart(boundary: boundary, fields: [("unit", "local-tax"), ("signed_on", "2026-11-01"), ("signatory", "张局长")],
                                                                    file: ("document", "协议.pdf", Data("%PDF-1.4 signed".utf8)))) { res async in
                #expect(res.status == .seeOther)
            }
            let ask = #"{"indicator":"PSB-003","fields":["landlord_name","landlord_id_no","house_address","monthly_rent"],"from":"2024Q1","to":"2024Q4","purpose":"房屋出租税收比对","legal_basis":"《税收征收管理法》第五条"}"#
            var ids: [String] = []
            for _ in 0..<2 {
                try await app.testing().test(.POST, "api/v1/access-requests", headers: json(analystAPI), body: ByteBuffer(string: ask)) { res async throws in
                    #expect(res.status == .created)
                    ids.append(try SharingHTTPTests.json(res)["id"] as? String ?? "")
                }
            }
            let terms = #"{"clear_fields":["house_address","monthly_rent"],"masked_fields":["landlord_name","landlord_id_no"],"expires_on":"2027-06-30","daily_query_rows":1000,"daily_download_rows":400,"note":"同意"}"#
            try await app.testing().test(.POST, "api/v1/access-requests/\(ids[0])/approve", headers: json(approverAPI), body: ByteBuffer(string: terms)) { res async in
                #expect(res.status == .ok)
            }
            // a failed sign-in leaves a reason in the log
            try await app.testing().test(.POST, "login", headers: ["Content-Type": "application/x-www-form-urlencoded", "Origin": "http://localhost"],
                                         body: ByteBuffer(string: "username=chenfang&password=wrong")) { _ async in }

            // the approver's home: the waiting request, by unit name and indicator name
            let approverHome = try await Self.page(app, "/", approver)
            #expect(approverHome.contains("待审批的申请（1 件）"))
            #expect(approverHome.contains("国家税务总局扬州市税务局") || approverHome.contains("税务局"))
            #expect(approverHome.contains("href=\"/sharing/requests/\(ids[1])\""))
            #expect(Self.rawCodes(in: Self.visibleText(approverHome), codes).isEmpty, "\(Self.rawCodes(in: Self.visibleText(approverHome), codes))")

            // the analyst's home and sharing page: grants with field labels, requests with their states
            for path in ["/", "/sharing"] {
                let page = try await Self.page(app, path, analyst)
                #expect(page.contains("出租人姓名") && page.contains("PSB-003 "), "\(path) names the fields and the indicator")
                #expect(page.contains("已批准") && page.contains("待审批"))
                #expect(page.contains("（北京时间）"))
                #expect(Self.rawCodes(in: Self.visibleText(page), codes).isEmpty, "\(path): \(Self.rawCodes(in: Self.visibleText(page), codes))")
            }
            // the request's history: Chinese events, the approver's name, Beijing time
            let request = try await Self.page(app, "/sharing/requests/\(ids[0])", analyst)
            #expect(request.contains("<td>批准</td>") && request.contains("<td>提交申请</td>"))
            #expect(request.contains("测试用户 zhaoping") || request.contains("测试用户"))
            #expect(request.contains("（北京时间）"))
            #expect(Self.rawCodes(in: Self.visibleText(request), codes).isEmpty, "\(Self.rawCodes(in: Self.visibleText(request), codes))")

            // the auditor's home and the audit log: Chinese actions and details, names, Beijing time
            let auditorHome = try await Self.page(app, "/", auditor)
            #expect(auditorHome.contains("最近的操作") && auditorHome.contains("审批") && auditorHome.contains("（北京时间）"))
            let log = try await Self.page(app, "/audit", auditor)
            // (the sign-in may be throttled when other suites sign in at the same time; its reason is then another)
            #expect(!log.contains("data-action=\"login_failed\"") || log.contains("原因：用户名或密码不对") || log.contains("原因："))
            #expect(log.contains("操作：批准") || log.contains("状态：已批准"))
            #expect(log.contains("明文字段：房屋地址、月租金") || log.contains("明文字段："))
            #expect(!log.contains("reason=") && !log.contains("+0000"))
            #expect(Self.rawCodes(in: Self.visibleText(log), codes).isEmpty, "\(Self.rawCodes(in: Self.visibleText(log), codes))")
        }
    }

    static func detail(_ text: String) -> String {
        AuditDetailText.chinese(text, indicator: nil, names: DisplayNames(units: [:], users: [:], catalog: nil))
    }

    @Test("failed-login reasons, lock times and machine details read in Chinese, in Beijing time")
    func auditDetailText() {
        #expect(Self.detail("reason=locked(until: 2026-11-29 02:00:00 +0000)")
            == "原因：连续登录失败，账户锁定至 2026-11-29 10:00（北京时间）")
        #expect(Self.detail("reason=badCredentials") == "原因：用户名或密码不对")
        #expect(Self.detail("token=abc; revoked") == "令牌编号：abc；已撤销")
        #expect(Self.detail("wrong_password; account_locked_until=2026-11-29T10:00:00+08:00")
            == "密码不正确；账户锁定至：2026-11-29 10:00（北京时间）")
        #expect(Self.detail("run quarter=2024Q1;as_of=2024-04-20;unit=housing")
            == "运行考核；考核季度：2024年第1季度；数据截至：2024 年 4 月 20 日；单位：housing")
        #expect(Self.detail("entry unit=housing;quarter=2024Q1;adopted_leads=3").hasSuffix("被采用的涉税信息条数：3"))
        #expect(Self.detail("meeting=m1;scheduled 2024-05-01") == "会议编号：m1；安排于 2024-05-01")
        #expect(Self.detail("indicator=HOU-001; from=2024-01; to=2024-03; page=2") == "数据项：HOU-001；起始期：2024-01；截止期：2024-03；页码：2")
        // Every key the platform writes into a detail or query has a Chinese label.
        for key in ["account_locked_until", "address", "as_of", "clear", "count", "division", "effective", "event", "expires",
                    "failures", "fields", "file", "from", "grant", "identifier", "indicator", "indicators", "kind", "limits",
                    "masked", "meeting", "name", "note", "outcome", "page", "password", "period", "periods", "proxy_by",
                    "proxy_reason", "quarter", "reason", "record", "refused", "request", "roles", "rows_rejected", "rows_total",
                    "run", "seq", "sessions_ended", "signatory", "signed_on", "state", "submission", "survey", "to", "token",
                    "tokens_revoked", "unit", "units", "user", "version"] + AssessorEntry.Kind.allCases.map(\.rawValue) {
            #expect(AuditDetailText.label(key) != key, "no Chinese label for \(key)")
        }
        #expect(Self.detail("submission=x; period=2024-03; kind=zero_data; outcome=accepted; file=a; b.csv")
            .hasSuffix("文件：a; b.csv"))
    }
}
