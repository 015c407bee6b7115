import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The shared-string table, compact: the UTF-8 bytes of all strings one after the other, the length of each
/// (2 bytes a string) and the offset of every 32nd; a `String` is made on lookup.
///
/// The first ``Spill/memoryBytes`` of text stay in memory — the strings a sheet repeats (enum values, names)
/// are the early ones. The rest goes to an unlinked temporary file and is read back with `pread` through a
/// small cache of blocks: a workbook with millions of distinct strings (IDs, addresses) then costs the
/// process its offsets and a few megabytes, not the whole text (the file's pages belong to the kernel's page
/// cache, not to the process). Lookups mostly move forward through the table, as the sheet was written.
/// Used by one thread at a time (the reader's).
package final class XlsxSharedStrings {
    /// Where the text goes.
    package struct Spill: Sendable {
        /// Text kept in memory; past it, strings go to the temporary file.
        package var memoryBytes: Int
        /// Bytes read from the file at a time.
        package var blockSize: Int
        /// Blocks kept (direct-mapped by block number).
        package var cachedBlocks: Int

        package init(memoryBytes: Int, blockSize: Int, cachedBlocks: Int) {
            self.memoryBytes = memoryBytes
            self.blockSize = blockSize
            self.cachedBlocks = cachedBlocks
        }

        package static let standard = Spill(memoryBytes: 8 << 20, blockSize: 4 << 10, cachedBlocks: 1024)
    }

    private let spill: Spill
    /// The in-memory text: every string that ends at or before `fileStart`.
    private var bytes: [UInt8] = []
    /// Strings per anchor.
    private static let stride = 32
    /// Offset in the whole text (memory, then file) of strings 0, 32, 64…
    private var anchors: [UInt32] = []
    /// UTF-8 length of each string; `UInt16.max`: see `longLengths`.
    private var lengths: [UInt16] = []
    /// Lengths of 65,535 bytes or more, by string index (Excel allows 32,767 characters a cell).
    private var longLengths: [Int: Int] = [:]
    /// Bytes of text so far.
    private var total = 0
    /// The temporary file (-1: everything is in memory).
    private var fd: Int32 = -1
    /// The temporary file could not be made: keep everything in memory.
    private var cannotSpill = false
    /// Offset in the whole text where the file's first byte belongs.
    private var fileStart = 0
    /// Text appended but not yet written to the file.
    private var pending: [UInt8] = []
    /// Bytes written to the file so far.
    private var written = 0
    /// The cache: block number held by each slot (-1: none), and the slots' bytes.
    private var slotBlock: [Int] = []
    private var slots: [UInt8] = []
    private var scratch: [UInt8] = []

    package init(spill: Spill = .standard) {
        self.spill = Spill(memoryBytes: max(0, spill.memoryBytes), blockSize: max(1, spill.blockSize),
                           cachedBlocks: max(1, spill.cachedBlocks))
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    package var count: Int { lengths.count }

    /// Whether part of the text lives in the temporary file.
    package var isSpilled: Bool { fd >= 0 }

    /// `byteCount`: the size of the XML (decoded text is never longer); `strings`: the expected number of strings.
    /// Untouched reserved capacity costs no memory.
    func reserve(bytes byteCount: Int, strings: Int) {
        bytes.reserveCapacity(min(byteCount, spill.memoryBytes))
        lengths.reserveCapacity(min(strings, 50_000_000))
        anchors.reserveCapacity(min(strings, 50_000_000) / Self.stride + 1)
    }

    package func append(_ s: String) throws {
        var s = s
        let length = s.utf8.count
        guard total + length <= Int(UInt32.max) else {
            throw IngestError.corruptWorkbook(detail: "shared strings over 4 GB")
        }
        try s.withUTF8 { utf8 in
            if fd < 0 && !cannotSpill && bytes.count + utf8.count > spill.memoryBytes { startSpilling() }
            if fd < 0 {
                bytes.append(contentsOf: utf8)
            } else {
                pending.append(contentsOf: utf8)
                if pending.count >= 1 << 20 { try flush() }
            }
        }
        if lengths.count % Self.stride == 0 { anchors.append(UInt32(total)) }
        if length >= Int(UInt16.max) {
            longLengths[lengths.count] = length
            lengths.append(UInt16.max)
        } else {
            lengths.append(UInt16(length))
        }
        total += length
    }

    @inline(__always)
    private func length(at i: Int) -> Int {
        let l = lengths[i]
        return l == UInt16.max ? longLengths[i]! : Int(l)
    }

    /// Writes what is pending to the file; called when the table is complete (before the first lookup).
    package func finish() throws {
        if fd >= 0 { try flush() }
        pending = []
    }

    package func string(at i: Int) throws -> String {
        var start = Int(anchors[i / Self.stride])
        for j in (i - i % Self.stride)..<i { start += length(at: j) }
        let end = start + length(at: i)
        if end <= fileStart || fd < 0 {
            return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
        }
        if start == end { return "" }
        // In the file (a string never straddles memory and file).
        let from = start - fileStart, to = end - fileStart
        let block = from / spill.blockSize
        if (to - 1) / spill.blockSize == block {
            let slot = try cachedBlock(block)
            let offset = slot * spill.blockSize + from - block * spill.blockSize
            return slots.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[offset..<(offset + to - from)]), as: UTF8.self)
            }
        }
        // Across a block boundary: read it on its own.
        if scratch.count < to - from { scratch = [UInt8](repeating: 0, count: to - from) }
        try scratch.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: to - from, at: from) }
        return scratch.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[0..<(to - from)]), as: UTF8.self) }
    }

    // MARK: - The file

    /// Opens the unlinked temporary file; if that fails, the text simply stays in memory.
    private func startSpilling() {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast())
            + Array("gongzhi-sst.XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            cannotSpill = true
            return
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        fd = descriptor
        fileStart = bytes.count
        slotBlock = [Int](repeating: -1, count: spill.cachedBlocks)
        slots = [UInt8](repeating: 0, count: spill.cachedBlocks * spill.blockSize)
        pending.reserveCapacity((1 << 20) + 4096)
    }

    private func flush() throws {
        try pending.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(written + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw IngestError.corruptWorkbook(detail: "shared strings: cannot write the temporary file (errno \(errno))")
                }
                done += n
            }
        }
        written += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    /// The cache slot holding `block`, read from the file if needed.
    private func cachedBlock(_ block: Int) throws -> Int {
        let slot = block % spill.cachedBlocks
        if slotBlock[slot] != block {
            let size = spill.blockSize
            let count = min(size, written - block * size)
            try slots.withUnsafeMutableBytes { try read(into: $0.baseAddress! + slot * size, count: count, at: block * size) }
            slotBlock[slot] = block
        }
        return slot
    }

    private func read(into p: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let n = pread(fd, p + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw IngestError.corruptWorkbook(detail: "shared strings: cannot read the temporary file (errno \(errno))")
            }
            if n == 0 {
                throw IngestError.corruptWorkbook(detail: "shared strings: temporary file shorter than written")
            }
            done += n
        }
    }
}
