import Foundation
import GongzhiCore

/// Reads CSV submissions (RFC 4180): quoted fields with `""` escapes and line breaks (read as `\n`), CRLF or
/// LF record ends, comma or TAB delimiter (sniffed from the first record). Every field is a
/// ``RawCell/text(_:)``; row numbers are record numbers, the first record being 1 (samples/README.md).
public struct CsvReader: RowSource {
    public let encoding: TextDecoding.Encoding
    public var sheetName: String? { nil }
    public var mergedRanges: [MergedRange] { [] }
    private let bytes: [UInt8]
    private let delimiter: UInt8
    private var position = 0
    private var record = 0

    /// Decodes `data` and prepares to read it.
    /// - Throws: ``IngestError/undecodableText``.
    public init(data: Data) throws(IngestError) {
        let (text, encoding) = try TextDecoding.decode(data)
        self.encoding = encoding
        self.bytes = Array(text.utf8)
        self.delimiter = Self.sniffDelimiter(bytes)
    }

    /// The next record, or `nil` at the end of the file.
    public mutating func nextRow() throws -> SheetRow? {
        guard position < bytes.count else { return nil }
        record += 1
        var cells: [SheetCell] = []
        var field: [UInt8] = []
        var column = 0
        var quoted = false
        var i = position
        let n = bytes.count
        func finishField() {
            if !field.isEmpty || quoted {
                cells.append(SheetCell(column: column, value: .text(String(decoding: field, as: UTF8.self))))
            }
            field.removeAll(keepingCapacity: true)
            column += 1
            quoted = false
        }
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") && field.isEmpty && !quoted {
                // quoted field
                quoted = true
                i += 1
                while i < n {
                    let c = bytes[i]
                    if c == UInt8(ascii: "\"") {
                        if i + 1 < n && bytes[i + 1] == UInt8(ascii: "\"") {
                            field.append(c)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if c == UInt8(ascii: "\r") && i + 1 < n && bytes[i + 1] == UInt8(ascii: "\n") {
                        field.append(UInt8(ascii: "\n"))
                        i += 2
                        continue
                    }
                    field.append(c)
                    i += 1
                }
                // characters after the closing quote up to the delimiter are kept as written
                while i < n, bytes[i] != delimiter, bytes[i] != UInt8(ascii: "\n"), bytes[i] != UInt8(ascii: "\r") {
                    field.append(bytes[i])
                    i += 1
                }
                continue
            }
            if b == delimiter {
                finishField()
                i += 1
                continue
            }
            if b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r") {
                i += 1
                if b == UInt8(ascii: "\r") && i < n && bytes[i] == UInt8(ascii: "\n") { i += 1 }
                break
            }
            field.append(b)
            i += 1
        }
        finishField()
        position = i
        return SheetRow(number: record, cells: cells)
    }

    static func sniffDelimiter(_ bytes: [UInt8]) -> UInt8 {
        var commas = 0, tabs = 0, quoted = false
        for b in bytes {
            if b == UInt8(ascii: "\"") { quoted.toggle() }
            if quoted { continue }
            if b == UInt8(ascii: "\n") { break }
            if b == UInt8(ascii: ",") { commas += 1 }
            if b == UInt8(ascii: "\t") { tabs += 1 }
        }
        return tabs > commas ? UInt8(ascii: "\t") : UInt8(ascii: ",")
    }
}
