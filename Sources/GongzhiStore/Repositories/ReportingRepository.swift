import FluentKit
import Foundation
import GongzhiCore

/// Reads what the reporting calendar needs: the filings against tasks, the current submission of a task,
/// and units' contact histories and incidents.
public struct ReportingRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// A task's identity: indicator code and canonical period (`2024-03`, `2024Q1`, `2024`).
    public struct TaskKey: Hashable, Sendable {
        public var indicator: String
        public var period: String

        public init(indicator: String, period: String) {
            self.indicator = indicator
            self.period = period
        }
    }

    /// Every submission filed for one of `periods` (optionally of one unit), as filings keyed by task, oldest
    /// first. Receipt days are in China Standard Time.
    public func filings(periods: [ReportingPeriod], unit: String? = nil) async throws -> [TaskKey: [(submission: SubmissionRecord, filing: TaskFiling)]] {
        guard !periods.isEmpty else { return [:] }
        var out: [TaskKey: [(submission: SubmissionRecord, filing: TaskFiling)]] = [:]
        let texts = periods.map(\.description)
        for chunk in stride(from: 0, to: texts.count, by: 500) {
            let query = SubmissionRecord.query(on: database).filter(\.$period ~~ Array(texts[chunk..<min(chunk + 500, texts.count)]))
            if let unit { query.filter(\.$unitCode == unit) }
            for s in try await query.sort(\.$receivedAt).all() {
                out[TaskKey(indicator: s.indicatorCode, period: s.period), default: []].append((s, Self.filing(of: s)))
            }
        }
        return out
    }

    /// The filing a stored submission amounts to.
    public static func filing(of s: SubmissionRecord) -> TaskFiling {
        TaskFiling(receivedOn: CalendarDate(epochSeconds: Int(s.receivedAt.timeIntervalSince1970.rounded(.down))),
                   kind: TaskFiling.Kind(rawValue: s.kind) ?? .data, state: s.lifecycleState, explanation: s.explanation)
    }

    /// The task's current submission (accepted or partially accepted, not superseded), or `nil`.
    public func current(indicator: String, period: String, on db: (any Database)? = nil) async throws -> SubmissionRecord? {
        try await currentSubmissions(indicator: indicator, period: period, on: db).first
    }

    /// The task's submissions in a current state, newest first: one, except while a supersession is under way.
    public func currentSubmissions(indicator: String, period: String, on db: (any Database)? = nil) async throws -> [SubmissionRecord] {
        try await SubmissionRecord.query(on: db ?? database)
            .filter(\.$indicatorCode == indicator).filter(\.$period == period)
            .filter(\.$state ~~ SubmissionState.allCases.filter(\.isCurrent).map(\.rawValue))
            .sort(\.$receivedAt, .descending).all()
    }

    /// Every submission of a task, newest first (the current one, those it superseded, refused files).
    public func history(indicator: String, period: String) async throws -> [SubmissionRecord] {
        try await SubmissionRecord.query(on: database)
            .filter(\.$indicatorCode == indicator).filter(\.$period == period)
            .sort(\.$receivedAt, .descending).all()
    }

    /// A unit's contact history, by effective date then recording time.
    public func contacts(of unit: String) async throws -> [UnitContactRecord] {
        try await UnitContactRecord.query(on: database).filter(\.$unitCode == unit)
            .sort(\.$effectiveFrom).sort(\.$recordedAt).all()
    }

    /// Adds a contact entry.
    public func add(_ contact: UnitContact, recordedAt: Date, recordedBy: String) async throws {
        try await UnitContactRecord(contact, recordedAt: recordedAt, recordedBy: recordedBy).create(on: database)
    }

    /// A unit's contact incidents, newest first; only those on `from`...`to` when given.
    public func incidents(of unit: String? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil) async throws -> [ContactIncidentRecord] {
        let query = ContactIncidentRecord.query(on: database)
        if let unit { query.filter(\.$unitCode == unit) }
        if let from { query.filter(\.$occurredOn >= from.isoString) }
        if let to { query.filter(\.$occurredOn <= to.isoString) }
        return try await query.sort(\.$occurredOn, .descending).sort(\.$recordedAt, .descending).all()
    }

    /// Records a contact incident.
    public func addIncident(unit: String, occurredOn: CalendarDate, description: String, recordedAt: Date,
                            recordedBy: String) async throws {
        try await ContactIncidentRecord(unitCode: unit, occurredOn: occurredOn, description: description,
                                        recordedAt: recordedAt, recordedBy: recordedBy).create(on: database)
    }
}
