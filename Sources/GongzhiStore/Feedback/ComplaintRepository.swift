import FluentKit
import FluentSQL
import Foundation
import GongzhiCore
import SQLKit

/// Complaints in the database (issue 13 §4): filed with their audit entry; each step stored only if the
/// complaint is still in the state it was decided from; carrying an upheld leak into the assessment writes the
/// assessor entry, the complaint's mark and the audit entry in one transaction.
public struct ComplaintRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Stores `record` (filed) with `audit` in one transaction.
    public func file(_ record: ComplaintRecord, audit: AuditEvent) async throws {
        try await SQLiteWriteGate.transaction(on: database, lockTable: ComplaintRecord.schema) { db in
            try await record.create(on: db)
            try await AuditLog.append(audit, on: db)
        }
    }

    /// Stores `record`'s new state and notes only if the stored state is still `expected`, with `audit`.
    /// - Returns: `false` when another step came first; nothing was changed then.
    public func storeStep(_ record: ComplaintRecord, from expected: ComplaintState, audit: AuditEvent) async throws -> Bool {
        try await SQLiteWriteGate.transaction(on: database, lockTable: ComplaintRecord.schema) { db in
            guard try await ConditionalTransition.update(ComplaintRecord.schema, id: try record.requireID(), expected: expected.rawValue, set: [
                ("state", record.state), ("handling_note", record.handlingNote), ("outcome_note", record.outcomeNote),
                ("decided_by", record.decidedBy), ("updated_at", record.updatedAt),
            ], on: db) else { return false }
            try await AuditLog.append(audit, on: db)
            return true
        }
    }

    /// Marks `record` carried with `entry` (the leak penalty) only if it was not carried yet, writing the
    /// assessor entry and `audit` in the same transaction.
    /// - Returns: `false` when it was already carried.
    public func carry(_ record: ComplaintRecord, entry: AssessorEntry, enteredBy: String, at date: Date, audit: AuditEvent) async throws -> Bool {
        try await SQLiteWriteGate.transaction(on: database, lockTable: ComplaintRecord.schema) { db in
            guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
            let updated = try await sql.update(ComplaintRecord.schema)
                .set("leak_penalty", to: SQLBind(entry.value))
                .set("penalty_quarter", to: SQLBind(entry.quarter.description))
                .set("updated_at", to: SQLBind(date))
                .where("id", .equal, SQLBind(try record.requireID()))
                .where("leak_penalty", .is, SQLLiteral.null)
                .returning("id")
                .all()
            guard !updated.isEmpty else { return false }
            try await AssessorEntryRecord(entry, enteredBy: enteredBy, enteredAt: date).create(on: db)
            try await AuditLog.append(audit, on: db)
            return true
        }
    }

    /// The complaints `unit` filed or received (every one for `nil`), newest first.
    public func complaints(involving unit: String?, limit: Int = 500) async throws -> [ComplaintRecord] {
        let query = ComplaintRecord.query(on: database).sort(\.$filedAt, .descending).limit(limit)
        if let unit { query.group(.or) { $0.filter(\.$complainantUnit == unit).filter(\.$againstUnit == unit) } }
        return try await query.all()
    }
}
