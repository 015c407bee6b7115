import FluentKit
import FluentSQL
import Foundation
import GongzhiCore
import SQLKit

/// Objections in the database (issue 13 §1): filed with their audit entry, each later step stored only if
/// the objection is still in the state the step was decided from.
public struct ObjectionRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Stores `record` (filed) with `audit` in one transaction.
    public func file(_ record: ObjectionRecord, audit: @escaping @Sendable (UUID) -> AuditEvent) async throws {
        try await SQLiteWriteGate.transaction(on: database, lockTable: ObjectionRecord.schema) { db in
            try await record.create(on: db)
            try await AuditLog.append(audit(try record.requireID()), on: db)
        }
    }

    /// Stores `record`'s new state and answers only if the stored state is still `expected` (one conditional
    /// `UPDATE`), with `audit` in the same transaction.
    /// - Returns: `false` when another step came first; nothing was changed then.
    public func storeStep(_ record: ObjectionRecord, from expected: ObjectionState, audit: AuditEvent) async throws -> Bool {
        try await SQLiteWriteGate.transaction(on: database, lockTable: ObjectionRecord.schema) { db in
            guard try await ConditionalTransition.update(ObjectionRecord.schema, id: try record.requireID(), expected: expected.rawValue, set: [
                ("state", record.state), ("answer", record.answer), ("dispute", record.dispute), ("ruling", record.ruling),
                ("correcting_submission_id", record.correctingSubmissionID), ("updated_at", record.updatedAt),
            ], on: db) else { return false }
            try await AuditLog.append(audit, on: db)
            return true
        }
    }

    /// The objections `unit` filed or received (every one for `nil`), newest first.
    public func objections(involving unit: String?, limit: Int = 500) async throws -> [ObjectionRecord] {
        let query = ObjectionRecord.query(on: database).sort(\.$filedAt, .descending).limit(limit)
        if let unit { query.group(.or) { $0.filter(\.$providerUnit == unit).filter(\.$filerUnit == unit) } }
        return try await query.all()
    }

    /// The objections upheld against data of `periods` (canonical text), of `units` when given.
    public func upheld(periods: [String], units: [String]? = nil) async throws -> [ObjectionRecord] {
        guard !periods.isEmpty else { return [] }
        let upheld = ObjectionState.allCases.filter(\.isUpheld).map(\.rawValue)
        let query = ObjectionRecord.query(on: database).filter(\.$period ~~ periods).filter(\.$state ~~ upheld)
        if let units { query.filter(\.$providerUnit ~~ units) }
        return try await query.all()
    }

    /// The objections upheld against the submissions `ids` (for the assessment and the error rate).
    public func upheld(against ids: [UUID]) async throws -> [ObjectionRecord] {
        guard !ids.isEmpty else { return [] }
        let upheld = ObjectionState.allCases.filter(\.isUpheld).map(\.rawValue)
        return try await ObjectionRecord.query(on: database).filter(\.$submissionID ~~ ids).filter(\.$state ~~ upheld).all()
    }
}
