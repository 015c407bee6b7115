import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Issue 10: corrections never lose data. A file for a period that holds accepted records says 补报
/// (append) or 更正 (replace); 补报 adds rows and marks the rejected rows it corrects; 更正 replaces, with
/// confirmation on the web.
@Suite("Corrections: 补报 and 更正", .serialized)
struct CorrectionTests {
    static let header = "合同编号,房屋坐落,房屋用途,建筑面积（平方米）,成交价格（元）,交易类型,合同签订日期,买方姓名,买方证件类型,买方证件号码,卖方姓名,卖方证件类型,卖方证件号码,信息属地\r\n"

    /// A valid resident ID for `n`.
    static func id(_ n: Int) -> String {
        let body = "321027" + "1985" + String(format: "%02d%02d", 1 + n % 12, 1 + n % 28) + String(format: "%03d", n % 1000)
        return body + String(ResidentIdentityNumber.checkCharacter(body)!)
    }

    /// The same ID with a wrong check character.
    static func badID(_ n: Int) -> String {
        let good = id(n)
        let check = good.last!
        return String(good.dropLast()) + (check == "1" ? "2" : "1")
    }

    static func row(_ n: Int, buyer: String? = nil) -> String {
        "HT-\(n),扬州市广陵区文昌路\(n)号,住宅,88.5,\(900_000 + n),买卖,2024-03-0\(1 + n % 9),王五,居民身份证,\(buyer ?? id(n)),赵六,居民身份证,\(id(n + 500)),321002\r\n"
    }

    static func csv(_ rows: [String]) -> ByteBuffer { ByteBuffer(string: header + rows.joined()) }

    static func post(_ app: Application, _ token: HTTPHeaders, _ body: ByteBuffer, name: String, mode: String? = nil,
                     _ check: @escaping (TestingHTTPResponse) async throws -> Void) async throws {
        let modeQuery = mode.map { "&mode=\($0)" } ?? ""
        try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)\(modeQuery)",
                                     headers: token.adding("Content-Type", "application/octet-stream"), body: body) { res async throws in
            try await check(res)
        }
    }

    static func json(_ res: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
    }

    /// The task's current records, counted twice: by ``RecordQuery/count(on:)`` (the submissions' `rows_accepted`
    /// added up) and row by row; after every 补报 and 更正 the two must agree.
    static func currentRecords(_ app: Application) async throws -> Int {
        let query = RecordQuery(indicator: "HOU-001", periods: ["2024-03"])
        let counted = try await (app.db as! any SQLDatabase).raw(
            """
            SELECT COUNT(*) AS n FROM submissions s JOIN records r ON r.submission_id = s.id
            WHERE s.indicator_code = 'HOU-001' AND s.period = '2024-03' AND s.state IN ('accepted', 'partially_accepted')
            """)
            .first()?.decode(column: "n", as: Int.self)
        let summed = try await query.count(on: app.db)
        #expect(summed == counted, "rows_accepted added up must equal the records stored")
        return summed
    }

    @Test("补报 adds the corrected rows, keeps every accepted record, and marks the rows it corrects")
    func appendKeepsEverything() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let housing = try await AppHarness.token(app, unit: "housing")
            // given a first file: 10 rows, 2 rejected for a wrong check character
            let first = (0..<10).map { [3, 7].contains($0) ? Self.row($0, buyer: Self.badID($0)) : Self.row($0) }
            var firstID = ""
            try await Self.post(app, housing, Self.csv(first), name: "march.csv") { res in
                #expect(res.status == .created)
                let json = try Self.json(res)
                #expect(json["rows_accepted"] as? Int == 8)
                firstID = json["submission_id"] as? String ?? ""
            }
            // when a second file comes without saying how it corrects the period
            try await Self.post(app, housing, Self.csv([Self.row(3), Self.row(7)]), name: "fix.csv") { res in
                // then it is refused, naming both ways
                #expect(res.status == .conflict)
                let json = try Self.json(res)
                #expect(json["error"] as? String == "mode_required")
                #expect((json["message"] as? String)?.contains("补报") == true)
                #expect((json["message"] as? String)?.contains("8 条") == true)
            }
            #expect(try await Self.currentRecords(app) == 8)

            // when the clerk 补报s the two corrected rows
            var appendID = ""
            try await Self.post(app, housing, Self.csv([Self.row(3), Self.row(7)]), name: "fix.csv", mode: "append") { res in
                #expect(res.status == .created)
                let json = try Self.json(res)
                #expect(json["rows_accepted"] as? Int == 2)
                appendID = json["submission_id"] as? String ?? ""
            }
            // then the period holds all 10 records, the first file stays current, and its 2 rejected rows are corrected
            #expect(try await Self.currentRecords(app) == 10)
            let original = try #require(try await SubmissionRecord.find(UUID(uuidString: firstID), on: app.db))
            #expect(original.lifecycleState == .partiallyAccepted)
            #expect(try await SubmissionRepository(database: app.db).correctedRows(of: try original.requireID()) == 2)
            let appended = try #require(try await SubmissionRecord.find(UUID(uuidString: appendID), on: app.db))
            #expect(appended.appendsTo == original.id)
            #expect(appended.correction == "append")

            // and the pages say so
            let session = try await AppHarness.login(app, unit: "housing")
            try await app.testing().test(.GET, "submissions/\(firstID)", headers: session.headers) { res async in
                #expect(res.body.string.contains("已由<a href=\"/submissions/\(appendID)\">补报</a>更正"))
                #expect(!res.body.string.contains("把这些行重新报送"), "the advice matches what the clerk can do")
            }
            try await app.testing().test(.GET, "submissions/\(appendID)", headers: session.headers) { res async in
                #expect(res.body.string.contains("本次为<strong>补报</strong>"))
                #expect(res.body.string.contains("更正了原报送中 2 行被退回的数据"))
            }
            try await app.testing().test(.GET, "submissions?indicator=HOU-001&period=2024-03", headers: session.headers) { res async in
                #expect(res.body.string.contains("（补报）"))
                #expect(res.body.string.contains("2 行已补报更正"))
            }

            // when the clerk then 更正s the whole period with a 3-row file
            try await Self.post(app, housing, Self.csv([Self.row(20), Self.row(21), Self.row(22)]), name: "whole.csv", mode: "replace") { res in
                #expect(res.status == .created)
            }
            // then only the 3 rows are current; both earlier submissions are superseded and still readable
            #expect(try await Self.currentRecords(app) == 3)
            #expect(try await SubmissionRecord.find(UUID(uuidString: firstID), on: app.db)?.lifecycleState == .superseded)
            #expect(try await SubmissionRecord.find(UUID(uuidString: appendID), on: app.db)?.lifecycleState == .superseded)
            try await app.testing().test(.GET, "submissions?state=superseded", headers: session.headers) { res async in
                #expect(res.body.string.contains("共 2 条"))
            }
        }
    }

    @Test("in the browser: S01's 165 records survive a 补报 of two rows; 更正 asks for confirmation with the count")
    func browserCorrections() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S01")
            let clerk = try await AppHarness.login(app, unit: "housing")
            let boundary = "gongzhi-correction"
            func upload(_ fields: [(String, String)], file: (String, Data)) async throws -> (HTTPStatus, String, String) {
                var status: HTTPStatus = .ok, location = "", page = ""
                try await app.testing().test(.POST, "submissions", headers: clerk.multipartHeaders(boundary: boundary),
                                             body: AppHarness.multipart(boundary: boundary,
                                                                        fields: [("csrf_token", clerk.csrf), ("indicator", "HOU-001"), ("period", "2024-03")] + fields,
                                                                        file: ("file", file.0, file.1))) { res async in
                    status = res.status
                    location = res.headers.first(name: .location) ?? ""
                    page = res.body.string
                }
                if !location.isEmpty { try await AppHarness.waitForResult(app, path: String(location.dropFirst()), headers: clerk.headers) }
                return (status, location, page)
            }
            // given S01 filed: 165 accepted
            let (status, _, _) = try await upload([], file: (name, data))
            #expect(status == .seeOther)
            #expect(try await Self.currentRecords(app) == 165)

            // when two rows come without a mode, and as 更正 without confirmation
            let fix = Data((Self.header + Self.row(1) + Self.row(2)).utf8)
            let (noMode, _, noModePage) = try await upload([], file: ("fix.csv", fix))
            #expect(noMode == .conflict)
            #expect(noModePage.contains("本报送期已接收 165 条记录"))
            let (unconfirmed, _, unconfirmedPage) = try await upload([("mode", "replace")], file: ("fix.csv", fix))
            #expect(unconfirmed == .conflict)
            #expect(unconfirmedPage.contains("替换本期已接收的 165 条记录"))
            #expect(try await Self.currentRecords(app) == 165, "nothing replaced")

            // when they come as 补报
            let (appended, location, _) = try await upload([("mode", "append")], file: ("fix.csv", fix))
            #expect(appended == .seeOther)
            #expect(location.hasPrefix("/submissions/"))
            // then the earlier 165 are all still there, with the two new rows
            #expect(try await Self.currentRecords(app) == 167)

            // and a confirmed 更正 replaces them
            let (replaced, _, _) = try await upload([("mode", "replace"), ("confirm_replace", "1")], file: ("fix2.csv", Data((Self.header + Self.row(5)).utf8)))
            #expect(replaced == .seeOther)
            #expect(try await Self.currentRecords(app) == 1)
        }
    }

    @Test("correction keys: the valid fields with their positions, escaped, read back")
    func correctionKeys() {
        let key = CorrectionKey.make(fields: [0, 2, 13]) { ["a;b", nil, "x=y\\z"][$0 == 0 ? 0 : ($0 == 2 ? 1 : 2)] }
        #expect(key == "0=a\\;b;2=;13=x\\=y\\\\z;")
        #expect(CorrectionKey.fields(of: key) == [0, 2, 13])
        #expect(CorrectionMode(text: "补报") == .append)
        #expect(CorrectionMode(text: "REPLACE") == .replace)
        #expect(CorrectionMode(text: "merge") == nil)
        #expect(!CorrectionMode.isRequired(acceptedRecords: 0))
        #expect(CorrectionMode.isRequired(acceptedRecords: 1))
    }
}
