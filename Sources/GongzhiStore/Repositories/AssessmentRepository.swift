import FluentKit
import Foundation
import GongzhiCore

/// Stores and reads assessment runs (考核评分). A run and its scores are written in one transaction.
public struct AssessmentRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// One unit's stored result, ready to be written.
    public struct Score: Sendable {
        public var unit: String
        public var facts: AssessmentFacts
        public var scorecard: Scorecard

        public init(unit: String, facts: AssessmentFacts, scorecard: Scorecard) {
            self.unit = unit
            self.facts = facts
            self.scorecard = scorecard
        }
    }

    /// Writes `run` with its `scores`, and its audit event when given, in one transaction; returns the run's id.
    public func store(_ run: AssessmentRunRecord, scores: [Score], audit event: AuditEvent? = nil) async throws -> UUID {
        try await database.transaction { db in
            try await run.create(on: db)
            let id = try run.requireID()
            for score in scores {
                try await AssessmentScoreRecord(runID: id, unitCode: score.unit, total: score.scorecard.total.roundedText(),
                                                facts: score.facts.json.serialized(), scorecard: score.scorecard.json.serialized())
                    .create(on: db)
            }
            if let event { _ = try await AuditLog.append(event, on: db) }
            return id
        }
    }

    /// The runs of `quarter` (all quarters when `nil`), newest first.
    public func runs(quarter: String? = nil) async throws -> [AssessmentRunRecord] {
        let query = AssessmentRunRecord.query(on: database)
        if let quarter { query.filter(\.$quarter == quarter) }
        return try await query.sort(\.$ranAt, .descending).all()
    }

    public func run(_ id: UUID) async throws -> AssessmentRunRecord? {
        try await AssessmentRunRecord.find(id, on: database)
    }

    /// A run's scores (optionally of one unit), by unit code.
    public func scores(of runID: UUID, unit: String? = nil) async throws -> [AssessmentScoreRecord] {
        let query = AssessmentScoreRecord.query(on: database).filter(\.$run.$id == runID)
        if let unit { query.filter(\.$unitCode == unit) }
        return try await query.sort(\.$unitCode).all()
    }

    /// Stores an assessor entry, and its audit event in the same transaction.
    public func add(_ entry: AssessorEntry, enteredBy: String, at date: Date, audit event: AuditEvent) async throws {
        try await database.transaction { db in
            try await AssessorEntryRecord(entry, enteredBy: enteredBy, enteredAt: date).create(on: db)
            _ = try await AuditLog.append(event, on: db)
        }
    }

    /// The assessor entries of `quarter` (of one unit when given), oldest first.
    public func entries(quarter: String, unit: String? = nil) async throws -> [AssessorEntryRecord] {
        let query = AssessorEntryRecord.query(on: database).filter(\.$quarter == quarter)
        if let unit { query.filter(\.$unitCode == unit) }
        return try await query.sort(\.$enteredAt).all()
    }

    /// Publishes `quarter`'s bulletin on `runID`, with its audit event, in one transaction.
    public func publish(quarter: String, runID: UUID, by user: String, at date: Date, audit event: AuditEvent) async throws {
        try await database.transaction { db in
            try await AssessmentBulletinRecord(quarter: quarter, runID: runID, publishedAt: date, publishedBy: user).create(on: db)
            _ = try await AuditLog.append(event, on: db)
        }
    }

    /// The published bulletin of `quarter`, if any.
    public func bulletin(quarter: String) async throws -> AssessmentBulletinRecord? {
        try await AssessmentBulletinRecord.query(on: database).filter(\.$quarter == quarter).first()
    }

    /// The most recently published bulletin, if any.
    public func latestBulletin() async throws -> AssessmentBulletinRecord? {
        try await AssessmentBulletinRecord.query(on: database).sort(\.$publishedAt, .descending).first()
    }
}
