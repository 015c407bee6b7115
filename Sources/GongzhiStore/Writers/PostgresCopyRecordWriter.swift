import FluentKit
import Foundation
import GongzhiCore
import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// `COPY records … FROM STDIN` (text format) through postgres-nio, on the connection of the submission's
/// transaction, so the rows commit or vanish with it (SWIFT-NOTES.md: ~419 k rows/s). Table and column names
/// are constants (postgres-nio quotes them as given).
public struct PostgresCopyRecordWriter: RecordWriter {
    /// Bytes buffered before a chunk is sent to the server.
    static let chunkBytes = 1 << 20

    /// Imports at least this large are followed by ``settle(afterImporting:on:)``'s VACUUM.
    public let settleRows: Int

    /// - Parameter settleRows: the smallest import that is vacuumed after it commits (50,000 rows by default).
    public init(settleRows: Int = 50_000) {
        self.settleRows = settleRows
    }

    /// One COPY per 10,000 rows: large enough that a statement's round trip does not count.
    public var batchSize: Int { 10_000 }

    /// After a large import, `VACUUM (ANALYZE)` on `records` and `record_keys`. Rows written by COPY are not
    /// marked all-visible until a vacuum, so until then every index-only page of records (the key-first
    /// paging of ``RecordQuery``) still reads each skipped row from the heap; and autovacuum only comes after
    /// 20 % of a table is new — at two million records, 400,000 rows later. Vacuum reads only the pages not
    /// yet all-visible (the import's) and blocks neither readers nor writers.
    public func settle(afterImporting rows: Int, on database: any Database) async {
        guard rows >= settleRows, let sql = database as? any SQLDatabase else { return }
        for table in ["records", "record_keys"] {
            do { try await sql.raw("VACUUM (ANALYZE) \(ident: table)").run() } catch {
                database.logger.warning("VACUUM (ANALYZE) \(table) after an import of \(rows) rows failed: \(String(reflecting: error))")
            }
        }
    }

    public func write(_ batch: [AcceptedRecord], fields: [GongzhiCore.Field], lineage: RecordLineage,
                      on database: any Database) async throws {
        guard let postgres = database as? any PostgresDatabase else {
            return try await SQLRecordWriter().write(batch, fields: fields, lineage: lineage, on: database)
        }
        let rows = StoredRecordRow.rows(batch, fields: fields)
        let submission = lineage.submissionID.uuidString.lowercased()
        let logger = database.logger
        try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await connection.copyFrom(
                    table: "records",
                    columns: ["submission_id", "sheet", "row_number", "values", "indicator_code", "period", "division_code"],
                    logger: logger
                ) { writer in
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity(Self.chunkBytes + 4096)
                    for row in rows {
                        Self.append(submission, lineage.sheet, String(row.row), row.valuesJSON, lineage.indicatorCode,
                                    lineage.period, row.divisionCode, to: &buffer)
                        if buffer.readableBytes >= Self.chunkBytes {
                            try await writer.write(buffer)
                            buffer.clear()
                        }
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                }
                let keyCount = rows.reduce(0) { $0 + $1.keys.count }
                guard keyCount > 0 else { return }
                try await connection.copyFrom(table: "record_keys", columns: ["submission_id", "row_number", "field", "value"],
                                              logger: logger) { writer in
                    var buffer = ByteBuffer()
                    for row in rows {
                        for key in row.keys {
                            Self.append(submission, String(row.row), key.field, key.value, to: &buffer)
                        }
                        if buffer.readableBytes >= Self.chunkBytes {
                            try await writer.write(buffer)
                            buffer.clear()
                        }
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                }
            }
        }.get()
    }

    /// Appends one line of COPY text format: tab-separated, `\N` for NULL, `\\ \t \n \r` escaped.
    static func append(_ columns: String?..., to buffer: inout ByteBuffer) {
        for (i, column) in columns.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            guard let column else {
                buffer.writeStaticString("\\N")
                continue
            }
            var plain = true
            for byte in column.utf8 where byte == 0x5C || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                plain = false
                break
            }
            if plain {
                buffer.writeString(column)
                continue
            }
            for byte in column.utf8 {
                switch byte {
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}
