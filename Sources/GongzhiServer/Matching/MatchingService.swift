import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import SQLKit

/// Why a matching run was refused, with a Chinese message the operator can act on.
public enum MatchingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No shipped or stored rule has this code.
    case unknownRule(String)
    /// The period text is not `2024-03`, `2024Q1` or `2024`.
    case badPeriod(String)
    /// `from` is after `to`, or the range is longer than ``MatchingService/maxPeriods`` left periods.
    case badRange(from: String, to: String)
    /// The rule does not fit the current catalog.
    case invalidRule(code: String, MatchRuleError)
    /// A stored version of the rule with this number has another definition.
    case versionConflict(code: String, version: Int)
    /// The rule version's state does not run (draft or retired).
    case notRunnable(code: String, version: Int, state: MatchRuleState)

    /// Chinese message the operator can act on.
    public var message: String {
        switch self {
        case .unknownRule(let code):
            "没有代码为“\(code)”的比对规则；可用规则：\(ShippedMatchRules.all.map(\.code).joined(separator: "、"))"
        case .badPeriod(let text): "报送期“\(text)”格式不对：应写作 2024-03（月）、2024Q1（季）或 2024（年）"
        case .badRange(let from, let to): "比对期间 \(from) 至 \(to) 无效：起始期不能晚于截止期，且不超过 \(MatchingService.maxPeriods) 个报送期"
        case .invalidRule(let code, let error): "规则 \(code) 与当前目录不符：\(error.message)"
        case .versionConflict(let code, let version): "规则 \(code) 第 \(version) 版已存在且内容不同：修改规则须新建版本"
        case .notRunnable(let code, let version, let state): "规则 \(code) 第 \(version) 版处于“\(state.chineseName)”状态，不能运行：只有试跑或启用的规则可以运行"
        }
    }

    public var description: String { message }
}

/// The outcome of one run (``MatchingService/run(rule:from:to:by:)``).
public struct MatchRun: Sendable {
    /// The run's id, the rule version run, its state (trial or active), and the periods asked for.
    public var id: Int
    public var rule: MatchRule
    public var state: MatchRuleState
    public var from: ReportingPeriod
    public var to: ReportingPeriod
    /// The left indicator's periods the run covered.
    public var leftPeriods: [String]
    /// Left records matched.
    public var leftRecords: Int
    /// Leads this run added (0 on a re-run over the same data).
    public var leadsAdded: Int
}

/// One lead as the run reports it: the left record, the right records it was matched with, canonical values.
public struct MatchLeadView: Sendable {
    /// One side's record with its lineage.
    public struct Side: Sendable {
        /// The record's indicator, id and lineage: submission, 1-based row, reporting period.
        public var indicator: String
        public var recordID: Int
        public var submissionID: UUID
        public var rowNumber: Int
        public var period: String
        /// Field key → canonical value (identifiers as their matching key), for the fields the rule reads.
        public var values: [(String, String)]
    }

    /// The lead's id, kind and how its sides were joined.
    public var id: Int
    public var kind: TaxLeadKind
    public var confidence: TaxLeadConfidence
    /// Estimated tax in fen (1/100 元).
    public var estimatedTaxFen: Int
    /// Where its work is; the left record; the right records it was matched with (none for `no_match`).
    public var state: TaxLeadState
    public var left: Side
    public var right: [Side]
}

/// Cross-matching (信息比对, issue 12): stores rule versions, extracts canonical keys, runs a rule in the
/// database and reads the leads back.
///
/// A run is set-based statements in one transaction with the run row and its audit entry: an interrupted run
/// leaves nothing, and running it again finds the same leads. The left records' dates and bases and the right
/// records' dates and amounts are read from their JSON once, into typed temporary tables (``MatchingSQL``);
/// one aggregate pass per pass (by identifier; by name and 信息属地 for a rule with the second pass) says per
/// left record whether it matched, in the window, paying in full, and the largest amount paid; then one
/// `INSERT … SELECT` per lead kind — no_match, out_of_window, underpaid by identifier; out_of_window and
/// underpaid by name, as `name_division` leads, for left records with no identifier match — and one per pass
/// for the leads' right records. The unique (rule, version, left record) of `match_leads`, and left records
/// that already have a lead being skipped, keep a re-run from adding any lead twice.
///
/// Canonicalisation is the one step done in Swift: the keys of a submission's key fields are computed with
/// ``MatchKeys`` (the GB 11643-1999 upgrade and the GB 32100-2015 / GB 11714-1997 check characters have no
/// portable SQL form) and written in multi-row inserts of 1,000, once per (submission, field, form) —
/// `match_keyed` remembers what is done, so a run only keys submissions that arrived since
/// (``extractKeys(of:)``).
public struct MatchingService: Sendable {
    /// Most left periods one run may cover (ten years of months).
    public static let maxPeriods = 120
    /// Records read per round trip while keying.
    static let keyingPage = 5_000
    /// Fewest records to key for a bulk keying by default (see ``extractKeys(of:)``).
    public static let defaultBulkKeying = 100_000

    /// The database runs and leads live in, and the clock runs and steps are stamped with.
    public let database: any Database
    public let clock: PlatformClock
    /// Fewest records to key for a bulk keying (see ``extractKeys(of:)``).
    public let bulkKeying: Int

    /// Matching over `database`, stamping with `clock`; `bulkKeying` records or more to key are keyed in bulk.
    public init(database: any Database, clock: PlatformClock, bulkKeying: Int = MatchingService.defaultBulkKeying) {
        self.database = database
        self.clock = clock
        self.bulkKeying = bulkKeying
    }

    /// The rule with `code`: the newest stored version, or the shipped one.
    /// - Throws: ``MatchingError/unknownRule(_:)``.
    public func rule(code: String) async throws -> MatchRule {
        let sql = try sqlDatabase()
        if let row = try await sql.raw("SELECT definition FROM match_rules WHERE code = \(bind: code) ORDER BY version DESC LIMIT 1").first() {
            return try MatchRule(jsonText: try row.decode(column: "definition", as: String.self))
        }
        guard let shipped = ShippedMatchRules.rule(code: code) else { throw MatchingError.unknownRule(code) }
        return shipped
    }

    /// A reporting period from its text.
    /// - Throws: ``MatchingError/badPeriod(_:)``.
    public static func period(_ text: String) throws -> ReportingPeriod {
        guard let period = ReportingPeriod(text) else { throw MatchingError.badPeriod(text) }
        return period
    }

    /// The periods of `collection` that start within `from`…`to` (e.g. months 2024-01…2024-03 → `2024Q1` for a
    /// quarterly indicator).
    /// - Throws: ``MatchingError/badRange(from:to:)`` when `from` ends before… `to` starts after, or the range
    ///   holds more than ``maxPeriods`` periods.
    public static func periods(of collection: CollectionPeriod, from: ReportingPeriod, to: ReportingPeriod) throws -> [ReportingPeriod] {
        guard from.firstDay <= to.lastDay else { throw MatchingError.badRange(from: from.description, to: to.description) }
        var periods: [ReportingPeriod] = []
        var p = ReportingPeriod.containing(from.firstDay, collection: collection)
        while p.firstDay <= to.lastDay {
            if p.firstDay >= from.firstDay { periods.append(p) }
            guard periods.count <= maxPeriods else { throw MatchingError.badRange(from: from.description, to: to.description) }
            p = p.next
        }
        return periods
    }

    /// Stores `rule` as a version when it is not yet stored (shipped rules start `active`, others `draft`)
    /// and returns the stored state.
    /// - Throws: ``MatchingError/invalidRule(code:_:)`` against the current catalog,
    ///   ``MatchingError/versionConflict(code:version:)`` when the stored version differs.
    @discardableResult
    public func register(_ rule: MatchRule, by actor: AuditActor) async throws -> MatchRuleState {
        let catalog = try await catalog(for: rule)
        do { _ = try rule.validated(in: catalog) } catch { throw MatchingError.invalidRule(code: rule.code, error) }
        let sql = try sqlDatabase()
        let definition = try rule.jsonText()
        if let row = try await sql.raw("SELECT state, definition FROM match_rules WHERE code = \(bind: rule.code) AND version = \(bind: rule.version)").first() {
            let stored = try MatchRule(jsonText: try row.decode(column: "definition", as: String.self))
            guard stored == rule else { throw MatchingError.versionConflict(code: rule.code, version: rule.version) }
            return MatchRuleState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft
        }
        let state: MatchRuleState = ShippedMatchRules.rule(code: rule.code) == rule ? .active : .draft
        let now = nowMs()
        try await SQLiteWriteGate.transaction(on: database, lockTable: "match_rules") { db in
            guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
            try await sql.raw("""
                INSERT INTO match_rules (code, version, name, state, definition, created_ms, updated_ms)
                VALUES (\(bind: rule.code), \(bind: rule.version), \(bind: rule.name), \(bind: state.rawValue), \(bind: definition), \(bind: now), \(bind: now))
                """).run()
            try await AuditLog.append(actor.event(.matching, AuditTarget(indicatorCode: rule.left.indicator,
                detail: "match_rule rule=\(rule.code);rule_version=\(rule.version);rule_state=\(state.rawValue)"), at: clock.now()), on: db)
        }
        return state
    }

    /// Runs `rule` over the left records of `from`…`to` (the left indicator's periods starting in that
    /// range), against the right records of every current submission.
    /// - Returns: the run, with the number of leads it added.
    /// - Throws: ``MatchingError`` (unknown rule, bad range, rule not runnable or not fitting the catalog).
    public func run(rule: MatchRule, from: ReportingPeriod, to: ReportingPeriod, by actor: AuditActor) async throws -> MatchRun {
        let state = try await register(rule, by: actor)
        guard state.runs else { throw MatchingError.notRunnable(code: rule.code, version: rule.version, state: state) }
        let catalog = try await catalog(for: rule)
        guard let leftIndicator = catalog.indicator(code: rule.left.indicator) else {
            throw MatchingError.invalidRule(code: rule.code, .unknownIndicator(rule.left.indicator))
        }
        let periods = try Self.periods(of: leftIndicator.period, from: from, to: to).map(\.description)
        try await extractKeys(of: rule)
        let statements = MatchingSQL(rule: rule, dialect: DatabaseDialect.of(database), leftPeriods: periods)
        let started = nowMs()
        let clock = self.clock
        let (runID, left, added) = try await SQLiteWriteGate.transaction(on: database, lockTable: "match_runs") { db -> (Int, Int, Int) in
            guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
            // The run tables: each record's JSON read once, then one aggregate pass per pass.
            for statement in statements.dropRunTables + statements.createLeftTable
                + statements.indexRunTable(MatchingSQL.leftTable, "id") + statements.createRightTable
                + statements.indexRunTable(MatchingSQL.rightTable, "id") {
                try await sql.raw(statement).run()
            }
            for pass in MatchingSQL.Pass.allCases where pass == .identifier || rule.matchesNames {
                for statement in statements.createPairsTable(pass) + statements.indexRunTable(pass.table, "left_id") {
                    try await sql.raw(statement).run()
                }
            }
            let left = try await sql.raw(statements.countLeft).first()?.decode(column: "n", as: Int.self) ?? 0
            let runRow = try await sql.insert(into: "match_runs")
                .columns("rule_code", "rule_version", "rule_state", "from_period", "to_period", "left_records", "leads_added",
                         "ran_by", "started_ms", "finished_ms")
                .values(SQLBind(rule.code), SQLBind(rule.version), SQLBind(state.rawValue), SQLBind(from.description),
                        SQLBind(to.description), SQLBind(left), SQLBind(0), SQLBind(actor.user), SQLBind(started), SQLBind(started))
                .returning("id").first()
            guard let runID = try runRow?.decode(column: "id", as: Int.self) else { throw StoreError.notSQL }
            let now = Self.milliseconds(clock.now())
            for pass in MatchingSQL.Pass.allCases {
                for kind in [TaxLeadKind.underpaid, .outOfWindow, .noMatch] {
                    guard let insert = statements.insertLeads(kind, pass, run: runID, sent: state.sendsLeads, nowMs: now) else { continue }
                    try await sql.raw(insert).run()
                }
                if pass == .identifier || rule.matchesNames {
                    try await sql.raw(statements.insertLeadRecords(run: runID, pass)).run()
                }
            }
            let added = try await sql.raw("SELECT COUNT(*) AS n FROM match_leads WHERE run_id = \(bind: runID)").first()?
                .decode(column: "n", as: Int.self) ?? 0
            try await sql.update("match_runs").set("leads_added", to: SQLBind(added)).set("finished_ms", to: SQLBind(Self.milliseconds(clock.now())))
                .where("id", .equal, SQLBind(runID)).run()
            for statement in statements.dropRunTables { try await sql.raw(statement).run() }
            try await AuditLog.append(actor.event(.matching, AuditTarget(indicatorCode: rule.left.indicator, rowCount: added,
                detail: "match match_run=\(runID);rule=\(rule.code);rule_version=\(rule.version);from=\(from);to=\(to);left_records=\(left);count=\(added)"),
                at: clock.now()), on: db)
            return (runID, left, added)
        }
        return MatchRun(id: runID, rule: rule, state: state, from: from, to: to, leftPeriods: periods, leftRecords: left, leadsAdded: added)
    }

    /// The leads of `rule`'s version whose left record belongs to `periods`, by estimated tax (highest first),
    /// then lead id.
    public func leads(of rule: MatchRule, periods: [String]) async throws -> [MatchLeadView] {
        let sql = try sqlDatabase()
        guard !periods.isEmpty else { return [] }
        let statements = MatchingSQL(rule: rule, dialect: DatabaseDialect.of(database), leftPeriods: periods)
        let selection: SQLQueryString = "FROM match_leads x JOIN records l ON l.id = x.left_record_id JOIN submissions ls ON ls.id = l.submission_id"
            + " WHERE x.rule_code = \(bind: rule.code) AND x.rule_version = \(bind: rule.version) AND " + statements.isIn("ls.period", periods)
        let leftRows = try await sql.raw("SELECT x.id, x.kind, x.confidence, x.estimated_tax_fen, x.state, l.id AS record_id, l.submission_id, l.row_number, ls.period, ls.indicator_code, l.\(ident: "values") AS payload "
            + selection + " ORDER BY x.estimated_tax_fen DESC, x.id").all()
        let rightRows = try await sql.raw("SELECT m.lead_id, r.id AS record_id, r.submission_id, r.row_number, rs.period, rs.indicator_code, r.\(ident: "values") AS payload FROM match_lead_records m"
            + " JOIN records r ON r.id = m.record_id JOIN submissions rs ON rs.id = r.submission_id WHERE m.lead_id IN (SELECT x.id "
            + selection + ") ORDER BY m.lead_id, r.id").all()
        var rights: [Int: [MatchLeadView.Side]] = [:]
        for row in rightRows {
            let indicator = try row.decode(column: "indicator_code", as: String.self)
            let fields = rule.right.filter { $0.indicator == indicator }.flatMap(Self.rightFields(of:))
            rights[try row.decode(column: "lead_id", as: Int.self), default: []].append(try side(row, fields: fields))
        }
        return try leftRows.map { row in
            let id = try row.decode(column: "id", as: Int.self)
            return MatchLeadView(
                id: id,
                kind: TaxLeadKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .noMatch,
                confidence: TaxLeadConfidence(rawValue: try row.decode(column: "confidence", as: String.self)) ?? .identifier,
                estimatedTaxFen: try row.decode(column: "estimated_tax_fen", as: Int.self),
                state: TaxLeadState(rawValue: try row.decode(column: "state", as: String.self)) ?? .open,
                left: try side(row, fields: Self.fields(of: rule.left, rule: rule)),
                right: rights[id] ?? [])
        }
    }

    // MARK: Keys

    /// Writes the keys of `rule`'s key fields for every current submission of its indicators not keyed yet,
    /// in one transaction (a failure leaves nothing half keyed; the next run starts again).
    ///
    /// A bulk keying — at least ``bulkKeying`` records to key, and no fewer than the keys already stored —
    /// drops the run's join index (`match_keys_by_value`) first and builds it again at the end: building an index
    /// from sorted keys takes a fraction of the time of a million random inserts into it. On PostgreSQL the drop
    /// holds readers of `match_keys` until the transaction commits.
    func extractKeys(of rule: MatchRule) async throws {
        let sql = try sqlDatabase()
        let current = SubmissionState.allCases.filter(\.isCurrent).map(\.rawValue)
        var pending: [(indicator: String, key: MatchRule.KeyField, submission: UUID)] = []
        var records = 0
        for indicator in rule.indicators {
            for key in rule.keyFields(of: indicator) {
                var query: SQLQueryString = "SELECT s.id, s.rows_accepted FROM submissions s WHERE s.indicator_code = \(bind: indicator) AND s.state IN ("
                for (i, state) in current.enumerated() { query = query + (i == 0 ? "" : ", ") + "\(bind: state)" }
                query = query + ") AND NOT EXISTS (SELECT 1 FROM match_keyed m WHERE m.submission_id = s.id AND m.field = \(bind: key.field) AND m.form = \(bind: key.form.rawValue))"
                for row in try await sql.raw(query).all() {
                    pending.append((indicator, key, try row.decode(column: "id", as: UUID.self)))
                    records += try row.decode(column: "rows_accepted", as: Int.self)
                }
            }
        }
        guard !pending.isEmpty else { return }
        let stored = records >= bulkKeying
            ? try await sql.raw("SELECT COUNT(*) AS n FROM match_keys").first()?.decode(column: "n", as: Int.self) ?? 0 : 0
        let bulk = records >= bulkKeying && records >= stored
        let dialect = DatabaseDialect.of(database), work = pending
        try await SQLiteWriteGate.transaction(on: database, lockTable: "match_keyed") { db in
            guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
            if bulk { try await sql.drop(index: M0020_CreateMatching.keysByValue).ifExists().run() }
            for (indicator, key, submission) in work {
                // Paged along the unique (submission_id, row_number) index: each page is one range read.
                var after = 0
                while true {
                    let rows = try await sql.raw("SELECT r.id, r.row_number, r.division_code, " + dialect.jsonMemberText(table: "r", column: "values", key: key.field)
                        + " AS v FROM records r WHERE r.submission_id = \(bind: submission) AND r.row_number > \(bind: after)"
                        + " ORDER BY r.row_number LIMIT \(literal: Self.keyingPage)").all()
                    guard let last = rows.last else { break }
                    after = try last.decode(column: "row_number", as: Int.self)
                    var keys: [(Int, MatchKey)] = []
                    for row in rows {
                        guard let text = try row.decode(column: "v", as: String?.self),
                              let matchKey = MatchKeys.key(text, form: key.form,
                                                           division: try row.decode(column: "division_code", as: String?.self)) else { continue }
                        keys.append((try row.decode(column: "id", as: Int.self), matchKey))
                    }
                    for start in stride(from: 0, to: keys.count, by: 1_000) {
                        let insert = sql.insert(into: "match_keys").columns("record_id", "indicator_code", "field", "form", "kind", "value", "division")
                        for (record, k) in keys[start..<min(start + 1_000, keys.count)] {
                            insert.values(SQLBind(record), SQLBind(indicator), SQLBind(key.field), SQLBind(key.form.rawValue),
                                          SQLBind(k.kind.rawValue), SQLBind(k.value), SQLBind(k.division))
                        }
                        try await insert.run()
                    }
                    if rows.count < Self.keyingPage { break }
                }
                try await sql.insert(into: "match_keyed").columns("submission_id", "field", "form")
                    .values(SQLBind(submission), SQLBind(key.field), SQLBind(key.form.rawValue)).run()
            }
            if bulk { try await M0020_CreateMatching.createKeysByValue(on: sql) }
        }
    }

    // MARK: Helpers

    /// The fields shown for a left record: keys, date, filters, base and estimate fields.
    static func fields(of left: MatchRule.LeftSide, rule: MatchRule) -> [(String, MatchKeyForm?)] {
        var fields: [(String, MatchKeyForm?)] = left.keys.map { ($0.field, $0.form) }
        if let name = left.nameField { fields.append((name, nil)) }
        fields.append((left.dateField, nil))
        fields += left.filters.map { ($0.field, nil) }
        if let base = rule.underpayment?.leftBaseField { fields.append((base, nil)) }
        if let base = rule.estimate.baseField { fields.append((base, nil)) }
        var seen = Set<String>()
        return fields.filter { seen.insert($0.0).inserted }
    }

    /// The fields shown for a right record: keys, date, amount, exemption.
    static func rightFields(of side: MatchRule.RightSide) -> [(String, MatchKeyForm?)] {
        var fields: [(String, MatchKeyForm?)] = side.keys.map { ($0.field, $0.form) }
        if let name = side.nameField { fields.append((name, nil)) }
        fields.append((side.dateField, nil))
        if let amount = side.amountField { fields.append((amount, nil)) }
        if let exemption = side.exemptionField { fields.append((exemption, nil)) }
        return fields
    }

    /// One side of a lead from a row with `record_id, submission_id, row_number, period, indicator_code, payload`.
    func side(_ row: any SQLRow, fields: [(String, MatchKeyForm?)]) throws -> MatchLeadView.Side {
        let payload = try row.decode(column: "payload", as: String.self)
        var stored: [String: String] = [:]
        if case .object(let members) = try JSONValue.parse(payload) {
            for (key, value) in members {
                switch value {
                case .string(let s), .number(let s): stored[key] = s
                case .bool(let b): stored[key] = b ? "true" : "false"
                default: break
                }
            }
        }
        let values: [(String, String)] = fields.compactMap { field, form in
            guard let text = stored[field] else { return nil }
            if let form, let key = MatchKeys.key(text, form: form) { return (field, key.value) }
            return (field, text)
        }
        return MatchLeadView.Side(
            indicator: try row.decode(column: "indicator_code", as: String.self),
            recordID: try row.decode(column: "record_id", as: Int.self),
            submissionID: try row.decode(column: "submission_id", as: UUID.self),
            rowNumber: try row.decode(column: "row_number", as: Int.self),
            period: try row.decode(column: "period", as: String.self),
            values: values)
    }

    /// The current catalog's indicators that `rule` names (missing ones are left out, for validation to report).
    func catalog(for rule: MatchRule) async throws -> Catalog {
        let repository = CatalogRepository(database: database)
        var indicators: [Indicator] = []
        for code in rule.indicators {
            if let found = try await repository.currentIndicator(code: code) { indicators.append(found.indicator) }
        }
        return Catalog(catalog: .init(version: "current", effective: ""), units: [], indicators: indicators)
    }

    func sqlDatabase() throws -> any SQLDatabase {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        return sql
    }

    func nowMs() -> Int64 { Self.milliseconds(clock.now()) }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The run and its leads as the JSON of `gongzhi match --json` (issue 12 §3):
    /// `{"rule", "version", "state", "from", "to", "run_id", "left_records", "leads_added", "leads": [{"id",
    /// "kind", "confidence", "estimated_tax" (元, 2 decimals), "state", "left": {"indicator", "record_id",
    /// "submission_id", "row", "period", "values": {FIELD: canonical value}}, "right": [same]}]}`.
    public static func json(_ run: MatchRun, leads: [MatchLeadView]) -> JSONValue {
        func side(_ s: MatchLeadView.Side) -> JSONValue {
            .object([
                ("indicator", .string(s.indicator)), ("record_id", .int(s.recordID)),
                ("submission_id", .string(s.submissionID.uuidString.lowercased())), ("row", .int(s.rowNumber)),
                ("period", .string(s.period)), ("values", .object(s.values.map { ($0.0, .string($0.1)) })),
            ])
        }
        return .object([
            ("rule", .string(run.rule.code)), ("version", .int(run.rule.version)), ("state", .string(run.state.rawValue)),
            ("from", .string(run.from.description)), ("to", .string(run.to.description)), ("run_id", .int(run.id)),
            ("left_records", .int(run.leftRecords)), ("leads_added", .int(run.leadsAdded)),
            ("leads", .array(leads.map { lead in
                .object([
                    ("id", .int(lead.id)), ("kind", .string(lead.kind.rawValue)), ("confidence", .string(lead.confidence.rawValue)),
                    ("estimated_tax", .number(yuan(fen: lead.estimatedTaxFen))), ("state", .string(lead.state.rawValue)),
                    ("left", side(lead.left)), ("right", .array(lead.right.map(side))),
                ])
            })),
        ])
    }

    /// `fen` as 元 with two decimals (`123456` → `1234.56`).
    public static func yuan(fen: Int) -> String {
        let sign = fen < 0 ? "-" : ""
        let f = abs(fen)
        let cents = f % 100
        return sign + String(f / 100) + "." + (cents < 10 ? "0" : "") + String(cents)
    }
}
