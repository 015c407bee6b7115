import FluentKit
import Foundation
import GongzhiCore

/// Stores and reads security agreements, access requests, grants and quota usage.
public struct SharingRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// The unit's agreement in force on `day`: the latest signed on or before it.
    public func agreement(of unit: String, on day: CalendarDate) async throws -> SecurityAgreement? {
        try await SecurityAgreementRecord.query(on: database).filter(\.$unitCode == unit)
            .filter(\.$signedOn <= day.isoString).sort(\.$signedOn, .descending).first()?.agreement
    }

    /// Every recorded agreement, newest first (optionally of one unit).
    public func agreements(of unit: String? = nil) async throws -> [SecurityAgreementRecord] {
        let query = SecurityAgreementRecord.query(on: database)
        if let unit { query.filter(\.$unitCode == unit) }
        return try await query.sort(\.$signedOn, .descending).all()
    }

    /// Requests, newest first: of the requesting unit, of the providing unit, or in some states.
    public func requests(requesting: String? = nil, providing: String? = nil,
                         states: [AccessRequest.State]? = nil) async throws -> [AccessRequestRecord] {
        let query = AccessRequestRecord.query(on: database)
        if let requesting { query.filter(\.$requestingUnit == requesting) }
        if let providing { query.filter(\.$providingUnit == providing) }
        if let states { query.filter(\.$state ~~ states.map(\.rawValue)) }
        return try await query.sort(\.$createdAt, .descending).all()
    }

    /// The request with `id`, or `nil`.
    public func request(_ id: UUID, on db: (any Database)? = nil) async throws -> AccessRequestRecord? {
        try await AccessRequestRecord.find(id, on: db ?? database)
    }

    /// Grants of `unit`, optionally for one indicator, newest first.
    public func grants(of unit: String, indicator: String? = nil) async throws -> [GrantRecord] {
        let query = GrantRecord.query(on: database).filter(\.$granteeUnit == unit)
        if let indicator { query.filter(\.$indicatorCode == indicator) }
        return try await query.sort(\.$issuedAt, .descending).all()
    }

    /// Grants issued for request `id`.
    public func grants(forRequest id: UUID) async throws -> [GrantRecord] {
        try await GrantRecord.query(on: database).filter(\.$requestID == id).all()
    }

    /// The grant with `id`, or `nil`.
    public func grant(_ id: UUID, on db: (any Database)? = nil) async throws -> GrantRecord? {
        try await GrantRecord.find(id, on: db ?? database)
    }

    /// What `user` used under `grant` on `day`.
    public func usage(user: String, grant: UUID, on day: CalendarDate, db: (any Database)? = nil) async throws -> QuotaUsage {
        let record = try await QuotaUsageRecord.query(on: db ?? database).filter(\.$userID == user)
            .filter(\.$grantID == grant).filter(\.$day == day.isoString).first()
        return QuotaUsage(day: day, queriedRows: record?.queriedRows ?? 0, downloadedRows: record?.downloadedRows ?? 0)
    }

    /// Adds `rows` of `kind` to what `user` used under `grant` on `day`.
    public func addUsage(_ rows: Int, _ kind: QuotaKind, user: String, grant: UUID, on day: CalendarDate,
                         db: (any Database)? = nil) async throws {
        let db = db ?? database
        let record = try await QuotaUsageRecord.query(on: db).filter(\.$userID == user).filter(\.$grantID == grant)
            .filter(\.$day == day.isoString).first() ?? {
                let r = QuotaUsageRecord()
                r.userID = user
                r.grantID = grant
                r.day = day.isoString
                r.queriedRows = 0
                r.downloadedRows = 0
                return r
            }()
        switch kind {
        case .query: record.queriedRows += rows
        case .download: record.downloadedRows += rows
        }
        try await record.save(on: db)
    }
}
