import Foundation
import ZIPFoundation

/// Tiny files of the kinds clerks upload by mistake — Word, PDF, images, encrypted and legacy Office files —
/// built in memory with just the bytes that tell them apart, for tests of refusals.
public enum TestFiles {
    /// A zip archive holding `entries` (path and text), e.g. a `.docx` with `word/document.xml`.
    public static func zip(_ entries: [(path: String, text: String)]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for (path, text) in entries {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    /// A Word document (`.docx`): a zip with `[Content_Types].xml`, `_rels/.rels` naming `word/document.xml`.
    public static func docx() throws -> Data {
        try zip([
            ("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#),
            ("_rels/.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#),
            ("word/document.xml", #"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>房产交易信息</w:t></w:r></w:p></w:body></w:document>"#),
        ])
    }

    /// An OLE2 compound file (MS-CFB version 3, 512-byte sectors) whose directory lists a root entry and one
    /// stream per name — `["Workbook"]` is a legacy `.xls`, `["EncryptionInfo", "EncryptedPackage"]` an
    /// encrypted `.xlsx`, `["WordDocument"]` a `.doc`. The streams are empty; the directory spans several
    /// sectors chained through the FAT, as in real files.
    public static func compoundFile(streams: [String]) -> Data {
        let sector = 512
        let names = ["Root Entry"] + streams
        let directorySectors = (names.count + 3) / 4
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(v >> (8 * $0) & 0xFF) } }
        let endOfChain: UInt32 = 0xFFFF_FFFE, free: UInt32 = 0xFFFF_FFFF, fatSector: UInt32 = 0xFFFF_FFFD
        var header: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 16)
        header += le16(0x3E) + le16(3) + le16(0xFFFE) + le16(9) + le16(6) + [UInt8](repeating: 0, count: 6)
        header += le32(0) + le32(1) + le32(1) + le32(0) + le32(4096)  // dir sectors, FAT sectors, first dir sector, txn, cutoff
        header += le32(endOfChain) + le32(0) + le32(endOfChain) + le32(0)  // mini FAT, DIFAT
        header += le32(0) + (1..<109).flatMap { _ in le32(free) }  // the FAT is sector 0
        // Sector 0: the FAT. Sectors 1…n: the directory, chained.
        var fat = le32(fatSector)
        for i in 1...directorySectors { fat += le32(i == directorySectors ? endOfChain : UInt32(i + 1)) }
        fat += [UInt8](repeating: 0xFF, count: sector - fat.count)
        var directory: [UInt8] = []
        for (i, name) in names.enumerated() {
            let units = Array(name.utf16.prefix(31))
            var entry = units.flatMap { le16(Int($0)) }
            entry += [UInt8](repeating: 0, count: 64 - entry.count)
            entry += le16((units.count + 1) * 2) + [i == 0 ? 5 : 2, 1]
            entry += le32(free) + le32(free) + le32(i == 0 && names.count > 1 ? 1 : free)  // siblings, child
            entry += [UInt8](repeating: 0, count: 128 - entry.count)
            directory += entry
        }
        directory += [UInt8](repeating: 0, count: directorySectors * sector - directory.count)
        return Data(header + fat + directory)
    }
}
