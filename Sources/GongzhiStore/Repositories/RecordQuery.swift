import FluentKit
import Foundation
import GongzhiCore
import SQLKit

/// A bounded search of one indicator's current records (those of each task's current submission): by
/// reporting period, jurisdiction (信息属地), identifier value and exact field values. Every query names an
/// indicator and a period list; paging is by the caller (`limit` ≤ ``maxLimit``).
public struct RecordQuery: Sendable {
    /// Most rows one page may return.
    public static let maxLimit = 1_000

    public var indicator: String
    /// Canonical periods to search (`2024-03`…); at least one.
    public var periods: [String]
    /// 行政区划代码 the records belong to.
    public var division: String?
    /// An identifier value (USCC, resident ID…) any identifier field of the record holds.
    public var identifier: String?
    /// Exact text matches on field values, by field key (keys must be the indicator's own).
    public var fieldEquals: [(key: String, value: String)]

    public init(indicator: String, periods: [String], division: String? = nil, identifier: String? = nil,
                fieldEquals: [(key: String, value: String)] = []) {
        self.indicator = indicator
        self.periods = periods
        self.division = division
        self.identifier = identifier
        self.fieldEquals = fieldEquals
    }

    /// One matching record with its lineage.
    public struct Row: Sendable {
        public var id: Int
        public var submissionID: UUID
        public var sheet: String?
        public var rowNumber: Int
        public var period: String
        /// The stored JSON object text.
        public var values: String

        /// A row selected as `id, submission_id, sheet, row_number, period, payload`.
        init(decoding row: any SQLRow) throws {
            id = try row.decode(column: "id", as: Int.self)
            submissionID = try row.decode(column: "submission_id", as: UUID.self)
            sheet = try row.decode(column: "sheet", as: String?.self)
            rowNumber = try row.decode(column: "row_number", as: Int.self)
            period = try row.decode(column: "period", as: String?.self) ?? ""
            values = try row.decode(column: "payload", as: String.self)
        }
    }

    /// How many records match.
    public func count(on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        guard !periods.isEmpty else { return 0 }
        return try await sql.raw(countSQL(DatabaseDialect.of(db))).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Whether only the indicator and periods narrow the search: then every record of the matching current
    /// submissions matches.
    public var isUnfiltered: Bool { division == nil && identifier == nil && fieldEquals.isEmpty }

    /// The statement ``count(on:)`` runs (tests read its plan). Unfiltered, it adds up the current submissions'
    /// `rows_accepted` (a concluded submission's records are exactly its accepted rows, and an import in
    /// progress is not current), so its cost is the number of submissions, not of records: counting two
    /// million records took 150 ms a request on SQLite (BENCHMARKS.md, load). Filtered, it counts the records.
    public func countSQL(_ dialect: DatabaseDialect) -> SQLQueryString {
        if isUnfiltered {
            return "SELECT CAST(COALESCE(SUM(s.rows_accepted), 0) AS BIGINT) AS n FROM submissions s WHERE " + submissionConditions()
        }
        return "SELECT COUNT(*) AS n FROM submissions s JOIN records r ON r.submission_id = s.id WHERE " + conditions(dialect)
    }

    /// The matching records `offset..<offset+limit` in (period, submission, row) order.
    public func rows(offset: Int, limit: Int, on db: any Database) async throws -> [Row] {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        guard !periods.isEmpty, limit > 0 else { return [] }
        if isUnfiltered { return try await unfilteredRows(offset: max(offset, 0), limit: min(limit, Self.maxLimit), on: sql) }
        return try await sql.raw(rowsSQL(offset: offset, limit: limit, DatabaseDialect.of(db))).all().map(Row.init(decoding:))
    }

    /// An unfiltered page, submission by submission: every record of a current submission matches and a
    /// concluded submission holds exactly its `rows_accepted` records (see ``countSQL(_:)``), so whole
    /// submissions before the page are skipped by their counts, and within a submission the page's row
    /// numbers come from the (submission, row) key alone before its rows are read. One query joining every
    /// submission's records made PostgreSQL sort each submission's rows again (a nested loop does not keep
    /// the inner index's order): 150–190 ms a page whatever its depth (BENCHMARKS.md, load).
    func unfilteredRows(offset: Int, limit: Int, on sql: any SQLDatabase) async throws -> [Row] {
        let submissions = try await sql.raw("SELECT s.id, s.period, s.rows_accepted FROM submissions s WHERE " + submissionConditions()
                                            + " ORDER BY s.period, s.id").all()
        var skip = offset, wanted = limit
        var out: [Row] = []
        for submission in submissions where wanted > 0 {
            let accepted = try submission.decode(column: "rows_accepted", as: Int.self)
            if skip >= accepted {
                skip -= accepted
                continue
            }
            let id = try submission.decode(column: "id", as: UUID.self)
            let period = try submission.decode(column: "period", as: String.self)
            let rows = try await Self.submissionRows(submission: id, period: period, offset: skip, limit: wanted, on: sql)
            skip = 0
            out += rows
            wanted -= rows.count
        }
        return out
    }

    /// One submission's records `offset..<offset+limit` in row order, stamped with `period`: a page of an
    /// unfiltered search within that submission, and a submission's own records page. Runs
    /// ``submissionRowsSQL(submission:period:offset:limit:)``.
    public static func submissionRows(submission id: UUID, period: String, offset: Int, limit: Int, on sql: any SQLDatabase) async throws -> [Row] {
        try await sql.raw(submissionRowsSQL(submission: id, period: period, offset: offset, limit: limit)).all().map(Row.init(decoding:))
    }

    /// The statement an unfiltered page runs in one submission: its records `offset..<offset+limit` in row
    /// order, stamped with the submission's `period` (tests read its plan). The page's rows are consecutive
    /// in the (submission, row) key: the scalar subquery finds its first row number from the key alone
    /// (skipping `offset` index entries, reading no record), then one range read returns its rows — one
    /// statement, where two (the row numbers, then their rows) cost a round trip more a page.
    public static func submissionRowsSQL(submission id: UUID, period: String, offset: Int, limit: Int) -> SQLQueryString {
        "SELECT r.id, r.submission_id, r.sheet, r.row_number, \(bind: period) AS period, r.\(ident: "values") AS payload FROM records r WHERE r.submission_id = \(bind: id) AND r.row_number >= (SELECT r2.row_number FROM records r2 WHERE r2.submission_id = \(bind: id) ORDER BY r2.row_number LIMIT 1 OFFSET \(literal: max(offset, 0))) ORDER BY r.row_number LIMIT \(literal: min(max(limit, 0), maxLimit))"
    }

    /// The statement ``rows(offset:limit:on:)`` runs (tests read its plan). Its shape is what keeps it fast
    /// at millions of records: the task's current submissions come from `submissions_by_task_id` in
    /// (period, id) order and each one's records from the (submission, row) key in row order, so the
    /// database walks two indexes in the order asked for and stops at the page's end — no scan of
    /// `records`, no sort.
    public func rowsSQL(offset: Int, limit: Int, _ dialect: DatabaseDialect) -> SQLQueryString {
        var query: SQLQueryString = "SELECT r.id, r.submission_id, r.sheet, r.row_number, s.period, r.\(ident: "values") AS payload FROM submissions s JOIN records r ON r.submission_id = s.id WHERE "
        query = query + conditions(dialect)
        // SQLite lets a non-integer primary key hold NULLs, so (period, id) does not prove one submission per
        // value to its planner, which would then sort each submission's rows; the rowid (the index's last
        // column) does.
        let tiebreak: SQLQueryString = dialect == .sqlite ? "s.rowid, " : ""
        let page: SQLQueryString = "LIMIT \(literal: min(max(limit, 0), Self.maxLimit)) OFFSET \(literal: max(offset, 0))"
        if dialect == .postgres {
            // PostgreSQL reads the whole row of every record an OFFSET skips (50,000 heap reads for page 500):
            // the page's keys come first, from the indexes alone, and only its own rows are read whole.
            var keys: SQLQueryString = "SELECT s.period, r.submission_id, r.row_number FROM submissions s JOIN records r ON r.submission_id = s.id WHERE "
            keys = keys + conditions(dialect) + " ORDER BY s.period, s.id, r.row_number " + page
            return "SELECT r.id, r.submission_id, r.sheet, r.row_number, p.period, r.\(ident: "values") AS payload FROM ("
                + keys + ") p JOIN records r ON r.submission_id = p.submission_id AND r.row_number = p.row_number"
                + " ORDER BY p.period, p.submission_id, p.row_number"
        }
        return query + " ORDER BY s.period, s.id, " + tiebreak + "r.row_number " + page
    }

    /// The record with `id` and its lineage, whatever its submission's state (for lineage and record views).
    public static func record(id: Int, on db: any Database) async throws -> Row? {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        return try await sql.raw("SELECT r.id, r.submission_id, r.sheet, r.row_number, r.period, r.\(ident: "values") AS payload FROM records r WHERE r.id = \(bind: id)")
            .first().map(Row.init(decoding:))
    }

    func conditions(_ dialect: DatabaseDialect) -> SQLQueryString {
        var q = submissionConditions()
        if let division { q = q + " AND r.division_code = \(bind: division)" }
        if let identifier {
            // A set the database can start from (record_keys_by_value), not a probe per record.
            q = q + " AND (r.submission_id, r.row_number) IN (SELECT k.submission_id, k.row_number FROM record_keys k WHERE k.value = \(bind: identifier))"
        }
        for (key, value) in fieldEquals {
            q = q + " AND " + dialect.jsonMemberText(table: "r", column: "values", key: key) + " = \(bind: value)"
        }
        return q
    }

    /// The indicator, the periods and the current states, on `submissions s`.
    func submissionConditions() -> SQLQueryString {
        var q: SQLQueryString = "s.indicator_code = \(bind: indicator) AND s.period IN ("
        for (i, p) in periods.enumerated() { q = q + (i == 0 ? "" : ", ") + "\(bind: p)" }
        q = q + ") AND s.state IN ("
        for (i, state) in SubmissionState.allCases.filter(\.isCurrent).enumerated() {
            q = q + (i == 0 ? "" : ", ") + "\(bind: state.rawValue)"
        }
        return q + ")"
    }
}
