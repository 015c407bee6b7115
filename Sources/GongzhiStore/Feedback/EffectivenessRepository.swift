import FluentKit
import FluentSQL
import Foundation
import GongzhiCore
import SQLKit

/// Effectiveness reports and sharing suspensions in the database (issue 13 §3, 附件1 第十二条): each write with
/// its audit entry in one transaction.
public struct EffectivenessRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Stores a filed `record` with `audit`, and — when `reinstating` is given — lifts that suspension with
    /// `reinstatement` in the same transaction.
    public func file(_ record: EffectivenessReportRecord, audit: AuditEvent,
                     reinstating: SharingSuspensionRecord? = nil, reinstatement: AuditEvent? = nil) async throws {
        try await SQLiteWriteGate.transaction(on: database, lockTable: EffectivenessReportRecord.schema) { db in
            try await record.create(on: db)
            try await AuditLog.append(audit, on: db)
            if let reinstating, let reinstatement {
                try await reinstating.update(on: db)
                try await AuditLog.append(reinstatement, on: db)
            }
        }
    }

    /// Stores `record`'s grade and the assessor entry it becomes (数据应用成效), with `audit`, in one transaction.
    public func grade(_ record: EffectivenessReportRecord, entry: AssessorEntry, audit: AuditEvent) async throws {
        try await SQLiteWriteGate.transaction(on: database, lockTable: EffectivenessReportRecord.schema) { db in
            try await record.update(on: db)
            try await AssessorEntryRecord(entry, enteredBy: record.gradedBy ?? "", enteredAt: record.gradedAt ?? Date()).create(on: db)
            try await AuditLog.append(audit, on: db)
        }
    }

    /// The reports of `unit` (every unit's for `nil`), newest year first.
    public func reports(unit: String?) async throws -> [EffectivenessReportRecord] {
        let query = EffectivenessReportRecord.query(on: database).sort(\.$year, .descending).sort(\.$unitCode)
        if let unit { query.filter(\.$unitCode == unit) }
        return try await query.all()
    }

    public func report(_ id: UUID) async throws -> EffectivenessReportRecord? {
        try await EffectivenessReportRecord.find(id, on: database)
    }

    /// For each unit, the years it reported and when each was filed.
    public func filedYears() async throws -> [String: [Int: Date]] {
        var out: [String: [Int: Date]] = [:]
        for r in try await EffectivenessReportRecord.query(on: database).all() { out[r.unitCode, default: [:]][r.year] = r.filedAt }
        return out
    }

    /// For each unit that ever held a grant, the year of its first grant's start (the year it became a consuming unit).
    public func firstGrantYears() async throws -> [String: Int] {
        try await firstGrantDays().mapValues(\.year)
    }

    /// For each unit that ever held a grant, the day its first grant started.
    public func firstGrantDays() async throws -> [String: CalendarDate] {
        var out: [String: CalendarDate] = [:]
        for g in try await GrantRecord.query(on: database).all() {
            guard let day = CalendarDate(iso: g.validFrom.prefix(10)) else { continue }
            out[g.granteeUnit] = min(out[g.granteeUnit] ?? day, day)
        }
        return out
    }

    /// The suspension in force for `unit`, if any.
    public func activeSuspension(of unit: String) async throws -> SharingSuspensionRecord? {
        try await SharingSuspensionRecord.query(on: database).filter(\.$unitCode == unit).filter(\.$reinstatedAt == nil).first()
    }

    /// Every suspension in force.
    public func activeSuspensions() async throws -> [SharingSuspensionRecord] {
        try await SharingSuspensionRecord.query(on: database).filter(\.$reinstatedAt == nil).all()
    }

    /// `unit`'s suspensions, newest first.
    public func suspensions(of unit: String) async throws -> [SharingSuspensionRecord] {
        try await SharingSuspensionRecord.query(on: database).filter(\.$unitCode == unit).sort(\.$suspendedAt, .descending).all()
    }

    /// Suspends `unit` for `missedYears` with `audit`, unless a suspension is already in force.
    /// - Returns: whether it was stored.
    public func suspend(unit: String, missedYears: [Int], at date: Date, audit: AuditEvent) async throws -> Bool {
        try await SQLiteWriteGate.transaction(on: database, lockTable: SharingSuspensionRecord.schema) { db in
            guard try await SharingSuspensionRecord.query(on: db).filter(\.$unitCode == unit).filter(\.$reinstatedAt == nil).first() == nil else {
                return false
            }
            let record = SharingSuspensionRecord()
            record.unitCode = unit
            record.missedYears = missedYears.map(String.init).joined(separator: ",")
            record.suspendedAt = date
            try await record.create(on: db)
            try await AuditLog.append(audit, on: db)
            return true
        }
    }

    /// Lifts `record` (in force) at `date` for `reason`, with `audit`.
    public func reinstate(_ record: SharingSuspensionRecord, at date: Date, reason: String, audit: AuditEvent) async throws {
        try await SQLiteWriteGate.transaction(on: database, lockTable: SharingSuspensionRecord.schema) { db in
            record.reinstatedAt = date
            record.reinstatedReason = reason
            try await record.update(on: db)
            try await AuditLog.append(audit, on: db)
        }
    }
}

/// Usage reports and their ratings in the database (issue 13 §2).
public struct UsageReportRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Stores `report` with its `ratings` and `audit` in one transaction.
    public func file(_ report: UsageReportRecord, ratings: [UsageRatingRecord], audit: AuditEvent) async throws {
        try await SQLiteWriteGate.transaction(on: database, lockTable: UsageReportRecord.schema) { db in
            try await report.create(on: db)
            for rating in ratings { try await rating.create(on: db) }
            try await AuditLog.append(audit, on: db)
        }
    }

    /// The reports of `unit` (every unit's for `nil`), newest quarter first.
    public func reports(unit: String?) async throws -> [UsageReportRecord] {
        let query = UsageReportRecord.query(on: database).sort(\.$quarter, .descending).sort(\.$unitCode)
        if let unit { query.filter(\.$unitCode == unit) }
        return try await query.all()
    }

    /// The ratings given in `reports`.
    public func ratings(of reports: [UUID]) async throws -> [UsageRatingRecord] {
        guard !reports.isEmpty else { return [] }
        return try await UsageRatingRecord.query(on: database).filter(\.$reportID ~~ reports).all()
    }

    /// The ratings `provider`'s data received from `raters` (every rater for `nil`), newest quarter first.
    public func ratings(of provider: String, by raters: [String]? = nil) async throws -> [UsageRatingRecord] {
        let query = UsageRatingRecord.query(on: database).filter(\.$providerUnit == provider).sort(\.$quarter, .descending)
        if let raters { query.filter(\.$raterUnit ~~ raters) }
        return try await query.all()
    }

    /// The audit entries of `unit`'s queries and downloads between the two instants (milliseconds since 1970,
    /// `from` included, `to` excluded).
    public func usageEntries(unit: String, fromMilliseconds: Int64, toMilliseconds: Int64) async throws -> [AuditEntryRecord] {
        try await AuditEntryRecord.query(on: database).filter(\.$unitCode == unit)
            .filter(\.$action ~~ [AuditAction.query.rawValue, AuditAction.download.rawValue])
            .filter(\.$timeMilliseconds >= fromMilliseconds).filter(\.$timeMilliseconds < toMilliseconds).all()
    }

    /// Tax leads produced in the period from the records of each indicator (the left record's) by the runs of
    /// `unit`'s users (milliseconds since 1970, `from` included, `to` excluded).
    public func leads(unit: String, fromMilliseconds: Int64, toMilliseconds: Int64) async throws -> [String: Int] {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let rows = try await sql.raw("""
            SELECT s.indicator_code AS indicator, COUNT(*) AS n FROM match_leads x
            JOIN match_runs r ON r.id = x.run_id JOIN users u ON u.username = r.ran_by
            JOIN records l ON l.id = x.left_record_id JOIN submissions s ON s.id = l.submission_id
            WHERE u.unit_code = \(bind: unit) AND x.created_ms >= \(bind: fromMilliseconds) AND x.created_ms < \(bind: toMilliseconds)
            GROUP BY s.indicator_code
            """).all()
        var out: [String: Int] = [:]
        for row in rows { out[try row.decode(column: "indicator", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        return out
    }
}
