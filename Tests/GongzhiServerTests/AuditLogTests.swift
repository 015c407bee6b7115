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

/// The audit log in the database (issue 5): appended in the act's transaction, verified as a chain, and
/// tampering done directly in the database named by the verifier and by `gongzhi audit verify`.
@Suite("Audit log and lineage")
struct AuditLogTests {
    struct Boom: Error {}

    static let clerk = AuditActor(user: "wang", unit: "tax", address: "10.0.0.8")

    /// `count` events by ``clerk``, each naming two record ids; returns the sealed entries.
    static func appendEvents(_ count: Int, on db: any Database) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for i in 0..<count {
            let target = AuditTarget(indicatorCode: "HOU-001", recordIDs: ["\(i)", "\(i + 1000)"], query: "q=\(i)", rowCount: 2,
                                     detail: i % 2 == 0 ? nil : "第 \(i) 次")
            entries.append(try await AuditLog.append(clerk.event(.query, target, at: AppHarness.fixedNow), on: db))
        }
        return entries
    }

    static func sql(_ app: Application, _ statement: String) async throws {
        let sql = try #require(app.db as? any SQLDatabase)
        try await sql.raw(SQLQueryString(statement)).run()
    }

    static func broken(_ verification: AuditVerification) -> AuditChain.Break? {
        if case .broken(let b) = verification.result { return b }
        return nil
    }

    @Test("an entry appended in a transaction that then fails disappears with it")
    func rollbackTakesTheEntry() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let log = AuditLog(database: app.db)
            let before = try await log.head()
            // when
            await #expect(throws: Boom.self) {
                try await app.db.transaction { db in
                    _ = try await Self.appendEvents(1, on: db)
                    throw Boom()
                }
            }
            // then
            #expect(try await log.head() == before)
            #expect(try await AuditEntryRecord.query(on: app.db).count() == before.sequence)
            #expect(try await log.entries(touchingRecord: "1000").isEmpty)
            let next = try await Self.appendEvents(1, on: app.db)
            #expect(next.first?.sequence == before.sequence + 1)
        }
    }

    @Test("N events verify intact, in any batch size, and read back byte for byte", arguments: [2, 5000])
    func intactChain(batchSize: Int) async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given: the seed catalog's entry, then 9 more
            let appended = try await Self.appendEvents(9, on: app.db)
            let log = AuditLog(database: app.db)
            // when
            let verification = try await log.verify(batchSize: batchSize)
            // then
            #expect(verification.result == .intact(count: 10))
            #expect(verification.head == AuditChain.Anchor(sequence: 10, hash: appended.last!.hash))
            let stored = try await AuditEntryRecord.query(on: app.db).sort(\.$sequence).all().compactMap(\.entry)
            #expect(Array(stored.suffix(9)) == appended)
            #expect(try await log.verify(batchSize: batchSize, head: AuditChain.Anchor(sequence: 4, hash: stored[3].hash)).result
                    == .intact(count: 10))
        }
    }

    @Test("concurrent appenders each take their own place in the chain")
    func concurrentAppends() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // when: 8 appends at once, each in its own transaction on whichever connection it gets — as many as
            // the PostgreSQL pool holds (4 per event loop, 2 loops), so all race for the append lock at once.
            // More would queue in the pool behind the lock, and under the whole suite's load on 2 cores the
            // queue outlasted the pool's 10 s request timeout: that measured the pool, not the chain.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        let event = Self.clerk.event(.recordView, AuditTarget(recordIDs: ["\(i)"]), at: AppHarness.fixedNow)
                        _ = try await AuditLog.append(event, on: app.db)
                    }
                }
                try await group.waitForAll()
            }
            // then
            #expect(try await AuditLog(database: app.db).verify().result == .intact(count: 9))
            #expect(try await AuditLog(database: app.db).entries(touchingRecord: "7").count == 1)
        }
    }

    @Test("concurrent page views share commits (group commit), and each gets its own committed entry")
    func groupCommit() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let commits = AuditGroupCommit()
            // when: 60 appends at once, each naming its own record
            let entries = try await withThrowingTaskGroup(of: AuditEntry.self) { group in
                for i in 0..<60 {
                    group.addTask {
                        let event = Self.clerk.event(.recordView, AuditTarget(recordIDs: ["r\(i)"]), at: AppHarness.fixedNow)
                        return try await commits.append(event, on: app.db)
                    }
                }
                return try await group.reduce(into: [AuditEntry]()) { $0.append($1) }
            }
            // then: every caller got a distinct place, fewer transactions than entries, and the chain verifies
            #expect(Set(entries.map(\.sequence)).count == 60)
            #expect(await commits.entries == 60)
            #expect(await commits.batches < 60)
            #expect(try await AuditLog(database: app.db).verify().result == .intact(count: 61))
            for entry in entries {
                let touching = try await AuditLog(database: app.db).entries(touchingRecord: entry.event.target.recordIDs[0])
                #expect(touching.map(\.sequence) == [Int64(entry.sequence)])
            }
        }
    }

    @Test("an append batched with others commits with the act's transaction when it is given one")
    func groupCommitInsideTransaction() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let commits = AuditGroupCommit()
            await #expect(throws: Boom.self) {
                try await app.db.transaction { db in
                    _ = try await commits.append(Self.clerk.event(.query, AuditTarget(), at: AppHarness.fixedNow), on: db)
                    throw Boom()
                }
            }
            #expect(try await AuditLog(database: app.db).verify().result == .intact(count: 1))
            #expect(await commits.batches == 0)
        }
    }

    @Test("a row edited directly in the database is named as edited", arguments: [2, 5000])
    func editedRow(batchSize: Int) async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            _ = try await Self.appendEvents(6, on: app.db)
            // when
            try await Self.sql(app, "UPDATE audit_log SET detail = '改过' WHERE seq = 4")
            // then
            let failure = try #require(Self.broken(try await AuditLog(database: app.db).verify(batchSize: batchSize)))
            #expect(failure.sequence == 4)
            #expect(failure.reason == .edited)
            #expect(failure.message.contains("第 4 条"))
        }
    }

    @Test("a deleted middle row is named as deleted", arguments: [2, 3, 5000])
    func deletedRow(batchSize: Int) async throws {
        try await AppHarness.withApp { app, _ async throws in
            _ = try await Self.appendEvents(6, on: app.db)
            try await Self.sql(app, "DELETE FROM audit_log WHERE seq = 4")
            let failure = try #require(Self.broken(try await AuditLog(database: app.db).verify(batchSize: batchSize)))
            #expect(failure.reason == .deleted(from: 4, to: 4))
            #expect(failure.sequence == 5)
            #expect(failure.message.contains("缺少第 4 条"))
        }
    }

    @Test("two rows with their sequence numbers swapped are named as reordered", arguments: [2, 3, 5000])
    func swappedRows(batchSize: Int) async throws {
        try await AppHarness.withApp { app, _ async throws in
            _ = try await Self.appendEvents(6, on: app.db)
            // seq is unique: swap through a free number
            try await Self.sql(app, "UPDATE audit_log SET seq = -1 WHERE seq = 3")
            try await Self.sql(app, "UPDATE audit_log SET seq = 3 WHERE seq = 4")
            try await Self.sql(app, "UPDATE audit_log SET seq = 4 WHERE seq = -1")
            let failure = try #require(Self.broken(try await AuditLog(database: app.db).verify(batchSize: batchSize)))
            #expect(failure.reason == .reordered(expected: 3, found: 4))
            #expect(failure.position == 2)
        }
    }

    @Test("a noted head catches the newest entries dropped")
    func truncatedAgainstHead() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let appended = try await Self.appendEvents(4, on: app.db)
            let head = AuditChain.Anchor(sequence: appended.last!.sequence, hash: appended.last!.hash)
            try await Self.sql(app, "DELETE FROM audit_log WHERE seq = \(head.sequence)")
            let log = AuditLog(database: app.db)
            #expect(try await log.verify().result == .intact(count: head.sequence - 1))
            let failure = try #require(Self.broken(try await log.verify(head: head)))
            #expect(failure.reason == .truncated(expectedLast: head.sequence, foundLast: head.sequence - 1))
        }
    }

    @Test("gongzhi audit verify exits 0 on an intact log and 1 naming the edited entry")
    func verifyCommand() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given
            _ = try await Self.appendEvents(5, on: app.db)
            var environment = ["GONGZHI_FILES": directory.appendingPathComponent("files").path]
            switch app.gongzhi.config.database {
            case .sqlite(let path): environment["GONGZHI_DB"] = path
            case .postgres(let url): environment["DATABASE_URL"] = url
            }
            // when intact
            let intact = try CLITests.run(["audit", "verify"], environment: environment)
            #expect(intact.status == 0, Comment(rawValue: intact.stdout + intact.stderr))
            #expect(intact.stdout.contains("审计日志完整：共 6 条"))
            // when edited
            try await Self.sql(app, "UPDATE audit_log SET detail = '改过' WHERE seq = 3")
            let edited = try CLITests.run(["audit", "verify"], environment: environment)
            #expect(edited.status == 1, Comment(rawValue: edited.stdout + edited.stderr))
            #expect(edited.stdout.contains("第 3 条"))
            #expect(edited.stdout.contains("被修改过"))
            let json = try CLITests.run(["audit", "verify", "--json"], environment: environment)
            #expect(json.status == 1)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["seq"] as? Int == 3)
            #expect(object["reason"] as? String == "edited")
            // the command's own runs are recorded
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "audit_view").count() == 3)
        }
    }

    // MARK: Acts

    /// A bearer header of an auditor of the tax office (auditors read every unit's records and the log).
    static func auditor(_ app: Application) async throws -> HTTPHeaders {
        try await AppHarness.token(app, unit: "tax-office", roles: [.auditor])
    }

    /// Posts sample S01 (HOU-001, 2024-03) over the API as the housing unit; returns the submission id.
    static func submitS01(_ app: Application) async throws -> String {
        let (name, data, _) = try AppHarness.sampleData("S01")
        var id = ""
        try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)",
                                     headers: try await AppHarness.token(app, unit: "housing"), body: ByteBuffer(data: data)) { res async throws in
            #expect(res.status == .created)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
            id = try #require(json["submission_id"] as? String)
        }
        return id
    }

    @Test("a submission over the API writes exactly one submission entry; viewing records one record_view with the ids")
    func submissionAndView() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // when
            let id = try await Self.submitS01(app)
            // then
            let submissions = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "submission").all()
            #expect(submissions.count == 1)
            let stored = try #require(try await SubmissionRecord.find(UUID(uuidString: id), on: app.db))
            let entry = try #require(submissions.first)
            #expect(entry.unitCode == "housing")
            #expect(entry.indicatorCode == "HOU-001")
            #expect(entry.rowCount == Int64(stored.rowsAccepted))
            #expect(entry.detail?.hasPrefix("submission=\(id);") == true)
            #expect(entry.detail?.contains("period=2024-03") == true)
            #expect(entry.detail?.contains(stored.fileSHA256) == true)

            // when viewing a page of records over the API
            var ids: [String] = []
            try await app.testing().test(.GET, "api/v1/submissions/\(id)/records?page=2&per=5", headers: try await AppHarness.token(app, unit: "housing")) { res async throws in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                ids = (json["records"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? Int).map(String.init) }
            }
            #expect(ids.count == 5)
            let views = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "record_view").all()
            #expect(views.count == 1)
            #expect(views.first?.recordIDs == ids)
            #expect(views.first?.rowCount == 5)
            #expect(views.first?.query?.contains("page=2") == true)

            // and on the page
            try await app.testing().test(.GET, "submissions/\(id)/records", headers: try await Self.auditor(app)) { res async in
                #expect(res.status == .ok)
            }
            let pageView = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "record_view")
                .sort(\.$sequence, .descending).first())
            #expect(pageView.unitCode == "tax-office")
            #expect(pageView.recordIDs?.count == 50)
            #expect(try await AuditLog(database: app.db).verify().result == .intact(count: 4))
        }
    }

    @Test("a submission that fails part-way leaves no submission entry")
    func failedSubmissionLeavesNoEntry() async throws {
        let writer = FailingRecordWriter(dialect: AppHarness.postgresURL == nil ? .sqlite : .postgres)
        try await AppHarness.withApp(writer: writer) { app, _ async throws in
            let (name, data, _) = try AppHarness.sampleData("S01")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)",
                                         headers: try await AppHarness.token(app, unit: "housing"), body: ByteBuffer(data: data)) { res async in
                #expect(res.status == .internalServerError)
            }
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "submission").count() == 0)
            #expect(try await AuditLog(database: app.db).verify().result == .intact(count: 1))
        }
    }

    @Test("a record's lineage lists its submission, file SHA-256, row and every view of it")
    func lineage() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let id = try await Self.submitS01(app)
            let stored = try #require(try await SubmissionRecord.find(UUID(uuidString: id), on: app.db))
            let record = try #require(try await AcceptedRowRecord.query(on: app.db).filter(\.$submission.$id == stored.requireID())
                .sort(\.$rowNumber).first())
            let recordID = try #require(record.id)
            try await app.testing().test(.GET, "submissions/\(id)/records?page=1", headers: try await Self.auditor(app)) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("/records/\(recordID)/lineage"))
            }
            let view = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "record_view").first())
            // when
            try await app.testing().test(.GET, "api/v1/records/\(recordID)/lineage", headers: try await Self.auditor(app)) { res async throws in
                // then
                #expect(res.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                let submission = try #require(json["submission"] as? [String: Any])
                #expect(submission["submission_id"] as? String == id)
                #expect(submission["file_sha256"] as? String == stored.fileSHA256)
                #expect(submission["period"] as? String == "2024-03")
                #expect(submission["current"] as? Bool == true)
                #expect(json["row"] as? Int == record.rowNumber)
                #expect(json["sheet"] as? String == "Sheet1")
                #expect((json["submitted"] as? [String: Any])?["action"] as? String == "submission")
                let audit = try #require(json["audit"] as? [[String: Any]])
                #expect(audit.count == 1)
                #expect(audit.first?["seq"] as? Int == Int(view.sequence))
                #expect(audit.first?["unit"] as? String == "tax-office")
            }
            try await app.testing().test(.GET, "records/\(recordID)/lineage", headers: try await Self.auditor(app)) { res async in
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains(stored.fileSHA256))
                #expect(page.contains("/submissions/\(id)"))
                #expect(page.contains("查看记录"))
                #expect(page.contains("当前有效"))
            }
            try await app.testing().test(.GET, "api/v1/records/999999/lineage", headers: try await Self.auditor(app)) { res async in
                #expect(res.status == .notFound)
            }
        }
    }

    @Test("the audit page filters by action and exports CSV; both are themselves recorded")
    func auditPageAndExport() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            _ = try await Self.appendEvents(3, on: app.db)
            let id = try await Self.submitS01(app)
            // when
            try await app.testing().test(.GET, "audit?action=submission", headers: try await Self.auditor(app)) { res async in
                // then
                #expect(res.status == .ok)
                let page = res.body.string
                #expect(page.contains("审计日志"))
                #expect(page.contains("data-action=\"submission\""))
                #expect(!page.contains("data-action=\"query\""))
                #expect(page.contains("报送编号：\(id)"), "the detail in Chinese")
            }
            try await app.testing().test(.GET, "audit?user=wang&from=2026-11-29&to=2026-11-29", headers: try await Self.auditor(app)) { res async in
                #expect(res.status == .ok)
                #expect(res.body.string.contains("共 3 条"))
            }
            try await app.testing().test(.GET, "audit?from=2026-13-01", headers: try await Self.auditor(app)) { res async in
                #expect(res.status == .badRequest)
            }
            try await app.testing().test(.GET, "audit.csv?action=query", headers: try await Self.auditor(app)) { res async in
                #expect(res.status == .ok)
                #expect(res.headers.contentType?.subType == "csv")
                let csv = res.body.string
                #expect(csv.hasPrefix("\u{FEFF}序号,时间,用户"))
                let lines = csv.split(separator: "\r\n")
                #expect(lines.count == 4)
                #expect(lines.dropFirst().allSatisfy { $0.contains(",wang,tax,查询,query,") })
            }
            let views = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "audit_view").sort(\.$sequence).all()
            #expect(views.count == 3)
            #expect(views.last?.detail == "export=csv")
            #expect(views.last?.rowCount == 3)
            #expect(try await AuditLog(database: app.db).verify().result == .intact(count: 8))
        }
    }

    @Test("a CSV export neutralises formulas in logged text")
    func exportNeutralisesFormulas() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let actor = AuditActor(user: "=HYPERLINK(\"x\")", unit: "tax", address: "10.0.0.1")
            _ = try await AuditLog.append(actor.event(.login, at: AppHarness.fixedNow), on: app.db)
            try await app.testing().test(.GET, "audit.csv?action=login", headers: try await Self.auditor(app)) { res async in
                #expect(res.body.string.contains("\"'=HYPERLINK(\"\"x\"\")\""))
            }
        }
    }

    @Test("downloads and exports are recorded with the query and the row count")
    func downloadsAreRecorded() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let id = try await Self.submitS01(app)
            try await app.testing().test(.GET, "submissions/\(id)/errors.csv", headers: try await AppHarness.token(app, unit: "housing")) { res async in
                #expect(res.status == .ok)
            }
            let download = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "download").first())
            let errors = try await SubmissionRepository(database: app.db).errorCount(of: UUID(uuidString: id)!)
            #expect(download.rowCount == Int64(errors))
            #expect(download.query == "/submissions/\(id)/errors.csv")
            #expect(download.indicatorCode == "HOU-001")
            try await app.testing().test(.GET, "board.xlsx?from=2024Q1", headers: try await AppHarness.token(app)) { res async in
                #expect(res.status == .ok)
            }
            let export = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "export").first())
            #expect(export.query == "/board.xlsx?from=2024Q1")
            #expect((export.rowCount ?? 0) > 0)
        }
    }

    @Test("the client address is the peer's, or X-Forwarded-For's nearest untrusted hop behind a trusted proxy",
          arguments: [
              ("10.0.0.9", ["1.2.3.4"], Set<String>(), "10.0.0.9"),
              ("10.0.0.1", ["1.2.3.4"], Set(["10.0.0.1"]), "1.2.3.4"),
              ("10.0.0.1", ["6.6.6.6, 1.2.3.4, 10.0.0.2"], Set(["10.0.0.1", "10.0.0.2"]), "1.2.3.4"),
              ("10.0.0.1", [], Set(["10.0.0.1"]), "10.0.0.1"),
          ])
    func clientAddress(_ c: (String, [String], Set<String>, String)) {
        #expect(AuditActor.clientAddress(peer: c.0, forwardedFor: c.1, trusted: c.2) == c.3)
    }
}
