import FluentKit
import FluentSQL
import Foundation
import GongzhiCore
import SQLKit

/// Notices, their readers and the reminder outbox in the database (issue 13 §5).
public struct NoticeRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// Posts `notice` and queues one reminder per receiving unit that has a 数据报送员 mobile number on record
    /// (its latest reporter contact), with `audit` in the same transaction.
    /// - Parameter units: every member unit's code (for a notice to all).
    /// - Returns: the notice's id and how many reminders were queued.
    /// - Throws: database errors (then nothing is stored).
    public func post(_ notice: Notice, units: [String], by user: String, unit: String, at now: Date,
                     audit: @escaping @Sendable (UUID, Int) -> AuditEvent) async throws -> (id: UUID, reminders: Int) {
        try await SQLiteWriteGate.transaction(on: database, lockTable: NoticeRecord.schema) { db in
            let record = NoticeRecord()
            record.id = UUID()
            record.title = notice.title
            record.body = notice.body
            record.category = notice.category.rawValue
            record.postedBy = user
            record.postedByUnit = unit
            record.postedAt = now
            let receivers: [String]
            switch notice.audience {
            case .all: record.toAll = true; receivers = units
            case .units(let codes): record.toAll = false; receivers = codes
            }
            try await record.create(on: db)
            let id = try record.requireID()
            for code in receivers where !record.toAll {
                let r = NoticeRecipientRecord()
                r.noticeID = id
                r.unitCode = code
                try await r.create(on: db)
            }
            var queued = 0
            let mobiles = try await Self.reporterMobiles(of: receivers, on: db)
            for code in receivers {
                guard let mobile = mobiles[code] else { continue }
                let m = ReminderRecord()
                m.unitCode = code
                m.mobile = mobile
                m.text = notice.reminderText
                m.reason = "notice=\(id.uuidString.lowercased())"
                m.createdAt = now
                try await m.create(on: db)
                queued += 1
            }
            try await AuditLog.append(audit(id, queued), on: db)
            return (id, queued)
        }
    }

    /// Each unit's current 数据报送员 mobile number: the latest-effective reporter contact that has one.
    static func reporterMobiles(of units: [String], on db: any Database) async throws -> [String: String] {
        guard !units.isEmpty else { return [:] }
        let contacts = try await UnitContactRecord.query(on: db).filter(\.$unitCode ~~ units)
            .filter(\.$role == ContactRole.reporter.rawValue).sort(\.$effectiveFrom).sort(\.$recordedAt).all()
        var latest: [String: String] = [:]
        for c in contacts { latest[c.unitCode] = c.mobile.flatMap { $0.isEmpty ? nil : $0 } }
        return latest
    }

    /// The notices `unit` receives (every notice for `nil`: the publishers' view), newest first, at most `limit`.
    public func notices(for unit: String?, limit: Int = 200) async throws -> [NoticeRecord] {
        let query = NoticeRecord.query(on: database).sort(\.$postedAt, .descending).limit(limit)
        guard let unit else { return try await query.all() }
        let chosen = try await NoticeRecipientRecord.query(on: database).filter(\.$unitCode == unit).all().map(\.noticeID)
        return try await query.group(.or) { $0.filter(\.$toAll == true).filter(\.$id ~~ chosen) }.all()
    }

    /// The notice with `id`, and the units it went to (`nil` for all).
    public func notice(_ id: UUID) async throws -> (notice: NoticeRecord, units: [String]?)? {
        guard let record = try await NoticeRecord.find(id, on: database) else { return nil }
        if record.toAll { return (record, nil) }
        let units = try await NoticeRecipientRecord.query(on: database).filter(\.$noticeID == id).all().map(\.unitCode).sorted()
        return (record, units)
    }

    /// Which of `notices` `user` has read.
    public func read(by user: String, among notices: [UUID]) async throws -> Set<UUID> {
        guard !notices.isEmpty else { return [] }
        return Set(try await NoticeReadRecord.query(on: database).filter(\.$userID == user).filter(\.$noticeID ~~ notices).all().map(\.noticeID))
    }

    /// Records that `user` read notice `id` (the first reading only).
    public func markRead(_ id: UUID, by user: String, at now: Date) async throws {
        try await SQLiteWriteGate.serialize(on: database) {
            guard try await NoticeReadRecord.query(on: database).filter(\.$noticeID == id).filter(\.$userID == user).first() == nil else { return }
            let r = NoticeReadRecord()
            r.noticeID = id
            r.userID = user
            r.readAt = now
            do { try await r.create(on: database) } catch {
                // A concurrent first reading won the unique key: read either way.
                if try await NoticeReadRecord.query(on: database).filter(\.$noticeID == id).filter(\.$userID == user).first() == nil { throw error }
            }
        }
    }

    /// How many users of each unit read the notice (for the publisher).
    public func readers(of id: UUID) async throws -> [NoticeReadRecord] {
        try await NoticeReadRecord.query(on: database).filter(\.$noticeID == id).sort(\.$readAt).all()
    }

    /// Reminders not yet handed to a gateway, oldest first.
    public func pendingReminders(limit: Int = 500) async throws -> [ReminderRecord] {
        try await ReminderRecord.query(on: database).filter(\.$handedOverAt == nil).sort(\.$createdAt).limit(limit).all()
    }
}
