import Foundation
import GongzhiCore

/// One scenario of `fixtures/scoring/`: a facts file and the result the product must print.
public struct ScoringScenario: Sendable, CustomStringConvertible {
    public var name: String
    public var facts: URL
    public var expected: URL

    public var description: String { name }

    /// Every scenario directory, sorted by name.
    public static func all() -> [ScoringScenario] {
        let root = SharedData.fixtures.appendingPathComponent("scoring")
        return SharedData.directories(in: root).map {
            let dir = root.appendingPathComponent($0)
            return ScoringScenario(name: $0, facts: dir.appendingPathComponent("facts.json"), expected: dir.appendingPathComponent("expected.json"))
        }
    }

    public func factsText() throws -> String { try String(contentsOf: facts, encoding: .utf8) }

    public func expectedJSON() throws -> JSONValue { try JSONValue.parse(try String(contentsOf: expected, encoding: .utf8)) }
}

/// Compares JSON as the scoring README says: every key of `expected` (nested objects included) present in
/// `actual` with an equal value; numbers equal as decimals (`100`, `100.0`, `1e2`), strings exactly.
public enum JSONContract {
    /// One line per difference; empty when `actual` satisfies `expected`.
    public static func differences(actual: JSONValue, expected: JSONValue, path: String = "") -> [String] {
        switch (actual, expected) {
        case let (.object(a), .object(e)):
            var out: [String] = []
            let found = Dictionary(a, uniquingKeysWith: { _, last in last })
            for (key, value) in e {
                let p = path.isEmpty ? key : path + "." + key
                guard let got = found[key] else { out.append("\(p): missing"); continue }
                out += differences(actual: got, expected: value, path: p)
            }
            return out
        case let (.array(a), .array(e)):
            guard a.count == e.count else { return ["\(path): \(a.count) items, expected \(e.count)"] }
            return zip(a, e).enumerated().flatMap { differences(actual: $1.0, expected: $1.1, path: "\(path)[\($0)]") }
        case let (.number(a), .number(e)):
            return decimal(a) == decimal(e) ? [] : ["\(path): \(a), expected \(e)"]
        default:
            return actual == expected ? [] : ["\(path): \(actual.serialized()), expected \(expected.serialized())"]
        }
    }

    /// Canonical form of JSON number text: sign, significant digits without leading/trailing zeros, and the
    /// exponent of the last digit, so that equal decimal values compare equal.
    public static func decimal(_ text: String) -> String {
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(s[s.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
            s = s[..<e]
        }
        var digits = String(s)
        if let dot = digits.firstIndex(of: ".") {
            exponent -= digits.distance(from: dot, to: digits.endIndex) - 1
            digits.remove(at: dot)
        }
        while digits.hasPrefix("0") { digits.removeFirst() }
        while digits.hasSuffix("0") { digits.removeLast(); exponent += 1 }
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + digits + "e" + String(exponent)
    }
}
