import Foundation
import GongzhiCore
import GongzhiIngest

/// One file of the shared data with its expected import result: a department sample or a real-world case.
public struct ContractCase: Sendable, CustomStringConvertible {
    public var name: String
    public var file: URL
    public var indicator: Indicator
    public var period: String
    public var expected: URL
    public var records: URL

    public var description: String { name }

    /// Every sample in `../shared/samples` (indicator from the seed catalog, period from expected.json).
    public static func samples() -> [ContractCase] {
        guard let catalog = try? CatalogLoader.seedCatalog() else { return [] }
        return SharedData.directories(in: SharedData.samples).compactMap { dir in
            let folder = SharedData.samples.appendingPathComponent(dir)
            guard let expected = try? jsonObject(folder.appendingPathComponent("expected.json")) as? [String: Any],
                  let code = expected["indicator"] as? String, let period = expected["period"] as? String,
                  let fileName = expected["file"] as? String, let indicator = catalog.indicator(code: code) else { return nil }
            return ContractCase(name: dir, file: folder.appendingPathComponent(fileName), indicator: indicator, period: period,
                                expected: folder.appendingPathComponent("expected.json"),
                                records: folder.appendingPathComponent("records.jsonl"))
        }
    }

    /// Every case in `../shared/cases/realworld` (indicator from its indicator.yaml).
    public static func realworld() -> [ContractCase] {
        SharedData.directories(in: SharedData.realworldCases).compactMap { dir in
            let folder = SharedData.realworldCases.appendingPathComponent(dir)
            guard let yaml = try? String(contentsOf: folder.appendingPathComponent("indicator.yaml"), encoding: .utf8),
                  let indicator = try? CatalogLoader.indicator(yaml: yaml),
                  let expected = try? jsonObject(folder.appendingPathComponent("expected.json")) as? [String: Any],
                  let period = expected["period"] as? String, let fileName = expected["file"] as? String else { return nil }
            return ContractCase(name: dir, file: folder.appendingPathComponent(fileName), indicator: indicator, period: period,
                                expected: folder.appendingPathComponent("expected.json"),
                                records: folder.appendingPathComponent("records.jsonl"))
        }
    }

    /// The expected result object.
    public func expectedJSON() throws -> [String: Any] {
        try Self.jsonObject(expected) as? [String: Any] ?? [:]
    }

    /// The expected accepted records, one object per line of records.jsonl.
    public func expectedRecords() throws -> [[String: Any]] {
        let text = (try? String(contentsOf: records, encoding: .utf8)) ?? ""
        return try text.split(whereSeparator: \.isNewline).map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// Keys of the indicator's decimal fields: their values compare as decimals.
    public var decimalFields: Set<String> {
        Set(indicator.fields.filter { $0.type == .decimal }.map(\.key))
    }

    static func jsonObject(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }
}

/// Compares an import result with the contract: every key of the expected object with the same value,
/// decimals (in `normalized[].to` and in records) compared as decimals.
public enum ContractComparison {
    /// Differences between `actual` and `expected`, as readable lines (empty when they agree).
    public static func differences(actual: [String: Any], expected: [String: Any], decimalFields: Set<String>) -> [String] {
        var out: [String] = []
        for (key, value) in expected {
            guard let mine = actual[key] else {
                out.append("missing key \(key)")
                continue
            }
            if key == "normalized", let e = value as? [[String: Any]], let a = mine as? [[String: Any]] {
                out += compareList(a, e, label: key) { a, e in
                    var a = a, e = e
                    if let field = e["field"] as? String, decimalFields.contains(field) {
                        a["to"] = (a["to"] as? String).map(DecimalText.comparisonForm)
                        e["to"] = (e["to"] as? String).map(DecimalText.comparisonForm)
                    }
                    return same(a, e)
                }
            } else if !same(mine, value) {
                out.append("\(key): got \(render(mine)), expected \(render(value))")
            }
        }
        return out
    }

    /// Differences between actual and expected records (`{row, values}` objects, file order).
    public static func recordDifferences(actual: [[String: Any]], expected: [[String: Any]], decimalFields: Set<String>) -> [String] {
        compareList(actual, expected, label: "records") { a, e in
            guard same(a["row"], e["row"]), var av = a["values"] as? [String: Any], var ev = e["values"] as? [String: Any] else { return false }
            for key in decimalFields {
                av[key] = (av[key] as? String).map(DecimalText.comparisonForm) ?? av[key]
                ev[key] = (ev[key] as? String).map(DecimalText.comparisonForm) ?? ev[key]
            }
            return same(av, ev)
        }
    }

    static func compareList(_ a: [[String: Any]], _ e: [[String: Any]], label: String,
                            equal: ([String: Any], [String: Any]) -> Bool) -> [String] {
        var out: [String] = []
        if a.count != e.count { out.append("\(label): \(a.count) items, expected \(e.count)") }
        for i in 0..<max(a.count, e.count) {
            let ai = i < a.count ? a[i] : nil, ei = i < e.count ? e[i] : nil
            if let ai, let ei, equal(ai, ei) { continue }
            out.append("\(label)[\(i)]: got \(ai.map(render) ?? "nothing"), expected \(ei.map(render) ?? "nothing")")
            if out.count > 12 { break }
        }
        return out
    }

    /// Deep equality of JSON values (numbers by value, booleans distinct from numbers).
    public static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (is NSNull, is NSNull): return true
        case let (x as [String: Any], y as [String: Any]):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        case let (x as [Any], y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (x as String, y as String):
            return x == y
        case let (x as NSNumber, y as NSNumber):
            let xb = isBoolean(x), yb = isBoolean(y)
            return xb == yb && x == y
        default:
            return false
        }
    }

    static func isBoolean(_ n: NSNumber) -> Bool {
        String(cString: n.objCType) == "c" || String(cString: n.objCType) == "B"
    }

    static func render(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject([value]),
              let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys]) else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
