import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor
import VaporTesting

/// Issue 10 §2: every refused file gets the same result object — `refused: true`, counts 0, one file-level
/// error with its own code — from the API and the CLI, and appears in 报送记录 with its reason in Chinese.
@Suite("Refused files", .serialized)
struct RefusedFileTests {
    /// One kind of file a clerk uploads for HOU-001 2024-03 that is refused whole.
    struct Kind: Sendable, CustomTestStringConvertible {
        var name: String
        var fileName: String
        var data: @Sendable () throws -> Data
        var code: ImportErrorCode
        /// What the API answers (the file is stored refused whatever the status).
        var status: HTTPStatus
        /// What 报送记录 says about it.
        var reason: String
        /// The same file is uploaded once before (a duplicate).
        var uploadedBefore = false

        var testDescription: String { name }
    }

    static let header = "合同编号,房屋坐落,房屋用途,建筑面积（平方米）,成交价格（元）,交易类型,合同签订日期,买方姓名,买方证件类型,买方证件号码,卖方姓名,卖方证件类型,卖方证件号码,信息属地\r\n"

    static let kinds: [Kind] = [
        Kind(name: "Word (.docx)", fileName: "说明.docx", data: { try TestFiles.docx() }, code: .unsupportedFormat,
             status: .unprocessableEntity, reason: "Word 文档（.docx）"),
        Kind(name: "PDF", fileName: "扫描件.pdf", data: { Data("%PDF-1.4\n%\u{E2}\u{E3}\n1 0 obj\n<<>>\nendobj\n".utf8) },
             code: .unsupportedFormat, status: .unprocessableEntity, reason: "PDF 文件"),
        Kind(name: "PNG image", fileName: "截图.png",
             data: { Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52]) },
             code: .unsupportedFormat, status: .unprocessableEntity, reason: "PNG 图片"),
        Kind(name: "encrypted workbook", fileName: "加密.xlsx",
             data: { TestFiles.compoundFile(streams: ["\u{6}DataSpaces", "EncryptionInfo", "EncryptedPackage"]) },
             code: .unsupportedFormat, status: .unprocessableEntity, reason: "设置了打开密码的加密 Office 文件"),
        Kind(name: "legacy .xls", fileName: "房产交易.xls", data: { TestFiles.compoundFile(streams: ["Workbook", "\u{5}SummaryInformation"]) },
             code: .unsupportedFormat, status: .unprocessableEntity, reason: "旧版 Excel 文件（.xls"),
        Kind(name: "damaged xlsx", fileName: "损坏.xlsx", data: { Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]) },
             code: .unreadableFile, status: .unprocessableEntity, reason: "Excel 文件已损坏或不完整"),
        Kind(name: "empty", fileName: "空.csv", data: { Data() }, code: .emptyFile, status: .unprocessableEntity,
             reason: "文件是空的"),
        Kind(name: "header only", fileName: "只有表头.csv", data: { Data(header.utf8) }, code: .noDataRows,
             status: .unprocessableEntity, reason: "表头（第 1 行）下面没有数据行"),
        Kind(name: "wrong template", fileName: "CON-003_2024-03.xlsx", data: { try AppHarness.sampleData("S04").data },
             code: .wrongTemplate, status: .created, reason: "表头与「房产交易信息」的模板不符"),
        Kind(name: "duplicate", fileName: "HOU-001_2024-03.xlsx", data: { try AppHarness.sampleData("S01").data },
             code: .duplicateFile, status: .conflict, reason: "同一文件已于", uploadedBefore: true),
    ]

    /// The keys of an accepted upload's result (the import contract, then `sheet`, `header_row`, `encoding`,
    /// `error_messages`, `submission_id`, `status`) …
    static let resultKeys: Set<String> = [
        "indicator", "period", "file", "refused", "rows_total", "rows_accepted", "rows_rejected", "errors", "normalized",
        "sheet", "header_row", "encoding", "error_messages", "submission_id", "status",
    ]
    /// … and a refusal's: the same, with the reason (`message`) and the `error` clients switch on.
    static let refusalKeys = resultKeys.union(["message", "error"])

    /// Checks the one shape of a refusal's result object.
    static func checkRefusal(_ json: [String: Any], _ kind: Kind, file: String) throws {
        #expect(Set(json.keys) == refusalKeys, "\(kind.name): \(json.keys.sorted())")
        #expect(json["refused"] as? Bool == true && json["status"] as? String == "refused")
        #expect(json["indicator"] as? String == "HOU-001" && json["period"] as? String == "2024-03" && json["file"] as? String == file)
        #expect([json["rows_total"], json["rows_accepted"], json["rows_rejected"]].map { $0 as? Int } == [0, 0, 0])
        #expect((json["normalized"] as? [Any])?.isEmpty == true)
        let errors = try #require(json["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(errors.first?["code"] as? String == kind.code.rawValue)
        #expect(errors.first?["field"] is NSNull && errors.first?["value"] is NSNull)
        #expect(json["error"] as? String == kind.code.refusalClass)
        let message = try #require(json["message"] as? String)
        #expect(message.contains(kind.reason), "\(kind.name): \(message)")
        let located = try #require(json["error_messages"] as? [String])
        #expect(located.count == 1 && located.first?.hasSuffix(message) == true)
    }

    @Test("an accepted upload's result has the contract's keys")
    func acceptedKeys() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S04")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=CON-003&period=2024-03&file=\(name)",
                                         headers: try await AppHarness.token(app, unit: "urban-construction"),
                                         body: ByteBuffer(data: data)) { res async throws in
                #expect(res.status == .created)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(Set(json.keys) == Self.resultKeys)
            }
        }
    }

    @Test("API: the same result object for every refusal, stored refused, listed in 报送记录 with its reason, discharging nothing",
          arguments: kinds)
    func overTheAPI(_ kind: Kind) async throws {
        try await AppHarness.withApp { app, _ async throws in
            let housing = try await AppHarness.token(app, unit: "housing")
            let data = try kind.data()
            let path = "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(kind.fileName.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)"
            if kind.uploadedBefore {
                try await app.testing().test(.POST, path, headers: housing, body: ByteBuffer(data: data)) { res async in
                    #expect(res.status == .created)
                }
            }
            var id = ""
            // when
            try await app.testing().test(.POST, path, headers: housing, body: ByteBuffer(data: data)) { res async throws in
                // then
                #expect(res.status == kind.status)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                try Self.checkRefusal(json, kind, file: kind.fileName)
                id = json["submission_id"] as? String ?? ""
            }
            // stored refused, with its one error and no record
            let submissionID = try #require(UUID(uuidString: id))
            let stored = try #require(try await SubmissionRepository(database: app.db).find(submissionID))
            #expect(stored.state == "refused" && stored.status == "refused" && stored.rowsAccepted == 0)
            #expect(try await SubmissionRepository(database: app.db).errors(of: try stored.requireID()).map(\.code) == [kind.code.rawValue])
            #expect(try await AcceptedRowRecord.query(on: app.db).filter(\.$submission.$id == stored.requireID()).count() == 0)
            // it discharges nothing: the task's current submission is the earlier upload, or none
            let current = try await ReportingRepository(database: app.db).current(indicator: "HOU-001", period: "2024-03")
            #expect(current?.id != stored.id)
            #expect((current == nil) == !kind.uploadedBefore)
            // the API's stored result is the same object
            try await app.testing().test(.GET, "api/v1/submissions/\(id)", headers: housing) { res async throws in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(json["refused"] as? Bool == true)
                #expect((json["errors"] as? [[String: Any]])?.first?["code"] as? String == kind.code.rawValue)
            }
            // 报送记录 lists it with its reason in Chinese, and its page says why
            let clerk = try await AppHarness.login(app, unit: "housing")
            try await app.testing().test(.GET, "submissions", headers: clerk.headers) { res async in
                let page = res.body.string
                #expect(page.contains("/submissions/\(id)"))
                #expect(page.contains(kind.code.chineseName), "\(kind.name): the reason's name")
                #expect(page.contains(kind.reason), "\(kind.name): the reason")
            }
            try await app.testing().test(.GET, "submissions/\(id)", headers: clerk.headers) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("文件被拒收（\(kind.code.chineseName)）"))
            }
        }
    }

    @Test("CLI: import --json prints the same result object, exit status 2, and stores the refusal", arguments: kinds)
    func fromTheCommandLine(_ kind: Kind) throws {
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["GONGZHI_DB": dir.appendingPathComponent("db.sqlite").path, "GONGZHI_FILES": dir.appendingPathComponent("files").path]
        let file = dir.appendingPathComponent(kind.fileName)
        try kind.data().write(to: file)
        let arguments = ["import", file.path, "--indicator", "HOU-001", "--period", "2024-03", "--json"]
        if kind.uploadedBefore {
            #expect(try CLITests.run(arguments, environment: env).status == 0)
        }
        let run = try CLITests.run(arguments, environment: env)
        #expect(run.status == 2, Comment(rawValue: run.stderr))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout: \(run.stdout)")
        try Self.checkRefusal(json, kind, file: kind.fileName)
        // --dry-run prints the same object, without storing (no submission id)
        if !kind.uploadedBefore {
            let dry = try CLITests.run(arguments + ["--dry-run"], environment: env)
            #expect(dry.status == 2)
            let dryJSON = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
            #expect(Set(dryJSON.keys) == Self.refusalKeys.subtracting(["submission_id", "status"]))
            #expect((dryJSON["errors"] as? [[String: Any]])?.first?["code"] as? String == kind.code.rawValue)
        }
    }

    @Test("the assessment's format_ok: a file off the formats before the good one costs format points; an empty one does not",
          arguments: [(kinds[1], false), (kinds[4], false), (kinds[8], false), (kinds[6], true), (kinds[7], true)])
    func formatPoints(_ kind: Kind, _ formatOK: Bool) async throws {
        let clock = TestClock()
        try await AppHarness.withApp(clock: clock.clock) { app, directory async throws in
            // given: the refused file on 04-10, then the good one on 04-18, for HOU-001 2024-03
            let refused = directory.appendingPathComponent(kind.fileName)
            try kind.data().write(to: refused)
            let (name, data, _) = try AppHarness.sampleData("S01")
            let good = directory.appendingPathComponent(name)
            try data.write(to: good)
            for (day, file) in [("2024-04-10", refused), ("2024-04-18", good)] {
                clock.set(day)
                _ = try await app.submissions.submit(file: file, fileName: file.lastPathComponent, indicatorCode: "HOU-001",
                                                     period: "2024-03", by: .commandLine(unit: "housing"))
            }
            // when
            let facts = try await AssessmentService(database: app.db, clock: app.gongzhi.clock)
                .facts(unit: "housing", quarter: ReportingPeriod("2024Q1")!, asOf: CalendarDate(iso: "2024-04-30")!,
                       catalog: try await app.gongzhi.reporting(on: app.db).catalog())
            // then
            let task = try #require(facts.tasks.first { $0.indicator == "HOU-001" && $0.period == ReportingPeriod("2024-03") })
            #expect(task.formatOK == formatOK, "\(kind.name)")
            #expect(task.submittedOn == CalendarDate(iso: "2024-04-18") && task.records == 182, "the good file discharged the task")
        }
    }

    @Test("the result page of a file with rejected rows charts them by error type, in Chinese")
    func rejectionChart() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S01")
            var id = ""
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)",
                                         headers: try await AppHarness.token(app, unit: "housing"), body: ByteBuffer(data: data)) { res async throws in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(json["rows_rejected"] as? Int == 17)
                id = json["submission_id"] as? String ?? ""
            }
            let clerk = try await AppHarness.login(app, unit: "housing")
            try await app.testing().test(.GET, "submissions/\(id)", headers: clerk.headers) { res async in
                let page = res.body.string
                #expect(page.contains("class=\"chart\" role=\"img\" aria-label=\"被退回的行：按错误类型\""))
                #expect(page.contains("被退回的行：按错误类型"))
                for code in [ImportErrorCode.badCheckDigit, .duplicateRow, .notANumber] {
                    #expect(page.contains("data-label=\"\(code.chineseName)\""), "\(code.rawValue) charted")
                }
            }
            // a clean file has no chart
            let (clean, cleanData, _) = try AppHarness.sampleData("S04")
            var cleanID = ""
            try await app.testing().test(.POST, "api/v1/submissions?indicator=CON-003&period=2024-03&file=\(clean)",
                                         headers: try await AppHarness.token(app, unit: "urban-construction"),
                                         body: ByteBuffer(data: cleanData)) { res async throws in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                cleanID = json["submission_id"] as? String ?? ""
            }
            let admin = try await AppHarness.login(app)
            try await app.testing().test(.GET, "submissions/\(cleanID)", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                #expect(!res.body.string.contains("class=\"chart\""))
            }
        }
    }
}
