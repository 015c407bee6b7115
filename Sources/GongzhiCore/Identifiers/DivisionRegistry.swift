/// A line of a division list that could not be read (``DivisionRegistry/init(csv:)``).
public struct DivisionRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number in the CSV text (the header is line 1).
    public var line: Int
    /// What is wrong with the line, in English (this is an operator error, not a clerk's).
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "divisions CSV line \(line): \(reason)" }
}

/// The GB/T 2260 administrative division codes (行政区划代码) with the years each was in force.
///
/// Loaded from the shared `divisions.csv` format, UTF-8 with a header line:
/// `code,name,valid_from,valid_to,level` — `code` 6 digits, `valid_from`/`valid_to` a year or empty
/// (`valid_to` empty = in the current list), `level` province | prefecture | county. A code may appear on
/// several lines (renamed or reused over time). Used by the identifier rules of GB 11643-1999 (a resident ID
/// keeps the code in force when it was issued: any vintage is accepted) and by the `division_code` field
/// (信息属地: must be a current code).
public struct DivisionRegistry: Sendable {
    /// One line of the list: a name a code carried over a span of years.
    public struct Entry: Sendable, Equatable {
        public var code: String
        public var name: String
        /// First year in force; `nil` when the list does not say (in force since the first list, 1980).
        public var validFrom: Int?
        /// Last year in force; `nil` while the code is current.
        public var validTo: Int?
        /// `province`, `prefecture` or `county`.
        public var level: String
    }

    private let entries: [String: [Entry]]
    /// Every 6-digit code by its numeric value: 0 unknown, 1 known (any vintage), 2 current. A byte-indexed
    /// copy of `entries` for the per-row checks of the importer (no string hashing).
    private let statusByNumber: [UInt8]

    /// Parses the GB/T 2260 list in the shared `divisions.csv` format (`code,name,valid_from,valid_to,level`).
    ///
    /// Accepts a UTF-8 BOM, `\n` or `\r\n` line ends, blank lines and RFC 4180 quoted fields without line
    /// breaks. The header line is recognised by its first field `code` and skipped.
    /// A header naming other columns (`code,name,level,parent`) is followed; without `valid_to` every code
    /// counts as current.
    /// - Throws: ``DivisionRegistryError`` naming the first line that does not have the header's number of
    ///   fields, a 6-digit code, a name, and years that are empty or whole numbers.
    public init(csv: String) throws {
        var entries: [String: [Entry]] = [:]
        // Column positions: the shared format unless a header line names them (e.g. `code,name,level,parent`
        // of divisions-yangzhou.csv, whose codes are all current).
        var columns = (code: 0, name: 1, from: Optional(2), to: Optional(3), level: Optional(4), count: 5)
        var lineNumber = 0
        for rawLine in csv.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if lineNumber == 1, line.unicodeScalars.first == "\u{FEFF}" {
                line = Substring(line.unicodeScalars.dropFirst())
            }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            guard let fields = Self.splitCSVLine(line) else {
                throw DivisionRegistryError(line: lineNumber, reason: "unbalanced quotes")
            }
            if lineNumber == 1, fields.first == "code" {
                guard let name = fields.firstIndex(of: "name") else {
                    throw DivisionRegistryError(line: 1, reason: "header has no 'name' column")
                }
                columns = (0, name, fields.firstIndex(of: "valid_from"), fields.firstIndex(of: "valid_to"),
                           fields.firstIndex(of: "level"), fields.count)
                continue
            }
            guard fields.count == columns.count else {
                throw DivisionRegistryError(line: lineNumber, reason: "expected \(columns.count) fields, found \(fields.count)")
            }
            let code = fields[columns.code]
            guard code.utf8.count == 6, code.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                throw DivisionRegistryError(line: lineNumber, reason: "code '\(code)' is not 6 digits")
            }
            guard !fields[columns.name].isEmpty else {
                throw DivisionRegistryError(line: lineNumber, reason: "name is empty")
            }
            func year(_ index: Int?, _ column: String) throws -> Int? {
                guard let index, !fields[index].isEmpty else { return nil }
                let text = fields[index]
                guard text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let y = Int(text) else {
                    throw DivisionRegistryError(line: lineNumber, reason: "\(column) '\(text)' is not a year")
                }
                return y
            }
            // A valid_to before valid_from (a few codes of the 1983 list, e.g. `210311,郊区,1983,1982`) is kept
            // as written: the code still existed.
            let from = try year(columns.from, "valid_from")
            let to = try year(columns.to, "valid_to")
            let level = columns.level.map { fields[$0] } ?? ""
            entries[code, default: []].append(
                Entry(code: code, name: fields[columns.name], validFrom: from, validTo: to, level: level))
        }
        self.entries = entries
        var status = [UInt8](repeating: 0, count: 1_000_000)
        for (code, list) in entries {
            guard let n = Int(code) else { continue }
            status[n] = list.contains { $0.validTo == nil } ? 2 : 1
        }
        self.statusByNumber = status
    }

    /// ``isKnown(_:)`` (`current == false`) or ``isCurrent(_:)`` for the code whose six ASCII digits are
    /// `digits` (the caller has checked they are digits).
    @inline(__always)
    func status(ofDigits digits: UnsafeBufferPointer<UInt8>, current: Bool) -> Bool {
        var n = 0
        for i in 0..<6 { n = n &* 10 &+ Int(digits[i] &- 48) }
        return statusByNumber[n] >= (current ? 2 : 1)
    }

    /// Whether `code` is a GB/T 2260 code of any vintage (a resident ID prefix, a project code's division).
    public func isKnown(_ code: String) -> Bool {
        entries[code] != nil
    }

    /// Whether `code` is in the current GB/T 2260 list (`valid_to` empty): the rule for 信息属地 fields.
    public func isCurrent(_ code: String) -> Bool {
        entries[code]?.contains { $0.validTo == nil } ?? false
    }

    /// Whether `code` was in force at some time during `year` (GB/T 2260 history).
    public func wasInForce(_ code: String, in year: Int) -> Bool {
        entries[code]?.contains { (($0.validFrom ?? Int.min) <= year) && (year <= ($0.validTo ?? Int.max)) } ?? false
    }

    /// The current name of `code`, or for an abolished code the name it last carried; `nil` if unknown.
    public func name(of code: String) -> String? {
        guard let list = entries[code] else { return nil }
        if let current = list.last(where: { $0.validTo == nil }) { return current.name }
        return list.max { ($0.validTo ?? Int.max) < ($1.validTo ?? Int.max) }?.name
    }

    /// Every line recorded for `code` (its names over time), in file order; empty if unknown.
    public func entries(of code: String) -> [Entry] {
        entries[code] ?? []
    }

    /// Number of distinct codes (of any vintage).
    public var count: Int { entries.count }

    /// RFC 4180 fields of one line (quoted fields may hold commas and doubled quotes, not line breaks);
    /// `nil` when a quote is left open.
    static func splitCSVLine(_ line: Substring) -> [String]? {
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
        }
        if inQuotes { return nil }
        fields.append(field)
        return fields
    }
}
