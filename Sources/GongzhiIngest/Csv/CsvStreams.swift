import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The raw bytes of a submission: a file read in chunks, or bytes in memory. Can start over from any offset
/// (encoding detection reads ahead, then decoding starts again from the top).
protocol CsvRawSource: ByteSource {
    func seek(to offset: Int)
}

final class CsvFileSource: CsvRawSource {
    private let fd: Int32
    private var offset = 0

    init(path: String) throws(IngestError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw .cannotOpen(path: (path as NSString).lastPathComponent,
                              detail: FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file")
        }
        self.fd = fd
    }

    deinit { close(fd) }

    func seek(to offset: Int) { self.offset = offset }

    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while true {
            let n = pread(fd, out, capacity, off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                throw IngestError.cannotOpen(path: "", detail: "read error \(errno)")
            }
            offset += n
            return n
        }
    }
}

final class CsvMemorySource: CsvRawSource {
    private let data: Data
    private var offset = 0

    init(_ data: Data) { self.data = data }

    func seek(to offset: Int) { self.offset = offset }

    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let n = min(capacity, data.count - offset)
        guard n > 0 else { return 0 }
        data.withUnsafeBytes { raw in
            (raw.baseAddress! + offset).withMemoryRebound(to: UInt8.self, capacity: n) { out.update(from: $0, count: n) }
        }
        offset += n
        return n
    }
}

/// Reads a raw source from `offset` to the end in chunks, handing each chunk to `body` with the bytes carried over
/// from the previous one in front (`body` returns how many bytes it could not use yet; they are carried).
/// Returns how many bytes were left unused at the end.
private func forEachChunk(_ source: any CsvRawSource, from offset: Int, chunkSize: Int,
                          _ body: (UnsafeBufferPointer<UInt8>, _ atEnd: Bool) throws -> (carry: Int, stop: Bool)) throws -> Int {
    source.seek(to: offset)
    let chunk = max(chunkSize, 8)
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk + 8)
    defer { buffer.deallocate() }
    var carried = 0
    while true {
        let n = try source.read(into: buffer + carried, capacity: chunk)
        let total = carried + n
        let (carry, stop) = try body(UnsafeBufferPointer(start: buffer, count: total), n == 0)
        if stop || n == 0 { return carry }
        if carry > 0 { memmove(buffer, buffer + total - carry, carry) }
        carried = carry
    }
}

/// Encoding detection over the whole file, in chunks (memory stays flat): BOM → strict UTF-8 → GB18030
/// (SWIFT-NOTES.md). A file is UTF-8 only when every byte of it is, however late the first non-ASCII byte comes,
/// so no row is ever handed out in the wrong encoding.
enum CsvEncodingDetector {
    /// The encoding and how many bytes of BOM to skip.
    static func detect(_ source: any CsvRawSource, chunkSize: Int) throws -> (TextDecoding.Encoding, skip: Int) {
        var head = [UInt8](repeating: 0, count: 3)
        source.seek(to: 0)
        var got = 0
        while got < 3 {
            let n = try head.withUnsafeMutableBufferPointer { try source.read(into: $0.baseAddress! + got, capacity: 3 - got) }
            if n == 0 { break }
            got += n
        }
        if got >= 3, head[0] == 0xEF, head[1] == 0xBB, head[2] == 0xBF {
            guard try isUTF8(source, from: 3, chunkSize: chunkSize) else { throw IngestError.undecodableText }
            return (.utf8BOM, 3)
        }
        if got >= 2, head[0] == 0xFF, head[1] == 0xFE { return (.utf16LE, 2) }
        if got >= 2, head[0] == 0xFE, head[1] == 0xFF { return (.utf16BE, 2) }
        if try isUTF8(source, from: 0, chunkSize: chunkSize) { return (.utf8, 0) }
        if try isGB18030(source, chunkSize: chunkSize) { return (.gb18030, 0) }
        throw IngestError.undecodableText
    }

    /// The index after the run of ASCII bytes starting at `i`, read 8 bytes at a time (both encodings'
    /// checks skip ASCII alike).
    @inline(__always)
    static func skippingASCII(_ buf: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var i = i
        while i + 8 <= buf.count, UnsafeRawPointer(buf.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
        return i
    }

    /// Whether the bytes from `offset` on are strict UTF-8 (no overlongs, surrogates or values past U+10FFFF).
    static func isUTF8(_ source: any CsvRawSource, from offset: Int, chunkSize: Int) throws -> Bool {
        var valid = true
        let left = try forEachChunk(source, from: offset, chunkSize: chunkSize) { buf, atEnd in
            let n = buf.count
            var i = 0
            while i < n {
                i = skippingASCII(buf, from: i)
                guard i < n else { break }
                let b = buf[i]
                if b < 0x80 { i += 1; continue }
                let need: Int
                var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
                switch b {
                case 0xC2...0xDF: need = 1
                case 0xE0: need = 2; lo = 0xA0
                case 0xE1...0xEC, 0xEE...0xEF: need = 2
                case 0xED: need = 2; hi = 0x9F
                case 0xF0: need = 3; lo = 0x90
                case 0xF1...0xF3: need = 3
                case 0xF4: need = 3; hi = 0x8F
                default: valid = false; return (0, true)
                }
                if i + need >= n {
                    // Cut by the chunk: carry the sequence over (at the end: invalid).
                    if atEnd { valid = false; return (0, true) }
                    // Check what is there so far, so garbage does not wait for the next chunk.
                    if i + 1 < n, !(lo...hi).contains(buf[i + 1]) { valid = false; return (0, true) }
                    return (n - i, false)
                }
                guard (lo...hi).contains(buf[i + 1]) else { valid = false; return (0, true) }
                var k = 2
                while k <= need {
                    guard buf[i + k] & 0xC0 == 0x80 else { valid = false; return (0, true) }
                    k += 1
                }
                i += need + 1
            }
            return (0, false)
        }
        return valid && left == 0
    }

    /// Whether the file is well-formed GB18030 (1-, 2- and 4-byte sequences). Unassigned 4-byte codes are left to
    /// the decoder, which refuses them as it meets them.
    static func isGB18030(_ source: any CsvRawSource, chunkSize: Int) throws -> Bool {
        var valid = true
        let left = try forEachChunk(source, from: 0, chunkSize: chunkSize) { buf, atEnd in
            let n = buf.count
            var i = 0
            while i < n {
                i = skippingASCII(buf, from: i)
                guard i < n else { break }
                let b = buf[i]
                if b < 0x80 { i += 1; continue }
                guard (0x81...0xFE).contains(b) else { valid = false; return (0, true) }
                guard i + 1 < n else {
                    if atEnd { valid = false; return (0, true) }
                    return (n - i, false)
                }
                let b2 = buf[i + 1]
                if (0x40...0x7E).contains(b2) || (0x80...0xFE).contains(b2) { i += 2; continue }
                guard (0x30...0x39).contains(b2) else { valid = false; return (0, true) }
                guard i + 3 < n else {
                    if atEnd { valid = false; return (0, true) }
                    return (n - i, false)
                }
                guard (0x81...0xFE).contains(buf[i + 2]), (0x30...0x39).contains(buf[i + 3]) else { valid = false; return (0, true) }
                i += 4
            }
            return (0, false)
        }
        return valid && left == 0
    }
}

/// Transcodes a raw source to UTF-8 with iconv (GB18030, UTF-16), a chunk at a time. A multi-byte sequence cut by a
/// chunk boundary (EINVAL) is carried over to the next chunk; invalid input (EILSEQ, or a sequence cut by the end
/// of the file) is ``IngestError/undecodableText``.
final class CsvIconvSource: ByteSource {
    private let raw: any CsvRawSource
    private let cd: iconv_t
    private let chunkSize: Int
    private let input: UnsafeMutablePointer<UInt8>
    private var inputCount = 0
    private var rawEnded = false
    private let output: UnsafeMutablePointer<UInt8>
    private let outputCapacity: Int
    private var outputStart = 0
    private var outputEnd = 0

    init(raw: any CsvRawSource, from encoding: String, chunkSize: Int) throws(IngestError) {
        let cd = iconv_open("UTF-8", encoding)
        guard let cd, Int(bitPattern: cd) != -1 else { throw .undecodableText }
        self.cd = cd
        self.raw = raw
        self.chunkSize = max(1, chunkSize)
        input = .allocate(capacity: self.chunkSize + 16)
        outputCapacity = 4 * self.chunkSize + 64
        output = .allocate(capacity: outputCapacity)
    }

    deinit {
        iconv_close(cd)
        input.deallocate()
        output.deallocate()
    }

    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        while outputStart == outputEnd {
            guard try convert() else { return 0 }
        }
        let n = min(capacity, outputEnd - outputStart)
        out.update(from: output + outputStart, count: n)
        outputStart += n
        return n
    }

    /// Converts more input into `output` (empty when called); `false` at the end of the input.
    private func convert() throws -> Bool {
        outputStart = 0
        outputEnd = 0
        var cut = false
        while true {
            // Read when the input is short, or when it ends in a cut sequence (carried bytes ≤ 3 < 16 spare).
            let room = min(chunkSize, chunkSize + 16 - inputCount)
            if !rawEnded, inputCount < chunkSize || cut, room > 0 {
                let n = try raw.read(into: input + inputCount, capacity: room)
                if n == 0 { rawEnded = true } else { inputCount += n }
            }
            if inputCount == 0 { return false }
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(input).assumingMemoryBound(to: CChar.self)
            var inLeft = inputCount
            var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(output).assumingMemoryBound(to: CChar.self)
            var outLeft = outputCapacity
            let rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
            let failure = rc == -1 ? errno : 0
            let consumed = inputCount - inLeft
            if inLeft > 0 { memmove(input, input + consumed, inLeft) }
            inputCount = inLeft
            outputEnd = outputCapacity - outLeft
            switch failure {
            case 0, E2BIG:
                cut = false
            case EINVAL:
                // A sequence cut by the end of what was read: read more, unless the file ends there.
                if rawEnded { throw IngestError.undecodableText }
                cut = true
            default:
                throw IngestError.undecodableText
            }
            if outputEnd > 0 { return true }
            if rawEnded && inputCount == 0 { return false }
        }
    }
}

/// The raw bytes as they are (UTF-8 files, after any BOM).
final class CsvPassThroughSource: ByteSource {
    private let raw: any CsvRawSource

    init(raw: any CsvRawSource, from offset: Int) {
        self.raw = raw
        raw.seek(to: offset)
    }

    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        try raw.read(into: out, capacity: capacity)
    }
}
