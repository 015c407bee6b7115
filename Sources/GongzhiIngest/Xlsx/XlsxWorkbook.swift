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
/// The zip's central directory is read directly; every part is inflated as a stream (zlib, in chunks) and read by our
/// own byte scanner (``XmlCursor``), which refuses DTDs and entity declarations. No part is ever held whole in memory
/// (the shared-string table keeps its first megabytes of text in memory and the rest in an unlinked temporary file,
/// see ``XlsxSharedStrings``). The total of inflated bytes over all parts read (including sheets
/// opened later) is limited by `maxInflatedBytes`; a part that inflates more than `maxCompressionRatio` times its
/// compressed size (once past a few MB) is refused as a zip bomb.
public struct XlsxWorkbook {
    /// Worksheets in workbook order.
    public let sheets: [XlsxSheetInfo]
    /// `workbookPr date1904`: serials count from 1904-01-01.
    public let date1904: Bool

    private let archive: XlsxArchive
    private let sharedStrings: XlsxSharedStrings
    private let cellFormats: [NumberFormat]

    /// Opens the workbook at `url`.
    ///
    /// Throws ``IngestError``: `.cannotOpen` (no such file), `.unsupportedFormat` (recognisably another kind of
    /// file, e.g. a legacy `.xls`, a `.docx` or a plain zip: ``ForeignFormat``), `.corruptWorkbook` (truncated or
    /// damaged zip or XML, or too short to tell), `.forbiddenXMLDeclaration`,
    /// `.inflationLimitExceeded` (total size or compression ratio), `.noWorksheet`.
    public init(url: URL, maxInflatedBytes: Int = 2_000_000_000, maxCompressionRatio: Int = 500) throws {
        try self.init(url: url, maxInflatedBytes: maxInflatedBytes, maxCompressionRatio: maxCompressionRatio,
                      ratioCheckAfterBytes: 16 << 20, chunkSize: 256 * 1024)
    }

    /// `ratioCheckAfterBytes`: a part is only held to `maxCompressionRatio` once it has inflated this much.
    /// `chunkSize`: bytes read and inflated at a time (tests use tiny ones to exercise every boundary).
    /// `sharedStrings`: how much shared-string text stays in memory (tests spill tiny tables to exercise the file).
    package init(url: URL, maxInflatedBytes: Int, maxCompressionRatio: Int, ratioCheckAfterBytes: Int, chunkSize: Int,
                 sharedStrings spill: XlsxSharedStrings.Spill = .standard) throws {
        let limits = XlsxInflationLimits(maxInflatedBytes: maxInflatedBytes, maxCompressionRatio: maxCompressionRatio,
                                         ratioCheckAfterBytes: ratioCheckAfterBytes)
        let archive = try XlsxArchive(url: url, limits: limits, chunkSize: chunkSize)
        self.archive = archive

        // A Word or PowerPoint document, an OpenDocument file or a plain zip is no workbook: say what it is.
        if let foreign = ForeignFormat.inZip(entryNames: archive.entryNames) { throw IngestError.unsupportedFormat(foreign) }
        // The workbook part: from _rels/.rels (officeDocument), else xl/workbook.xml.
        var workbookPath = "xl/workbook.xml"
        if var rootRels = try archive.cursor("_rels/.rels") {
            let rels = try XlsxParts.relationships(&rootRels, baseDirectory: "")
            if let main = rels.first(where: { $0.type.hasSuffix("/officeDocument") }), archive.contains(main.target) {
                workbookPath = main.target
            }
        }
        guard var workbookXML = try archive.cursor(workbookPath) else {
            throw IngestError.unsupportedFormat(.zipArchive)
        }
        let workbook = try XlsxParts.workbook(&workbookXML)
        date1904 = workbook.date1904

        let baseDirectory = XlsxParts.directory(of: workbookPath)
        let relsPath = baseDirectory + "_rels/" + XlsxParts.fileName(of: workbookPath) + ".rels"
        var rels: [XlsxParts.Relationship] = []
        if var relsXML = try archive.cursor(relsPath) {
            rels = try XlsxParts.relationships(&relsXML, baseDirectory: baseDirectory)
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
        if let entry = archive.entry(sstPath) {
            var sst = try archive.cursor(entry, part: sstPath)
            sharedStrings = try XlsxParts.sharedStrings(&sst, declaredSize: Int(clamping: entry.uncompressedSize), spill: spill)
        } else {
            sharedStrings = XlsxSharedStrings()
        }
        let stylesPath = rels.first(where: { $0.type.hasSuffix("/styles") })?.target ?? baseDirectory + "styles.xml"
        if var styles = try archive.cursor(stylesPath) {
            cellFormats = try XlsxParts.cellFormats(&styles)
        } else {
            cellFormats = []
        }
    }

    /// Opens a sheet for row-by-row reading. The sheet is streamed twice: a cheap first pass collects the merged
    /// ranges (so they are known before the first row), checks the CRC and charges the inflation budget; the second
    /// pass produces the rows. Hostile content anywhere in the sheet (a declaration, a zip bomb, a bad CRC) is
    /// refused here, before any row is handed out.
    public func open(_ sheet: XlsxSheetInfo) throws -> XlsxSheetReader {
        guard let entry = archive.entry(sheet.path) else {
            throw IngestError.corruptWorkbook(detail: "worksheet part \(sheet.path) is missing")
        }
        return try XlsxSheetReader(archive: archive, entry: entry, part: sheet.path,
                                   sharedStrings: sharedStrings, cellFormats: cellFormats)
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
    let file: XlsxFile
    let limits: XlsxInflationLimits
    let chunkSize: Int
    /// Inflated bytes charged so far, over all parts.
    var inflatedBytes = 0
    private let entries: [String: XlsxZipEntry]
    private let lowercasedEntries: [String: XlsxZipEntry]

    init(url: URL, limits: XlsxInflationLimits, chunkSize: Int) throws {
        self.limits = limits
        self.chunkSize = max(1, chunkSize)
        let path = url.path
        file = try XlsxFile(path: path)
        var head = [UInt8](repeating: 0, count: ForeignFormat.headLength)
        head.removeSubrange(try file.read(into: &head, count: head.count, at: 0)...)
        if !(head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06])) {
            if head.count >= 4, let foreign = ForeignFormat.identify(head: head, compoundFileAt: url) {
                throw IngestError.unsupportedFormat(foreign)
            }
            throw IngestError.corruptWorkbook(detail: "not a zip archive (\(head.count) bytes, starts with \(head.prefix(4).map { String($0, radix: 16) }))")
        }
        var entries: [String: XlsxZipEntry] = [:]
        var lower: [String: XlsxZipEntry] = [:]
        for entry in try XlsxZipDirectory.read(file) where !entry.name.hasSuffix("/") {
            let name = entry.name.hasPrefix("/") ? String(entry.name.dropFirst()) : entry.name
            entries[name] = entries[name] ?? entry
            lower[name.lowercased()] = lower[name.lowercased()] ?? entry
        }
        self.entries = entries
        self.lowercasedEntries = lower
    }

    /// The names of the archive's files.
    var entryNames: Dictionary<String, XlsxZipEntry>.Keys { entries.keys }

    func contains(_ path: String) -> Bool {
        entry(path) != nil
    }

    func entry(_ path: String) -> XlsxZipEntry? {
        entries[path] ?? lowercasedEntries[path.lowercased()]
    }

    /// A stream of the entry's inflated bytes. `charged`: count them against the budget (a second pass over a part
    /// already read is not charged again).
    func stream(_ entry: XlsxZipEntry, charged: Bool = true) throws -> XlsxEntryStream {
        if charged, entry.uncompressedSize > Int64(limits.maxInflatedBytes - inflatedBytes) {
            throw IngestError.inflationLimitExceeded(limitBytes: limits.maxInflatedBytes)
        }
        return try XlsxEntryStream(file: file, entry: entry, budget: charged ? self : nil, limits: limits, chunkSize: chunkSize)
    }

    /// A cursor over the part at `path`, streamed; `nil` when the archive has no such file.
    func cursor(_ path: String) throws -> XmlCursor? {
        guard let entry = entry(path) else { return nil }
        return try cursor(entry, part: path)
    }

    /// A cursor over a part, streamed through a window of `chunkSize` bytes. A UTF-16 part (rare) is converted to
    /// UTF-8 as a whole.
    func cursor(_ entry: XlsxZipEntry, part: String, charged: Bool = true) throws -> XmlCursor {
        let window = XlsxWorkbook.window(over: try stream(entry, charged: charged), part: part, chunkSize: chunkSize)
        do {
            try window.fill(atLeast: 2)
            let b = window.buffer
            if b.count >= 2, (b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF) {
                let little = b[0] == 0xFF
                let all = try window.drain()
                var units: [UInt16] = []
                units.reserveCapacity(all.count / 2)
                var k = 2
                while k + 1 < all.count {
                    units.append(little ? UInt16(all[k]) | UInt16(all[k + 1]) << 8 : UInt16(all[k]) << 8 | UInt16(all[k + 1]))
                    k += 2
                }
                let utf8 = Array(String(decoding: units, as: UTF16.self).utf8)
                return try XmlCursor(window: XlsxWorkbook.window(over: XlsxMemorySource(utf8), part: part, chunkSize: chunkSize), part: part)
            }
            return try XmlCursor(window: window, part: part)
        } catch let e as IngestError {
            throw e
        } catch {
            throw IngestError.corruptWorkbook(detail: "\(part): \(error)")
        }
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

    static func relationships(_ cur: inout XmlCursor, baseDirectory: String) throws -> [Relationship] {
        do {
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

    static func workbook(_ cur: inout XmlCursor) throws -> (sheets: [SheetEntry], date1904: Bool) {
        do {
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
    static func sharedStrings(_ cur: inout XmlCursor, declaredSize: Int, spill: XlsxSharedStrings.Spill) throws -> XlsxSharedStrings {
        let strings = XlsxSharedStrings(spill: spill)
        // Decoded text is never longer than the XML; untouched reserved capacity costs no memory.
        strings.reserve(bytes: declaredSize, strings: declaredSize / 8)
        while let tag = try cur.nextTag() {
            guard tag.kind == .start else { continue }
            if cur.isNamed(tag, "si") {
                try strings.append(tag.selfClosing ? "" : try readRichText(&cur, container: "si"))
            }
        }
        try strings.finish()
        return strings
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
    static func cellFormats(_ cur: inout XmlCursor) throws -> [NumberFormat] {
        do {
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

extension XlsxWorkbook {
    /// The sliding window the XML scanner reads `part` through; a token over 64 MB means a damaged part.
    static func window(over source: any ByteSource, part: String, chunkSize: Int) -> ByteWindow {
        ByteWindow(source: source, chunkSize: chunkSize) { limit in
            .corruptWorkbook(detail: "\(part): an XML token longer than \(limit >> 20) MB")
        }
    }
}
