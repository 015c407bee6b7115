import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// Issue 10: a wrong reporting period is not accepted silently; periods are typed as clerks write them.
@Suite("Period sanity over HTTP", .serialized)
struct PeriodCheckTests {
    @Test("a March file filed as July is stopped until confirmed; the same file for another period too")
    func wrongPeriod() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let housing = try await AppHarness.token(app, unit: "housing")
            let (name, data, _) = try AppHarness.sampleData("S01")
            func post(_ period: String, _ extra: String = "") async throws -> (HTTPStatus, [String: Any]) {
                var result: (HTTPStatus, [String: Any]) = (.ok, [:])
                try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=\(period)&file=\(name)\(extra)",
                                             headers: housing, body: ByteBuffer(data: data)) { res async throws in
                    result = (res.status, (try? JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any]) ?? [:])
                }
                return result
            }
            // S01's title says 2024年3月 and its contract dates are in March
            let (status, json) = try await post("2024-07")
            #expect(status == .conflict)
            #expect(json["error"] as? String == "period_mismatch")
            #expect((json["message"] as? String)?.contains("2024年3月") == true)
            #expect(try await SubmissionRecord.query(on: app.db).count() == 0, "nothing stored")
            // confirmed, it is filed for July
            let (confirmed, _) = try await post("2024-07", "&confirm=period")
            #expect(confirmed == .created)
            // the same file for May: already stored for July
            let (again, againJSON) = try await post("2024-05", "&confirm=")
            #expect(again == .conflict)
            #expect(againJSON["error"] as? String == "duplicate_file")
            #expect((againJSON["message"] as? String)?.contains("2024年7月") == true)
            // and for its own month it is accepted (title and dates agree)
            let (own, _) = try await post("2024-03", "&confirm=period")
            #expect(own == .created)
        }
    }

    @Test("the upload form offers the periods still owed, and 2024年3月 typed is 2024-03")
    func picker() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let clerk = try await AppHarness.login(app, unit: "housing")
            try await app.testing().test(.GET, "upload", headers: clerk.headers) { res async in
                let page = res.body.string
                #expect(page.contains("<datalist id=\"open-periods\">"))
                #expect(page.contains("2026年10月（HOU-001 等"), "the month due on 2026-11-20, as of 2026-11-29")
            }
            let (name, data, _) = try AppHarness.sampleData("S01")
            let boundary = "period-picker"
            var location = ""
            try await app.testing().test(.POST, "submissions", headers: clerk.multipartHeaders(boundary: boundary),
                                         body: AppHarness.multipart(boundary: boundary, fields: [
                                             ("csrf_token", clerk.csrf), ("indicator", "HOU-001"), ("period", "2024年3月"),
                                         ], file: ("file", name, data))) { res async in
                #expect(res.status == .seeOther)
                location = res.headers.first(name: .location) ?? ""
            }
            try await AppHarness.waitForResult(app, path: String(location.dropFirst()), headers: clerk.headers)
            #expect(try await ReportingRepository(database: app.db).current(indicator: "HOU-001", period: "2024-03") != nil)
        }
    }
}
