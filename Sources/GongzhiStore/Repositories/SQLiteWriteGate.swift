import FluentKit
import SQLKit

/// Lets one SQLite write transaction at a time through, queued without holding a thread (issue 9).
///
/// SQLite admits one writer. A second connection that wants the write lock waits inside SQLite, on a
/// thread of the process's blocking pool (as many threads as cores: two here), and SQLiteNIO's busy
/// handler retries at once and for ever. Two such waiters hold the whole pool, and the transactions they
/// wait for cannot run their next statement any more. Workflow transitions and quota reservations, which
/// come in bursts of the same action, therefore queue here, asynchronously, before they open their
/// transaction. On PostgreSQL, which waits for row locks without a thread, it does nothing.
public actor SQLiteWriteGate {
    /// The gate of this process (one SQLite database per process in production).
    public static let shared = SQLiteWriteGate()

    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    private func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Runs `body` in a transaction on `database` — on SQLite after the gate lets it through, and with the
    /// write lock taken first (see ``SharingRepository/lockForWrite(_:table:)``, here on `lockTable`).
    /// - Throws: whatever `body` throws; database errors.
    public static func transaction<T: Sendable>(on database: any Database, lockTable: String,
                                                _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard (database as? any SQLDatabase)?.dialect.name == "sqlite" else { return try await database.transaction(body) }
        await shared.enter()
        do {
            let result = try await database.transaction { db in
                try await SharingRepository.lockForWrite(db, table: lockTable)
                return try await body(db)
            }
            await shared.leave()
            return result
        } catch {
            await shared.leave()
            throw error
        }
    }
}
