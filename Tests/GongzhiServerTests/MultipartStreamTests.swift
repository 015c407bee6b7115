import Foundation
import NIOCore
import Testing
@testable import GongzhiServer

/// The streaming multipart reader behind web uploads: every split of the body into chunks gives the same
/// parts, delimiter look-alikes inside a file stay data, and broken bodies are refused.
@Suite("Multipart upload reader")
struct MultipartStreamTests {
    struct Part: Equatable {
        var headers: [String]
        var body: [UInt8]
    }

    /// Parses `body` fed in chunks of `chunk` bytes.
    static func parse(_ body: [UInt8], boundary: String, chunk: Int) throws -> [Part] {
        let stream = MultipartStream(boundary: boundary)
        var parts: [Part] = []
        var current = Part(headers: [], body: [])
        stream.onHeaders = { headers in current = Part(headers: headers.map { "\($0.name)=\($0.value)" }, body: []) }
        stream.onBody = { current.body += Array($0) }
        stream.onPartComplete = { parts.append(current) }
        var offset = 0
        while offset < body.count {
            let end = min(offset + chunk, body.count)
            try stream.feed(ByteBuffer(bytes: body[offset..<end]))
            offset = end
        }
        try stream.finish()
        return parts
    }

    static let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
    /// A file whose content holds line breaks, dashes and a delimiter missing one character.
    static let file: [UInt8] = Array("a,b\r\n--\r\n----WebKitFormBoundary7MA4YWxkTrZu0g\r\n\r\n1,2\r\n".utf8) + [0, 13, 255, 10]

    static func body(preamble: String = "") -> [UInt8] {
        var b = Array(preamble.utf8)
        b += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n".utf8)
        b += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"报送.csv\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        b += file
        b += Array("\r\n--\(boundary)--\r\nepilogue".utf8)
        return b
    }

    @Test("every chunk size gives the same two parts, the file byte for byte")
    func chunkSplits() throws {
        let expected = [
            Part(headers: ["content-disposition=form-data; name=\"csrf_token\""], body: Array("abc".utf8)),
            Part(headers: ["content-disposition=form-data; name=\"file\"; filename=\"报送.csv\"", "content-type=text/csv"], body: Self.file),
        ]
        let body = Self.body(preamble: "ignored preamble\r\n")
        for chunk in [1, 2, 3, 5, 7, 13, 40, 41, 64, 100, body.count] {
            #expect(try Self.parse(body, boundary: Self.boundary, chunk: chunk) == expected, "chunks of \(chunk)")
        }
    }

    @Test("a body cut before its closing delimiter, or without the boundary, is malformed")
    func malformed() throws {
        let body = Self.body()
        #expect(throws: MultipartStream.Malformed.self) { try Self.parse(Array(body.prefix(body.count - 20)), boundary: Self.boundary, chunk: 7) }
        #expect(throws: MultipartStream.Malformed.self) { try Self.parse(Array("no parts here".utf8), boundary: Self.boundary, chunk: 4) }
        #expect(throws: MultipartStream.Malformed.self) {
            try Self.parse(Array("--\(Self.boundary)\r\n".utf8) + [UInt8](repeating: 65, count: 20_000), boundary: Self.boundary, chunk: 1000)
        }
    }
}
