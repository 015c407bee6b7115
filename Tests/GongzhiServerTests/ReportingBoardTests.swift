import Fluent
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// A realistic first quarter of 2024, built from the shared samples filed on chosen days, checked against
/// values worked out by hand (deadlines: monthly the 20th of the next month, quarterly 20 April).
///
/// Filed (China Standard Time):
/// - housing HOU-001 2024-01: zero data with an explanation on 02-18 → zero data, in time
/// - housing HOU-001 2024-02: S02 on 03-25 → 5 days late
/// - housing HOU-001 2024-03: S01 on 04-19 (on time), corrected with another file on 04-25 → still on time,
///   the correction is current and S01 is superseded
/// - housing HOU-003 2024Q1: zero data with an explanation on 04-21 → zero data, 1 day late
/// - housing HOU-002 2024-01: zero data without a real explanation → refused, stays missed
/// - industry-commerce AIC-001 2024-02: S07 on 03-20 (the deadline day) → on time
/// - industry-commerce AIC-001 2024-03: S06 on 04-22 → 2 days late
/// - urban-construction CON-003 2024-03: S04 by the info center (proxy) on 04-26 → 6 days late
/// - local-tax LTS-009 2024-03: S11 (wrong template, refused) on 04-10, then S09 on 04-28 → 8 days late
/// - public-security PSB-003 2024Q1: S10 on 04-20 → on time
///
/// Hand-checked as of 2024-04-30, quarter 2024Q1 (monthly tasks of Jan–Mar plus quarterly tasks):
/// - housing: 5 monthly indicators × 3 + 1 quarterly = 16 tasks: on time 1, late 1 (5 days), zero data 2
///   (1 day late), missed 12; in time 2 of 16 = 12.5 %; 6 days late in all.
/// - industry-commerce: 3 monthly × 3 = 9 tasks: on time 1, late 1 (2 days), missed 7; 1 of 9 = 11.1 %.
@Suite("Reporting calendar over a realistic quarter", .serialized)
struct ReportingBoardTests {
    static func file(_ sample: String) throws -> URL {
        let (name, data, _) = try AppHarness.sampleData(sample)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-\(UUID().uuidString)-\(name)")
        try data.write(to: url)
        return url
    }

    struct Scenario {
        var s01: UUID
        var correction: UUID
    }

    /// Files the quarter described above.
    static func fileQuarter(_ app: Application, _ clock: TestClock) async throws -> Scenario {
        let service = app.submissions
        func submit(_ sample: String, _ indicator: String, _ period: String, on day: String, as unit: String,
                    proxy: ProxyNote? = nil, confirmPeriod: Bool = false) async throws -> UUID {
            clock.set(day)
            let url = try file(sample)
            defer { try? FileManager.default.removeItem(at: url) }
            return try await service.submit(file: url, fileName: url.lastPathComponent, indicatorCode: indicator, period: period,
                                            by: .commandLine(unit: unit), proxy: proxy, mode: .replace,
                                            confirmPeriod: confirmPeriod).submissionID
        }
        clock.set("2024-02-18")
        _ = try await service.fileZeroData(indicatorCode: "HOU-001", period: "2024-01", by: .commandLine(unit: "housing"),
                                           explanation: "一月份春节前后无存量房网签备案数据，已由分管领导确认。")
        _ = try await submit("S07", "AIC-001", "2024-02", on: "2024-03-20", as: "industry-commerce")
        _ = try await submit("S02", "HOU-001", "2024-02", on: "2024-03-25", as: "housing")
        _ = try await submit("S11", "LTS-009", "2024-03", on: "2024-04-10", as: "local-tax")
        let s01 = try await submit("S01", "HOU-001", "2024-03", on: "2024-04-19", as: "housing")
        _ = try await submit("S10", "PSB-003", "2024Q1", on: "2024-04-20", as: "public-security")
        clock.set("2024-04-21")
        _ = try await service.fileZeroData(indicatorCode: "HOU-003", period: "2024Q1", by: .commandLine(unit: "housing"),
                                           explanation: "本季度无新建商品房项目预售许可，情况属实。")
        await #expect(throws: SubmissionError.explanationRequired) {
            try await service.fileZeroData(indicatorCode: "HOU-002", period: "2024-01", by: .commandLine(unit: "housing"), explanation: " 无 ")
        }
        _ = try await submit("S06", "AIC-001", "2024-03", on: "2024-04-22", as: "industry-commerce")
        // The February file again, for March: the clerk confirms the period it was warned about.
        let correction = try await submit("S02", "HOU-001", "2024-03", on: "2024-04-25", as: "housing", confirmPeriod: true)
        _ = try await submit("S04", "CON-003", "2024-03", on: "2024-04-26", as: SubmissionService.proxyUnit,
                             proxy: ProxyNote(actedBy: "王敏", reason: "建设局报送员调岗，经电话确认由信息中心代报"))
        _ = try await submit("S09", "LTS-009", "2024-03", on: "2024-04-28", as: "local-tax")
        clock.set("2024-05-06")
        return Scenario(s01: s01, correction: correction)
    }

    static func statuses(_ rows: [ReportingService.TaskRow]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: rows.map {
            ("\($0.state.task.indicator) \($0.state.task.period)",
             $0.state.status.code + ($0.state.status.daysLate > 0 ? " \($0.state.status.daysLate)" : ""))
        })
    }

    @Test("tasks, board, export, API and CLI agree with the hand-checked quarter")
    func quarter() async throws {
        let clock = TestClock()
        try await AppHarness.withApp(clock: clock.clock) { app, directory async throws in
            let scenario = try await Self.fileQuarter(app, clock)
            let admin = try await AppHarness.login(app)
            let api = try await AppHarness.token(app)
            let asOf = CalendarDate(iso: "2024-04-30")!
            let reporting = app.gongzhi.reporting(on: app.db)

            // tasks of housing
            let housing = try await reporting.tasks(within: ReportingPeriod("2024Q1")!, unit: "housing", asOf: asOf)
            #expect(housing.count == 16)
            let s = Self.statuses(housing)
            #expect(s["HOU-001 2024-01"] == "zero_data")
            #expect(s["HOU-001 2024-02"] == "late 5")
            #expect(s["HOU-001 2024-03"] == "on_time")
            #expect(s["HOU-003 2024Q1"] == "zero_data 1")
            #expect(s["HOU-002 2024-01"] == "missed")
            #expect(s.values.filter { $0 == "missed" }.count == 12)
            #expect(housing.first { $0.state.task.indicator == "HOU-003" }?.state.task.deadline == CalendarDate(iso: "2024-04-20"))

            // the board
            let board = try await reporting.board(from: ReportingPeriod("2024-01")!, to: ReportingPeriod("2024Q1")!, asOf: asOf)
            #expect(board.columns.map(\.description) == ["2024-01", "2024-02", "2024-03", "2024Q1"])
            let h = try #require(board.units.first { $0.unit == "housing" }).counts
            #expect([h.onTime, h.late, h.zeroData, h.missed, h.open, h.due, h.daysLate] as [Int] == [1, 1, 2, 12, 0, 16, 6])
            #expect(h.onTimeRateText == "12.5%")
            let aic = try #require(board.units.first { $0.unit == "industry-commerce" }).counts
            #expect([aic.onTime, aic.late, aic.zeroData, aic.missed, aic.open] as [Int] == [1, 1, 0, 7, 0])
            #expect(aic.onTimeRateText == "11.1%")
            let con = try #require(board.units.first { $0.unit == "urban-construction" })
            #expect(con.lines.first { $0.indicator == "CON-003" }?.cells == [.missed, .missed, .late(days: 6), nil])
            let psb = try #require(board.units.first { $0.unit == "public-security" })
            #expect(psb.lines.first { $0.indicator == "PSB-003" }?.cells == [nil, nil, nil, .onTime])
            let lts = try #require(board.units.first { $0.unit == "local-tax" })
            #expect(lts.lines.first { $0.indicator == "LTS-009" }?.cells == [.missed, .missed, .late(days: 8), nil])
            let catalog = try await reporting.catalog()
            #expect(board.units.count == Set(catalog.indicators.filter { $0.period != .yearly }.map(\.unit)).count,
                    "every unit with monthly or quarterly data has a row")

            // as of the 15th of April, March's and the quarter's tasks are still open
            let early = Self.statuses(try await reporting.tasks(within: ReportingPeriod("2024Q1")!, unit: "housing",
                                                                asOf: CalendarDate(iso: "2024-04-15")!))
            #expect(early["HOU-001 2024-03"] == "open" && early["HOU-003 2024Q1"] == "open")
            #expect(early["HOU-001 2024-02"] == "late 5" && early["HOU-002 2024-02"] == "missed")
            #expect(early.values.filter { $0 == "open" }.count == 6)

            // the page
            try await app.testing().test(.GET, "board?from=2024-01&to=2024Q1&as_of=2024-04-30", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                for text in ["报送情况看板", "缓报5天", "零数据（已说明）", "零数据（已说明，缓报1天）", "未报", "12.5%", "11.1%",
                             "市住房保障和房产管理局", "<th>2024Q1</th>"] {
                    #expect(page.contains(text), "board shows \(text)")
                }
            }
            try await app.testing().test(.GET, "board?from=2024-01&to=2024-03&collection=quarterly&as_of=2024-04-30", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                #expect(!res.body.string.contains("<th>2024-01</th>"), "the collection filter leaves only quarterly columns")
            }
            try await app.testing().test(.GET, "board?from=2024Q2&to=2024Q1", headers: admin.headers) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("起始期 2024Q2 晚于截止期 2024Q1"))
            }

            // the export
            try await app.testing().test(.GET, "board.xlsx?from=2024-01&to=2024Q1&as_of=2024-04-30", headers: admin.headers) { res async throws in
                #expect(res.status == .ok)
                let url = directory.appendingPathComponent("board.xlsx")
                try Data(buffer: res.body).write(to: url)
                let workbook = try XlsxWorkbook(url: url)
                let reader = try workbook.open(try #require(workbook.sheets.first))
                var rows: [[String]] = []
                while let row = try reader.nextRow() {
                    rows.append(row.cells.map { $0.value.rawValue ?? "" })
                }
                #expect(rows[1].prefix(7) == ["单位", "数据项编码", "数据项", "2024-01", "2024-02", "2024-03", "2024Q1"])
                let hou001 = try #require(rows.first { $0.count > 1 && $0[1] == "HOU-001" })
                #expect(Array(hou001[3...5]) == ["零数据（已说明）", "缓报5天", "按时报送"])
                let total = try #require(rows.first { $0.first == "市住房保障和房产管理局" && $0.count > 1 && $0[1] == "合计" })
                #expect(total.suffix(7) == ["1", "1", "12", "2", "0", "6", "12.5%"])
            }

            // supersession: the correction is current, S01 stays readable
            let s01 = try #require(try await SubmissionRepository(database: app.db).find(scenario.s01))
            #expect(s01.lifecycleState == .superseded && s01.supersededBy == scenario.correction)
            #expect(try await ReportingRepository(database: app.db).current(indicator: "HOU-001", period: "2024-03")?.id == scenario.correction)
            try await app.testing().test(.GET, "api/v1/submissions/\(scenario.s01.uuidString.lowercased())", headers: api) { res async throws in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(json["state"] as? String == "superseded")
                #expect(json["superseded_by"] as? String == scenario.correction.uuidString.lowercased())
                #expect(json["status"] as? String == "partially_accepted", "the import outcome is kept")
            }
            try await app.testing().test(.GET, "api/v1/submissions/\(scenario.s01.uuidString.lowercased())/records?per=1", headers: api) { res async throws in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect((json["total"] as? Int ?? 0) > 0, "a superseded submission keeps its records")
            }
            try await app.testing().test(.GET, "submissions/\(scenario.s01.uuidString.lowercased())", headers: admin.headers) { res async in
                #expect(res.body.string.contains("本次报送已被"))
            }

            // the API and the CLI give the same tasks
            try await app.testing().test(.GET, "api/v1/tasks?unit=housing&period=2024Q1&as_of=2024-04-30", headers: api) { res async throws in
                let rows = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [[String: Any]])
                #expect(rows.count == 16)
                let late = try #require(rows.first { $0["indicator"] as? String == "HOU-001" && $0["period"] as? String == "2024-02" })
                #expect(late["status"] as? String == "late" && late["days_late"] as? Int == 5 && late["deadline"] as? String == "2024-03-20")
            }
            try await app.testing().test(.GET, "api/v1/tasks/overdue?as_of=2024-04-30&since=2024Q1&unit=industry-commerce", headers: api) { res async throws in
                let rows = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [[String: Any]])
                #expect(rows.count == 7 && rows.allSatisfy { $0["status"] as? String == "missed" })
            }
            let env: [String: String] = switch app.gongzhi.config.database {
            case .sqlite(let path): ["GONGZHI_DB": path]
            case .postgres(let url): ["DATABASE_URL": url]
            }
            let run = try CLITests.run(["tasks", "--unit", "housing", "--period", "2024Q1", "--as-of", "2024-04-30", "--json"], environment: env)
            #expect(run.status == 0, Comment(rawValue: run.stderr))
            let cli = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
            #expect(cli.count == 16)
            #expect(Set(["unit", "indicator", "period", "deadline", "status", "days_late"]).isSubset(of: Set(cli.first?.keys.map { $0 } ?? [])))
            let byTask = Dictionary(uniqueKeysWithValues: cli.map { ("\($0["indicator"]!) \($0["period"]!)", $0["status"] as? String ?? "") })
            #expect(byTask["HOU-003 2024Q1"] == "zero_data" && byTask["HOU-001 2024-02"] == "late" && byTask["HOU-001 2024-03"] == "on_time")
            let overdue = try CLITests.run(["tasks", "--overdue", "--as-of", "2024-04-30", "--since", "2024Q1", "--unit", "industry-commerce", "--json"],
                                           environment: env)
            #expect(overdue.status == 0, Comment(rawValue: overdue.stderr))
            #expect((try JSONSerialization.jsonObject(with: Data(overdue.stdout.utf8)) as? [[String: Any]])?.count == 7)
            let bad = try CLITests.run(["tasks", "--unit", "housing", "--period", "2024Q5"], environment: env)
            #expect(bad.status != 0 && bad.stderr.contains("格式不对"))
        }
    }

    @Test("proxy submissions need the info center, a person and a reason; other units may not file")
    func proxies() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S04")
            let path = "api/v1/submissions?indicator=CON-003&period=2024-03&file=\(name)"
            let housing = try await AppHarness.token(app, unit: "housing")
            let infoCenter = try await AppHarness.token(app)
            try await app.testing().test(.POST, path, headers: housing, body: ByteBuffer(data: data)) { res async in
                #expect(res.status == .forbidden)
                #expect(res.body.string.contains("not_permitted"))
            }
            try await app.testing().test(.POST, path, headers: infoCenter, body: ByteBuffer(data: data)) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("proxy_note_required"))
            }
            try await app.testing().test(.POST, path + "&proxy_by=%E7%8E%8B%E6%95%8F&proxy_reason=%20", headers: infoCenter,
                                         body: ByteBuffer(data: data)) { res async in
                #expect(res.status == .badRequest, "a blank reason is no reason")
            }
            #expect(try await SubmissionRepository(database: app.db).counts() == (0, 0))
            var id = ""
            try await app.testing().test(.POST, path + "&proxy_by=%E7%8E%8B%E6%95%8F&proxy_reason=%E7%B3%BB%E7%BB%9F%E6%95%85%E9%9A%9C",
                                         headers: infoCenter, body: ByteBuffer(data: data)) { res async throws in
                #expect(res.status == .created)
                id = (try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])?["submission_id"] as? String ?? ""
            }
            try await app.testing().test(.GET, "api/v1/submissions/\(id)", headers: infoCenter) { res async throws in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                let proxy = try #require(json["proxy"] as? [String: Any])
                #expect(proxy["by"] as? String == "王敏" && proxy["reason"] as? String == "系统故障" && proxy["acting_unit"] as? String == "info-center")
            }
            try await app.testing().test(.GET, "api/v1/tasks?unit=urban-construction&period=2024-03", headers: infoCenter) { res async throws in
                let rows = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [[String: Any]])
                let con = try #require(rows.first { $0["indicator"] as? String == "CON-003" })
                #expect(con["proxy"] as? Bool == true && con["status"] as? String == "late")
            }
        }
    }

    @Test("zero data: an explanation is mandatory, over the web and the API")
    func zeroData() async throws {
        try await AppHarness.withApp { app, _ async throws in
            var json = try await AppHarness.token(app, unit: "housing")
            json.add(name: "Content-Type", value: "application/json")
            let housing = try await AppHarness.login(app, unit: "housing")
            try await app.testing().test(.POST, "api/v1/zero-data", headers: json,
                                         body: ByteBuffer(string: #"{"indicator":"HOU-003","period":"2024Q1","explanation":"无"}"#)) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("explanation_required"))
            }
            try await app.testing().test(.POST, "api/v1/zero-data", headers: json,
                                         body: ByteBuffer(string: #"{"indicator":"HOU-003","period":"2024Q1","explanation":"本季度无新建商品房项目"}"#)) { res async throws in
                #expect(res.status == .created)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(json["kind"] as? String == "zero_data" && json["state"] as? String == "accepted" && json["rows_total"] as? Int == 0)
            }
            try await app.testing().test(.POST, "zero-data", headers: housing.formHeaders,
                                         body: housing.form("indicator=HOU-001&period=2024-05&explanation=")) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("零数据报送须写明情况说明"))
            }
            var location = ""
            try await app.testing().test(.POST, "zero-data", headers: housing.formHeaders,
                                         body: housing.form("indicator=HOU-001&period=2024-05&explanation=%E6%9C%AC%E6%9C%88%E6%97%A0%E7%BD%91%E7%AD%BE%E5%A4%87%E6%A1%88%E6%95%B0%E6%8D%AE")) { res async in
                #expect(res.status == .seeOther)
                location = res.headers.first(name: .location) ?? ""
            }
            try await app.testing().test(.GET, String(location.dropFirst()), headers: housing.headers) { res async in
                #expect(res.body.string.contains("零数据报送。</strong>情况说明：本月无网签备案数据"))
            }
            #expect(try await SubmissionRepository(database: app.db).counts().submissions == 2)
        }
    }

    @Test("contacts are kept as history; incidents are the info center's; the unit page shows what is due and overdue")
    func unitPage() async throws {
        let clock = TestClock()
        clock.set("2024-04-15")
        try await AppHarness.withApp(clock: clock.clock) { app, _ async throws in
            let housing = try await AppHarness.login(app, unit: "housing")
            let form = housing.formHeaders
            let landResources = try await AppHarness.login(app, unit: "land-resources")
            let admin = try await AppHarness.login(app)
            try await app.testing().test(.POST, "units/housing/contacts", headers: form,
                                         body: housing.form("role=reporter&name=%E6%9D%8E%E5%A8%9C&mobile=13812345678&effective_from=2023-01-01&notified_on=2023-01-01")) { res async in
                #expect(res.status == .seeOther)
            }
            try await app.testing().test(.POST, "units/housing/contacts", headers: form,
                                         body: housing.form("role=reporter&name=%E7%8E%8B%E6%95%8F&mobile=139&effective_from=2024-03-01&notified_on=2024-04-10")) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("手机号码“139”不对"))
            }
            try await app.testing().test(.POST, "units/housing/contacts", headers: form,
                                         body: housing.form("role=reporter&name=%E7%8E%8B%E6%95%8F&mobile=13900001111&effective_from=2024-03-01&notified_on=2024-04-10")) { res async in
                #expect(res.status == .seeOther)
            }
            try await app.testing().test(.POST, "units/housing/contacts", headers: landResources.formHeaders,
                                         body: landResources.form("role=head&name=X&effective_from=2024-03-01&notified_on=2024-04-10")) { res async in
                #expect(res.status == .forbidden)
            }
            let incident = "occurred_on=2024-04-10&description=%E6%8A%A5%E9%80%81%E5%91%98%E8%B0%83%E5%B2%97%E6%9C%AA%E5%91%8A%E7%9F%A5"
            try await app.testing().test(.POST, "units/housing/incidents", headers: form, body: housing.form(incident)) { res async in
                #expect(res.status == .forbidden, "a unit does not record incidents against itself")
            }
            try await app.testing().test(.POST, "units/housing/incidents", headers: admin.formHeaders,
                                         body: admin.form(incident)) { res async in
                #expect(res.status == .seeOther)
            }
            let history = try await ReportingRepository(database: app.db).contacts(of: "housing").compactMap(\.contact)
            #expect(history.map(\.name) == ["李娜", "王敏"])
            #expect(ContactRules.holder(of: .reporter, on: CalendarDate(iso: "2024-04-15")!, in: history)?.name == "王敏")
            #expect(try await ReportingRepository(database: app.db).incidents(of: "housing").count == 1)

            try await app.testing().test(.GET, "units/housing", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("（晚于起任日期告知）"), "the late-notified change is flagged")
                #expect(page.contains("报送员调岗未告知"))
                #expect(page.contains("7 天内到期（6 项）"), "March's five monthly tasks and the quarter's task fall due on 04-20")
                #expect(page.contains("已逾期未报（"))
                #expect(page.contains("2024-04-20"))
            }
            try await app.testing().test(.GET, "units/nowhere", headers: admin.headers) { res async in #expect(res.status == .notFound) }
        }
    }
}
