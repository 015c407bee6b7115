import Foundation
import GongzhiCore
import ZIPFoundation
#if canImport(CZlib)
import CZlib
#elseif canImport(zlib)
import zlib
#endif

/// An xlsx workbook opened for reading: sheet list, date system, shared strings and cell number formats.
///
/// ZIPFoundation reads the archive; every XML part is read by our own byte scanner (``XmlCursor``), which refuses
/// DTDs and entity declarations. The total of inflated bytes over all parts read (including sheets opened later)
/// is limited by `maxInflatedBytes`.
public struct XlsxWorkbook {
    /// Worksheets in workbook order.
    public let sheets: [XlsxSheetInfo]
    /// `workbookPr date1904`: serials count from 1904-01-01.
    public let date1904: Bool

    private let archive: XlsxArchive
    private let sharedStrings: [String]
    private let cellFormats: [NumberFormat]

    /// Opens the workbook at `url`.
    ///
    /// Throws ``IngestError``: `.cannotOpen` (no such file), `.unsupportedFormat` (not a zip, or a zip without
    /// `xl/workbook.xml`), `.corruptWorkbook` (truncated or damaged zip or XML), `.forbiddenXMLDeclaration`,
    /// `.inflationLimitExceeded`, `.noWorksheet`.
    public init(url: URL, maxInflatedBytes: Int = 2_000_000_000) throws {
        let archive = try XlsxArchive(url: url, maxInflatedBytes: maxInflatedBytes)
        self.archive = archive

        // The workbook part: from _rels/.rels (officeDocument), else xl/workbook.xml.
        var workbookPath = "xl/workbook.xml"
        if let rootRels = try archive.read("_rels/.rels") {
            let rels = try XlsxParts.relationships(rootRels, part: "_rels/.rels", baseDirectory: "")
            if let main = rels.first(where: { $0.type.hasSuffix("/officeDocument") }), archive.contains(main.target) {
                workbookPath = main.target
            }
        }
        guard let workbookXML = try archive.read(workbookPath) else {
            throw IngestError.unsupportedFormat(detail: "zip archive without xl/workbook.xml: not an xlsx workbook")
        }
        let workbook = try XlsxParts.workbook(workbookXML, part: workbookPath)
        date1904 = workbook.date1904

        let baseDirectory = XlsxParts.directory(of: workbookPath)
        let relsPath = baseDirectory + "_rels/" + XlsxParts.fileName(of: workbookPath) + ".rels"
        var rels: [XlsxParts.Relationship] = []
        if let relsXML = try archive.read(relsPath) {
            rels = try XlsxParts.relationships(relsXML, part: relsPath, baseDirectory: baseDirectory)
        }
        var sheets: [XlsxSheetInfo] = []
        for sheet in workbook.sheets {
            guard let rel = rels.first(where: { $0.id == sheet.relationshipId }) else {
                // Without rels, fall back to the conventional name.
                let guess = baseDirectory + "worksheets/sheet\(sheets.count + 1).xml"
                if rels.isEmpty, archive.contains(guess) {
                    sheets.append(XlsxSheetInfo(name: sheet.name, index: sheets.count, path: guess))
                }
                continue
            }
            // Chart sheets, dialog sheets and macro sheets have no cells.
            guard rel.type.hasSuffix("/worksheet") else { continue }
            sheets.append(XlsxSheetInfo(name: sheet.name, index: sheets.count, path: rel.target))
        }
        guard !sheets.isEmpty else { throw IngestError.noWorksheet }
        self.sheets = sheets

        // Shared strings and styles (paths from the rels, else the conventional ones).
        let sstPath = rels.first(where: { $0.type.hasSuffix("/sharedStrings") })?.target ?? baseDirectory + "sharedStrings.xml"
        if let sst = try archive.read(sstPath) {
            sharedStrings = try XlsxParts.sharedStrings(sst, part: sstPath)
        } else {
            sharedStrings = []
        }
        let stylesPath = rels.first(where: { $0.type.hasSuffix("/styles") })?.target ?? baseDirectory + "styles.xml"
        if let styles = try archive.read(stylesPath) {
            cellFormats = try XlsxParts.cellFormats(styles, part: stylesPath)
        } else {
            cellFormats = []
        }
    }

    /// Opens a sheet for lazy row-by-row reading. Its XML is inflated into memory (counted against the limit);
    /// merged ranges are read at once.
    public func open(_ sheet: XlsxSheetInfo) throws -> XlsxSheetReader {
        guard let bytes = try archive.read(sheet.path) else {
            throw IngestError.corruptWorkbook(detail: "worksheet part \(sheet.path) is missing")
        }
        return try XlsxSheetReader(bytes: bytes, part: sheet.path, sharedStrings: sharedStrings, cellFormats: cellFormats)
    }

    /// The sheet with this name (exact match first, then ignoring surrounding white space and case).
    public func sheet(named name: String) -> XlsxSheetInfo? {
        if let s = sheets.first(where: { $0.name == name }) { return s }
        let key = TextNormalization.trim(name).lowercased()
        return sheets.first { TextNormalization.trim($0.name).lowercased() == key }
    }
}

/// The zip container with an inflation budget shared by every part read from it.
final class XlsxArchive {
    private let archive: Archive
    let maxInflatedBytes: Int
    private(set) var inflatedBytes = 0
    private let entries: [String: Entry]
    private let lowercasedEntries: [String: Entry]

    init(url: URL, maxInflatedBytes: Int) throws {
        self.maxInflatedBytes = maxInflatedBytes
        let path = url.path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IngestError.cannotOpen(path: path, detail: FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file")
        }
        let head = (try? handle.read(upToCount: 8)) ?? Data()
        try? handle.close()
        let magic = [UInt8](head.prefix(4))
        if magic.count < 4 {
            throw IngestError.corruptWorkbook(detail: "file of \(head.count) bytes is too short for a zip archive")
        }
        if magic == [0xD0, 0xCF, 0x11, 0xE0] {
            throw IngestError.unsupportedFormat(detail: "OLE2 compound file (legacy .xls or encrypted workbook)")
        }
        guard magic[0] == 0x50, magic[1] == 0x4B, magic == [0x50, 0x4B, 0x03, 0x04] || magic == [0x50, 0x4B, 0x05, 0x06] else {
            throw IngestError.unsupportedFormat(detail: "not a zip archive (starts with \(magic.map { String($0, radix: 16) }))")
        }
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw IngestError.corruptWorkbook(detail: "zip archive unreadable: \(error)")
        }
        var entries: [String: Entry] = [:]
        var lower: [String: Entry] = [:]
        for entry in archive where entry.type == .file {
            let name = entry.path.hasPrefix("/") ? String(entry.path.dropFirst()) : entry.path
            entries[name] = entries[name] ?? entry
            lower[name.lowercased()] = lower[name.lowercased()] ?? entry
        }
        self.entries = entries
        self.lowercasedEntries = lower
    }

    func contains(_ path: String) -> Bool {
        entries[path] != nil || lowercasedEntries[path.lowercased()] != nil
    }

    /// Inflates a part; `nil` when the archive has no such file.
    func read(_ path: String) throws -> XlsxPartBytes? {
        guard let entry = entries[path] ?? lowercasedEntries[path.lowercased()] else { return nil }
        let declared = Int(clamping: entry.uncompressedSize)
        if declared > maxInflatedBytes - inflatedBytes {
            throw IngestError.inflationLimitExceeded(limitBytes: maxInflatedBytes)
        }
        let out = XlsxPartBytes(capacity: min(declared, 1 << 30) + 1)
        let limit = maxInflatedBytes
        var total = inflatedBytes
        var crc = XlsxCRC32()
        do {
            // ZIPFoundation's CRC is a byte-wise table on Linux; we check the CRC ourselves (zlib's when available).
            _ = try archive.extract(entry, bufferSize: 64 * 1024, skipCRC32: true) { data in
                total += data.count
                if total > limit { throw IngestError.inflationLimitExceeded(limitBytes: limit) }
                crc.update(data)
                out.append(data)
            }
            if crc.value != entry.checksum {
                throw IngestError.corruptWorkbook(detail: "\(path): CRC-32 mismatch")
            }
        } catch let e as IngestError {
            inflatedBytes = total
            throw e
        } catch {
            inflatedBytes = total
            throw IngestError.corruptWorkbook(detail: "\(path): \(error)")
        }
        inflatedBytes = total
        // UTF-16 parts (rare): convert to UTF-8 so the scanner sees one encoding.
        let b = out.buffer
        if b.count >= 2, (b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF) {
            let little = b[0] == 0xFF
            var units: [UInt16] = []
            units.reserveCapacity(b.count / 2)
            var k = 2
            while k + 1 < b.count {
                units.append(little ? UInt16(b[k]) | UInt16(b[k + 1]) << 8 : UInt16(b[k]) << 8 | UInt16(b[k + 1]))
                k += 2
            }
            let utf8 = Array(String(decoding: units, as: UTF16.self).utf8)
            let converted = XlsxPartBytes(capacity: utf8.count + 1)
            utf8.withUnsafeBufferPointer { converted.append(UnsafeRawBufferPointer($0)) }
            return converted
        }
        return out
    }
}

/// The inflated bytes of one part, at a stable address for the scanner (no copy after inflation).
final class XlsxPartBytes {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    func append(_ data: Data) {
        data.withUnsafeBytes { append($0) }
    }

    func append(_ raw: UnsafeRawBufferPointer) {
        guard let src = raw.baseAddress, raw.count > 0 else { return }
        if count + raw.count > capacity {
            var newCapacity = capacity * 2
            while newCapacity < count + raw.count { newCapacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: base, count: count)
            base.deallocate()
            base = grown
            capacity = newCapacity
        }
        (base + count).update(from: src.assumingMemoryBound(to: UInt8.self), count: raw.count)
        count += raw.count
    }
}

/// Parsers for the small workbook parts.
enum XlsxParts {
    struct Relationship {
        var id: String
        var type: String
        /// Resolved archive path (no leading `/`).
        var target: String
    }

    struct SheetEntry {
        var name: String
        var relationshipId: String
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Resolves a relationship target against the source part's directory (`/xl/x.xml` is absolute).
    static func resolve(_ target: String, baseDirectory: String) -> String {
        var t = target
        if t.contains("%"), let decoded = t.removingPercentEncoding { t = decoded }
        let joined = t.hasPrefix("/") ? String(t.dropFirst()) : baseDirectory + t
        var parts: [Substring] = []
        for seg in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(seg)
        }
        return parts.joined(separator: "/")
    }

    static func relationships(_ bytes: XlsxPartBytes, part: String, baseDirectory: String) throws -> [Relationship] {
        try withExtendedLifetime(bytes) {
            let buf = bytes.buffer
            var cur = XmlCursor(buf: buf, part: part)
            var rels: [Relationship] = []
            while let tag = try cur.nextTag() {
                guard tag.kind == .start, cur.isNamed(tag, "Relationship") else { continue }
                if cur.attributeString("TargetMode") == "External" { continue }
                guard let id = cur.attributeString("Id"), let target = cur.attributeString("Target") else { continue }
                rels.append(Relationship(id: id, type: cur.attributeString("Type") ?? "",
                                         target: resolve(target, baseDirectory: baseDirectory)))
            }
            return rels
        }
    }

    static func workbook(_ bytes: XlsxPartBytes, part: String) throws -> (sheets: [SheetEntry], date1904: Bool) {
        try withExtendedLifetime(bytes) {
            let buf = bytes.buffer
            var cur = XmlCursor(buf: buf, part: part)
            var sheets: [SheetEntry] = []
            var date1904 = false
            while let tag = try cur.nextTag() {
                guard tag.kind == .start else { continue }
                if cur.isNamed(tag, "workbookPr") {
                    let v = cur.attributeString("date1904")
                    date1904 = v == "1" || v == "true"
                } else if cur.isNamed(tag, "sheet") {
                    let name = cur.attributeString("name") ?? ""
                    let rid = cur.attributeString("id", prefixed: true) ?? ""
                    sheets.append(SheetEntry(name: name, relationshipId: rid))
                }
            }
            return (sheets, date1904)
        }
    }

    /// `<si>` items: rich-text runs concatenated, phonetic runs (`<rPh>`) ignored.
    static func sharedStrings(_ bytes: XlsxPartBytes, part: String) throws -> [String] {
        try withExtendedLifetime(bytes) {
            let buf = bytes.buffer
            var cur = XmlCursor(buf: buf, part: part)
            var strings: [String] = []
            while let tag = try cur.nextTag() {
                guard tag.kind == .start else { continue }
                if cur.isNamed(tag, "sst"), let n = cur.attributeInt("uniqueCount") {
                    strings.reserveCapacity(min(n, 1_000_000))
                } else if cur.isNamed(tag, "si") {
                    strings.append(tag.selfClosing ? "" : try readRichText(&cur, container: "si"))
                }
            }
            return strings
        }
    }

    /// Reads `<t>` texts up to the end of `container` (`si` or `is`), skipping `<rPh>` runs.
    static func readRichText(_ cur: inout XmlCursor, container: StaticString) throws -> String {
        var result = ""
        var pieces = 0
        while let tag = try cur.nextTag() {
            if tag.kind == .end {
                if cur.isNamed(tag, container) { break }
                continue
            }
            if cur.isNamed(tag, "t") {
                if tag.selfClosing { continue }
                let text = try cur.readText(ooxmlEscapes: true)
                if pieces == 0 { result = text } else { result += text }
                pieces += 1
            } else if cur.isNamed(tag, "rPh") {
                try cur.skipElement(tag)
            }
        }
        return result
    }

    /// `cellXfs` → the number format of each cell style index.
    static func cellFormats(_ bytes: XlsxPartBytes, part: String) throws -> [NumberFormat] {
        try withExtendedLifetime(bytes) {
            let buf = bytes.buffer
            var cur = XmlCursor(buf: buf, part: part)
            var codes: [Int: String] = [:]
            var xfIds: [Int] = []
            var inCellXfs = false
            var inNumFmts = false
            while let tag = try cur.nextTag() {
                if tag.kind == .end {
                    if cur.isNamed(tag, "cellXfs") { inCellXfs = false }
                    if cur.isNamed(tag, "numFmts") { inNumFmts = false }
                    continue
                }
                if cur.isNamed(tag, "numFmts") {
                    inNumFmts = !tag.selfClosing
                } else if cur.isNamed(tag, "cellXfs") {
                    inCellXfs = !tag.selfClosing
                } else if inNumFmts, cur.isNamed(tag, "numFmt") {
                    if let id = cur.attributeInt("numFmtId"), let code = cur.attributeString("formatCode") {
                        codes[id] = code
                    }
                } else if inCellXfs, cur.isNamed(tag, "xf") {
                    xfIds.append(cur.attributeInt("numFmtId") ?? 0)
                    try cur.skipElement(tag)
                }
            }
            var cache: [Int: NumberFormat] = [:]
            return xfIds.map { id in
                if let f = cache[id] { return f }
                let f = id == 0 && codes[0] == nil ? NumberFormat.general : NumberFormat(id: id, code: codes[id])
                cache[id] = f
                return f
            }
        }
    }
}

/// CRC-32 (zip polynomial) of inflated data: zlib's when it can be imported, else a table in Swift.
struct XlsxCRC32 {
    private(set) var value: UInt32 = 0

    mutating func update(_ data: Data) {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            #if canImport(CZlib) || canImport(zlib)
            if let base = bytes.baseAddress, !bytes.isEmpty {
                value = UInt32(truncatingIfNeeded: crc32(UInt(value), base, UInt32(bytes.count)))
            }
            #else
            value = Self.software(value, bytes)
            #endif
        }
    }

    static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[0][i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k][i] = (t[k - 1][i] >> 8) ^ t[0][Int(t[k - 1][i] & 0xFF)] }
        }
        return t
    }()

    static func software(_ seed: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let t = tables
        var c = ~seed
        for b in bytes { c = t[0][Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }
}
