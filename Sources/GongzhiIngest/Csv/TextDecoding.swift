import Foundation

/// Decodes submission text files: BOM → strict UTF-8 → GB18030 (SWIFT-NOTES.md "xlsx and CSV"; GBK files
/// decode identically as GB18030, its superset). Latin-1 and friends are never tried: they accept any bytes
/// and so detect nothing.
public enum TextDecoding {
    /// The encodings a submission may be in.
    public enum Encoding: String, Sendable {
        case utf8 = "UTF-8"
        case utf8BOM = "UTF-8 with BOM"
        case utf16LE = "UTF-16LE"
        case utf16BE = "UTF-16BE"
        case gb18030 = "GB18030"
    }

    /// GB18030-2005 (`kCFStringEncodingGB_18030_2000`); decodes 4-byte sequences correctly on Linux.
    static let gb18030 = String.Encoding(rawValue: 0x8000_0632)

    /// Decodes `data`, reporting which encoding it was in.
    /// - Throws: ``IngestError/undecodableText`` when no supported encoding fits.
    public static func decode(_ data: Data) throws(IngestError) -> (text: String, encoding: Encoding) {
        if data.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard let s = String(data: data.dropFirst(3), encoding: .utf8) else { throw .undecodableText }
            return (s, .utf8BOM)
        }
        if data.starts(with: [0xFF, 0xFE]) {
            guard let s = String(data: data.dropFirst(2), encoding: .utf16LittleEndian) else { throw .undecodableText }
            return (s, .utf16LE)
        }
        if data.starts(with: [0xFE, 0xFF]) {
            guard let s = String(data: data.dropFirst(2), encoding: .utf16BigEndian) else { throw .undecodableText }
            return (s, .utf16BE)
        }
        if let s = String(validating: data, as: UTF8.self) {
            return (s, .utf8)
        }
        if let s = String(data: data, encoding: gb18030), !s.unicodeScalars.contains("\u{FFFD}") {
            return (s, .gb18030)
        }
        throw .undecodableText
    }
}
