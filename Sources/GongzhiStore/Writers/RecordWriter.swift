import FluentKit
import Foundation
import GongzhiCore
import SQLKit

/// Where a batch of accepted rows belongs: the submission and what the query keys are taken from.
public struct RecordLineage: Sendable {
    public var submissionID: UUID
    public var indicatorCode: String
    public var period: String
    /// The worksheet the rows came from (`nil` for CSV).
    public var sheet: String?

    public init(submissionID: UUID, indicatorCode: String, period: String, sheet: String?) {
        self.submissionID = submissionID
        self.indicatorCode = indicatorCode
        self.period = period
        self.sheet = sheet
    }
}

/// Writes accepted rows in bulk, inside the submission's transaction. ``RecordWriters/writer(for:)`` is the one
/// switch between the SQLite and PostgreSQL ways; tests substitute a writer that fails part-way to prove a
/// submission is all or nothing.
public protocol RecordWriter: Sendable {
    /// How many rows the importer should hand over at a time.
    var batchSize: Int { get }

    /// Runs `body` in the submission's transaction, on a connection readied for a bulk load.
    func transaction<T: Sendable>(on database: any Database,
                                  _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T

    /// Inserts `batch` into `records` (and its identifiers into `record_keys`) on `database`.
    func write(_ batch: [AcceptedRecord], fields: [GongzhiCore.Field], lineage: RecordLineage,
               on database: any Database) async throws

    /// Readies the tables for reading after an import of `rows` accepted rows committed (outside any
    /// transaction). Best effort: a failure is logged, never thrown — the import has already succeeded.
    func settle(afterImporting rows: Int, on database: any Database) async
}

extension RecordWriter {
    public var batchSize: Int { 1000 }
    public func settle(afterImporting rows: Int, on database: any Database) async {}
    public func transaction<T: Sendable>(on database: any Database,
                                         _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await database.transaction(body)
    }
}

/// The database dialects Gongzhi runs on.
public enum DatabaseDialect: String, Sendable {
    case sqlite, postgres
}

extension DatabaseDialect {
    /// The dialect `database` speaks (PostgreSQL, or SQLite for anything else).
    public static func of(_ database: any Database) -> DatabaseDialect {
        (database as? any SQLDatabase)?.dialect.name == "postgresql" ? .postgres : .sqlite
    }

    /// SQL for the text of member `key` of the JSON object in text column `column` of table alias `table`
    /// (`NULL` when absent); `key` is bound, never spliced. Numbers come back as their JSON text.
    public func jsonMemberText(table: String, column: String, key: String) -> SQLQueryString {
        switch self {
        case .sqlite: "CAST(json_extract(\(ident: table).\(ident: column), \(bind: "$.\"" + key + "\"")) AS TEXT)"
        case .postgres: "(\(ident: table).\(ident: column)::jsonb ->> \(bind: key))"
        }
    }
}

/// Chooses the bulk writer for a dialect: with ``DatabaseDialect/jsonMemberText(table:column:key:)``, the
/// places where storage differs between databases.
public enum RecordWriters {
    public static func writer(for dialect: DatabaseDialect) -> any RecordWriter {
        switch dialect {
        case .sqlite: SQLiteRecordWriter()
        case .postgres: PostgresCopyRecordWriter()
        }
    }
}

/// One accepted row as stored: the JSON payload, the jurisdiction and the identifier keys.
struct StoredRecordRow {
    var row: Int
    /// `{"key": canonical, ...}` in field order, as in `records.jsonl`.
    var valuesJSON: String
    /// The row's 信息属地 (`division_code`), when the indicator has one.
    var divisionCode: String?
    /// `(field key, canonical value)` of every identifier the row carries.
    var keys: [(field: String, value: String)]

    /// Fields whose values are query keys: unique identifiers (第八条) and every identifier-typed field.
    static func keyFields(_ fields: [GongzhiCore.Field]) -> [Int] {
        fields.indices.filter { i in
            let f = fields[i]
            if f.identifies == true { return true }
            switch f.type {
            case .uscc, .orgID, .personID, .projectCode, .powerCode: return true
            default: return false
            }
        }
    }

    static func rows(_ batch: [AcceptedRecord], fields: [GongzhiCore.Field]) -> [StoredRecordRow] {
        let keyFields = keyFields(fields)
        let division = fields.firstIndex { $0.type == .divisionCode && $0.key == "division_code" }
            ?? fields.firstIndex { $0.type == .divisionCode }
        let memberPrefixes = AcceptedRecord.jsonMemberPrefixes(fields: fields)
        return batch.map { record in
            var keys: [(String, String)] = []
            for i in keyFields {
                if let value = record.values[i] { keys.append((fields[i].key, value.canonicalText)) }
            }
            return StoredRecordRow(row: record.row, valuesJSON: record.valuesJSONText(memberPrefixes: memberPrefixes),
                                   divisionCode: division.flatMap { record.values[$0]?.canonicalText }, keys: keys)
        }
    }
}

/// Multi-row `INSERT … VALUES (…), (…)` through SQLKit, one statement per 1,000 rows — inside SQLite's
/// 32,766 and PostgreSQL's 65,535 bind limits. The portable fallback of the dialect writers.
public struct SQLRecordWriter: RecordWriter {
    static let rowsPerStatement = 1000
    public init() {}

    public func write(_ batch: [AcceptedRecord], fields: [GongzhiCore.Field], lineage: RecordLineage,
                      on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let rows = StoredRecordRow.rows(batch, fields: fields)
        for start in stride(from: 0, to: rows.count, by: Self.rowsPerStatement) {
            let chunk = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
            let insert = sql.insert(into: "records")
                .columns("submission_id", "sheet", "row_number", "values", "indicator_code", "period", "division_code")
            for row in chunk {
                insert.values(SQLBind(lineage.submissionID), SQLBind(lineage.sheet), SQLBind(row.row), SQLBind(row.valuesJSON),
                              SQLBind(lineage.indicatorCode), SQLBind(lineage.period), SQLBind(row.divisionCode))
            }
            try await insert.run()
            let keys = chunk.flatMap { row in row.keys.map { (row.row, $0.field, $0.value) } }
            for keyStart in stride(from: 0, to: keys.count, by: Self.rowsPerStatement) {
                let insertKeys = sql.insert(into: "record_keys").columns("submission_id", "row_number", "field", "value")
                for (row, field, value) in keys[keyStart..<min(keyStart + Self.rowsPerStatement, keys.count)] {
                    insertKeys.values(SQLBind(lineage.submissionID), SQLBind(row), SQLBind(field), SQLBind(value))
                }
                try await insertKeys.run()
            }
        }
    }
}
