import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming `multipart/form-data` reader (RFC 7578 over RFC 2046 §5.1.1) that finds delimiters with the
/// C library (`memchr`, `memcmp`) and hands part bodies over in blocks.
///
/// Vapor's MultipartKit parser walks the body byte by byte through `ByteBufferView`; optimised that is fast,
/// but in a debug build a 50 MB upload took 45–65 s before its progress page could answer (issue 10 item 2
/// asks for 2 s, release or debug). Here no Swift code touches a body byte: bytes are copied and searched by
/// the C library, so both builds read at the disk's pace.
///
/// Feed chunks with ``feed(_:)`` and call ``finish()`` at the end of the body. Callbacks come in order:
/// `onHeaders` once per part, `onBody` zero or more times, `onPartComplete` once.
/// - Throws: ``MultipartStream/Malformed`` for a body without the boundary, with a part header block
///   over 16 KB, or ending before its closing delimiter.
final class MultipartStream {
    /// Why a body is not a well-formed multipart body.
    struct Malformed: Error, Equatable {
        var reason: String
    }

    /// The headers of a part, names lower-cased.
    var onHeaders: ([(name: String, value: String)]) throws -> Void = { _ in }
    /// A block of the current part's body.
    var onBody: (UnsafeRawBufferPointer) throws -> Void = { _ in }
    var onPartComplete: () throws -> Void = {}

    /// The largest header block of one part.
    static let maxHeaderBytes = 16 << 10

    private enum State {
        /// Before the first delimiter (the preamble is ignored).
        case preamble
        /// Just after a delimiter: `--` ends the body, anything else up to CRLF is padding before the headers.
        case afterDelimiter
        case headers
        case body
        case done
    }

    private var state = State.preamble
    /// `CRLF--boundary`: the body's first delimiter has no CRLF before it, so the stream starts with one.
    private let delimiter: [UInt8]
    private var pending: ByteBuffer

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        pending = ByteBufferAllocator().buffer(capacity: 256 << 10)
        pending.writeStaticString("\r\n")
    }

    /// Reads `chunk`, calling back for whatever it completes.
    func feed(_ chunk: ByteBuffer) throws {
        var chunk = chunk
        if state == .done { return }
        pending.writeBuffer(&chunk)
        try process()
        pending.discardReadBytes()
    }

    /// Ends the body: a body that did not reach its closing delimiter is malformed.
    func finish() throws {
        guard state == .done else { throw Malformed(reason: "the body ends before its closing delimiter") }
    }

    private func process() throws {
        while true {
            switch state {
            case .done:
                pending.moveReaderIndex(forwardBy: pending.readableBytes)
                return
            case .preamble:
                guard let at = find(delimiter) else {
                    // Keep what could be the start of a delimiter.
                    pending.moveReaderIndex(forwardBy: max(0, pending.readableBytes - (delimiter.count - 1)))
                    return
                }
                pending.moveReaderIndex(forwardBy: at + delimiter.count)
                state = .afterDelimiter
            case .afterDelimiter:
                guard pending.readableBytes >= 2 else { return }
                if pending.getInteger(at: pending.readerIndex, as: UInt16.self) == 0x2D2D { // "--"
                    state = .done
                    continue
                }
                guard let end = find(Self.crlf) else {
                    if pending.readableBytes > Self.maxHeaderBytes { throw Malformed(reason: "no line break after a delimiter") }
                    return
                }
                pending.moveReaderIndex(forwardBy: end + 2)
                state = .headers
            case .headers:
                guard pending.readableBytes >= 2 else { return }
                // A part with no headers at all starts with the blank line itself.
                if pending.getInteger(at: pending.readerIndex, as: UInt16.self) == 0x0D0A {
                    pending.moveReaderIndex(forwardBy: 2)
                    try onHeaders([])
                    state = .body
                    continue
                }
                guard let end = find(Self.crlfcrlf) else {
                    if pending.readableBytes > Self.maxHeaderBytes { throw Malformed(reason: "a part's headers exceed 16 KB") }
                    return
                }
                let text = pending.readString(length: end) ?? ""
                pending.moveReaderIndex(forwardBy: 4)
                try onHeaders(Self.headers(text))
                state = .body
            case .body:
                if let at = find(delimiter) {
                    try emit(at)
                    pending.moveReaderIndex(forwardBy: delimiter.count)
                    try onPartComplete()
                    state = .afterDelimiter
                } else {
                    try emit(max(0, pending.readableBytes - (delimiter.count - 1)))
                    return
                }
            }
        }
    }

    /// Hands the next `count` readable bytes to ``onBody``.
    private func emit(_ count: Int) throws {
        guard count > 0 else { return }
        try pending.withUnsafeReadableBytes { try onBody(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
        pending.moveReaderIndex(forwardBy: count)
    }

    /// The offset of `needle` in the readable bytes, if there: `memchr` for its first byte, `memcmp` for the rest
    /// (a line break every row of a CSV is one candidate per row; no Swift loop over the bytes between).
    private func find(_ needle: [UInt8]) -> Int? {
        pending.withUnsafeReadableBytes { haystack -> Int? in
            guard haystack.count >= needle.count, let base = haystack.baseAddress else { return nil }
            return needle.withUnsafeBytes { n -> Int? in
                let first = Int32(needle[0]), last = haystack.count - needle.count
                var from = 0
                while from <= last, let hit = memchr(base + from, first, last - from + 1) {
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at }
                    from = at + 1
                }
                return nil
            }
        }
    }

    private static let crlf: [UInt8] = [13, 10]
    private static let crlfcrlf: [UInt8] = [13, 10, 13, 10]

    /// `Name: value` lines, names lower-cased.
    static func headers(_ text: String) -> [(name: String, value: String)] {
        text.components(separatedBy: "\r\n").compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }
}
