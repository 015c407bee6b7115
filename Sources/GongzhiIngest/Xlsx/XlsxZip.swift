import Foundation
#if canImport(CZlib)
import CZlib
#elseif canImport(zlib)
import zlib
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened read-only and read with `pread` (so several streams can read it at once); closed with its last user.
final class XlsxFile {
    let fd: Int32
    let size: Int64

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw IngestError.cannotOpen(path: path, detail: FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw IngestError.cannotOpen(path: path, detail: "not a regular file")
        }
        self.fd = fd
        self.size = Int64(st.st_size)
    }

    deinit { close(fd) }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(into p: UnsafeMutableRawPointer, count: Int, at offset: Int64) throws -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, p + done, count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw IngestError.corruptWorkbook(detail: "read error \(errno) at byte \(offset + Int64(done))")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    func bytes(at offset: Int64, count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset + Int64(count) <= size else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let n = try out.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: count, at: offset) }
        return n == count ? out : []
    }
}

/// One file of the zip's central directory.
struct XlsxZipEntry {
    var name: String
    var flags: UInt16
    var method: UInt16
    var crc32: UInt32
    var compressedSize: Int64
    var uncompressedSize: Int64
    var localHeaderOffset: Int64
}

/// Reads the central directory of a zip archive (ZIP64 included). Anything inconsistent is `.corruptWorkbook`.
enum XlsxZipDirectory {
    static let maxEntries = 100_000

    static func read(_ file: XlsxFile) throws -> [XlsxZipEntry] {
        func corrupt(_ what: String) -> IngestError { .corruptWorkbook(detail: "zip archive unreadable: \(what)") }
        // End of central directory record: 22 bytes + a comment of up to 65,535 bytes, at the end of the file.
        let tailLength = Int(min(file.size, 22 + 65_535))
        let tailStart = file.size - Int64(tailLength)
        let tail = try file.bytes(at: tailStart, count: tailLength)
        guard tail.count >= 22 else { throw corrupt("too short (truncated?)") }
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06,
               i + 22 + Int(le16(tail, i + 20)) <= tail.count {
                eocd = i
                break
            }
            i -= 1
        }
        guard eocd >= 0 else { throw corrupt("no end of central directory record (truncated?)") }
        var count = Int64(le16(tail, eocd + 10))
        var cdSize = Int64(le32(tail, eocd + 12))
        var cdOffset = Int64(le32(tail, eocd + 16))
        let eocdOffset = tailStart + Int64(eocd)
        var cdEnd = eocdOffset
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // ZIP64 end of central directory locator, just before the record.
            let loc = try file.bytes(at: eocdOffset - 20, count: 20)
            guard loc.count == 20, le32(loc, 0) == 0x0706_4B50 else { throw corrupt("ZIP64 locator missing") }
            let z64Offset = Int64(bitPattern: le64(loc, 8))
            let z64 = try file.bytes(at: z64Offset, count: 56)
            guard z64.count == 56, le32(z64, 0) == 0x0606_4B50 else { throw corrupt("ZIP64 end record missing") }
            count = Int64(bitPattern: le64(z64, 32))
            cdSize = Int64(bitPattern: le64(z64, 40))
            cdOffset = Int64(bitPattern: le64(z64, 48))
            cdEnd = z64Offset
        }
        guard count >= 0, count <= Int64(maxEntries) else { throw corrupt("\(count) entries") }
        guard cdOffset >= 0, cdSize >= 0, cdSize <= 64 << 20, cdOffset + cdSize <= cdEnd else {
            throw corrupt("central directory outside the file (truncated?)")
        }
        let cd = try file.bytes(at: cdOffset, count: Int(cdSize))
        guard cd.count == Int(cdSize) else { throw corrupt("central directory unreadable") }
        var entries: [XlsxZipEntry] = []
        entries.reserveCapacity(Int(count))
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= cd.count, le32(cd, p) == 0x0201_4B50 else { throw corrupt("bad central directory entry") }
            let flags = le16(cd, p + 8)
            let method = le16(cd, p + 10)
            let crc = le32(cd, p + 16)
            var csize = Int64(le32(cd, p + 20))
            var usize = Int64(le32(cd, p + 24))
            let nameLength = Int(le16(cd, p + 28))
            let extraLength = Int(le16(cd, p + 30))
            let commentLength = Int(le16(cd, p + 32))
            var offset = Int64(le32(cd, p + 42))
            let nameStart = p + 46
            let extraStart = nameStart + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= cd.count else { throw corrupt("bad central directory entry") }
            // ZIP64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF, in this order.
            var e = extraStart
            while e + 4 <= extraStart + extraLength {
                let id = le16(cd, e), size = Int(le16(cd, e + 2))
                let body = e + 4
                guard body + size <= extraStart + extraLength else { break }
                if id == 0x0001 {
                    var q = body
                    if usize == 0xFFFF_FFFF, q + 8 <= body + size { usize = Int64(bitPattern: le64(cd, q)); q += 8 }
                    if csize == 0xFFFF_FFFF, q + 8 <= body + size { csize = Int64(bitPattern: le64(cd, q)); q += 8 }
                    if offset == 0xFFFF_FFFF, q + 8 <= body + size { offset = Int64(bitPattern: le64(cd, q)); q += 8 }
                }
                e = body + size
            }
            guard csize >= 0, usize >= 0, offset >= 0, offset < file.size else { throw corrupt("bad entry sizes or offset") }
            let name = String(decoding: cd[nameStart..<extraStart], as: UTF8.self)
            entries.append(XlsxZipEntry(name: name, flags: flags, method: method, crc32: crc, compressedSize: csize,
                                        uncompressedSize: usize, localHeaderOffset: offset))
            p = next
        }
        return entries
    }

    /// Where the entry's data starts (after its local header), checked against the file size.
    static func dataOffset(_ entry: XlsxZipEntry, in file: XlsxFile) throws -> Int64 {
        let header = try file.bytes(at: entry.localHeaderOffset, count: 30)
        guard header.count == 30, le32(header, 0) == 0x0403_4B50 else {
            throw IngestError.corruptWorkbook(detail: "\(entry.name): local file header missing")
        }
        let start = entry.localHeaderOffset + 30 + Int64(le16(header, 26)) + Int64(le16(header, 28))
        guard start + entry.compressedSize <= file.size else {
            throw IngestError.corruptWorkbook(detail: "\(entry.name): data runs past the end of the file (truncated)")
        }
        return start
    }

    @inline(__always) static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    @inline(__always) static func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    @inline(__always) static func le64(_ b: [UInt8], _ i: Int) -> UInt64 {
        UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32
    }
}


/// Bytes already in memory (a UTF-16 part converted to UTF-8).
final class XlsxMemorySource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let n = min(capacity, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { out.update(from: $0.baseAddress! + position, count: n) }
        position += n
        return n
    }
}

/// The limits an archive's parts are inflated under (zip bomb defence).
struct XlsxInflationLimits {
    /// Total inflated bytes over all parts read from the archive (a part read twice counts once).
    var maxInflatedBytes: Int
    /// A part whose inflated size exceeds this many times the compressed bytes consumed so far is refused…
    var maxCompressionRatio: Int
    /// …once it has inflated more than this many bytes (small parts may compress extremely well).
    var ratioCheckAfterBytes: Int
}

/// Pulls the inflated bytes of one entry, reading the compressed data from the file in chunks: raw deflate through
/// zlib (`inflateInit2(-15)`), or stored bytes as they are. Checks the size and CRC-32 at the end, the archive's
/// inflation budget and the compression ratio on the way.
final class XlsxEntryStream: ByteSource {
    private let file: XlsxFile
    private let entry: XlsxZipEntry
    private let budget: XlsxArchive?
    private let limits: XlsxInflationLimits
    private let chunkSize: Int
    private var offset: Int64
    private var compressedLeft: Int64
    private var input: UnsafeMutablePointer<UInt8>?
    private var stream: UnsafeMutablePointer<z_stream>?
    private(set) var inflated: Int64 = 0
    private var crc: UInt32 = 0
    private var finished = false

    /// `budget`: the archive whose total is charged (`nil` for a second pass over a part already charged).
    init(file: XlsxFile, entry: XlsxZipEntry, budget: XlsxArchive?, limits: XlsxInflationLimits, chunkSize: Int) throws {
        self.file = file
        self.entry = entry
        self.budget = budget
        self.limits = limits
        self.chunkSize = max(1, chunkSize)
        if entry.flags & 1 != 0 {
            throw IngestError.unsupportedFormat(.encryptedZip)
        }
        guard entry.method == 0 || entry.method == 8 else {
            throw IngestError.corruptWorkbook(detail: "\(entry.name): zip compression method \(entry.method) (not written by Excel)")
        }
        offset = try XlsxZipDirectory.dataOffset(entry, in: file)
        compressedLeft = entry.compressedSize
        if entry.method == 8 {
            input = .allocate(capacity: self.chunkSize)
            let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            s.initialize(to: z_stream())
            guard inflateInit2_(s, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                s.deallocate()
                throw IngestError.corruptWorkbook(detail: "\(entry.name): zlib initialisation failed")
            }
            stream = s
        }
        if entry.uncompressedSize == 0 && entry.compressedSize == 0 { try finish() }
    }

    deinit {
        if let s = stream { inflateEnd(s); s.deallocate() }
        input?.deallocate()
    }

    private func corrupt(_ what: String) -> IngestError { .corruptWorkbook(detail: "\(entry.name): \(what)") }

    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        guard !finished, capacity > 0 else { return 0 }
        guard let s = stream else {
            // Stored.
            let n = Int(min(Int64(capacity), compressedLeft))
            let got = try file.read(into: out, count: n, at: offset)
            guard got == n else { throw corrupt("truncated stored data") }
            offset += Int64(n)
            compressedLeft -= Int64(n)
            try account(out, n)
            if compressedLeft == 0 { try finish() }
            return n
        }
        s.pointee.next_out = out
        s.pointee.avail_out = UInt32(clamping: capacity)
        while true {
            if s.pointee.avail_in == 0, compressedLeft > 0, let input {
                let n = Int(min(Int64(chunkSize), compressedLeft))
                let got = try file.read(into: input, count: n, at: offset)
                guard got == n else { throw corrupt("truncated deflate data") }
                offset += Int64(n)
                compressedLeft -= Int64(n)
                s.pointee.next_in = input
                s.pointee.avail_in = UInt32(n)
            }
            let rc = inflate(s, Z_NO_FLUSH)
            let produced = capacity - Int(s.pointee.avail_out)
            switch rc {
            case Z_STREAM_END:
                try account(out, produced)
                try finish()
                return produced
            case Z_OK, Z_BUF_ERROR:
                if produced > 0 {
                    try account(out, produced)
                    return produced
                }
                if s.pointee.avail_in == 0 && compressedLeft == 0 { throw corrupt("deflate stream ends early (truncated)") }
                if rc == Z_BUF_ERROR && s.pointee.avail_in > 0 { throw corrupt("deflate stream stalled") }
            default:
                let msg = s.pointee.msg.map { String(cString: $0) } ?? "code \(rc)"
                throw corrupt("damaged deflate data (\(msg))")
            }
        }
    }

    private func account(_ out: UnsafeMutablePointer<UInt8>, _ n: Int) throws {
        guard n > 0 else { return }
        inflated += Int64(n)
        crc = UInt32(truncatingIfNeeded: crc32(uLong(crc), out, uInt(n)))
        if inflated > entry.uncompressedSize {
            // A lying size field: refuse as soon as it shows (no bomb gets further than its declared size).
            throw corrupt("inflates past its declared size of \(entry.uncompressedSize) bytes")
        }
        if let budget {
            budget.inflatedBytes += n
            if budget.inflatedBytes > limits.maxInflatedBytes {
                throw IngestError.inflationLimitExceeded(limitBytes: limits.maxInflatedBytes)
            }
        }
        if inflated > Int64(limits.ratioCheckAfterBytes), let s = stream,
           inflated > Int64(limits.maxCompressionRatio) * max(Int64(s.pointee.total_in), 1) {
            throw IngestError.compressionRatioExceeded(limit: limits.maxCompressionRatio)
        }
    }

    private func finish() throws {
        finished = true
        if let s = stream { inflateEnd(s); s.deallocate(); stream = nil }
        guard inflated == entry.uncompressedSize else {
            throw corrupt("inflated to \(inflated) bytes, declared \(entry.uncompressedSize)")
        }
        guard crc == entry.crc32 else { throw corrupt("CRC-32 mismatch") }
    }
}
