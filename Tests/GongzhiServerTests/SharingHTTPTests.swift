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

/// Sharing end to end over HTTP: each role does its part, in the browser and over the API, and a masked value
/// never reaches the analyst — not on the page, not in the API, not in a CSV or xlsx download.
@Suite("Sharing over HTTP", .serialized)
struct SharingHTTPTests {
    static func json(_ res: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any], "\(res.body.string)")
    }

    /// The texts of every cell of the first sheet of xlsx `data`.
    static func cells(ofWorkbook data: Data, in directory: URL) throws -> [String] {
        let url = directory.appendingPathComponent("download-\(UUID().uuidString).xlsx")
        try data.write(to: url)
        let workbook = try XlsxWorkbook(url: url)
        let reader = try workbook.open(try #require(workbook.sheets.first))
        var out: [String] = []
        while let row = try reader.nextRow() { out += row.cells.compactMap { $0.value.rawValue } }
        return out
    }

    @Test("reporter files, analyst asks, approver decides, analyst reads masked data everywhere, auditor sees it all")
    func approvalFlowOverTheAPI() async throws {
        try await AppHarness.withApp { app, directory async throws in
            let reporter = try await AppHarness.token(app, unit: "public-security", roles: [.reporter])
            let analyst = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            let approver = try await AppHarness.token(app, unit: "city-office", roles: [.approver])
            let admin = try await AppHarness.token(app)
            let auditor = try await AppHarness.token(app, unit: "tax-office", roles: [.auditor])
            func with(_ headers: HTTPHeaders, json: Bool = true) -> HTTPHeaders {
                var h = headers
                if json { h.add(name: "Content-Type", value: "application/json") }
                return h
            }

            // the reporter files the quarter's rental registrations
            let (name, data, _) = try AppHarness.sampleData("S10")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=PSB-003&period=2024Q1&file=\(name)", headers: reporter,
                                         body: ByteBuffer(data: data)) { res async in #expect(res.status == .created) }

            // without an agreement the analyst cannot ask
            let ask = #"{"indicator":"PSB-003","fields":["landlord_name","landlord_id_no","house_address","monthly_rent"],"from":"2024Q1","to":"2024Q4","purpose":"房屋出租税收比对","legal_basis":"《税收征收管理法》第五条"}"#
            try await app.testing().test(.POST, "api/v1/access-requests", headers: with(analyst), body: ByteBuffer(string: ask)) { res async in
                #expect(res.status == .forbidden)
                #expect(res.body.string.contains("no_security_agreement"))
            }
            // the info center records it (multipart form with the signed document)
            let boundary = "agreement-boundary"
            try await app.testing().test(.POST, "sharing/agreements", headers: with(admin, json: false).adding("Content-Type", "multipart/form-data; boundary=\(boundary)"),
                                         body: AppHarness.multipart(boundary: boundary, fields: [("unit", "local-tax"), ("signed_on", "2026-11-01"), ("signatory", "张局长")],
                                                                    file: ("document", "协议.pdf", Data("%PDF-1.4 signed".utf8)))) { res async in
                #expect(res.status == .seeOther)
            }
            var requestID = ""
            try await app.testing().test(.POST, "api/v1/access-requests", headers: with(analyst), body: ByteBuffer(string: ask)) { res async throws in
                #expect(res.status == .created)
                let body = try Self.json(res)
                #expect(body["state"] as? String == "pending_approval")
                requestID = body["id"] as? String ?? ""
            }
            // the analyst cannot approve; the approver does, with two fields masked and a daily limit
            let terms = #"{"clear_fields":["house_address","monthly_rent"],"masked_fields":["landlord_name","landlord_id_no"],"expires_on":"2027-06-30","daily_query_rows":1000,"daily_download_rows":400}"#
            try await app.testing().test(.POST, "api/v1/access-requests/\(requestID)/approve", headers: with(analyst), body: ByteBuffer(string: terms)) { res async in
                #expect(res.status == .forbidden)
            }
            try await app.testing().test(.POST, "api/v1/access-requests/\(requestID)/approve", headers: with(approver), body: ByteBuffer(string: terms)) { res async throws in
                #expect(res.status == .ok)
                let body = try Self.json(res)
                #expect(body["state"] as? String == "approved")
                let grant = try #require((body["grants"] as? [[String: Any]])?.first)
                #expect(grant["masked_fields"] as? [String] == ["landlord_name", "landlord_id_no"])
            }

            // the raw values the analyst must never see
            let stored = try await RecordQuery(indicator: "PSB-003", periods: ["2024Q1"]).rows(offset: 0, limit: 1000, on: app.db)
            var secrets: Set<String> = []
            for row in stored {
                guard case .object(let members) = try JSONValue.parse(row.values) else { continue }
                for (key, value) in members where key == "landlord_id_no" || key == "landlord_name" || key.hasPrefix("tenant") {
                    if case .string(let s) = value, s.count >= 2 { secrets.insert(s) }
                }
            }
            #expect(secrets.count > 100)
            func leaks(_ text: String) -> [String] { secrets.filter { text.contains($0) }.sorted() }

            // the API
            var shownIDs: [Int] = []
            try await app.testing().test(.GET, "api/v1/records?indicator=PSB-003&from=2024Q1&per=200", headers: analyst) { res async throws in
                #expect(res.status == .ok)
                let body = try Self.json(res)
                #expect(body["total"] as? Int == 223)
                #expect(body["fields"] as? [String] == ["landlord_name", "landlord_id_no", "house_address", "monthly_rent"])
                shownIDs = (body["records"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                #expect(shownIDs.count == 200)
                #expect(leaks(res.body.string).isEmpty, "API leaks \(leaks(res.body.string).prefix(3))")
            }
            // the page (bearer tokens work on pages too)
            try await app.testing().test(.GET, "query?indicator=PSB-003&from=2024Q1&page=5", headers: analyst) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("共 223 条"))
                #expect(leaks(res.body.string).isEmpty, "page leaks \(leaks(res.body.string).prefix(3))")
            }
            // the downloads
            try await app.testing().test(.GET, "api/v1/records/download?indicator=PSB-003&from=2024Q1&format=csv", headers: analyst) { res async in
                #expect(res.status == .ok)
                let csv = res.body.string
                #expect(csv.split(separator: "\r\n").count == 224)
                #expect(leaks(csv).isEmpty, "CSV leaks \(leaks(csv).prefix(3))")
            }
            try await app.testing().test(.GET, "query/download?indicator=PSB-003&from=2024Q1&format=xlsx", headers: analyst) { res async throws in
                #expect(res.status == .tooManyRequests, "223 + 223 rows exceed the daily download limit of 400: all or nothing")
                #expect(res.body.string.contains("下载"))
            }
            // a colleague has their own daily rows: the xlsx is masked the same way
            let colleague = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            try await app.testing().test(.GET, "query/download?indicator=PSB-003&from=2024Q1&format=xlsx", headers: colleague) { res async throws in
                #expect(res.status == .ok)
                let cells = try Self.cells(ofWorkbook: Data(buffer: res.body), in: directory)
                #expect(cells.count > 223 * 4)
                #expect(cells.contains { $0.contains("*") }, "masked values are there, masked")
                #expect(leaks(cells.joined(separator: "\n")).isEmpty, "xlsx leaks \(leaks(cells.joined(separator: "\n")).prefix(3))")
            }
            // the searches that would reveal a masked value are refused
            try await app.testing().test(.GET, "api/v1/records?indicator=PSB-003&from=2024Q1&field.landlord_name=\(secrets.first!.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                                         headers: analyst) { res async in
                #expect(res.status == .badRequest)
            }
            // the providing unit reads its own data in the clear
            try await app.testing().test(.GET, "api/v1/records?indicator=PSB-003&from=2024Q1&per=200", headers: reporter) { res async in
                #expect(!leaks(res.body.string).isEmpty)
            }

            // the auditor sees who looked at what, and a record's lineage names the analyst's query
            try await app.testing().test(.GET, "audit?action=query", headers: auditor) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("local-tax"))
            }
            try await app.testing().test(.GET, "api/v1/records/\(shownIDs[0])/lineage", headers: auditor) { res async throws in
                #expect(res.status == .ok)
                let entries = try Self.json(res)["audit"] as? [[String: Any]] ?? []
                #expect(entries.contains { $0["action"] as? String == "query" && $0["unit"] as? String == "local-tax" })
            }
            try await app.testing().test(.GET, "audit", headers: analyst) { res async in #expect(res.status == .forbidden) }
        }
    }

    @Test("in the browser: an analyst registers for 报备式 data with a form and its CSRF token; a withheld indicator shows its legal basis")
    func browserRequest() async throws {
        try await AppHarness.withApp { app, _ async throws in
            try await app.gongzhi.sharing(on: app.db).recordAgreement(
                unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "张局长", documentName: "协议.pdf",
                document: Data("%PDF".utf8), by: Principal(userID: "admin", unitCode: "info-center", roles: [.admin]))
            let analyst = try await AppHarness.login(app, unit: "local-tax", roles: [.analyst])
            try await app.testing().test(.GET, "sharing/requests/new?indicator=LRB-007", headers: analyst.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("不予共享"))
                #expect(res.body.string.contains("测绘成果管理条例"))
            }
            try await app.testing().test(.GET, "sharing/requests/new?indicator=HOU-001", headers: analyst.headers) { res async in
                #expect(res.body.string.contains("name=\"csrf_token\""))
                #expect(res.body.string.contains("默认脱敏"))
            }
            let form = "indicator=HOU-001&fields%5B%5D=contract_no&fields%5B%5D=buyer_id_no&from=2024-01&to=2024-12&purpose=%E6%AF%94%E5%AF%B9"
            try await app.testing().test(.POST, "sharing/requests", headers: analyst.formHeaders, body: ByteBuffer(string: form)) { res async in
                #expect(res.status == .forbidden, "no CSRF token, no request")
            }
            var location = ""
            try await app.testing().test(.POST, "sharing/requests", headers: analyst.formHeaders, body: analyst.form(form)) { res async in
                #expect(res.status == .seeOther)
                location = res.headers.first(name: .location) ?? ""
            }
            try await app.testing().test(.GET, String(location.dropFirst()), headers: analyst.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("已授权") || res.body.string.contains("授权"))
            }
            try await app.testing().test(.GET, "sharing", headers: analyst.headers) { res async in
                #expect(res.body.string.contains("HOU-001"))
                #expect(res.body.string.contains("有效"))
            }

            // an 审批式 request waits for the approver, who decides on the request's page
            let ask = "indicator=PSB-003&fields%5B%5D=landlord_id_no&fields%5B%5D=house_address&from=2024Q1&to=2024Q2"
                + "&purpose=%E6%AF%94%E5%AF%B9&legal_basis=%E7%A8%8E%E6%94%B6%E5%BE%81%E7%AE%A1%E6%B3%95"
            try await app.testing().test(.POST, "sharing/requests", headers: analyst.formHeaders, body: analyst.form(ask)) { res async in
                #expect(res.status == .seeOther)
                location = res.headers.first(name: .location) ?? ""
            }
            let approver = try await AppHarness.login(app, unit: "city-office", roles: [.approver])
            try await app.testing().test(.GET, "sharing", headers: approver.headers) { res async in
                #expect(res.body.string.contains("待审批的申请（1 件）"))
            }
            try await app.testing().test(.GET, String(location.dropFirst()), headers: approver.headers) { res async in
                #expect(res.body.string.contains("批准") && res.body.string.contains("不批准的理由"))
            }
            let decision = "clear_fields%5B%5D=house_address&masked_fields%5B%5D=landlord_id_no&masked_fields%5B%5D=house_address"
                + "&expires_on=2027-06-30&daily_query_rows=100&daily_download_rows=50&note=%E5%90%8C%E6%84%8F"
            try await app.testing().test(.POST, String(location.dropFirst()) + "/approve", headers: approver.formHeaders,
                                         body: approver.form(decision)) { res async in
                #expect(res.status == .seeOther)
            }
            try await app.testing().test(.GET, String(location.dropFirst()), headers: analyst.headers) { res async in
                let page = res.body.string
                #expect(page.contains("已批准"))
                #expect(page.contains("查询 100 条/人/日，下载 50 条/人/日"))
            }
        }
    }

    @Test("报备式 with clear identifiers (issue 12 §6): the request waits for an approver, who grants the IDs in the clear; the analyst then finds one taxpayer's sales unmasked")
    func registeredClearIdentifiersOnRequest() async throws {
        try await AppHarness.withApp { app, _ async throws in
            _ = try await SharingServiceTests.file(app, "S01", "HOU-001", "2024-03", as: "housing")
            try await app.gongzhi.sharing(on: app.db).recordAgreement(
                unit: "local-tax", signedOn: CalendarDate(iso: "2026-11-01")!, signatory: "张局长", documentName: "协议.pdf",
                document: Data("%PDF".utf8), by: Principal(userID: "admin", unitCode: "info-center", roles: [.admin]))
            let analyst = try await AppHarness.login(app, unit: "local-tax", roles: [.analyst])
            // a colleague reads over the API (bearer token): grants belong to the unit
            let api = try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])
            let rawIDs = try await SharingServiceTests.rawValues(app, indicator: "HOU-001", key: "buyer_id_no")
            let wanted = try #require(rawIDs.sorted().first)

            // the 报备式 registration: granted at once, the buyer's ID masked
            let fields = "indicator=HOU-001&fields%5B%5D=contract_no&fields%5B%5D=buyer_name&fields%5B%5D=buyer_id_no&from=2024-01&to=2024-12"
                + "&purpose=%E6%AF%94%E5%AF%B9"
            try await app.testing().test(.POST, "sharing/requests", headers: analyst.formHeaders, body: analyst.form(fields)) { res async in
                #expect(res.status == .seeOther)
            }
            func shownIDs() async throws -> [String] {
                var ids: [String] = []
                try await app.testing().test(.GET, "api/v1/records?indicator=HOU-001&from=2024-03&identifier=\(wanted)", headers: api) { res async throws in
                    #expect(res.status == .ok)
                    let records = try Self.json(res)["records"] as? [[String: Any]] ?? []
                    ids = records.compactMap { ($0["values"] as? [String: Any])?["buyer_id_no"] as? String }
                }
                return ids
            }
            let before = try await shownIDs()
            #expect(!before.isEmpty && before.allSatisfy { $0 == MaskingRule.residentID.mask(wanted) })

            // the form offers clear identifiers; asked without a legal basis it says what is missing and keeps nothing
            try await app.testing().test(.GET, "sharing/requests/new?indicator=HOU-001", headers: analyst.headers) { res async in
                #expect(res.body.string.contains("name=\"clear_identifiers\""))
                #expect(res.body.string.contains("身份标识，默认脱敏"))
            }
            try await app.testing().test(.POST, "sharing/requests", headers: analyst.formHeaders,
                                         body: analyst.form(fields + "&clear_identifiers=on")) { res async in
                #expect(res.status == .badRequest || res.status == .unprocessableEntity || res.status == .forbidden, "\(res.status)")
                #expect(res.body.string.contains("法律依据"))
            }
            var location = ""
            try await app.testing().test(.POST, "sharing/requests", headers: analyst.formHeaders,
                                         body: analyst.form(fields + "&clear_identifiers=on&legal_basis=%E7%A8%8E%E6%94%B6%E5%BE%81%E7%AE%A1%E6%B3%95")) { res async in
                #expect(res.status == .seeOther)
                location = String((res.headers.first(name: .location) ?? "").dropFirst())
            }
            let requestID = String(location.split(separator: "/").last ?? "")
            try await app.testing().test(.GET, "api/v1/access-requests/\(requestID)", headers: api) { res async throws in
                let body = try Self.json(res)
                #expect(body["state"] as? String == "pending_approval", "not granted at once")
                #expect(body["mode"] as? String == "registered")
                #expect(body["clear_identifiers"] as? Bool == true)
                #expect((body["grants"] as? [Any])?.isEmpty == true)
            }
            #expect(try await shownIDs() == before, "still masked while it waits")

            // the approver's form proposes the identifier in the clear and the name masked
            let approver = try await AppHarness.login(app, unit: "city-office", roles: [.approver])
            try await app.testing().test(.GET, location, headers: approver.headers) { res async in
                let page = res.body.string
                #expect(page.contains("明文身份标识"))
                #expect(page.contains(#"name="clear_fields[]" value="buyer_id_no" checked"#))
                #expect(!page.contains(#"name="clear_fields[]" value="buyer_name" checked"#))
            }
            let decision = "clear_fields%5B%5D=contract_no&clear_fields%5B%5D=buyer_id_no&masked_fields%5B%5D=contract_no"
                + "&masked_fields%5B%5D=buyer_name&masked_fields%5B%5D=buyer_id_no&expires_on=2027-06-30&daily_query_rows=100&daily_download_rows=50"
            try await app.testing().test(.POST, location + "/approve", headers: approver.formHeaders, body: approver.form(decision)) { res async in
                #expect(res.status == .seeOther)
            }

            // the broader grant is the one used: the taxpayer's ID in the clear, the name still masked
            let ids = try await shownIDs()
            #expect(!ids.isEmpty && ids.allSatisfy { $0 == wanted })
            try await app.testing().test(.GET, "api/v1/records?indicator=HOU-001&from=2024-03&identifier=\(wanted)", headers: api) { res async throws in
                let records = try Self.json(res)["records"] as? [[String: Any]] ?? []
                let names = records.compactMap { ($0["values"] as? [String: Any])?["buyer_name"] as? String }
                #expect(!names.isEmpty && names.allSatisfy { $0.hasSuffix("**") || $0 == MaskingRule.fullMask })
            }
        }
    }
}
