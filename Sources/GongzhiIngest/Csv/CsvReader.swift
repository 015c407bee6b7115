import Foundation
import GongzhiCore

/// Reads CSV submissions (RFC 4180): quoted fields with `""` escapes and line breaks (read as `\n`), CRLF or
/// LF record ends, comma or TAB delimiter (sniffed from the first record). Every field is a
/// ``RawCell/text(_:)``; row numbers are record numbers, the first record being 1 (samples/README.md).
///
/// The file is streamed: a first pass over the raw bytes settles the encoding (BOM → strict UTF-8 over the whole
/// file → GB18030), then the text is decoded (iconv for GB18030 and UTF-16) and parsed a chunk at a time through a
/// small window, so memory does not grow with the number of rows. Copies of a reader share its position.
public struct CsvReader: RowSource {
    public var isDelimitedText: Bool { true }
    public let encoding: TextDecoding.Encoding
    public var sheetName: String? { nil }
    public var mergedRanges: [MergedRange] { [] }
    private let window: ByteWindow
    private let delimiter: UInt8
    private let state: State

    /// Mutable parse state (a class, so the struct stays cheap to pass around).
    private final class State {
        var position = 0
        var record = 0
        var scratch: [UInt8] = []
        var cells: [SheetCell] = []
    }

    /// Opens the CSV file at `url` for streaming.
    /// - Throws: ``IngestError/cannotOpen(path:detail:)``, ``IngestError/undecodableText``.
    public init(url: URL) throws(IngestError) {
        try self.init(url: url, chunkSize: 256 * 1024)
    }

    /// `chunkSize`: bytes read and decoded at a time (tests use tiny ones to exercise every boundary).
    package init(url: URL, chunkSize: Int) throws(IngestError) {
        try self.init(raw: CsvFileSource(path: url.path), chunkSize: chunkSize)
    }

    /// Reads CSV text held in memory.
    /// - Throws: ``IngestError/undecodableText``.
    public init(data: Data) throws(IngestError) {
        try self.init(data: data, chunkSize: 256 * 1024)
    }

    package init(data: Data, chunkSize: Int) throws(IngestError) {
        try self.init(raw: CsvMemorySource(data), chunkSize: chunkSize)
    }

    private init(raw: any CsvRawSource, chunkSize: Int) throws(IngestError) {
        do {
            let (encoding, skip) = try CsvEncodingDetector.detect(raw, chunkSize: chunkSize)
            self.encoding = encoding
            let decoded: any ByteSource
            switch encoding {
            case .utf8, .utf8BOM:
                decoded = CsvPassThroughSource(raw: raw, from: skip)
            case .gb18030:
                raw.seek(to: skip)
                decoded = try CsvIconvSource(raw: raw, from: "GB18030", chunkSize: chunkSize)
            case .utf16LE, .utf16BE:
                raw.seek(to: skip)
                decoded = try CsvIconvSource(raw: raw, from: encoding == .utf16LE ? "UTF-16LE" : "UTF-16BE", chunkSize: chunkSize)
            }
            window = ByteWindow(source: decoded, chunkSize: chunkSize) { limit in
                .overlongRecord(limitBytes: limit)
            }
            // The delimiter is sniffed from the first record: read until it is complete.
            while true {
                if let d = Self.sniffDelimiter(window.buffer, atEnd: window.eof) { delimiter = d; break }
                try window.refill(keepingFrom: 0)
            }
            state = State()
        } catch let e as IngestError {
            throw e
        } catch {
            throw .undecodableText
        }
    }

    /// The largest buffer the reader has needed so far (bytes): a memory bound independent of the rows.
    package var bufferHighWater: Int { window.highWater }

    /// The next record, or `nil` at the end of the file.
    public mutating func nextRow() throws -> SheetRow? {
        while true {
            let start = state.position
            if start >= window.count {
                if window.eof { return nil }
                try window.refill(keepingFrom: start)
                state.position = 0
                continue
            }
            if let next = parseRecord(from: start) {
                state.position = next
                state.record += 1
                let cells = state.cells
                state.cells = []
                return SheetRow(number: state.record, cells: cells)
            }
            // The record runs past the window: read more and parse it again from its start.
            try window.refill(keepingFrom: start)
            state.position = 0
        }
    }

    /// Parses one record from `start` into `state.cells`; the index after it, or `nil` when it may go on past the
    /// bytes in the window.
    private func parseRecord(from start: Int) -> Int? {
        let buf = window.buffer
        let n = buf.count
        let atEnd = window.eof
        let delimiter = self.delimiter
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var cells: [SheetCell] = []
        cells.reserveCapacity(max(state.cells.capacity, 8))
        var column = 0
        var i = start
        while true {
            // One field, starting at i.
            if i < n, buf[i] == quote {
                var field = state.scratch
                field.removeAll(keepingCapacity: true)
                i += 1
                while true {
                    guard i < n else {
                        if !atEnd { return nil }
                        break // unclosed quote: the rest of the file is the field
                    }
                    let c = buf[i]
                    if c == quote {
                        guard i + 1 < n || atEnd else { return nil }
                        if i + 1 < n, buf[i + 1] == quote {
                            field.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if c == cr {
                        guard i + 1 < n || atEnd else { return nil }
                        if i + 1 < n, buf[i + 1] == lf {
                            field.append(lf)
                            i += 2
                            continue
                        }
                    }
                    field.append(c)
                    i += 1
                }
                // Characters after the closing quote up to the delimiter are kept as written.
                while i < n, buf[i] != delimiter, buf[i] != lf, buf[i] != cr {
                    field.append(buf[i])
                    i += 1
                }
                if i >= n, !atEnd { return nil }
                cells.append(SheetCell(column: column, value: .text(String(decoding: field, as: UTF8.self))))
                state.scratch = field
            } else {
                let s = i
                while i < n {
                    let b = buf[i]
                    if b == delimiter || b == lf || b == cr { break }
                    i += 1
                }
                if i >= n, !atEnd { return nil }
                if i > s {
                    cells.append(SheetCell(column: column, value: .text(String(decoding: UnsafeBufferPointer(rebasing: buf[s..<i]), as: UTF8.self))))
                }
            }
            // After the field: a delimiter, a line end or the end of the file.
            guard i < n else { break }
            let b = buf[i]
            if b == delimiter {
                column += 1
                i += 1
                continue
            }
            if b == cr {
                guard i + 1 < n || atEnd else { return nil }
                i += 1
                if i < n, buf[i] == lf { i += 1 }
            } else {
                i += 1 // LF
            }
            break
        }
        state.cells = cells
        return i
    }

    /// The delimiter from the first record (TAB when it has more TABs than commas outside quotes), or `nil` when
    /// the first line may go on past `bytes`.
    static func sniffDelimiter(_ bytes: UnsafeBufferPointer<UInt8>, atEnd: Bool) -> UInt8? {
        var commas = 0, tabs = 0, quoted = false, complete = atEnd
        for b in bytes {
            if b == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            if b == UInt8(ascii: "\n") { complete = true; break }
            if b == UInt8(ascii: ",") { commas += 1 }
            if b == UInt8(ascii: "\t") { tabs += 1 }
        }
        guard complete else { return nil }
        return tabs > commas ? UInt8(ascii: "\t") : UInt8(ascii: ",")
    }
}
