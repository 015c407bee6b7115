import Foundation

/// A form or JSON value read as text: a form field, a JSON string, or a JSON number (`2025`, `12.5`), so an API
/// client may send a figure either way and a page and the API check it with the same rule.
///
/// Numbers keep the digits the client sent as far as `Decimal` does (a tax amount `1234.56` stays `1234.56`).
/// - Throws on decoding: `DecodingError.typeMismatch` for anything else (an object, a list, `true`).
struct TextOrNumber: Codable, Sendable, Equatable {
    var text: String

    init(_ text: String) { self.text = text }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
        } else if let whole = try? container.decode(Int.self) {
            text = String(whole)
        } else {
            let number = try container.decode(Decimal.self)
            text = "\(number)"
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension TextOrNumber: ExpressibleByStringLiteral {
    init(stringLiteral text: String) { self.text = text }
}
