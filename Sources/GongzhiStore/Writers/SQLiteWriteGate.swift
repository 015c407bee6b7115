import FluentKit
import Foundation

/// One writer at a time on SQLite, first come first served, waiting without holding a thread.
///
/// SQLite lets one connection write at a time. Left to itself, a second writer waits inside SQLite's busy
/// handler — which in sqlite-nio retries without sleeping, on a thread of the shared thread pool. Under an
/// import and a few dozen readers (each page view writes its audit entry) the waiting writers spun on every
/// pool thread while the import's next batch waited for a thread: the server froze (issue 9). Writers that
/// pass through this gate queue here instead, as suspended tasks; the import takes the gate once per batch,
/// so a page view's audit entry waits at most one batch.
///
/// Process-wide: SQLite's lock is per database file, and one server process uses one file. On PostgreSQL
/// ``serialize(on:_:)`` runs the body directly (row locks do the work there).
public actor SQLiteWriteGate {
    /// The gate every SQLite write of this process passes.
    public static let shared = SQLiteWriteGate()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// How many writers wait for the gate.
    public var queued: Int { waiting.count }

    /// Runs `body` holding the gate when `database` is SQLite, else directly.
    /// - Throws: whatever `body` throws (the gate is released either way).
    public static func serialize<T: Sendable>(on database: any Database,
                                              _ body: @Sendable () async throws -> T) async throws -> T {
        guard DatabaseDialect.of(database) == .sqlite else { return try await body() }
        await shared.acquire()
        do {
            let value = try await body()
            await shared.release()
            return value
        } catch {
            await shared.release()
            throw error
        }
    }

    /// Runs `body` in a transaction on `database` — on SQLite behind the gate, with the write lock taken
    /// first (see ``SharingRepository/lockForWrite(_:table:)``, here on `lockTable`), so a transaction that
    /// reads before it writes cannot fail on a commit in between; on PostgreSQL a plain transaction.
    /// - Throws: whatever `body` throws; database errors.
    public static func transaction<T: Sendable>(on database: any Database, lockTable: String,
                                                _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard DatabaseDialect.of(database) == .sqlite else { return try await database.transaction(body) }
        return try await serialize(on: database) {
            try await database.transaction { db in
                try await SharingRepository.lockForWrite(db, table: lockTable)
                return try await body(db)
            }
        }
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
