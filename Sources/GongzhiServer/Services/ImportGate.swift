import Foundation

/// Lets at most `limit` imports write at once; later ones wait their turn, first come first served.
/// On SQLite one writer holds the database at a time, so a second import would otherwise fail with
/// "database is locked" instead of waiting.
public actor ImportGate {
    public let limit: Int
    /// How many imports hold a slot now.
    public private(set) var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(limit: Int) {
        self.limit = max(limit, 1)
    }

    /// Runs `body` once a slot is free.
    public func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// How many imports wait for a slot.
    public var queued: Int { waiting.count }

    private func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// Progress of web uploads being imported in the background, by submission id. Kept in this server's
/// memory: the result itself is in the database for every server; a page polling another server simply
/// waits for the result.
public actor ImportProgressBoard {
    /// One upload's state.
    public struct Entry: Sendable {
        public enum State: Sendable, Equatable {
            case waiting
            case running
            case failed(message: String)
            case finished
        }

        public var indicator: String
        public var period: String
        public var fileName: String
        public var startedAt: Date
        public var rowsRead: Int
        public var state: State
    }

    private var entries: [UUID: Entry] = [:]

    public init() {}

    public func announce(_ id: UUID, indicator: String, period: String, fileName: String, at now: Date) {
        entries[id] = Entry(indicator: indicator, period: period, fileName: fileName, startedAt: now, rowsRead: 0, state: .waiting)
    }

    public func update(_ id: UUID, rowsRead: Int) {
        entries[id]?.rowsRead = rowsRead
        entries[id]?.state = .running
    }

    public func finish(_ id: UUID) {
        entries[id]?.state = .finished
    }

    public func fail(_ id: UUID, message: String) {
        entries[id]?.state = .failed(message: message)
    }

    public func entry(_ id: UUID) -> Entry? {
        entries[id]
    }

    /// Forgets finished and failed entries older than `age` seconds.
    public func prune(olderThan age: TimeInterval, now: Date) {
        entries = entries.filter { _, entry in
            switch entry.state {
            case .waiting, .running: true
            case .failed, .finished: now.timeIntervalSince(entry.startedAt) < age
            }
        }
    }
}
