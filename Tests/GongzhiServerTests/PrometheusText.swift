import Foundation

/// A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must be a `# HELP`, a
/// `# TYPE`, a comment or a sample; every sample must belong to a family declared by `# TYPE` before it (a
/// histogram's `_bucket`, `_sum` and `_count`); label names and metric names must be valid; values must be
/// numbers; a family is declared once; a histogram's buckets must rise, and its `+Inf` bucket must equal its count.
enum PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Family {
        var name: String
        var type: String
        var help: String?
        var samples: [Sample] = []
    }

    struct Malformed: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    /// The families of `text`, by name.
    static func parse(_ text: String) throws -> [String: Family] {
        var families: [String: Family] = [:]
        var helps: [String: String] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw), number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst("# HELP ".count)
                let name = String(rest.prefix { $0 != " " })
                guard isMetricName(name) else { throw Malformed(line: number, reason: "bad name in HELP: \(name)") }
                guard helps[name] == nil else { throw Malformed(line: number, reason: "second HELP for \(name)") }
                helps[name] = String(rest.dropFirst(name.count).drop { $0 == " " })
                continue
            }
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst("# TYPE ".count).split(separator: " ")
                guard parts.count == 2, isMetricName(String(parts[0])),
                      ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[1])) else {
                    throw Malformed(line: number, reason: "bad TYPE line")
                }
                let name = String(parts[0])
                guard families[name] == nil else { throw Malformed(line: number, reason: "second TYPE for \(name)") }
                families[name] = Family(name: name, type: String(parts[1]), help: helps[name])
                continue
            }
            if line.hasPrefix("#") { continue }
            let sample = try parseSample(line, number: number)
            guard let family = familyName(of: sample.name, in: families) else {
                throw Malformed(line: number, reason: "sample \(sample.name) before its TYPE")
            }
            families[family]?.samples.append(sample)
        }
        for family in families.values where family.type == "histogram" { try checkHistogram(family) }
        return families
    }

    /// The value of the sample `name` with exactly `labels`, if any.
    static func value(_ families: [String: Family], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.values.lazy.flatMap(\.samples).first { $0.name == name && $0.labels == labels }?.value
    }

    private static func familyName(of sample: String, in families: [String: Family]) -> String? {
        if families[sample] != nil { return sample }
        for suffix in ["_bucket", "_sum", "_count"] where sample.hasSuffix(suffix) {
            let base = String(sample.dropLast(suffix.count))
            if let family = families[base], family.type == "histogram" || family.type == "summary" { return base }
        }
        return nil
    }

    private static func parseSample(_ line: String, number: Int) throws -> Sample {
        var rest = Substring(line)
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
        guard isMetricName(name) else { throw Malformed(line: number, reason: "bad metric name") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard isLabelName(label) else { throw Malformed(line: number, reason: "bad label name") }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw Malformed(line: number, reason: "label without =\"") }
                rest = rest.dropFirst(2)
                var value = ""
                while true {
                    guard let c = rest.first else { throw Malformed(line: number, reason: "unterminated label value") }
                    rest = rest.dropFirst()
                    if c == "\"" { break }
                    if c == "\\" {
                        guard let escaped = rest.first else { throw Malformed(line: number, reason: "dangling escape") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw Malformed(line: number, reason: "bad escape \\\(escaped)")
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard labels[label] == nil else { throw Malformed(line: number, reason: "label \(label) twice") }
                labels[label] = value
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" {
                    throw Malformed(line: number, reason: "expected , or }")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Malformed(line: number, reason: "no space before the value") }
        let fields = rest.split(separator: " ")
        guard fields.count == 1 || fields.count == 2, let value = numericValue(String(fields[0])) else {
            throw Malformed(line: number, reason: "bad value \(rest)")
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw Malformed(line: number, reason: "bad timestamp") }
        return Sample(name: name, labels: labels, value: value)
    }

    private static func numericValue(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }

    private static func checkHistogram(_ family: Family) throws {
        var series: [[String: String]: [(le: Double, count: Double)]] = [:]
        var counts: [[String: String]: Double] = [:]
        for sample in family.samples {
            var key = sample.labels
            if sample.name.hasSuffix("_bucket") {
                guard let le = key.removeValue(forKey: "le").flatMap(numericValue) else {
                    throw Malformed(line: 0, reason: "\(family.name) bucket without le")
                }
                series[key, default: []].append((le, sample.value))
            } else if sample.name.hasSuffix("_count") {
                counts[key] = sample.value
            }
        }
        for (key, buckets) in series {
            let sorted = buckets.sorted { $0.le < $1.le }
            guard sorted.last?.le == .infinity else { throw Malformed(line: 0, reason: "\(family.name) \(key) has no +Inf bucket") }
            for (a, b) in zip(sorted, sorted.dropFirst()) where b.count < a.count {
                throw Malformed(line: 0, reason: "\(family.name) \(key) buckets fall")
            }
            guard counts[key] == sorted.last?.count else { throw Malformed(line: 0, reason: "\(family.name) \(key) +Inf ≠ count") }
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || first == "_" || first == ":" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ":") }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
