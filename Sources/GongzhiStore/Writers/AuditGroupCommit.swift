import FluentKit
import Foundation
import GongzhiCore

/// Group commit for audit entries written on their own (page views, queries of the unit's own data,
/// exports): appends that arrive while one batch commits wait, and then go in together, in one transaction.
///
/// Each stand-alone append is its own transaction, and on SQLite (`synchronous=FULL`) each commit is an
/// fsync behind the one write gate — about 3 ms on the reference machine — so every audited page view of
/// the whole server queued for the disk one at a time: the records API stalled at about 100 requests/s
/// whatever the query cost (BENCHMARKS.md, load benchmark of issue 9). Batched, one fsync serves every
/// request that arrived meanwhile. Each caller still returns only once its own entry is committed: a
/// request whose entry cannot be written fails, as before.
///
/// One instance per database (the server keeps it with its services): a batch runs on the `db` of the
/// append that started it, so instances must not be shared across databases. Appends inside a
/// transaction (acts that store something) bypass it and commit with their act.
public actor AuditGroupCommit {
    /// Most entries one transaction seals.
    public static let maxBatch = 256

    private struct Waiting {
        var event: AuditEvent
        var continuation: CheckedContinuation<AuditEntry, any Error>
    }

    private var waiting: [Waiting] = []
    private var draining = false
    /// How many transactions have committed batches, and how many entries they held (for tests and metrics).
    public private(set) var batches = 0
    public private(set) var entries = 0

    public init() {}

    /// Appends `event` to the audit log: in `db`'s transaction when `db` is one, otherwise in the next batch.
    /// - Returns: the sealed entry, once committed.
    /// - Throws: what ``AuditLog/append(_:on:)`` throws for this event.
    public func append(_ event: AuditEvent, on db: any Database) async throws -> AuditEntry {
        if db.inTransaction { return try await AuditLog.append(event, on: db) }
        return try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiting(event: event, continuation: continuation))
            if !draining {
                draining = true
                Task { await self.drain(on: db) }
            }
        }
    }

    /// Commits the waiting appends batch by batch until none waits; appends that arrive during a commit
    /// form the next batch.
    private func drain(on db: any Database) async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.maxBatch))
            waiting.removeFirst(batch.count)
            do {
                let sealed = try await AuditLog.append(batch.map(\.event), on: db)
                batches += 1
                entries += sealed.count
                for (w, entry) in zip(batch, sealed) { w.continuation.resume(returning: entry) }
            } catch {
                // One event the database refuses must not fail the others: each then goes alone.
                for w in batch {
                    do { w.continuation.resume(returning: try await AuditLog.append(w.event, on: db)) } catch { w.continuation.resume(throwing: error) }
                }
            }
        }
        draining = false
    }
}
