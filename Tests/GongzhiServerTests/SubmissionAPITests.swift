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

@Suite("Submissions over HTTP", .serialized)
struct SubmissionAPITests {
    @Test("API upload of S01 returns the contract and reads back with its records")
    func apiUploadAndReadBack() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let (name, data, contract) = try AppHarness.sampleData("S01")
            let housing = try await AppHarness.token(app, unit: "housing")
            var submissionID = ""
            // when
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)",
                                         headers: housing, body: ByteBuffer(data: data)) { res async throws in
                // then
                #expect(res.status == .created)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                let differences = ContractComparison.differences(actual: json, expected: try contract.expectedJSON(),
                                                                 decimalFields: contract.decimalFields)
                #expect(differences.isEmpty, Comment(rawValue: differences.joined(separator: "\n")))
                #expect(json["status"] as? String == "partially_accepted")
                submissionID = json["submission_id"] as? String ?? ""
            }
            try await app.testing().test(.GET, "api/v1/submissions/\(submissionID)", headers: housing) { res async throws in
                #expect(res.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(ContractComparison.differences(actual: json, expected: try contract.expectedJSON(),
                                                       decimalFields: contract.decimalFields).isEmpty)
            }
            var records: [[String: Any]] = []
            for page in 1...3 {
                try await app.testing().test(.GET, "api/v1/submissions/\(submissionID)/records?page=\(page)&per=70", headers: housing) { res async throws in
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                    #expect(json["total"] as? Int == 165)
                    for record in json["records"] as? [[String: Any]] ?? [] {
                        #expect(record["sheet"] as? String == "Sheet1")
                        records.append(["row": record["row"] as Any, "values": record["values"] as Any])
                    }
                }
            }
            let differences = ContractComparison.recordDifferences(actual: records, expected: try contract.expectedRecords(),
                                                                   decimalFields: contract.decimalFields)
            #expect(differences.isEmpty, Comment(rawValue: differences.joined(separator: "\n")))
            let stored = try #require(try await SubmissionRecord.query(on: app.db).first())
            #expect(stored.actingUnitCode == "housing")
            #expect(stored.unitCode == "housing")
            #expect(stored.fileSHA256.count == 64)
        }
    }

    @Test("every sample stored through the service reads back exactly", arguments: ContractCase.samples())
    func everySampleStoresItsRecords(_ contract: ContractCase) async throws {
        try await AppHarness.withApp { app, _ async throws in
            // when
            let outcome = try await app.submissions.submit(
                file: contract.file, fileName: contract.file.lastPathComponent, indicatorCode: contract.indicator.code,
                period: contract.period, by: .commandLine(unit: contract.indicator.unit))
            // then
            let report = try JSONSerialization.jsonObject(with: Data(outcome.report.contractJSON().serialized().utf8)) as! [String: Any]
            #expect(ContractComparison.differences(actual: report, expected: try contract.expectedJSON(),
                                                   decimalFields: contract.decimalFields).isEmpty)
            let repository = SubmissionRepository(database: app.db)
            let (rows, total) = try await repository.records(of: try #require(try await repository.find(outcome.submissionID)), page: 1, per: 10_000)
            #expect(total == outcome.report.rowsAccepted)
            let actual = try rows.map { row -> [String: Any] in
                ["row": row.rowNumber, "values": try JSONSerialization.jsonObject(with: Data(row.values.utf8))]
            }
            let differences = ContractComparison.recordDifferences(actual: actual, expected: try contract.expectedRecords(),
                                                                   decimalFields: contract.decimalFields)
            #expect(differences.isEmpty, Comment(rawValue: differences.joined(separator: "\n")))
            let errors = try await SubmissionRepository(database: app.db).errors(of: outcome.submissionID)
            #expect(errors.map(\.row) == outcome.report.errors.map(\.row))
            let submission = try #require(try await SubmissionRepository(database: app.db).find(outcome.submissionID))
            #expect(submission.status == outcome.report.outcome.rawValue)
            #expect(submission.rowsTotal == outcome.report.rowsTotal)
        }
    }

    @Test("a refused file is stored as refused, with no records")
    func wrongTemplateIsRefused() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S11")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=LTS-009&period=2024-03&file=\(name)",
                                         headers: try await AppHarness.token(app, unit: "local-tax"), body: ByteBuffer(data: data)) { res async throws in
                #expect(res.status == .created)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(json["refused"] as? Bool == true)
                #expect(json["status"] as? String == "refused")
                let message = try #require(json["message"] as? String)
                #expect(message.contains("无法识别的列"))
                #expect(message.contains("缺少必填列"))
            }
            #expect(try await SubmissionRepository(database: app.db).counts() == (1, 0))
        }
    }

    @Test("unreadable and hostile files get a Chinese error, are stored refused without records, and the server keeps serving",
          arguments: [
              ("legacy.xls", Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0])),
              ("truncated.xlsx", Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00])),
              ("image.bin", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D])),
          ])
    func unreadableFiles(_ file: (String, Data)) async throws {
        try await AppHarness.withApp { app, _ async throws in
            let housing = try await AppHarness.token(app, unit: "housing")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(file.0)",
                                         headers: housing, body: ByteBuffer(data: file.1)) { res async throws in
                #expect(res.status == .unprocessableEntity)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(json["error"] as? String == "unreadable_file")
                #expect((json["message"] as? String)?.isEmpty == false)
                #expect(json["refused"] as? Bool == true && json["status"] as? String == "refused")
            }
            // stored refused (issue 10: it shows in 报送记录), never with records
            #expect(try await SubmissionRepository(database: app.db).counts() == (1, 0))
            #expect(try await SubmissionRecord.query(on: app.db).first()?.state == "refused")
            try await app.testing().test(.GET, "api/v1/catalog/indicators", headers: housing) { res async in
                #expect(res.status == .ok)
            }
        }
    }

    @Test("a file over the upload limit is refused with 413")
    func uploadLimit() async throws {
        try await AppHarness.withApp(maxUploadBytes: 10_000) { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S01")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)",
                                         headers: try await AppHarness.token(app, unit: "housing"), body: ByteBuffer(data: data)) { res async throws in
                #expect(res.status == .payloadTooLarge)
                #expect(res.body.string.contains("上限"))
            }
            #expect(try await SubmissionRepository(database: app.db).counts() == (0, 0))
        }
    }

    @Test("wrong period kind and unknown indicators are explained")
    func badRequests() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S01")
            let housing = try await AppHarness.token(app, unit: "housing")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024Q1&file=\(name)",
                                         headers: housing, body: ByteBuffer(data: data)) { res async throws in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("period_mismatch"))
            }
            try await app.testing().test(.POST, "api/v1/submissions?indicator=NOPE-001&period=2024-03",
                                         headers: housing, body: ByteBuffer(data: data)) { res async throws in
                #expect(res.status == .notFound)
                #expect(res.body.string.contains("unknown_indicator"))
            }
        }
    }
}

/// Fails after writing its first batch: the submission's transaction must leave nothing behind.
struct FailingRecordWriter: RecordWriter {
    struct InjectedFailure: Error {}

    let dialect: DatabaseDialect

    func write(_ batch: [AcceptedRecord], fields: [GongzhiCore.Field], lineage: RecordLineage,
               on database: any Database) async throws {
        try await RecordWriters.writer(for: dialect).write(batch, fields: fields, lineage: lineage, on: database)
        throw InjectedFailure()
    }
}

@Suite("All or nothing", .serialized)
struct AtomicityTests {
    @Test("a failure in the middle of storing leaves no submission, no records and no kept file")
    func failureLeavesNothing() async throws {
        try await AppHarness.withApp(writer: FailingRecordWriter(dialect: AppHarness.postgresURL == nil ? .sqlite : .postgres)) { app, directory async throws in
            // given
            let (name, data, _) = try AppHarness.sampleData("S01")
            let housing = try await AppHarness.token(app, unit: "housing")
            // when
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)",
                                         headers: housing, body: ByteBuffer(data: data)) { res async in
                // then
                #expect(res.status == .internalServerError)
                #expect(res.body.string.contains("request_id"))
                #expect(!res.body.string.contains("InjectedFailure"))
            }
            #expect(try await SubmissionRepository(database: app.db).counts() == (0, 0))
            #expect(try await SubmissionErrorRecord.query(on: app.db).count() == 0)
            #expect(try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM record_keys").first()?.decode(column: "n", as: Int.self) == 0)
            let kept = FileManager.default.enumerator(atPath: directory.appendingPathComponent("files").path)?
                .compactMap { $0 as? String }.filter { $0.hasSuffix(".bin") } ?? []
            #expect(kept.isEmpty)
            // and the server still serves
            try await app.testing().test(.GET, "api/v1/submissions", headers: housing) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string == "[]")
            }
        }
    }
}

@Suite("Uploads that cannot be taken", .serialized)
struct UploadRefusalTests {
    /// Posts with the API token of a reporter of `unit` (the indicator's own unit by default in these tests).
    static func post(_ app: Application, _ path: String, body: Data, headers: HTTPHeaders = [:], unit: String = "housing",
                     _ check: @escaping (TestingHTTPResponse) async throws -> Void) async throws {
        var headers = headers
        headers.add(contentsOf: try await AppHarness.token(app, unit: unit))
        try await app.testing().test(.POST, path, headers: headers, body: ByteBuffer(data: body)) { res async throws in
            try await check(res)
        }
    }

    @Test("empty files, header-only files and forms sent to the API are refused; the files are stored refused, without records")
    func emptyAndMisdirected() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let path = "api/v1/submissions?indicator=HOU-001&period=2024-03&file=x.csv"
            try await Self.post(app, path, body: Data()) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(res.body.string.contains("文件是空的"))
            }
            try await Self.post(app, path, body: Data("\r\n\r\n,,,\r\n".utf8)) { res in
                #expect(res.body.string.contains("文件是空的"))
            }
            let header = "合同编号,房屋坐落,房屋用途,建筑面积（平方米）,成交价格（元）,交易类型,合同签订日期,买方姓名,买方证件类型,买方证件号码,卖方姓名,卖方证件类型,卖方证件号码,信息属地\r\n"
            try await Self.post(app, path, body: Data(header.utf8)) { res in
                #expect(res.status == .unprocessableEntity)
                #expect(res.body.string.contains("没有数据行"))
            }
            try await Self.post(app, path, body: Data("--b\r\n".utf8), headers: ["Content-Type": "multipart/form-data; boundary=b"]) { res in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("form_instead_of_file"))
            }
            // the three files (not the misdirected form) are listed as refused; no record is stored
            #expect(try await SubmissionRepository(database: app.db).counts() == (3, 0))
            #expect(try await SubmissionRecord.query(on: app.db).filter(\.$state == "refused").count() == 3)
        }
    }

    @Test("the same file twice for the same period is stored once; an unknown acting unit or a future period is refused")
    func duplicatesUnitsAndPeriods() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S04")
            let path = "api/v1/submissions?indicator=CON-003&period=2024-03&file=\(name)"
            try await Self.post(app, path, body: data, unit: "urban-construction") { res in #expect(res.status == .created) }
            try await Self.post(app, path, body: data, unit: "urban-construction") { res in
                #expect(res.status == .conflict)
                #expect(res.body.string.contains("同一文件已于 2026-11-29 10:00:00 报送过"))
            }
            // a user whose unit has left the catalog
            try await Self.post(app, path, body: data, unit: "no-such-unit") { res in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("unknown_unit"))
            }
            try await Self.post(app, "api/v1/submissions?indicator=CON-003&period=2027-01&file=\(name)", body: data, unit: "urban-construction") { res in
                #expect(res.status == .badRequest)
                #expect(res.body.string.contains("还没有开始"))
            }
            try await Self.post(app, "api/v1/submissions?indicator=CON-003&period=2024-3&file=\(name)", body: data, unit: "urban-construction") { res in
                #expect(res.status == .conflict, "2024-3 reads as 2024-03, so this is the same file again")
            }
            // the data are stored once; each repeat is listed as a refused submission without records
            #expect(try await SubmissionRepository(database: app.db).counts() == (3, 60))
            #expect(try await SubmissionRecord.query(on: app.db).filter(\.$state == "refused").count() == 2)
            #expect(try await ReportingRepository(database: app.db).currentSubmissions(indicator: "CON-003", period: "2024-03", on: app.db)
                .map(\.rowsAccepted) == [60], "the first upload stays the task's only current submission")
        }
    }
}

@Suite("Hostile workbooks over HTTP", .serialized)
struct HostileUploadTests {
    @Test("a workbook declaring a DTD or entities, or a zip bomb, is refused; nothing is stored and the server keeps serving")
    func hostileWorkbooks() async throws {
        let laughs = """
        <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>
        """
        let spaces = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
            + String(repeating: " ", count: 40 << 20) + "</sheetData></worksheet>"
        try await AppHarness.withApp { app, _ async throws in
            let housing = try await AppHarness.token(app, unit: "housing")
            for (name, data, expected) in [("laughs.xlsx", try TestWorkbook.xlsx(sheet: laughs), "DOCTYPE"),
                                           ("bomb.xlsx", try TestWorkbook.xlsx(sheet: spaces), "异常压缩")] {
                #expect(data.count < 200_000, "\(name) is small on the wire")
                try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)",
                                             headers: housing, body: ByteBuffer(data: data)) { res async in
                    #expect(res.status == .unprocessableEntity)
                    #expect(res.body.string.contains(expected), "\(name): \(res.body.string)")
                }
            }
            // both are listed as refused, without records
            #expect(try await SubmissionRepository(database: app.db).counts() == (2, 0))
            try await app.testing().test(.GET, "/", headers: housing) { res async in #expect(res.status == .ok) }
        }
    }
}
