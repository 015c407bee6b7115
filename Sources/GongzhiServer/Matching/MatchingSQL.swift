import Foundation
import GongzhiCore
import GongzhiStore
import SQLKit

/// The set-based statements of a matching run (issue 12 §3), built from a ``MatchRule`` for one dialect.
///
/// Aliases: `l` a left record and `ls` its submission, `r` a right record and `rs` its submission (only
/// while the run tables are filled); `ml` and `mr` the run tables' left and right rows; `lk` a key of the left
/// record, `rk` a key of a right record (`match_keys` rows joined on kind and value, which
/// `match_keys_by_value` indexes). Values are always bound, never spliced; identifiers are constants.
struct MatchingSQL {
    let rule: MatchRule
    let dialect: DatabaseDialect
    /// The left reporting periods of the run, canonical (`2024-03`, `2024Q1`).
    let leftPeriods: [String]

    // MARK: Expressions

    /// Text of `field` of the record aliased `alias`.
    func value(_ alias: String, _ field: String) -> SQLQueryString {
        dialect.jsonMemberText(table: alias, column: "values", key: field)
    }

    /// `expression` as a floating-point number (amounts in 元).
    func number(_ expression: SQLQueryString) -> SQLQueryString {
        switch dialect {
        case .sqlite: "CAST(" + expression + " AS REAL)"
        case .postgres: "CAST(" + expression + " AS DOUBLE PRECISION)"
        }
    }

    /// The day number of the ISO date text `expression` (a difference of two is a number of days).
    func day(_ expression: SQLQueryString) -> SQLQueryString {
        switch dialect {
        case .sqlite: "julianday(" + expression + ")"
        case .postgres: "(CAST(" + expression + " AS DATE) - DATE '1970-01-01')"
        }
    }

    /// `a IN (?, ?, …)` of bound `values` (never empty: an empty list is `1 = 0`).
    func isIn(_ expression: SQLQueryString, _ values: [String]) -> SQLQueryString {
        guard !values.isEmpty else { return "1 = 0" }
        var q = expression + " IN ("
        for (i, v) in values.enumerated() { q = q + (i == 0 ? "" : ", ") + "\(bind: v)" }
        return q + ")"
    }

    /// The submission states whose records count (the current submission of each task).
    func current(_ alias: String) -> SQLQueryString {
        isIn("\(ident: alias).state", SubmissionState.allCases.filter(\.isCurrent).map(\.rawValue))
    }

    /// The key rows of `alias` that come from `keys` (field read in its form).
    func keyFields(_ alias: String, _ keys: [MatchRule.KeyField]) -> SQLQueryString {
        guard !keys.isEmpty else { return "1 = 0" }
        var q: SQLQueryString = "("
        for (i, key) in keys.enumerated() {
            q = q + (i == 0 ? "" : " OR ") + "(\(ident: alias).field = \(bind: key.field) AND \(ident: alias).form = \(bind: key.form.rawValue))"
        }
        return q + ")"
    }

    /// How left and right records are joined: by identifier, or (second pass) by name and 信息属地.
    enum Pass: CaseIterable {
        case identifier, name

        var confidence: TaxLeadConfidence { self == .identifier ? .identifier : .nameDivision }

        /// The run table of this pass's per-left-record aggregates.
        var table: String { self == .identifier ? MatchingSQL.pairsByIdentifier : MatchingSQL.pairsByName }
    }

    // MARK: Run tables

    // A run reads each record's JSON once: the left and right records' dates and amounts go into typed
    // temporary tables of the run's transaction (one connection's, dropped at the end), and one aggregate pass
    // per pass joins them through `match_keys`. The lead statements then read only these tables.

    /// `id, day, base, ubase, has_lead`: the run's left records (``leftRecords``) with the day number of the
    /// left date, the estimate's base and the underpayment's base as numbers, and whether the rule version
    /// already has a lead for the record (1) or not (0).
    static let leftTable = "match_run_left"
    /// `id, side, day, amount, exempt`: every current record of each right side (`side` its index in the
    /// rule), its date's day number, its amount (`NULL` without an amount field), exempt 1/0.
    static let rightTable = "match_run_right"
    /// `left_id, in_window, in_full, paid`: per left record with at least one key match of the pass — whether
    /// a match lies in the window (1/0), whether an in-window match pays in full (1/0), the largest in-window
    /// amount.
    static let pairsByIdentifier = "match_run_pairs_id"
    static let pairsByName = "match_run_pairs_name"

    /// The run tables, for dropping.
    static let runTables = [leftTable, rightTable, pairsByIdentifier, pairsByName]

    /// The columns of each run table: `BIGINT` ids and flags, `DOUBLE PRECISION` day numbers and amounts (both
    /// databases read these type names).
    static let columns: [String: [(String, String)]] = [
        leftTable: [("id", "BIGINT"), ("day", "DOUBLE PRECISION"), ("base", "DOUBLE PRECISION"), ("ubase", "DOUBLE PRECISION"),
                    ("has_lead", "BIGINT")],
        rightTable: [("id", "BIGINT"), ("side", "BIGINT"), ("day", "DOUBLE PRECISION"), ("amount", "DOUBLE PRECISION"),
                     ("exempt", "BIGINT")],
        pairsByIdentifier: [("left_id", "BIGINT"), ("in_window", "BIGINT"), ("in_full", "BIGINT"), ("paid", "DOUBLE PRECISION")],
        pairsByName: [("left_id", "BIGINT"), ("in_window", "BIGINT"), ("in_full", "BIGINT"), ("paid", "DOUBLE PRECISION")],
    ]

    /// Creates run table `name` (dropped at commit on PostgreSQL; ``dropRunTables`` drops it on SQLite) and
    /// fills it with `select`: two statements, since PostgreSQL binds no parameters in `CREATE TABLE … AS`.
    func createTemp(_ name: String, as select: SQLQueryString) -> [SQLQueryString] {
        let columns = (Self.columns[name] ?? []).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let create: SQLQueryString = "CREATE TEMP TABLE \(ident: name) (\(unsafeRaw: columns))"
            + (dialect == .postgres ? " ON COMMIT DROP" : "")
        return [create, "INSERT INTO \(ident: name) " + select]
    }

    /// `DROP TABLE IF EXISTS` of each run table in the connection's temporary schema only.
    var dropRunTables: [SQLQueryString] {
        let schema = dialect == .sqlite ? "temp" : "pg_temp"
        return Self.runTables.map { "DROP TABLE IF EXISTS \(ident: schema).\(ident: $0)" }
    }

    /// An index on run table `table`'s `column`, and (PostgreSQL, which never analyses temporary tables by
    /// itself) its statistics.
    func indexRunTable(_ table: String, _ column: String) -> [SQLQueryString] {
        var statements: [SQLQueryString] = ["CREATE INDEX \(ident: table + "_by_" + column) ON \(ident: table) (\(ident: column))"]
        if dialect == .postgres { statements.append("ANALYZE \(ident: table)") }
        return statements
    }

    /// `1` when `condition` holds, else `0` (portable booleans for `MAX`).
    func flag(_ condition: SQLQueryString) -> SQLQueryString {
        "CASE WHEN " + condition + " THEN 1 ELSE 0 END"
    }

    /// Creates and fills ``leftTable``.
    var createLeftTable: [SQLQueryString] {
        let base = rule.estimate.baseField.map { number(value("l", $0)) } ?? number("NULL")
        let ubase = rule.underpayment.map { number(value("l", $0.leftBaseField)) } ?? number("NULL")
        return createTemp(Self.leftTable, as: "SELECT l.id AS id, " + day(value("l", rule.left.dateField)) + " AS day, "
            + base + " AS base, " + ubase + " AS ubase, "
            + flag("EXISTS (SELECT 1 FROM match_leads x WHERE x.rule_code = \(bind: rule.code) AND x.rule_version = \(bind: rule.version) AND x.left_record_id = l.id)")
            + " AS has_lead " + leftRecords)
    }

    /// Creates and fills ``rightTable``: one `SELECT` per right side, `UNION ALL`.
    var createRightTable: [SQLQueryString] {
        var select: SQLQueryString = ""
        for (index, side) in rule.right.enumerated() {
            let amount = side.amountField.map { number(value("r", $0)) } ?? number("NULL")
            var exempt: SQLQueryString = "0"
            if let field = side.exemptionField, let none = side.notExemptValue {
                exempt = flag(value("r", field) + " <> \(bind: none)")
            }
            select = select + (index == 0 ? "" : " UNION ALL ")
                + "SELECT r.id AS id, \(literal: index) AS side, " + day(value("r", side.dateField)) + " AS day, " + amount + " AS amount, "
                + exempt + " AS exempt FROM records r JOIN submissions rs ON rs.id = r.submission_id"
                + " WHERE rs.indicator_code = \(bind: side.indicator) AND " + current("rs")
        }
        return createTemp(Self.rightTable, as: select)
    }

    /// Whether right record `mr` lies in the rule's window, relative to left record `ml`.
    var inWindow: SQLQueryString {
        let days: SQLQueryString = "(mr.day - ml.day)"
        var q: SQLQueryString = "mr.day IS NOT NULL"
        if let from = rule.window.from { q = q + " AND " + days + " >= \(literal: from)" }
        if let to = rule.window.to { q = q + " AND " + days + " <= \(literal: to)" }
        return q
    }

    /// Whether right record `mr` pays in full: exempt, or its amount reaches the left base less the
    /// tolerance; a right side without an amount, or a rule without an underpayment, always does.
    var paysInFull: SQLQueryString {
        guard let underpayment = rule.underpayment else { return "1 = 1" }
        let factor = 1 - NSDecimalNumberBridge.double(underpayment.tolerance)
        var q: SQLQueryString = "("
        for (index, side) in rule.right.enumerated() {
            let pays: SQLQueryString = side.amountField == nil
                ? "1 = 1" : "(mr.amount >= ml.ubase * \(literal: factor) OR mr.exempt = 1)"
            q = q + (index == 0 ? "" : " OR ") + "(mr.side = \(literal: index) AND " + pays + ")"
        }
        return q + ")"
    }

    /// The left key rows of `pass` on alias `lk`.
    func leftKeys(_ pass: Pass) -> SQLQueryString {
        switch pass {
        case .identifier: return keyFields("lk", rule.left.keys)
        case .name:
            guard let name = rule.left.nameField else { return "1 = 0" }
            return keyFields("lk", [MatchRule.KeyField(name, .name)])
        }
    }

    /// Which right key rows `rk` (of the right record `mr`) count for `pass`: of a right side's indicator,
    /// through one of its key fields (by name: its name field, and only for a right record with no identifier
    /// key of a kind the left record's keys have).
    func rightKeys(_ pass: Pass) -> SQLQueryString {
        var q: SQLQueryString = "("
        var first = true
        for (index, side) in rule.right.enumerated() {
            let keys: SQLQueryString
            switch pass {
            case .identifier: keys = keyFields("rk", side.keys)
            case .name:
                guard let name = side.nameField else { continue }
                keys = keyFields("rk", [MatchRule.KeyField(name, .name)])
                    + " AND NOT EXISTS (SELECT 1 FROM match_keys ri JOIN match_keys li ON li.kind = ri.kind"
                    + " WHERE ri.record_id = rk.record_id AND " + keyFields("ri", side.keys)
                    + " AND li.record_id = ml.id AND " + keyFields("li", rule.left.keys) + ")"
            }
            q = q + (first ? "" : " OR ") + "(mr.side = \(literal: index) AND rk.indicator_code = \(bind: side.indicator) AND " + keys + ")"
            first = false
        }
        return first ? "1 = 0" : q + ")"
    }

    /// A join that keeps the order written: SQLite's `CROSS JOIN` (its planner has no statistics of the run
    /// tables and was seen to start from the right records, 500× slower); PostgreSQL's `JOIN`, planned from
    /// the statistics ``indexRunTable(_:_:)`` gathers.
    var orderedJoin: SQLQueryString { dialect == .sqlite ? " CROSS JOIN " : " JOIN " }

    /// The joins from left record `ml` to the right records `mr` that share a key of `pass` (`lk`, `rk`), in
    /// this order: each step an index lookup.
    func keyJoins(_ pass: Pass) -> SQLQueryString {
        orderedJoin + "match_keys lk ON lk.record_id = ml.id AND " + leftKeys(pass)
            + orderedJoin + "match_keys rk ON rk.kind = lk.kind AND rk.value = lk.value"
            + orderedJoin + "\(ident: Self.rightTable) mr ON mr.id = rk.record_id"
    }

    /// Every (left record `ml`, right record `mr`) pair joined by a key of `pass`, as a `FROM … WHERE` tail.
    func pairs(_ pass: Pass) -> SQLQueryString {
        "FROM \(ident: Self.leftTable) ml" + keyJoins(pass) + " WHERE " + rightKeys(pass)
    }

    /// Creates and fills the pass's aggregate table (``pairsByIdentifier``, ``pairsByName``): one pass over
    /// the pairs.
    func createPairsTable(_ pass: Pass) -> [SQLQueryString] {
        createTemp(pass.table, as: "SELECT ml.id AS left_id, MAX(" + flag(inWindow) + ") AS in_window, MAX("
            + flag(inWindow + " AND " + paysInFull) + ") AS in_full, MAX(CASE WHEN " + inWindow + " THEN mr.amount END) AS paid "
            + pairs(pass) + " GROUP BY ml.id")
    }

    /// The left records of the run: the left indicator's current submissions of the run's periods, the
    /// rule's filters, and at least one key (registered outside the rule's prefix, when it has one).
    var leftRecords: SQLQueryString {
        var q: SQLQueryString = "FROM records l JOIN submissions ls ON ls.id = l.submission_id WHERE ls.indicator_code = \(bind: rule.left.indicator) AND "
            + isIn("ls.period", leftPeriods) + " AND " + current("ls")
        for filter in rule.left.filters { q = q + " AND " + isIn(value("l", filter.field), filter.values) }
        q = q + " AND EXISTS (SELECT 1 FROM match_keys lk WHERE lk.record_id = l.id AND " + keyFields("lk", rule.left.keys)
        if let prefix = rule.left.registeredOutside {
            q = q + " AND lk.division IS NOT NULL AND lk.division NOT LIKE \(bind: prefix + "%")"
        }
        return q + ")"
    }

    /// `CAST(ROUND(expression × multiplier × rate × 100) AS BIGINT)`: an estimate in fen (0 when null).
    func fen(_ expression: SQLQueryString) -> SQLQueryString {
        let factor = NSDecimalNumberBridge.double(rule.estimate.multiplier * rule.estimate.rate * 100)
        return "COALESCE(CAST(ROUND(" + expression + " * \(literal: factor)) AS BIGINT), 0)"
    }

    // MARK: Statements

    /// How many left records the run covers (after ``createLeftTable``).
    var countLeft: SQLQueryString { "SELECT COUNT(*) AS n FROM \(ident: Self.leftTable)" }

    /// `INSERT … SELECT` of the leads of `kind` found by `pass` for run `run`, from the run tables, for left
    /// records that have no lead of this rule version yet; `nil` when the rule cannot find such leads.
    /// `sent`: whether the rule state sends leads to the queue.
    ///
    /// By identifier: `no_match` (no key match, and no name match either when the rule has the second
    /// pass), `out_of_window` (matches, none in the window), `underpaid` (a left base, matches in the window,
    /// none paying in full). By name (only for left records with no identifier match): `out_of_window` and
    /// `underpaid` — never `no_match`. The kinds exclude each other, so a left record gets one lead at most.
    func insertLeads(_ kind: TaxLeadKind, _ pass: Pass, run: Int, sent: Bool, nowMs: Int64) -> SQLQueryString? {
        if pass == .name, !rule.matchesNames || kind == .noMatch { return nil }
        if kind == .underpaid, rule.underpayment == nil { return nil }
        var from: SQLQueryString = "FROM \(ident: Self.leftTable) ml"
        var condition: SQLQueryString = "ml.has_lead = 0"
        if kind == .noMatch || pass == .name {
            from = from + " LEFT JOIN \(ident: Self.pairsByIdentifier) pi ON pi.left_id = ml.id"
            condition = condition + " AND pi.left_id IS NULL"
        }
        let estimate: SQLQueryString
        switch kind {
        case .noMatch:
            if rule.matchesNames {
                from = from + " LEFT JOIN \(ident: Self.pairsByName) pn ON pn.left_id = ml.id"
                condition = condition + " AND pn.left_id IS NULL"
            }
            estimate = fen("ml.base")
        case .outOfWindow:
            from = from + " JOIN \(ident: pass.table) p ON p.left_id = ml.id"
            condition = condition + " AND p.in_window = 0"
            estimate = fen("ml.base")
        case .underpaid:
            from = from + " JOIN \(ident: pass.table) p ON p.left_id = ml.id"
            condition = condition + " AND ml.ubase IS NOT NULL AND p.in_window = 1 AND p.in_full = 0"
            estimate = fen("(ml.base - COALESCE(p.paid, 0))")
        }
        return "INSERT INTO match_leads (rule_code, rule_version, left_record_id, run_id, kind, confidence, estimated_tax_fen, sent, state, created_ms, updated_ms)"
            + " SELECT \(bind: rule.code), \(bind: rule.version), ml.id, \(bind: run), \(bind: kind.rawValue), \(bind: pass.confidence.rawValue), "
            + estimate + ", \(bind: sent), \(bind: TaxLeadState.open.rawValue), \(bind: nowMs), \(bind: nowMs) "
            + from + " WHERE " + condition
    }

    /// `INSERT … SELECT` of the right records of run `run`'s leads found by `pass`: every key match of an
    /// `out_of_window` lead, the in-window matches of an `underpaid` one.
    func insertLeadRecords(run: Int, _ pass: Pass) -> SQLQueryString {
        "INSERT INTO match_lead_records (lead_id, record_id) SELECT DISTINCT x.id, mr.id FROM match_leads x"
            + orderedJoin + "\(ident: Self.leftTable) ml ON ml.id = x.left_record_id" + keyJoins(pass)
            + " WHERE x.run_id = \(bind: run) AND x.confidence = \(bind: pass.confidence.rawValue) AND " + rightKeys(pass)
            + " AND (x.kind = \(bind: TaxLeadKind.outOfWindow.rawValue) OR (x.kind = \(bind: TaxLeadKind.underpaid.rawValue) AND " + inWindow + "))"
    }
}

/// Decimal → Double for the factors bound into SQL (tolerances, rates: a handful of significant digits).
enum NSDecimalNumberBridge {
    static func double(_ value: Decimal) -> Double {
        Double(truncating: value as NSDecimalNumber)
    }
}
