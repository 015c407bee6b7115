import Foundation

/// Adapts an xlsx worksheet reader to ``RowSource``.
///
/// The rows are read ahead on a helper thread, in chunks of ``RowPrefetcher/chunkRows`` rows and at most
/// ``RowPrefetcher/maxChunks`` chunks ahead, so that inflating and scanning the sheet XML overlaps with
/// validating the rows already read (two cores instead of one), while memory stays bounded. Rows, their order
/// and a reader error (after the rows before it) are exactly the reader's. Call ``close()`` before the
/// workbook is read again (another sheet opened): it stops the helper thread and waits for it; releasing the
/// source does the same.
struct XlsxRowSource: RowSource {
    let name: String
    let mergedRanges: [MergedRange]
    private let prefetcher: PrefetchHandle
    private var chunk: [SheetRow] = []
    private var next = 0

    init(reader: XlsxSheetReader, name: String) {
        self.name = name
        self.mergedRanges = reader.mergedRanges
        self.prefetcher = PrefetchHandle(RowPrefetcher(reader: reader))
    }

    var sheetName: String? { name }

    mutating func nextRow() throws -> SheetRow? {
        if next == chunk.count {
            guard let more = try prefetcher.rows.take() else {
                chunk = []
                next = 0
                return nil
            }
            chunk = more
            next = 0
        }
        defer { next += 1 }
        return chunk[next]
    }

    /// Stops reading ahead and waits for the helper thread to finish (idempotent).
    func close() {
        prefetcher.rows.close()
    }
}

/// Owns a ``RowPrefetcher`` for its source: the helper thread keeps the prefetcher alive, so the prefetcher
/// cannot stop itself on release; this handle does.
private final class PrefetchHandle: Sendable {
    let rows: RowPrefetcher

    init(_ rows: RowPrefetcher) { self.rows = rows }

    deinit { rows.close() }
}

/// Reads an xlsx sheet's rows on a helper thread into a small bounded queue of chunks.
final class RowPrefetcher: @unchecked Sendable {
    /// Rows per chunk handed over.
    static let chunkRows = 256
    /// Chunks read ahead at most.
    static let maxChunks = 4

    // All mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [[SheetRow]] = []
    /// The helper has read the last row (or failed).
    private var ended = false
    private var failure: (any Error)? = nil
    private var cancelled = false
    private var running = true

    private struct ReaderBox: @unchecked Sendable {
        // Used by the helper thread only, once handed over.
        let reader: XlsxSheetReader
    }

    init(reader: XlsxSheetReader) {
        let box = ReaderBox(reader: reader)
        let thread = Thread { [self] in self.produce(box.reader) }
        thread.name = "xlsx-rows"
        thread.start()
    }

    private func produce(_ reader: XlsxSheetReader) {
        var chunk: [SheetRow] = []
        chunk.reserveCapacity(Self.chunkRows)
        var error: (any Error)? = nil
        while true {
            do {
                guard let row = try reader.nextRow() else { break }
                chunk.append(row)
            } catch let e {
                error = e
                break
            }
            if chunk.count == Self.chunkRows {
                guard push(chunk) else { return }
                chunk = []
                chunk.reserveCapacity(Self.chunkRows)
            }
        }
        condition.lock()
        if !chunk.isEmpty && !cancelled { queue.append(chunk) }
        failure = error
        ended = true
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// Queues `chunk`, waiting while the queue is full; `false` (and the helper's end) when cancelled.
    private func push(_ chunk: [SheetRow]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.maxChunks && !cancelled { condition.wait() }
        if cancelled {
            ended = true
            running = false
            condition.broadcast()
            return false
        }
        queue.append(chunk)
        condition.broadcast()
        return true
    }

    /// The next chunk in file order, `nil` after the last, or the reader's error (once, after every row
    /// read before it).
    func take() throws -> [SheetRow]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !ended { condition.wait() }
        if !queue.isEmpty {
            let chunk = queue.removeFirst()
            condition.broadcast()
            return chunk
        }
        if let failure {
            self.failure = nil
            throw failure
        }
        return nil
    }

    /// Stops the helper (after the row it is reading) and waits until it has returned.
    func close() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while running { condition.wait() }
        queue.removeAll()
        condition.unlock()
    }
}
