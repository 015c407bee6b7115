import Foundation
import ZIPFoundation

/// Packs the XML parts of an Office Open XML workbook into xlsx bytes: the one zip writer of the written
/// workbooks (templates, exports).
enum XlsxPackage {
    /// A fixed timestamp keeps the bytes of a workbook reproducible (2017-01-01).
    static let stamp = Date(timeIntervalSince1970: 1_483_228_800)

    /// The zip of `parts` (path, XML text), deflated, in the given order.
    /// - Throws: ``IngestError/cannotOpen(path:detail:)`` naming `name` if the archive cannot be built.
    static func data(parts: [(String, String)], name: String) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, xml) in parts {
            let bytes = Data(xml.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count),
                                 modificationDate: stamp, compressionMethod: .deflate) { position, size in
                let start = Int(position)
                return bytes.subdata(in: start..<min(start + size, bytes.count))
            }
        }
        guard let data = archive.data else {
            throw IngestError.cannotOpen(path: name, detail: "内存中的压缩包没有生成数据")
        }
        return data
    }
}
