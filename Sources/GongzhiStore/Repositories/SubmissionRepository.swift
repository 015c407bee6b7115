import FluentKit
import Foundation
import GongzhiCore
import SQLKit

/// Storage failures a clerk or operator can act on.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The configured database does not speak SQL (never the case with SQLite or PostgreSQL).
    case notSQL

    public var description: String {
        switch self {
        case .notSQL: "数据库不支持 SQL 批量写入"
        }
    }
}

/// Stores submissions with their records and errors, and reads them back.
public struct SubmissionRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Inserts the errors of a finished import and records its counts, status and report on `submission`.
    public func finish(_ submission: SubmissionRecord, report: ImportReport, reportJSON: String,
                       on db: any Database) async throws {
        if let sql = db as? any SQLDatabase, !report.errors.isEmpty {
            let id = try submission.requireID()
            for chunk in stride(from: 0, to: report.errors.count, by: 500) {
                let insert = sql.insert(into: SubmissionErrorRecord.schema)
                    .columns("submission_id", "row_number", "field", "column_label", "code", "value", "message", "duplicate_of_row",
                             "correction_key")
                for e in report.errors[chunk..<min(chunk + 500, report.errors.count)] {
                    insert.values(SQLBind(id), SQLBind(e.row ?? SubmissionErrorRecord.wholeFileRow), SQLBind(e.field), SQLBind(e.column), SQLBind(e.code.rawValue),
                                  SQLBind(e.value), SQLBind(e.message), SQLBind(e.duplicateOfRow), SQLBind(e.correctionKey))
                }
                try await insert.run()
            }
        }
        submission.rowsTotal = report.rowsTotal
        submission.rowsAccepted = report.rowsAccepted
        submission.rowsRejected = report.rowsRejected
        submission.status = report.outcome.rawValue
        submission.sheet = report.sheet
        try await submission.update(on: db)
        try await SubmissionReportRecord(submissionID: try submission.requireID(), report: reportJSON).create(on: db)
    }

    /// The wall clock in ms since 1970, as import heartbeats are written (liveness, not a domain time: the
    /// platform clock may be fixed or in the past).
    public static func heartbeatNow() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Marks submission `id` as alive now (called with each batch an import writes).
    public static func beat(_ id: UUID, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        try await sql.update(SubmissionRecord.schema).set("import_heartbeat_ms", to: SQLBind(heartbeatNow()))
            .where("id", .equal, SQLBind(id)).run()
    }

    /// Removes everything an unfinished import of submission `id` wrote — its record keys, records, errors
    /// and the submission itself — inside `db`'s transaction.
    public func discard(_ id: UUID, on db: any Database) async throws {
        try await removeRows(of: id, on: db)
        try await SubmissionReportRecord.query(on: db).filter(\.$id == id).delete()
        try await SubmissionRecord.query(on: db).filter(\.$id == id).delete()
    }

    /// Removes the record keys, records and errors of submission `id` (the submission stays), inside `db`'s
    /// transaction.
    public func removeRows(of id: UUID, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        for table in ["record_keys", "records", SubmissionErrorRecord.schema] {
            try await sql.delete(from: table).where("submission_id", .equal, SQLBind(id)).run()
        }
    }

    /// Concludes `interrupted` every import whose heartbeat stopped more than `staleAfter` seconds before
    /// `now` (its server stopped or crashed mid-import), removing the rows it had written; the submission
    /// stays, so the clerk's page says what happened and asks for the file again. Each in its own
    /// transaction, behind ``SQLiteWriteGate``.
    /// - Returns: the submissions concluded.
    @discardableResult
    public func recoverInterrupted(staleAfter: TimeInterval, now: Int64 = heartbeatNow()) async throws -> [SubmissionRecord] {
        let cutoff = now - Int64(staleAfter * 1000)
        let stale = try await SubmissionRecord.query(on: database)
            .filter(\.$state ~~ [SubmissionState.received.rawValue, SubmissionState.validated.rawValue])
            .filter(\.$kind == "data").all()
            .filter { ($0.importHeartbeatMilliseconds ?? 0) < cutoff }
        var recovered: [SubmissionRecord] = []
        for submission in stale {
            let id = try submission.requireID()
            let done = try await SQLiteWriteGate.serialize(on: database) {
                try await database.transaction { db -> Bool in
                    // Re-read inside the transaction: the import may have concluded meanwhile.
                    guard let current = try await SubmissionRecord.find(id, on: db),
                          let state = try? SubmissionLifecycle.apply(.interrupted, to: current.lifecycleState),
                          (current.importHeartbeatMilliseconds ?? 0) < cutoff else { return false }
                    try await removeRows(of: id, on: db)
                    current.state = state.rawValue
                    current.status = ImportOutcome.refused.rawValue
                    current.importHeartbeatMilliseconds = nil
                    try await current.update(on: db)
                    return true
                }
            }
            if done { recovered.append(submission) }
        }
        return recovered
    }

    /// The correction keys of the rejected rows of `submissions` not yet corrected (what a 补报 may correct).
    public func openCorrectionKeys(of submissions: [UUID]) async throws -> Set<String> {
        guard !submissions.isEmpty else { return [] }
        let rows = try await SubmissionErrorRecord.query(on: database).filter(\.$submission.$id ~~ submissions)
            .filter(\.$correctionKey != nil).filter(\.$correctedBy == nil).field(\.$correctionKey).all()
        return Set(rows.compactMap(\.correctionKey))
    }

    /// Marks the rejected rows of `submissions` whose key is in `keys` as corrected by submission `by`,
    /// inside `db`'s transaction. Returns how many rows (distinct row numbers) were marked.
    @discardableResult
    public func markCorrected(keys: Set<String>, in submissions: [UUID], by: UUID, on db: any Database) async throws -> Int {
        guard !keys.isEmpty, !submissions.isEmpty else { return 0 }
        var marked = Set<String>()
        let sorted = keys.sorted()
        for start in stride(from: 0, to: sorted.count, by: 400) {
            let chunk = Array(sorted[start..<min(start + 400, sorted.count)])
            let rows = try await SubmissionErrorRecord.query(on: db).filter(\.$submission.$id ~~ submissions)
                .filter(\.$correctionKey ~~ chunk).filter(\.$correctedBy == nil).all()
            for row in rows {
                row.correctedBy = by
                try await row.update(on: db)
                marked.insert("\(row.$submission.id)#\(row.rowNumber)")
            }
        }
        return marked.count
    }

    /// How many rejected rows (distinct row numbers) of submission `id` a 补报 has corrected.
    public func correctedRows(of id: UUID) async throws -> Int {
        try await Set(SubmissionErrorRecord.query(on: database).filter(\.$submission.$id == id).filter(\.$correctedBy != nil)
            .field(\.$rowNumber).all().map(\.rowNumber)).count
    }

    /// How many rejected rows of earlier submissions the 补报 `id` corrected.
    public func rowsCorrected(by id: UUID) async throws -> Int {
        try await Set(SubmissionErrorRecord.query(on: database).filter(\.$correctedBy == id)
            .field(\.$submission.$id).field(\.$rowNumber).all().map { "\($0.$submission.id)#\($0.rowNumber)" }).count
    }

    /// The submission with `id`, or `nil`.
    public func find(_ id: UUID) async throws -> SubmissionRecord? {
        try await SubmissionRecord.find(id, on: database)
    }

    /// Submissions, newest first, optionally of one unit, `limit` at most.
    public func list(unit: String? = nil, limit: Int = 200) async throws -> [SubmissionRecord] {
        var query = SubmissionRecord.query(on: database)
        if let unit { query = query.filter(\.$unitCode == unit) }
        return try await query.sort(\.$receivedAt, .descending).limit(limit).all()
    }

    /// One page (`page` from 1) of submissions, newest first, filtered by unit, indicator, period and lifecycle
    /// state (each optional), and how many match in all.
    public func page(unit: String?, indicator: String?, period: String?, state: String?,
                     page: Int, per: Int) async throws -> (rows: [SubmissionRecord], total: Int) {
        let query = SubmissionRecord.query(on: database)
        if let unit { query.filter(\.$unitCode == unit) }
        if let indicator { query.filter(\.$indicatorCode == indicator) }
        if let period { query.filter(\.$period == period) }
        if let state { query.filter(\.$state == state) }
        let total = try await query.count()
        let rows = try await query.copy().sort(\.$receivedAt, .descending)
            .range(Paging(page: page, per: per, maxPer: 200).range).all()
        return (rows, total)
    }

    /// One page of a submission's accepted records in row order (`page` from 1). The total of a submission that
    /// kept its records (accepted, partially accepted, superseded) is its `rows_accepted`, not a count of
    /// hundreds of thousands of rows per page; of any other, the records counted.
    public func records(of submission: SubmissionRecord, page: Int, per: Int) async throws -> (rows: [RecordQuery.Row], total: Int) {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let id = try submission.requireID()
        let total = SubmissionState(rawValue: submission.state)?.wasAccepted == true
            ? submission.rowsAccepted
            : try await AcceptedRowRecord.query(on: database).filter(\.$submission.$id == id).count()
        // Straight SQL, not the model: the page's rows decoded as models (reflection per row) cost more than
        // reading them (BENCHMARKS.md, load benchmark, run 6).
        let paging = Paging(page: page, per: per, maxPer: RecordQuery.maxLimit)
        let rows = try await RecordQuery.submissionRows(submission: id, period: submission.period, offset: paging.offset, limit: paging.per, on: sql)
        return (rows, total)
    }

    /// A submission's errors in report order, the first `limit` of them (all when `nil`).
    public func errors(of submissionID: UUID, limit: Int? = nil) async throws -> [SubmissionErrorRecord] {
        let query = SubmissionErrorRecord.query(on: database).filter(\.$submission.$id == submissionID).sort(\.$id)
        if let limit { query.limit(limit) }
        return try await query.all()
    }

    /// How many of a submission's rows were rejected with each error code (a row with errors of two codes is
    /// counted under both), in no particular order.
    public func rejectedRowsByCode(of submissionID: UUID) async throws -> [(code: String, rows: Int)] {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        return try await sql.raw("""
            SELECT code, COUNT(DISTINCT row_number) AS n FROM submission_errors
            WHERE submission_id = \(bind: submissionID) GROUP BY code
            """).all().map { (try $0.decode(column: "code", as: String.self), try $0.decode(column: "n", as: Int.self)) }
    }

    /// Submission `id`'s import report as JSON object text; `{}` while it is being imported.
    public func report(of id: UUID) async throws -> String {
        try await SubmissionReportRecord.find(id, on: database)?.report ?? "{}"
    }

    /// How many errors a submission has.
    public func errorCount(of submissionID: UUID) async throws -> Int {
        try await SubmissionErrorRecord.query(on: database).filter(\.$submission.$id == submissionID).count()
    }

    /// How many submissions and records exist (for tests and the status line).
    public func counts() async throws -> (submissions: Int, records: Int) {
        (try await SubmissionRecord.query(on: database).count(), try await AcceptedRowRecord.query(on: database).count())
    }
}
