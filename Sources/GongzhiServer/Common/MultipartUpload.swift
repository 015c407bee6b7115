import Foundation
import Vapor

/// A `multipart/form-data` upload read as it arrives: the text fields in memory (at most
/// ``maxFieldBytes`` each), the one file part streamed to a temporary file — never the whole body in
/// memory, so a 200 MB upload costs the server a few buffers, not 200 MB.
struct MultipartUpload {
    /// The largest text field kept, in bytes (a form's indicator, period, proxy note, CSRF token).
    static let maxFieldBytes = 64 << 10

    /// Text fields by name (the last one wins).
    var fields: [String: String]
    /// The file part: its name as the browser sent it, where it was spooled and how many bytes it has;
    /// `nil` when the form carried no file part.
    var file: (name: String, url: URL, bytes: Int)?

    /// Removes the spooled file.
    func discard() {
        if let file { try? FileManager.default.removeItem(at: file.url) }
    }

    /// Errors of reading an upload, with Chinese messages.
    enum Failure: Error, AbortError {
        case notMultipart
        case tooLarge(limitBytes: Int)
        case malformed

        var status: HTTPResponseStatus {
            switch self {
            case .notMultipart, .malformed: .badRequest
            case .tooLarge: .payloadTooLarge
            }
        }

        var reason: String {
            switch self {
            case .notMultipart: "请通过上传表单提交文件（multipart/form-data）。"
            case .tooLarge(let limit): "文件超过 \(limit >> 20) MB 的上传上限，未被接收。"
            case .malformed: "上传的表单不完整或已损坏：请重新选择文件上传。"
            }
        }
    }

    /// Reads `request`'s body (registered with `body: .stream`), spooling the part named `fileField`; a form
    /// posted from a session must carry the session's `csrf_token` (see ``CSRFMiddleware``).
    /// - Throws: ``Failure`` for a body that is not multipart, larger than `limitBytes` in all, or broken;
    ///   ``AuthError/csrfMismatch`` for a missing or wrong token.
    static func read(_ request: Request, fileField: String = "file", limitBytes: Int) async throws -> MultipartUpload {
        guard let type = request.headers.contentType, type.type == "multipart", let boundary = type.parameters["boundary"] else {
            throw Failure.notMultipart
        }
        let spool = Spool(fileField: fileField)
        defer { spool.close() }
        let parser = MultipartStream(boundary: boundary)
        parser.onHeaders = { headers in for (name, value) in headers { spool.header(name, value) } }
        parser.onBody = { bytes in spool.body(bytes) }
        parser.onPartComplete = { spool.partComplete() }
        var received = 0
        do {
            for try await chunk in request.body {
                received += chunk.readableBytes
                if received > limitBytes { throw Failure.tooLarge(limitBytes: limitBytes) }
                try parser.feed(chunk)
                if let error = spool.error { throw error }
            }
            try parser.finish()
        } catch {
            spool.close()
            if let url = spool.fileURL { try? FileManager.default.removeItem(at: url) }
            if error is Failure { throw error }
            if error is MultipartStream.Malformed { throw Failure.malformed }
            throw error
        }
        spool.close()
        var upload = MultipartUpload(fields: spool.fields, file: nil)
        if let url = spool.fileURL { upload.file = (spool.fileName ?? "", url, spool.fileBytes) }
        if let expected = request.storage[PendingCSRFKey.self] {
            guard let presented = upload.fields[CSRFMiddleware.field], AccountService.constantTimeEquals(presented, expected) else {
                upload.discard()
                throw AuthError.csrfMismatch
            }
        }
        return upload
    }

    /// The parser's callbacks' state: which part is being read and where its bytes go.
    private final class Spool: @unchecked Sendable {
        let fileField: String
        var fields: [String: String] = [:]
        var fileName: String?
        var fileURL: URL?
        var fileBytes = 0
        var error: (any Error)?

        private var partName: String?
        private var partFileName: String?
        private var text = Data()
        private var handle: FileHandle?

        init(fileField: String) { self.fileField = fileField }

        func header(_ name: String, _ value: String) {
            guard name.lowercased() == "content-disposition" else { return }
            partName = Self.parameter("name", in: value)
            partFileName = Self.parameter("filename", in: value)
            if partName == fileField, fileURL == nil {
                let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-upload-\(UUID().uuidString)")
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
                do {
                    handle = try FileHandle(forWritingTo: url)
                    fileURL = url
                    fileName = partFileName ?? ""
                } catch {
                    self.error = error
                }
            }
        }

        func body(_ bytes: UnsafeRawBufferPointer) {
            if partName == fileField, let handle {
                do {
                    try handle.write(contentsOf: Data(bytes))
                    fileBytes += bytes.count
                } catch {
                    self.error = error
                }
            } else if text.count + bytes.count <= MultipartUpload.maxFieldBytes {
                text.append(Data(bytes))
            }
        }

        func partComplete() {
            if partName == fileField {
                try? handle?.close()
                handle = nil
            } else if let partName {
                fields[partName] = String(decoding: text, as: UTF8.self)
            }
            partName = nil
            partFileName = nil
            text = Data()
        }

        func close() {
            try? handle?.close()
            handle = nil
        }

        /// `name="value"` of a `Content-Disposition` header (quoted or not).
        static func parameter(_ key: String, in header: String) -> String? {
            for piece in header.split(separator: ";") {
                let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, pair[0].lowercased() == key else { continue }
                var value = pair[1]
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                return value
            }
            return nil
        }
    }
}
