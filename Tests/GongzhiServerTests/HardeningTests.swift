import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// What a new user tried in order to break the product, kept as tests: absurd page numbers, files that
/// accept nothing, zero data over data, redirects off the site, and requests the sharing rules must refuse.
@Suite("Hardening: inputs that once broke or fooled the product", .serialized)
struct HardeningTests {
    @Test("absurd page numbers give an empty page, never a crash")
    func hugePages() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let housing = try await AppHarness.token(app, unit: "housing")
            let (name, data, _) = try AppHarness.sampleData("S01")
            var id = ""
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)", headers: housing,
                                         body: ByteBuffer(data: data)) { res async throws in
                id = (try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])?["submission_id"] as? String ?? ""
            }
            let huge = "9223372036854775807"
            try await app.testing().test(.GET, "api/v1/records?indicator=HOU-001&from=2024-03&per=200&page=\(huge)", headers: housing) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("\"records\":[]"))
            }
            try await app.testing().test(.GET, "query?indicator=HOU-001&from=2024-03&page=\(huge)", headers: housing) { res async in
                #expect(res.status == .ok)
            }
            try await app.testing().test(.GET, "api/v1/submissions/\(id)/records?per=1000&page=\(huge)", headers: housing) { res async in
                #expect(res.status == .ok)
            }
            let auditor = try await AppHarness.token(app, unit: "tax-office", roles: [.auditor])
            try await app.testing().test(.GET, "audit?page=\(huge)", headers: auditor) { res async in
                #expect(res.status == .ok)
            }
            try await app.testing().test(.GET, "/", headers: housing) { res async in #expect(res.status == .ok, "still serving") }
        }
    }

    @Test("once the server is stopping, a request on an open connection gets 503 shutting_down without the database")
    func stoppingServerRefusesNewWork() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let housing = try await AppHarness.token(app, unit: "housing")
            let work = app.gongzhi.inFlight
            try await app.testing().test(.GET, "api/v1/submissions", headers: housing) { res async in #expect(res.status == .ok) }
            #expect(work.count == 0, "a finished request is no longer counted")
            work.enter()
            work.beginDraining()
            #expect(!work.admit())
            try await app.testing().test(.GET, "api/v1/submissions", headers: housing) { res async in
                #expect(res.status == .serviceUnavailable)
                #expect(res.headers.first(name: .connection) == "close")
                #expect(res.body.string.contains("shutting_down"))
            }
            try await app.testing().test(.GET, "submissions", headers: housing) { res async in
                #expect(res.status == .serviceUnavailable)
                #expect(res.body.string.contains("服务器正在停止"))
            }
            #expect(await work.waitUntilIdle(timeout: .milliseconds(200)) == 1, "the background import still counts")
            work.leave()
            #expect(await work.waitUntilIdle(timeout: .seconds(5)) == 0)
        }
    }

    @Test("a period in the year 9999 is refused with 400, never a crash (the day after it is not a date)")
    func lastRepresentableYear() async throws {
        #expect(ReportingPeriod("9999Q4") == nil)
        #expect(ReportingPeriod("9999-12") == nil)
        #expect(ReportingPeriod("9998-12")?.lastDay.adding(days: 1) != nil)
        #expect(PeriodSanity.periods(in: "9999年12月").isEmpty)
        #expect(EffectivenessSchedule.standard.deadline(for: 9999).year == 9999)
        try await AppHarness.withApp { app, _ async throws in
            let analyst = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            try await app.testing().test(.GET, "api/v1/usage-reports/prefill?quarter=9999Q4", headers: analyst) { res async in
                #expect(res.status == .badRequest)
            }
            let admin = try await AppHarness.token(app, unit: SubmissionService.proxyUnit, roles: [.admin])
            try await app.testing().test(.GET, "api/v1/operations/inspection?month=9999-12", headers: admin) { res async in
                #expect(res.status == .badRequest)
            }
            try await app.testing().test(.GET, "api/v1/submissions", headers: analyst) { res async in #expect(res.status != .internalServerError, "still serving") }
        }
    }

    @Test("a malformed multipart body is a 400 malformed_body, not a 500 (found by schemathesis)")
    func malformedMultipart() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let analyst = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            let boundary = "c637e12e2b1a998d80d1b087531af51c"
            try await app.testing().test(.POST, "api/v1/effectiveness-reports",
                                         headers: analyst.adding("Content-Type", "multipart/form-data; boundary=\(boundary)"),
                                         body: ByteBuffer(string: "--\(boundary)--\r\n")) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("malformed_body"))
            }
        }
    }

    @Test("a file that accepts no row discharges nothing and supersedes nothing")
    func nothingAccepted() async throws {
        try await AppHarness.withApp { app, directory async throws in
            let housing = try await AppHarness.token(app, unit: "housing")
            let (name, data, _) = try AppHarness.sampleData("S01")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)", headers: housing,
                                         body: ByteBuffer(data: data)) { res async in #expect(res.status == .created) }
            let header = "合同编号,房屋坐落,房屋用途,建筑面积（平方米）,成交价格（元）,交易类型,合同签订日期,买方姓名,买方证件类型,买方证件号码,卖方姓名,卖方证件类型,卖方证件号码,信息属地\r\n"
            let bad = header + "HT-1,某路1号,住宅,90,1000000,买卖,2024-03-02,张三,居民身份证,110101199001011234,李四,居民身份证,110101199001011235,999999\r\n"
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=bad.csv&mode=replace",
                                         headers: housing.adding("Content-Type", "application/octet-stream"), body: ByteBuffer(string: bad)) { res async throws in
                #expect(res.status == .created)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(json["rows_accepted"] as? Int == 0)
            }
            let current = try await ReportingRepository(database: app.db).current(indicator: "HOU-001", period: "2024-03")
            #expect(current?.fileName == name, "the file with 165 accepted rows is still the current one")
            #expect(try await SubmissionRecord.query(on: app.db).filter(\.$fileName == "bad.csv").first()?.state == "refused")
        }
    }

    @Test("zero data is refused over accepted records and before the period ends")
    func zeroDataGuards() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let housing = try await AppHarness.token(app, unit: "housing")
            let (name, data, _) = try AppHarness.sampleData("S01")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)", headers: housing,
                                         body: ByteBuffer(data: data)) { res async in #expect(res.status == .created) }
            let json = housing.adding("Content-Type", "application/json")
            try await app.testing().test(.POST, "api/v1/zero-data", headers: json,
                                         body: ByteBuffer(string: #"{"indicator":"HOU-001","period":"2024-03","explanation":"本月没有房产交易数据需要报送。"}"#)) { res async in
                #expect(res.status == .conflict)
                #expect(res.body.string.contains("本期已报送 165 条已接收的记录"))
            }
            try await app.testing().test(.POST, "api/v1/zero-data", headers: json,
                                         body: ByteBuffer(string: #"{"indicator":"HOU-001","period":"2026-11","explanation":"本月没有房产交易数据需要报送。"}"#)) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("还没有结束"))
            }
            try await app.testing().test(.POST, "api/v1/zero-data", headers: json,
                                         body: ByteBuffer(string: #"{"indicator":"HOU-001","period":"2026-10","explanation":"。。。。。。"}"#)) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("explanation_required"))
            }
            #expect(try await ReportingRepository(database: app.db).current(indicator: "HOU-001", period: "2024-03")?.rowsAccepted == 165)
        }
    }

    @Test("after sign-in, `next` never leads off the site, even with a tab or backslash in it")
    func redirects() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let user = try await AppHarness.user(app, unit: "housing")
            for next in ["%2F%09%2Fevil.example", "%2F%5Cevil.example", "%2F%2Fevil.example", "https%3A%2F%2Fevil.example", "%2F%0D%0ASet-Cookie"] {
                try await app.testing().test(.POST, "login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                             body: ByteBuffer(string: "username=\(user.username)&password=\(AppHarness.password)&next=\(next)")) { res async in
                    #expect(res.headers.first(name: .location) == "/", "next=\(next)")
                }
            }
        }
    }

    @Test("requests for one's own data, for the wrong kind of period or for decades are refused, in Chinese")
    func requestBounds() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let sharing = app.gongzhi.sharing(on: app.db)
            try await sharing.recordAgreement(unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "张局长",
                                              documentName: "协议.pdf", document: Data("%PDF".utf8),
                                              by: Principal(userID: "admin", unitCode: "info-center", roles: [.admin]))
            let analyst = Principal(userID: "zhao", unitCode: "local-tax", roles: [.analyst])
            func refusal(_ indicator: String, _ from: String, _ to: String) async -> SharingError? {
                do {
                    _ = try await sharing.request(by: analyst, indicatorCode: indicator, fields: ["price"], from: from, to: to, purpose: "比对",
                                                  legalBasis: "税收征管法")
                    return nil
                } catch { return error as? SharingError }
            }
            #expect(await refusal("LTS-009", "2024-01", "2024-03")?.message.contains("本单位") == true)
            #expect(await refusal("HOU-001", "2024Q1", "2024Q2")?.message.contains("2024-03") == true)
            #expect(await refusal("HOU-001", "1900-01", "2099-12")?.message.contains("不能超过 10 年") == true)
            // a query without a grant is refused in Chinese, and the refusal is in the audit log
            do {
                _ = try await sharing.query(by: analyst, SharingService.Search(indicator: "PSB-003", from: "2024Q1", to: "2024Q1"), page: 1, per: 10)
                Issue.record("no grant, no query")
            } catch let error as SharingError {
                #expect(error.message.contains("没有数据项 PSB-003 的使用授权"))
            }
            let refused = try await AuditLog(database: app.db).entries(matching: AuditFilter(action: .query), page: 1, per: 10).entries
            #expect(refused.first?.detail == "refused=no_grant")
        }
    }

    @Test("clear answers: the menu shows what a role may open, bad parameters are named, a decision needs the role first")
    func clearAnswers() async throws {
        try await AppHarness.withApp { app, directory async throws in
            let reporter = try await AppHarness.token(app, unit: "housing")
            let auditor = try await AppHarness.token(app, unit: "tax-office", roles: [.auditor])
            let analyst = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            try await app.testing().test(.GET, "/", headers: reporter) { res async in
                #expect(res.body.string.contains("href=\"/upload\"") && !res.body.string.contains("href=\"/audit\""))
                #expect(res.body.string.contains("href=\"/units/housing\""))
            }
            try await app.testing().test(.GET, "/", headers: auditor) { res async in
                #expect(res.body.string.contains("href=\"/audit\"") && !res.body.string.contains("href=\"/upload\""))
            }
            try await app.testing().test(.GET, "board?collection=weekly", headers: auditor) { res async in
                #expect(res.status == .badRequest && res.body.string.contains("归集周期“weekly”不对"))
            }
            try await app.testing().test(.GET, "api/v1/tasks", headers: reporter) { res async in
                #expect(res.status == .badRequest && res.body.string.contains("请给出报送期"))
            }
            try await app.testing().test(.GET, "api/v1/tasks?period=2024Q1&as_of=2024-02-30", headers: reporter) { res async in
                #expect(res.status == .badRequest && res.body.string.contains("不存在"))
            }
            let sharing = app.gongzhi.sharing(on: app.db)
            try await sharing.recordAgreement(unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "张局长",
                                              documentName: "协议.pdf", document: Data("%PDF".utf8),
                                              by: Principal(userID: "admin", unitCode: "info-center", roles: [.admin]))
            let (request, _) = try await sharing.request(by: Principal(userID: "zhao", unitCode: "local-tax", roles: [.analyst]),
                                                         indicatorCode: "PSB-003", fields: ["house_address"], from: "2024Q1", to: "2024Q1",
                                                         purpose: "比对", legalBasis: "税收征管法")
            try await app.testing().test(.POST, "api/v1/access-requests/\(try request.requireID().uuidString)/approve", headers: analyst) { res async in
                #expect(res.status == .forbidden, "the role is checked before the terms: \(res.body.string)")
            }
            try await app.testing().test(.POST, "api/v1/zero-data", headers: reporter.adding("Content-Type", "application/json"),
                                         body: ByteBuffer(string: "{not json")) { res async in
                #expect(res.status == .badRequest && res.body.string.contains("请求体应为 JSON"))
            }
            let missing = directory.appendingPathComponent("no-such.sqlite").path
            let run = try CLITests.run(["tasks", "--period", "2024Q1"], environment: ["GONGZHI_DB": missing])
            #expect(run.status == 1 && run.stderr.contains("数据库文件不存在"))
            #expect(!FileManager.default.fileExists(atPath: missing), "a read-only command creates no database")
        }
    }
}

