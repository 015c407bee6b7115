import Crypto
import FluentKit
import FluentSQL
import Foundation
import GongzhiCore
import SQLKit

/// Why the audit log could not be written.
public enum AuditLogError: Error, Sendable, CustomStringConvertible {
    /// The row `audit_append_lock` relies on is gone (deleted by hand): appenders could no longer be serialised.
    case lockRowMissing

    public var description: String {
        switch self {
        case .lockRowMissing: "审计日志的写入锁记录（audit_append_lock 表 id=1）缺失，无法安全追加审计记录：请检查数据库是否被改动。"
        }
    }
}

/// Which entries the auditor asks for. Every part is optional; all given parts must hold.
public struct AuditFilter: Sendable, Equatable {
    public var userID: String?
    public var unitCode: String?
    public var indicatorCode: String?
    public var action: AuditAction?
    /// From this instant on (milliseconds since 1970, inclusive).
    public var fromMilliseconds: Int64?
    /// Before this instant (milliseconds since 1970, exclusive).
    public var toMilliseconds: Int64?
    /// Entries whose `detail` starts with this text (e.g. `submission=<id>;` for a submission's own entry).
    public var detailPrefix: String?

    public init(userID: String? = nil, unitCode: String? = nil, indicatorCode: String? = nil, action: AuditAction? = nil,
                fromMilliseconds: Int64? = nil, toMilliseconds: Int64? = nil, detailPrefix: String? = nil) {
        self.userID = userID
        self.unitCode = unitCode
        self.indicatorCode = indicatorCode
        self.action = action
        self.fromMilliseconds = fromMilliseconds
        self.toMilliseconds = toMilliseconds
        self.detailPrefix = detailPrefix
    }
}

/// The outcome of ``AuditLog/verify(batchSize:head:)``: the chain's verdict and the last entry that checked out
/// (``AuditChain/Anchor/genesis`` for an empty log) — the head an operator notes to check against later.
public struct AuditVerification: Sendable, Equatable {
    public var result: AuditChain.Verification
    public var head: AuditChain.Anchor

    public init(result: AuditChain.Verification, head: AuditChain.Anchor) {
        self.result = result
        self.head = head
    }
}

/// The append-only, hash-chained audit log (issue 5, 附件1 第十四条–第十五条) in the database: append inside
/// the transaction of the act it records, read for the auditor, verify the whole chain.
public struct AuditLog: Sendable {
    /// Where reads and verification run.
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// The chain's hash function: SHA-256 (swift-crypto), raw 32-byte digest.
    public static let sha256: @Sendable ([UInt8]) -> [UInt8] = { Array(SHA256.hash(data: $0)) }

    // MARK: Appending

    /// Seals `event` after the log's newest entry and inserts it, with its record ids in `audit_record_refs`.
    ///
    /// Runs in `db`'s transaction when `db` is one (the act's transaction: if it rolls back, the entry goes
    /// with the act), otherwise in a transaction of its own (on SQLite through ``SQLiteWriteGate``). Appenders are serialised by updating the one
    /// row of `audit_append_lock` first, the same statement on both databases: on PostgreSQL that row lock
    /// is held until the transaction ends, so a second appender waits and then (READ COMMITTED) reads the
    /// head the first one committed; on SQLite the update takes the database's write lock, which is
    /// exclusive anyway. Readers are never blocked. Call it last in a long transaction: from here to the
    /// commit, other appenders wait.
    ///
    /// - Returns: the sealed entry.
    /// - Throws: ``AuditLogError/lockRowMissing``, ``StoreError/notSQL``, database errors.
    @discardableResult
    public static func append(_ event: AuditEvent, on db: any Database) async throws -> AuditEntry {
        if db.inTransaction { return try await appendInTransaction(event, on: db) }
        // On its own, through the process's SQLite write gate: appends come in bursts (page views).
        return try await SQLiteWriteGate.transaction(on: db, lockTable: "audit_append_lock") { try await appendInTransaction(event, on: $0) }
    }

    /// Seals `events` in order after the log's newest entry and inserts them, in `db`'s transaction when it
    /// is one, otherwise in one transaction of their own — one commit (one fsync) for the lot, which is what
    /// ``AuditGroupCommit`` batches concurrent page views into. Serialised like ``append(_:on:)``.
    ///
    /// - Returns: the sealed entries, in the order of `events`.
    /// - Throws: ``AuditLogError/lockRowMissing``, ``StoreError/notSQL``, database errors (then none is written).
    public static func append(_ events: [AuditEvent], on db: any Database) async throws -> [AuditEntry] {
        guard !events.isEmpty else { return [] }
        if db.inTransaction { return try await appendInTransaction(events, on: db) }
        return try await SQLiteWriteGate.transaction(on: db, lockTable: "audit_append_lock") { try await appendInTransaction(events, on: $0) }
    }

    private static func appendInTransaction(_ event: AuditEvent, on db: any Database) async throws -> AuditEntry {
        try await appendInTransaction([event], on: db)[0]
    }

    private static func appendInTransaction(_ events: [AuditEvent], on db: any Database) async throws -> [AuditEntry] {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        let taken = try await sql.raw("UPDATE audit_append_lock SET appends = appends + \(bind: events.count) WHERE id = 1 RETURNING appends").all()
        guard !taken.isEmpty else { throw AuditLogError.lockRowMissing }
        // Straight SQL, not the model: every audited page view passes here, behind the one write lock, and
        // Fluent's model reflection cost more than the statements (BENCHMARKS.md, load benchmark, run 6).
        let head = try await sql.raw("SELECT seq, hash FROM audit_log ORDER BY id DESC LIMIT 1").first()
        var anchor = try head.map { AuditChain.Anchor(sequence: Int(try $0.decode(column: "seq", as: Int64.self)),
                                                      hash: try $0.decode(column: "hash", as: String.self)) } ?? .genesis
        var entries: [AuditEntry] = []
        entries.reserveCapacity(events.count)
        for event in events {
            let entry = AuditChain.seal(event, after: anchor, hash: sha256)
            entries.append(entry)
            anchor = AuditChain.Anchor(sequence: entry.sequence, hash: entry.hash)
        }
        // Inserted one by one, in chain order: `id` (the verifier's order) must follow `seq`.
        for entry in entries {
            let row = AuditEntryRecord(entry)
            try await sql.insert(into: AuditEntryRecord.schema)
                .columns("seq", "time_ms", "user_id", "unit", "action", "indicator", "records", "query", "rows", "detail",
                         "address", "prev_hash", "hash")
                .values(SQLBind(row.sequence), SQLBind(row.timeMilliseconds), SQLBind(row.userID), SQLBind(row.unitCode),
                        SQLBind(row.action), SQLBind(row.indicatorCode), SQLBind(row.recordIDsJSON), SQLBind(row.query),
                        SQLBind(row.rowCount), SQLBind(row.detail), SQLBind(row.address), SQLBind(row.previousHash), SQLBind(row.hash))
                .run()
        }
        var refs: [(Int64, String)] = []
        for entry in entries { refs += entry.event.target.recordIDs.map { (Int64(entry.sequence), $0) } }
        for start in stride(from: 0, to: refs.count, by: 500) {
            let insert = sql.insert(into: "audit_record_refs").columns("seq", "record_id")
            for (seq, id) in refs[start..<min(start + 500, refs.count)] { insert.values(SQLBind(seq), SQLBind(id)) }
            try await insert.run()
        }
        return entries
    }

    // MARK: Reading

    /// One page (`page` from 1) of the entries matching `filter`, newest first, and how many match in all.
    public func entries(matching filter: AuditFilter, page: Int, per: Int) async throws -> (entries: [AuditEntryRecord], total: Int) {
        let query = AuditEntryRecord.query(on: database)
        if let user = filter.userID { query.filter(\.$userID == user) }
        if let unit = filter.unitCode { query.filter(\.$unitCode == unit) }
        if let indicator = filter.indicatorCode { query.filter(\.$indicatorCode == indicator) }
        if let action = filter.action { query.filter(\.$action == action.rawValue) }
        if let from = filter.fromMilliseconds { query.filter(\.$timeMilliseconds >= from) }
        if let to = filter.toMilliseconds { query.filter(\.$timeMilliseconds < to) }
        if let prefix = filter.detailPrefix { query.filter(\.$detail =~ prefix) }
        let total = try await query.count()
        let rows = try await query.copy().sort(\.$sequence, .descending).range(Paging(page: page, per: per, maxPer: 1000).range).all()
        return (rows, total)
    }

    /// Every entry that named record `recordID` (views, downloads, exports), oldest first, `limit` at most.
    public func entries(touchingRecord recordID: String, limit: Int = 1000) async throws -> [AuditEntryRecord] {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let sequences = try await sql.select().column("seq").from("audit_record_refs")
            .where("record_id", .equal, recordID).orderBy("seq").limit(limit).all()
            .map { try $0.decode(column: "seq", as: Int64.self) }
        guard !sequences.isEmpty else { return [] }
        return try await AuditEntryRecord.query(on: database).filter(\.$sequence ~~ sequences).sort(\.$sequence).all()
    }

    /// The newest entry's sequence and hash (``AuditChain/Anchor/genesis`` for an empty log).
    public func head() async throws -> AuditChain.Anchor {
        guard let last = try await AuditEntryRecord.query(on: database).sort(\.$id, .descending).first() else { return .genesis }
        return AuditChain.Anchor(sequence: Int(last.sequence), hash: last.hash)
    }

    // MARK: Verifying

    /// Walks the whole log in the order rows were inserted, `batchSize` rows at a time, with
    /// ``AuditChain/verify(_:after:head:hash:)``, and returns the first break or the count of intact entries.
    ///
    /// A row that cannot even be read back as an entry (an action this build does not know, record ids that
    /// are not a JSON array) is reported as edited. A gap at the end of a batch is reported as deleted only
    /// when no later row carries a sequence number inside it; otherwise as reordered — as Core decides
    /// within one list.
    ///
    /// - Parameter head: a head noted outside the database earlier (an entry's sequence and hash), if any: the
    ///   log must still pass through it — it must reach that sequence (else `truncated`) and the entry there
    ///   must carry that hash (else `edited`: it, or the log up to it, was rewritten with fresh hashes). The
    ///   log may have grown since.
    public func verify(batchSize: Int = 5000, head: AuditChain.Anchor? = nil) async throws -> AuditVerification {
        let batchSize = max(batchSize, 1)
        var anchor = AuditChain.Anchor.genesis
        var verified = 0
        var lastID = 0
        var notedHash: String? = nil
        while true {
            let rows = try await AuditEntryRecord.query(on: database).filter(\.$id > lastID).sort(\.$id)
                .limit(batchSize).all()
            guard let lastRow = rows.last else { break }
            var entries: [AuditEntry] = []
            var unreadable: Int? = nil
            for (i, row) in rows.enumerated() {
                guard let entry = row.entry else { unreadable = i; break }
                entries.append(entry)
            }
            if case .broken(var failure) = AuditChain.verify(entries, after: anchor, hash: Self.sha256) {
                if case .deleted(let from, _) = failure.reason, let found = failure.sequence,
                   try await laterRow(after: rows[failure.position].id ?? lastID, sequenceBelow: found) {
                    failure.reason = .reordered(expected: from, found: found)
                }
                failure.position += verified
                return AuditVerification(result: .broken(failure), head: lastGood(entries, before: failure.position - verified, after: anchor))
            }
            if let unreadable {
                let failure = AuditChain.Break(position: verified + unreadable, sequence: Int(exactly: rows[unreadable].sequence),
                                               reason: .edited)
                return AuditVerification(result: .broken(failure), head: entries.last.map { .init(sequence: $0.sequence, hash: $0.hash) } ?? anchor)
            }
            if let head, let noted = entries.first(where: { $0.sequence == head.sequence }) { notedHash = noted.hash }
            verified += entries.count
            if let last = entries.last { anchor = AuditChain.Anchor(sequence: last.sequence, hash: last.hash) }
            lastID = lastRow.id ?? lastID
            if rows.count < batchSize { break }
        }
        if let head, head.sequence > anchor.sequence {
            let failure = AuditChain.Break(position: verified, sequence: verified > 0 ? anchor.sequence : nil,
                                           reason: .truncated(expectedLast: head.sequence, foundLast: anchor.sequence))
            return AuditVerification(result: .broken(failure), head: anchor)
        }
        if let head, head.sequence > 0, notedHash?.lowercased() != head.hash.lowercased() {
            let failure = AuditChain.Break(position: head.sequence - 1, sequence: head.sequence, reason: .edited)
            return AuditVerification(result: .broken(failure), head: anchor)
        }
        return AuditVerification(result: .intact(count: verified), head: anchor)
    }

    /// The last good entry before position `position` of `entries`.
    private func lastGood(_ entries: [AuditEntry], before position: Int, after start: AuditChain.Anchor) -> AuditChain.Anchor {
        guard position > 0, position <= entries.count else { return start }
        let e = entries[position - 1]
        return AuditChain.Anchor(sequence: e.sequence, hash: e.hash)
    }

    /// Whether a row inserted after row `id` carries a sequence number below `sequence`.
    private func laterRow(after id: Int, sequenceBelow sequence: Int) async throws -> Bool {
        try await AuditEntryRecord.query(on: database).filter(\.$id > id).filter(\.$sequence < Int64(sequence)).first() != nil
    }
}
