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
import ZIPFoundation

@Suite("Web pages", .serialized)
struct WebPageTests {
    @Test("uploading S01 in the browser shows its 17 rejected rows with row numbers and messages")
    func webUploadShowsRejectedRows() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let (name, data, contract) = try AppHarness.sampleData("S01")
            let boundary = "gongzhi-test-boundary"
            let admin = try await AppHarness.login(app)
            var location = ""
            // when
            try await app.testing().test(.POST, "submissions",
                                         headers: admin.multipartHeaders(boundary: boundary),
                                         body: AppHarness.multipart(boundary: boundary, fields: [
                                             ("csrf_token", admin.csrf), ("indicator", "HOU-001"), ("period", "2024-03"),
                                             ("proxy_by", "王敏"), ("proxy_reason", "房管局系统故障，电话确认后代报"),
                                         ], file: ("file", name, data))) { res async in
                #expect(res.status == .seeOther)
                location = res.headers.first(name: .location) ?? ""
            }
            // then: the page shows progress until the background import has stored the result
            #expect(location.hasPrefix("/submissions/"))
            try await AppHarness.waitForResult(app, path: String(location.dropFirst()), headers: admin.headers)
            try await app.testing().test(.GET, String(location.dropFirst()), headers: admin.headers) { res async throws in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("17 行有错误未被采集"))
                #expect(page.contains("由 市政府信息资源管理中心 代为报送，经办人 王敏，原因：房管局系统故障，电话确认后代报"), "the proxy is shown")
                #expect(page.contains("错误明细（17 处）"))
                let expected = try contract.expectedJSON()["errors"] as? [[String: Any]] ?? []
                #expect(expected.count == 17)
                for error in expected {
                    let row = error["row"] as? Int ?? 0
                    #expect(page.contains("<td class=\"num\">\(row)</td>"), "row \(row) listed")
                }
                #expect(page.contains("买方证件号码"))
                #expect(page.contains("校验位错误"))
                #expect(page.contains("请把该列设置为“文本”格式"))
                #expect(page.contains("与第63行的内容完全相同"))
                #expect(page.contains("110101200208274581"))
                #expect(page.contains("已自动规范的单元格（9 处"))
                #expect(page.contains("␣␣370102198504182361␣␣␣"), "trimmed spaces are made visible")
            }
            try await app.testing().test(.GET, String(location.dropFirst()) + "/errors.csv", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                let lines = res.body.string.split(separator: "\r\n")
                #expect(lines.count == 18)
                #expect(lines.first?.hasPrefix("\u{FEFF}行号,列,单元格内容,错误,如何修改") == true)
                #expect(lines[1].hasPrefix("6,买方证件号码,110101200208274581,校验位错误,"))
            }
            try await app.testing().test(.GET, String(location.dropFirst()) + "/records?page=99", headers: admin.headers) { res async in
                #expect(res.body.string.contains("第 4/4 页"), "a page past the end shows the last page")
            }
            try await app.testing().test(.GET, String(location.dropFirst()) + "/records?page=4", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("共 165 条，第 4/4 页"))
                #expect(res.body.string.contains("买方证件号码"))
            }
            try await app.testing().test(.GET, "submissions", headers: admin.headers) { res async in
                #expect(res.body.string.contains(name))
                #expect(res.body.string.contains("部分接收"))
            }
        }
    }

    @Test("a bad request on the upload form re-renders the form with the reason")
    func uploadFormExplainsMistakes() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S01")
            let boundary = "b"
            let admin = try await AppHarness.login(app)
            try await app.testing().test(.POST, "submissions",
                                         headers: admin.multipartHeaders(boundary: boundary),
                                         body: AppHarness.multipart(boundary: boundary, fields: [("csrf_token", admin.csrf), ("indicator", "HOU-001"), ("period", "2024年13月")],
                                                                    file: ("file", name, data))) { res async in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("报送期“2024年13月”格式不对"))
                #expect(res.body.string.contains("<form"))
            }
            #expect(try await SubmissionRepository(database: app.db).counts() == (0, 0))
        }
    }

    @Test("catalog, indicator and upload pages render in Chinese and escape what they show")
    func pagesRender() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let admin = try await AppHarness.login(app)
            try await app.testing().test(.GET, "/catalog", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("市住房保障和房产管理局"))
                #expect(page.contains("共 50 个成员单位、183 个数据项"))
                #expect(page.contains("/indicators/HOU-001"))
            }
            try await app.testing().test(.GET, "indicators/HOU-001", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("房产交易信息"))
                #expect(page.contains("建筑面积（平方米）"))
                #expect(page.contains("可选值：住宅、商业、办公、车库、其他"))
                #expect(page.contains("template.xlsx"))
            }
            try await app.testing().test(.GET, "upload?indicator=HOU-001", headers: admin.headers) { res async in
                #expect(res.body.string.contains("<option value=\"HOU-001\" selected>"))
            }
            try await app.testing().test(.GET, "indicators/NOPE-001", headers: admin.headers) { res async in
                #expect(res.status == .notFound)
                #expect(res.body.string.contains("不在当前目录中"))
            }
            try await app.testing().test(.GET, "submissions/not-a-uuid", headers: admin.headers) { res async in
                #expect(res.status == .notFound)
                #expect(res.body.string.contains("页面或数据不存在"))
            }
        }
    }

    @Test("the downloaded template reads back with the indicator's headers and imports as an empty, clean file")
    func templateRoundTrip() async throws {
        try await AppHarness.withApp { app, directory async throws in
            var data = Data()
            let reporter = try await AppHarness.login(app, unit: "public-security")
            try await app.testing().test(.GET, "indicators/PSB-002/template.xlsx", headers: reporter.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                #expect(res.headers.first(name: .contentDisposition)?.contains("PSB-002") == true)
                data = Data(buffer: res.body)
            }
            let file = directory.appendingPathComponent("PSB-002.xlsx")
            try data.write(to: file)
            // An unfilled template has the right headers (so it is not wrong_template) but no data row: refused at
            // its header row, and stored refused without records.
            let outcome = try await app.submissions.submit(file: file, fileName: "PSB-002.xlsx", indicatorCode: "PSB-002",
                                                           period: "2024-03", by: .commandLine(unit: "public-security"))
            #expect(outcome.report.refused && outcome.report.refusalCode == .noDataRows)
            #expect(outcome.report.errors.map(\.row) == [2])
            #expect(try await SubmissionRepository(database: app.db).counts() == (1, 0))
        }
    }

    @Test("the catalog API lists every indicator with its fields")
    func catalogAPI() async throws {
        try await AppHarness.withApp { app, _ async throws in
            try await app.testing().test(.GET, "api/v1/catalog/indicators", headers: try await AppHarness.token(app, unit: "local-tax", roles: [.analyst])) { res async throws in
                let list = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [[String: Any]])
                #expect(list.count == 183)
                let fields = list.reduce(0) { $0 + (($1["fields"] as? [Any])?.count ?? 0) }
                #expect(fields == 1893)
                let hou = try #require(list.first { $0["code"] as? String == "HOU-001" })
                #expect(hou["unit_name"] as? String == "市住房保障和房产管理局")
                #expect(hou["period"] as? String == "monthly")
            }
        }
    }
}
