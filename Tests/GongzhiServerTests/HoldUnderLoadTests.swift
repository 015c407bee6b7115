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

/// Issue 9, kept as tests: an import with readers all around finishes and every read is answered; a dead
/// import is concluded `interrupted` and its page says so; bodies are bounded before they are read; every
/// response carries the security headers; `/login` refuses forms from other sites; the sharing query walks
/// indexes on both databases.
@Suite("Hold under load and attack", .serialized)
struct HoldUnderLoadTests {
    /// A valid HOU-001 CSV of `rows` distinct sales (valid resident IDs, real division codes).
    static func salesCSV(rows: Int, seed: Int = 0, month: Int = 3) -> Data {
        var text = "合同编号,房屋坐落,房屋用途,建筑面积（平方米）,成交价格（元）,交易类型,合同签订日期,买方姓名,买方证件类型,买方证件号码,卖方姓名,卖方证件类型,卖方证件号码,信息属地\r\n"
        text.reserveCapacity(rows * 190)
        func id(_ n: Int) -> String {
            let body = "321027" + "1980" + String(format: "%02d%02d", 1 + n % 12, 1 + n % 28) + String(format: "%03d", n % 1000)
            return body + String(ResidentIdentityNumber.checkCharacter(body)!)
        }
        for i in 0..<rows {
            let n = seed * 1_000_000 + i
            text += "YZ\(n),扬州市广陵区某路\(i)号,住宅,90.5,\(1_000_000 + i),买卖,2024-\(String(format: "%02d", month))-0\(1 + i % 9),张三,居民身份证,\(id(n)),李四,居民身份证,\(id(n + 7)),321002\r\n"
        }
        return Data(text.utf8)
    }

    @Test("an import while 16 clients read and write audit entries: the import commits, every read is answered")
    func importWhileReading() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given a period with records to read, and a large file for the next period
            let housing = try await AppHarness.token(app, unit: "housing")
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-02&file=feb.csv",
                                         headers: housing.adding("Content-Type", "application/octet-stream"),
                                         body: ByteBuffer(data: Self.salesCSV(rows: 300, seed: 1, month: 2))) { res async in
                #expect(res.status == .created)
            }
            let file = directory.appendingPathComponent("march.csv")
            try Self.salesCSV(rows: 40_000, seed: 2).write(to: file)
            let service = app.submissions
            let actor = AuditActor(user: "test", unit: "housing", address: "127.0.0.1")

            // when the import runs while readers page through records (each read is an audit append)
            let importTask = Task {
                try await service.submit(file: file, fileName: "march.csv", indicatorCode: "HOU-001", period: "2024-03", by: actor)
            }
            let reads = try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<16 {
                    group.addTask {
                        var answered = 0
                        for _ in 0..<8 {
                            try await app.testing().test(.GET, "api/v1/records?indicator=HOU-001&from=2024-02&per=20&page=\(1 + client % 3)",
                                                         headers: housing) { res async in
                                #expect(res.status == .ok, "a read during the import: \(res.status)")
                                if res.status == .ok { answered += 1 }
                            }
                        }
                        return answered
                    }
                }
                return try await group.reduce(0, +)
            }
            let outcome = try await importTask.value

            // then the import committed whole and every read was answered
            #expect(reads == 16 * 8)
            #expect(outcome.report.rowsAccepted == 40_000)
            let stored = try await AcceptedRowRecord.query(on: app.db).filter(\.$submission.$id == outcome.submissionID).count()
            #expect(stored == 40_000)
            let current = try await ReportingRepository(database: app.db).current(indicator: "HOU-001", period: "2024-03")
            #expect(current?.id == outcome.submissionID)
            if case .broken(let fault) = try await AuditLog(database: app.db).verify().result {
                Issue.record("audit chain broken: \(fault)")
            }
        }
    }

    @Test("an import that died with its server is concluded interrupted, its rows removed, its page asks for the file again")
    func interruptedImport() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given an import that wrote a batch and then stopped (its heartbeat is 10 minutes old)
            let session = try await AppHarness.login(app, unit: "housing")
            let file = directory.appendingPathComponent("dead.csv")
            try Self.salesCSV(rows: 50).write(to: file)
            let (_, indicator) = try #require(try await CatalogRepository(database: app.db).currentIndicator(code: "HOU-001"))
            let submission = SubmissionRecord(indicatorID: nil, indicatorCode: "HOU-001", indicatorName: indicator.name, unitCode: "housing",
                                              actingUnitCode: "housing", period: "2024-03", fileName: "dead.csv", fileSHA256: "00",
                                              fileSize: 1, format: "csv", receivedAt: app.gongzhi.clock.now())
            submission.importHeartbeatMilliseconds = SubmissionRepository.heartbeatNow() - 600_000
            try await submission.create(on: app.db)
            let id = try submission.requireID()
            _ = try await app.gongzhi.validator.validate(file: file, fileName: "dead.csv", indicator: indicator, period: "2024-03", progress: nil) { batch in
                try await app.gongzhi.writer.write(batch.records, fields: indicator.fields,
                                                   lineage: RecordLineage(submissionID: id, indicatorCode: "HOU-001", period: "2024-03", sheet: nil),
                                                   on: app.db)
            }
            #expect(try await AcceptedRowRecord.query(on: app.db).filter(\.$submission.$id == id).count() == 50)

            // when the server looks for dead imports
            let recovered = try await SubmissionRepository(database: app.db).recoverInterrupted(staleAfter: 180)

            // then it is interrupted, nothing of it remains, and its page says what happened
            #expect(recovered.count == 1)
            let after = try #require(try await SubmissionRecord.find(id, on: app.db))
            #expect(after.lifecycleState == .interrupted)
            #expect(try await AcceptedRowRecord.query(on: app.db).filter(\.$submission.$id == id).count() == 0)
            try await app.testing().test(.GET, "submissions/\(id.uuidString.lowercased())", headers: session.headers) { res async in
                #expect(res.status == .conflict)
                #expect(res.body.string.contains("导入中断"))
                #expect(res.body.string.contains("重新上传"))
            }
            // and a live import (fresh heartbeat) is left alone
            let live = SubmissionRecord(indicatorID: nil, indicatorCode: "HOU-001", indicatorName: indicator.name, unitCode: "housing",
                                        actingUnitCode: "housing", period: "2024-04", fileName: "live.csv", fileSHA256: "01",
                                        fileSize: 1, format: "csv", receivedAt: app.gongzhi.clock.now())
            live.importHeartbeatMilliseconds = SubmissionRepository.heartbeatNow()
            try await live.create(on: app.db)
            #expect(try await SubmissionRepository(database: app.db).recoverInterrupted(staleAfter: 180).isEmpty)
        }
    }

    @Test("a failed import leaves no submission, no record and no kept file")
    func failedImportLeavesNothing() async throws {
        try await AppHarness.withApp(writer: FailingAfterFirstBatch()) { app, directory async throws in
            let file = directory.appendingPathComponent("big.csv")
            try Self.salesCSV(rows: 5_000).write(to: file)
            let actor = AuditActor(user: "test", unit: "housing", address: "127.0.0.1")
            await #expect(throws: (any Error).self) {
                _ = try await app.submissions.submit(file: file, fileName: "big.csv", indicatorCode: "HOU-001", period: "2024-03", by: actor)
            }
            #expect(try await SubmissionRecord.query(on: app.db).count() == 0)
            #expect(try await AcceptedRowRecord.query(on: app.db).count() == 0)
            let kept = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("files").path)) ?? []
            #expect(kept.allSatisfy { !$0.hasSuffix(".csv") })
        }
    }

    @Test("bodies: 1 MB for forms and JSON, announced oversize refused before reading, uploads keep their limit")
    func bodyLimits() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: (1 << 20) + 1)
            try await app.testing().test(.POST, "login", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: big) { res async in
                #expect(res.status == .payloadTooLarge)
            }
            let housing = try await AppHarness.token(app, unit: "housing")
            try await app.testing().test(.POST, "api/v1/zero-data", headers: housing.adding("Content-Type", "application/json"), body: big) { res async in
                #expect(res.status == .payloadTooLarge)
                #expect(res.body.string.contains("\"error\":\"body_too_large\""))
            }
            // A 2 MB file is still an upload.
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=sales.csv",
                                         headers: housing.adding("Content-Type", "application/octet-stream"),
                                         body: ByteBuffer(data: Self.salesCSV(rows: 11_000))) { res async in
                #expect(res.status == .created)
            }
        }
    }

    @Test("every response carries anti-framing, nosniff, a strict referrer policy and no-store")
    func securityHeaders() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let session = try await AppHarness.login(app, unit: "housing")
            for path in ["login", "/", "submissions", "no-such-page"] {
                try await app.testing().test(.GET, path, headers: session.headers) { res async in
                    #expect(res.headers.first(name: "X-Frame-Options") == "DENY", "\(path)")
                    #expect(res.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
                    #expect(res.headers.first(name: "X-Content-Type-Options") == "nosniff")
                    #expect(res.headers.first(name: "Referrer-Policy") == "same-origin")
                    #expect(res.headers.first(name: .cacheControl) == "no-store")
                }
            }
        }
    }

    @Test("/login refuses a form posted from another site")
    func loginOrigin() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let user = try await AppHarness.user(app, unit: "housing")
            let body = "username=\(user.username)&password=\(AppHarness.password)"
            try await app.testing().test(.POST, "login", headers: ["Content-Type": "application/x-www-form-urlencoded",
                                                                   "Host": "gongzhi.local", "Origin": "https://evil.example"],
                                         body: ByteBuffer(string: body)) { res async in
                #expect(res.status == .forbidden)
                #expect(res.headers.setCookie?["gongzhi_session"] == nil)
            }
            try await app.testing().test(.POST, "login", headers: ["Content-Type": "application/x-www-form-urlencoded",
                                                                   "Host": "gongzhi.local", "Origin": "null"],
                                         body: ByteBuffer(string: body)) { res async in
                #expect(res.status == .forbidden)
            }
            try await app.testing().test(.POST, "login", headers: ["Content-Type": "application/x-www-form-urlencoded",
                                                                   "Host": "gongzhi.local:8080", "Origin": "http://gongzhi.local:8080"],
                                         body: ByteBuffer(string: body)) { res async in
                #expect(res.status == .seeOther)
            }
        }
    }

    @Test("on PostgreSQL a large import is vacuumed and analysed once it commits (the visibility map of index-only pages)",
          .enabled(if: AppHarness.postgresURL != nil))
    func largeImportIsVacuumed() async throws {
        try await AppHarness.withApp(writer: PostgresCopyRecordWriter(settleRows: 1)) { app, _ async throws in
            _ = try await AuditLogTests.submitS01(app)
            let sql = try #require(app.db as? any SQLDatabase)
            for table in ["records", "record_keys"] {
                let stat = try #require(try await sql.raw("SELECT vacuum_count, analyze_count FROM pg_stat_user_tables WHERE relname = \(bind: table)").first())
                #expect(try stat.decode(column: "vacuum_count", as: Int.self) >= 1, "\(table) vacuumed")
                #expect(try stat.decode(column: "analyze_count", as: Int.self) >= 1, "\(table) analysed")
            }
        }
    }

    @Test("an unfiltered page, read submission by submission, is the same page the joined query gives, at every depth")
    func unfilteredPagesMatchTheJoin() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // two HOU-001 months (S01 as xlsx, S02 as CSV), so pages span submissions
            _ = try await SharingServiceTests.file(app, "S01", "HOU-001", "2024-03", as: "housing")
            _ = try await SharingServiceTests.file(app, "S02", "HOU-001", "2024-02", as: "housing", confirmPeriod: true)
            let query = RecordQuery(indicator: "HOU-001", periods: ["2024-02", "2024-03"])
            let sql = try #require(app.db as? any SQLDatabase)
            let total = try await query.count(on: app.db)
            #expect(total > 200)
            for (offset, limit) in [(0, 50), (37, 100), (total - 120, 100), (total - 30, 100), (total, 10), (0, total)] {
                let fast = try await query.rows(offset: offset, limit: limit, on: app.db).map(\.id)
                let joined = try await sql.raw(query.rowsSQL(offset: offset, limit: limit, DatabaseDialect.of(app.db))).all()
                    .map { try $0.decode(column: "id", as: Int.self) }
                #expect(fast == joined, "offset \(offset), limit \(limit)")
                #expect(fast.count == max(0, min(limit, total - offset)))
            }
        }
    }

    @Test("the sharing query and the pages' lookups use indexes, never a scan of records (EXPLAIN, both databases)")
    func queryPlans() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let dialect = DatabaseDialect.of(app.db)
            let queries: [(String, SQLQueryString)] = [
                ("page", RecordQuery(indicator: "HOU-001", periods: ["2024-01", "2024-02", "2024-03"]).rowsSQL(offset: 100, limit: 50, dialect)),
                ("unfiltered page in a submission", RecordQuery.submissionRowsSQL(submission: UUID(), period: "2024-03", offset: 100, limit: 50)),
                ("count", RecordQuery(indicator: "HOU-001", periods: ["2024-03"]).countSQL(dialect)),
                ("division count", RecordQuery(indicator: "HOU-001", periods: ["2024-03"], division: "321002").countSQL(dialect)),
                ("division", RecordQuery(indicator: "HOU-001", periods: ["2024-03"], division: "321002").rowsSQL(offset: 0, limit: 50, dialect)),
                ("identifier", RecordQuery(indicator: "HOU-001", periods: ["2024-03"], identifier: "321027198001010011").rowsSQL(offset: 0, limit: 50, dialect)),
                ("submission records", "SELECT * FROM records WHERE submission_id = \(bind: UUID()) ORDER BY row_number LIMIT 100"),
                ("task filings", "SELECT * FROM submissions WHERE indicator_code = \(bind: "HOU-001") AND period = \(bind: "2024-03")"),
                ("unit submissions", "SELECT * FROM submissions WHERE unit_code = \(bind: "housing") AND period = \(bind: "2024-03")"),
                ("audit by user", "SELECT * FROM audit_log WHERE user_id = \(bind: "u") ORDER BY seq DESC LIMIT 50"),
                ("audit by unit", "SELECT * FROM audit_log WHERE unit = \(bind: "housing") ORDER BY seq DESC LIMIT 50"),
                ("lineage", "SELECT * FROM audit_record_refs WHERE record_id = \(bind: "1")"),
            ]
            for (name, query) in queries {
                let plan: QueryPlan
                do {
                    plan = try await QueryPlan.explain(query, on: app.db, dialect: dialect)
                } catch {
                    Issue.record("\(name): \(String(reflecting: error))")
                    continue
                }
                #expect(!plan.scans(table: "records"), "\(name) scans records:\n\(plan.text)")
                #expect(!plan.scans(table: "record_keys"), "\(name) scans record_keys:\n\(plan.text)")
                #expect(!plan.scans(table: "audit_log"), "\(name) scans audit_log:\n\(plan.text)")
                #expect(!plan.scans(table: "submissions"), "\(name) scans submissions:\n\(plan.text)")
                if ["page", "audit by user", "audit by unit"].contains(name), dialect == .sqlite {
                    #expect(!plan.text.contains("TEMP B-TREE"), "the page is read in index order, unsorted:\n\(plan.text)")
                }
            }
        }
    }
}

/// A database's plan for one statement, as text.
struct QueryPlan {
    var text: String
    var dialect: DatabaseDialect

    /// `EXPLAIN QUERY PLAN` on SQLite; `EXPLAIN` on PostgreSQL with sequential scans priced out, so the
    /// plan shows whether an index *can* serve the query even on the tiny tables of a test.
    static func explain(_ query: SQLQueryString, on database: any Database, dialect: DatabaseDialect) async throws -> QueryPlan {
        let sql = database as! any SQLDatabase
        switch dialect {
        case .sqlite:
            let rows = try await sql.raw("EXPLAIN QUERY PLAN " + query).all()
            return QueryPlan(text: try rows.map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n"), dialect: dialect)
        case .postgres:
            return try await database.transaction { db in
                let sql = db as! any SQLDatabase
                try await sql.raw("SET LOCAL enable_seqscan = off").run()
                let rows = try await sql.raw("EXPLAIN " + query).all()
                return QueryPlan(text: try rows.map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n"), dialect: dialect)
            }
        }
    }

    /// Whether the plan reads `table` whole.
    func scans(table: String) -> Bool {
        text.split(separator: "\n").contains { line in
            switch dialect {
            case .sqlite:
                // "SCAN r" or "SCAN records" (a full scan); "SCAN … USING COVERING INDEX" reads an index instead.
                let words = line.split(separator: " ").map(String.init)
                guard let i = words.firstIndex(of: "SCAN"), i + 1 < words.count else { return false }
                return Self.aliases(table).contains(words[i + 1]) && !line.contains("USING")
            case .postgres:
                return line.contains("Seq Scan on \(table)")
            }
        }
    }

    static func aliases(_ table: String) -> Set<String> {
        switch table {
        case "records": ["records", "r", "r2"]
        case "record_keys": ["record_keys", "k"]
        case "submissions": ["submissions", "s"]
        default: [table]
        }
    }
}

/// Writes the first batch, then fails: a submission must then leave nothing behind.
struct FailingAfterFirstBatch: RecordWriter {
    let inner = SQLiteRecordWriter()
    let counter = Counter()

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.withLock { n += 1; return n } }
    }

    func transaction<T: Sendable>(on database: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await database.transaction(body)
    }

    func write(_ batch: [AcceptedRecord], fields: [GongzhiCore.Field], lineage: RecordLineage, on database: any Database) async throws {
        if counter.next() > 1 { throw CancellationError() }
        try await RecordWriters.writer(for: DatabaseDialect.of(database)).write(batch, fields: fields, lineage: lineage, on: database)
    }
}
