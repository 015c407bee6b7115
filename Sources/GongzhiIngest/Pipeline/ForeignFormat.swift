import Foundation

/// What a file that is neither an xlsx workbook nor CSV text is, told by its content — magic bytes, and for
/// the two containers (OLE2 compound files and zip archives) the names in their directories — never by its
/// name. A refusal says it in Chinese (``message``) so that the clerk knows what was uploaded and what to do.
///
/// The raw value is a short technical name, kept as the submission's `format` and written to the log.
public enum ForeignFormat: String, Sendable, Equatable, CaseIterable {
    /// OLE2 compound file with a `Workbook` (or `Book`) stream: Excel 97–2003 `.xls` (also WPS 表格 `.et`).
    case legacyExcel = "xls"
    /// OLE2 compound file with `EncryptionInfo` and `EncryptedPackage`: an Office 2007+ file (an `.xlsx`
    /// most often) saved with an open password.
    case encryptedOffice = "encrypted_office"
    /// OLE2 compound file with a `WordDocument` stream: Word 97–2003 `.doc` (also WPS 文字 `.wps`).
    case legacyWord = "doc"
    /// OLE2 compound file with a `PowerPoint Document` stream: `.ppt`.
    case legacyPowerPoint = "ppt"
    /// Another OLE2 compound file, or one whose directory cannot be read.
    case compoundFile = "ole2"
    /// Zip archive holding `word/document.xml`: `.docx`.
    case word = "docx"
    /// Zip archive holding `ppt/presentation.xml`: `.pptx`.
    case powerPoint = "pptx"
    /// Zip archive with an OpenDocument `mimetype`: `.ods` / `.odt` (LibreOffice, some WPS settings).
    case openDocument = "odf"
    /// Zip archive that is no Office document.
    case zipArchive = "zip"
    /// Zip archive whose entries are encrypted (a password set in a zip tool).
    case encryptedZip = "encrypted_zip"
    case pdf
    case png
    case jpeg
    case gif
    case bmp
    case tiff
    case webp
    case rtf
    /// A web page (HTML or MHTML): what many systems export under an `.xls` name.
    case html
    /// Excel 2003 XML spreadsheet (SpreadsheetML, `<?mso-application progid="Excel.Sheet"?>`).
    case spreadsheetXML = "xml_spreadsheet"
    /// Other XML.
    case xml
    case gzip
    case rar
    case sevenZip = "7z"
    /// Text with no comma and no TAB in its first 4 KB: no CSV record (a header needs several columns).
    case text
    /// Other binary content (NUL or other control bytes).
    case binary

    /// What the file is, in Chinese: `Word 文档（.docx）`.
    public var chineseName: String {
        switch self {
        case .legacyExcel: "旧版 Excel 文件（.xls，Excel 97–2003 格式）"
        case .encryptedOffice: "设置了打开密码的加密 Office 文件"
        case .legacyWord: "Word 文档（.doc）"
        case .legacyPowerPoint: "PowerPoint 演示文稿（.ppt）"
        case .compoundFile: "旧版 Office 格式的文件"
        case .word: "Word 文档（.docx）"
        case .powerPoint: "PowerPoint 演示文稿（.pptx）"
        case .openDocument: "OpenDocument 文件（.ods/.odt）"
        case .zipArchive: "ZIP 压缩包"
        case .encryptedZip: "加了密码的压缩文件"
        case .pdf: "PDF 文件"
        case .png: "PNG 图片"
        case .jpeg: "JPEG 图片"
        case .gif: "GIF 图片"
        case .bmp: "BMP 图片"
        case .tiff: "TIFF 图片"
        case .webp: "WebP 图片"
        case .rtf: "RTF 文档"
        case .html: "网页文件（HTML）"
        case .spreadsheetXML: "Excel 2003 XML 表格"
        case .xml: "XML 文件"
        case .gzip: "gzip 压缩包"
        case .rar: "RAR 压缩包"
        case .sevenZip: "7z 压缩包"
        case .text: "纯文本文件（没有用英文逗号分隔的列，不是 CSV）"
        case .binary: "无法识别的文件"
        }
    }

    /// What the clerk should do instead, in Chinese.
    public var advice: String {
        switch self {
        case .legacyExcel, .compoundFile, .openDocument, .html, .spreadsheetXML:
            "请在 Excel（或 WPS 表格）中打开，“另存为” Excel 工作簿（*.xlsx）后再上传。"
        case .encryptedOffice, .encryptedZip:
            "请在 Excel 中打开文件，取消打开密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码），保存为 .xlsx 后再上传。"
        case .legacyWord, .word, .legacyPowerPoint, .powerPoint, .pdf, .png, .jpeg, .gif, .bmp, .tiff, .webp, .rtf:
            "平台只能读取表格数据，不能读取文档、扫描件或截图：请把数据填入本数据项的 Excel 模板（在数据项页面下载），保存为 .xlsx 后上传。"
        case .zipArchive, .gzip, .rar, .sevenZip:
            "请解压后上传其中的 Excel 工作簿（.xlsx）或 CSV 文件，一次一个。"
        case .text:
            "CSV 文件每行的各列须用英文逗号分隔、第一行为表头：请在 Excel 中“另存为” CSV（逗号分隔）或 Excel 工作簿（.xlsx）后上传。"
        case .xml, .binary:
            "请上传 Excel 工作簿（.xlsx）或 CSV 文本文件（逗号分隔，UTF-8 或 GB18030 编码）。"
        }
    }

    /// The refusal's message: `这是 Word 文档（.docx），不是 Excel 工作簿（.xlsx）或 CSV 文件，无法读取：…`.
    public var message: String {
        let name = chineseName.first?.isASCII == true ? " " + chineseName : chineseName
        return "这是\(name)，不是 Excel 工作簿（.xlsx）或 CSV 文件，无法读取：\(advice)"
    }
}

// MARK: - Detection

extension ForeignFormat {
    /// How many leading bytes ``identify(head:compoundFileAt:)`` needs.
    public static let headLength = 4096

    /// The foreign format of a file from its first ``headLength`` bytes, or `nil` when it may be a submission
    /// file: a zip archive (an xlsx workbook unless ``inZip(entryNames:)`` says otherwise) or CSV text.
    /// An OLE2 compound file is told apart by its directory, read from `url` (``CompoundFileDirectory``);
    /// without a `url` it is ``compoundFile``.
    public static func identify(head: [UInt8], compoundFileAt url: URL? = nil) -> ForeignFormat? {
        let b = head.prefix(headLength)
        if b.starts(with: [0x50, 0x4B]) { return nil }
        if b.starts(with: CompoundFileDirectory.signature.prefix(4)) {
            return inCompoundFile(entryNames: url.flatMap(CompoundFileDirectory.entryNames(at:)) ?? [])
        }
        let signatures: [(bytes: [UInt8], format: ForeignFormat)] = [
            (Array("%PDF".utf8), .pdf), ([0x89, 0x50, 0x4E, 0x47], .png), ([0xFF, 0xD8, 0xFF], .jpeg),
            (Array("GIF8".utf8), .gif), (Array("BM".utf8), .bmp), ([0x49, 0x49, 0x2A, 0x00], .tiff),
            ([0x4D, 0x4D, 0x00, 0x2A], .tiff), ([0x1F, 0x8B], .gzip), (Array("Rar!".utf8), .rar),
            ([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], .sevenZip), (Array("{\\rtf".utf8), .rtf),
        ]
        if let match = signatures.first(where: { b.starts(with: $0.bytes) }) {
            // "BM" is also how a CSV whose first header starts with those letters begins: a bitmap says its size next.
            if match.format != .bmp || isBitmapHeader(Array(b)) { return match.format }
        }
        if b.count >= 12, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) { return .webp }
        let utf16 = b.starts(with: [0xFF, 0xFE]) || b.starts(with: [0xFE, 0xFF])
        if utf16 { return nil }  // Excel's "Unicode text": read as CSV (TAB-separated)
        if b.contains(where: { $0 < 0x09 || ($0 > 0x0D && $0 < 0x1B) || ($0 > 0x1B && $0 < 0x20) }) { return .binary }
        return ofText(Array(b))
    }

    /// A text file that is no CSV: a web page, XML, or text without a single comma or TAB (no record of a
    /// table with several columns can be in it); `nil` for anything that may be CSV, blank text included.
    static func ofText(_ bytes: [UInt8]) -> ForeignFormat? {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        guard start < bytes.count else { return nil }  // blank: the reader says it is empty
        let text = String(decoding: bytes[start...].prefix(1024), as: UTF8.self).lowercased()
        if text.hasPrefix("<!doctype html") || text.hasPrefix("<html") || text.hasPrefix("<table")
            || text.hasPrefix("mime-version:") {
            return .html
        }
        if text.hasPrefix("<?xml") || text.hasPrefix("<") {
            if text.contains("urn:schemas-microsoft-com:office:spreadsheet") || text.contains("progid=\"excel.sheet\"") {
                return .spreadsheetXML
            }
            if text.contains("<html") { return .html }
            if text.hasPrefix("<?xml") { return .xml }
        }
        if !bytes[start...].contains(where: { $0 == 0x2C || $0 == 0x09 }) { return .text }
        return nil
    }

    /// `BM`, then the file size and two reserved zero words: a Windows bitmap, not text starting with "BM".
    private static func isBitmapHeader(_ b: [UInt8]) -> Bool {
        b.count >= 14 && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0
    }

    /// The format of an OLE2 compound file from the names in its directory: an encrypted Office 2007+ file, a
    /// legacy Excel workbook, Word document or PowerPoint deck, else ``compoundFile``.
    public static func inCompoundFile(entryNames: [String]) -> ForeignFormat {
        let names = Set(entryNames)
        if names.contains("EncryptionInfo") || names.contains("EncryptedPackage") { return .encryptedOffice }
        if names.contains("Workbook") || names.contains("Book") { return .legacyExcel }
        if names.contains("WordDocument") { return .legacyWord }
        if names.contains("PowerPoint Document") { return .legacyPowerPoint }
        return .compoundFile
    }

    /// The format of a zip archive from its entry names, or `nil` when it may be an xlsx workbook (it has an
    /// `xl/` folder or an OOXML package relationship part naming its main part).
    public static func inZip(entryNames: some Sequence<String>) -> ForeignFormat? {
        let names = Set(entryNames.map { $0.lowercased() })
        if names.contains("xl/workbook.xml") { return nil }
        if names.contains("word/document.xml") { return .word }
        if names.contains("ppt/presentation.xml") { return .powerPoint }
        if names.contains("mimetype") && names.contains("content.xml") { return .openDocument }
        if names.contains(where: { $0.hasPrefix("xl/") }) || names.contains("_rels/.rels") { return nil }
        return .zipArchive
    }
}

/// The directory of an OLE2 compound file (MS-CFB): just enough to list its entries' names, which tell a
/// legacy `.xls` from an encrypted `.xlsx` or a `.doc`. Reads the 512-byte header, the FAT sectors it needs
/// (from the header's DIFAT and the DIFAT chain) and the directory chain; never the streams themselves.
enum CompoundFileDirectory {
    static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    /// Sector numbers from here up are markers (free, end of chain, FAT, DIFAT), not sectors.
    private static let maxRegularSector: UInt32 = 0xFFFF_FFFA
    /// A directory of more sectors than this (4 entries each at 512 bytes) is not followed further.
    private static let maxDirectorySectors = 4096

    /// The names of the entries (storages and streams) in the directory of the compound file at `url`, as far
    /// as they can be read; `nil` when the file is no compound file or its header is damaged.
    static func entryNames(at url: URL) -> [String]? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        func read(_ offset: UInt64, _ count: Int) -> [UInt8]? {
            guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.read(upToCount: count),
                  data.count == count else { return nil }
            return [UInt8](data)
        }
        guard let header = read(0, 512), header.starts(with: signature) else { return nil }
        let shift = Int(le16(header, 0x1E))
        guard shift == 9 || shift == 12 else { return nil }
        let sectorSize = 1 << shift
        func sector(_ n: UInt32) -> [UInt8]? { read(UInt64(n + 1) << UInt64(shift), sectorSize) }

        // Where the FAT sectors are: the first 109 in the header, the rest in the DIFAT chain.
        var fatSectors = (0..<109).map { le32(header, 0x4C + 4 * $0) }.filter { $0 < maxRegularSector }
        var difat = le32(header, 0x44)
        var difatLeft = Int(le32(header, 0x48))
        while difat < maxRegularSector, difatLeft > 0, fatSectors.count < 1 << 20, let block = sector(difat) {
            let perBlock = sectorSize / 4 - 1
            fatSectors += (0..<perBlock).map { le32(block, 4 * $0) }.filter { $0 < maxRegularSector }
            difat = le32(block, 4 * perBlock)
            difatLeft -= 1
        }
        var fatCache: [Int: [UInt8]] = [:]
        func next(_ n: UInt32) -> UInt32? {
            let perSector = sectorSize / 4
            let index = Int(n) / perSector
            guard index < fatSectors.count else { return nil }
            if fatCache[index] == nil { fatCache[index] = sector(fatSectors[index]) }
            guard let fat = fatCache[index] else { return nil }
            return le32(fat, 4 * (Int(n) % perSector))
        }

        var names: [String] = []
        var current = le32(header, 0x30)
        var visited = Set<UInt32>()
        while current < maxRegularSector, visited.count < maxDirectorySectors, visited.insert(current).inserted,
              let block = sector(current) {
            for entry in stride(from: 0, to: sectorSize, by: 128) {
                let length = Int(le16(block, entry + 64))  // in bytes, with the terminating NUL
                let type = block[entry + 66]  // 1 storage, 2 stream, 5 root
                guard [1, 2, 5].contains(type), length >= 2, length <= 64 else { continue }
                let units = (0..<(length / 2 - 1)).map { le16(block, entry + 2 * $0) }
                names.append(String(decoding: units, as: UTF16.self))
            }
            guard let following = next(current) else { break }
            current = following
        }
        return names
    }

    private static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
}
