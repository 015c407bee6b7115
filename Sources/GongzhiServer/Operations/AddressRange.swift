#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An IP address or a CIDR block (`127.0.0.1`, `10.20.0.0/16`, `::1`, `fd00::/8`), as listed in
/// `GONGZHI_METRICS_ALLOW`. An IPv4 address written as IPv4-mapped IPv6 (`::ffff:127.0.0.1`) matches as IPv4.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    /// The network's bytes (4 or 16).
    public let network: [UInt8]
    /// Leading bits that must match.
    public let prefixLength: Int

    /// Parses `text`; `nil` when it is no address or block, or its prefix is longer than the address.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = parts.first.flatMap({ Self.bytes(String($0)) }) else { return nil }
        var length = address.count * 8
        if parts.count == 2 {
            guard let given = Int(parts[1]), given >= 0, given <= length else { return nil }
            length = given
        }
        network = address
        prefixLength = length
    }

    /// The loopback blocks (`127.0.0.0/8`, `::1`): the default of `GONGZHI_METRICS_ALLOW`.
    public static let loopback: [AddressRange] = ["127.0.0.0/8", "::1"]

    /// Whether `address` (as written by NIO: `127.0.0.1`, `::1`) lies in this range; `false` for text that is no address.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(address), bytes.count == network.count else { return false }
        var bits = prefixLength
        for (a, b) in zip(bytes, network) where bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if a & mask != b & mask { return false }
            bits -= 8
        }
        return true
    }

    public var description: String {
        let text = Self.text(network)
        return prefixLength == network.count * 8 ? text : "\(text)/\(prefixLength)"
    }

    /// The address's bytes: 4 for IPv4 (also when written IPv4-mapped), 16 for IPv6.
    static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    private static func text(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var v6 = in6_addr()
        withUnsafeMutableBytes(of: &v6) { $0.copyBytes(from: bytes) }
        guard inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension AddressRange: ExpressibleByStringLiteral {
    /// A range written in code; a malformed literal is a programming error.
    public init(stringLiteral value: String) {
        guard let range = AddressRange(value) else { preconditionFailure("not an address or CIDR block: \(value)") }
        self = range
    }
}
