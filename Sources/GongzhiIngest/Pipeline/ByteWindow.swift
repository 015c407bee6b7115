import Foundation

/// A pull source of bytes: `read` fills up to `capacity` bytes and returns how many; 0 only at the end.
/// Files, inflaters and text decoders all are one, so both readers stream through ``ByteWindow``.
protocol ByteSource: AnyObject {
    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int
}

/// A sliding window over a ``ByteSource`` for the xlsx and CSV scanners: consumed bytes are dropped at each
/// refill, a unit (an XML token, a CSV record) cut by a chunk boundary is carried over, and the window only
/// grows for a unit longer than a chunk — up to `maxUnitBytes`, past which `overlong` names the problem.
final class ByteWindow {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    private(set) var count = 0
    private(set) var eof = false
    /// The largest capacity the window reached (a memory bound the tests check).
    private(set) var highWater: Int
    let chunkSize: Int
    /// A single unit may not be longer than this (an unclosed quote or tag would otherwise swallow the file).
    let maxUnitBytes: Int
    private let source: any ByteSource
    private let overlong: (Int) -> IngestError

    init(source: any ByteSource, chunkSize: Int, maxUnitBytes: Int = 64 << 20,
         overlong: @escaping (_ maxUnitBytes: Int) -> IngestError) {
        self.source = source
        self.chunkSize = max(1, chunkSize)
        self.maxUnitBytes = maxUnitBytes
        self.overlong = overlong
        capacity = max(2 * self.chunkSize, 64)
        highWater = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Drops the bytes before `keep`, then reads at least one more byte or reaches the end.
    func refill(keepingFrom keep: Int) throws {
        guard !eof else { return }
        let kept = count - keep
        if kept > maxUnitBytes { throw overlong(maxUnitBytes) }
        if keep > 0, kept > 0 { memmove(base, base + keep, kept) }
        count = kept
        if count + chunkSize > capacity {
            let newCapacity = max(capacity * 2, count + chunkSize)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: base, count: count)
            base.deallocate()
            base = grown
            capacity = newCapacity
            highWater = max(highWater, capacity)
        }
        let n = try source.read(into: base + count, capacity: chunkSize)
        if n == 0 { eof = true } else { count += n }
    }

    /// Reads until at least `n` bytes are held or the source ends (without dropping any).
    func fill(atLeast n: Int) throws {
        while count < n, !eof { try refill(keepingFrom: 0) }
    }

    /// Reads everything that is left into memory (for the rare UTF-16 part, converted as a whole).
    func drain() throws -> [UInt8] {
        var out = Array(buffer)
        count = 0
        while !eof {
            try refill(keepingFrom: count)
            out.append(contentsOf: buffer)
            count = 0
        }
        return out
    }
}
