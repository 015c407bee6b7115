import Foundation
import GongzhiCore
import GongzhiStore
import SQLKit

/// The set-based statements of a matching run (issue 12 §3), built from a ``MatchRule`` for one dialect.
///
/// Aliases: `l` the left record and `ls` its submission; `lk` a key of the left record, `rk` a key of a
/// right record `r` of submission `rs` (`match_keys` rows joined on kind and value, which
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

    /// Whether `r`'s date lies in the rule's window, relative to `l`'s date.
    func inWindow(_ side: MatchRule.RightSide) -> SQLQueryString {
        let days: SQLQueryString = "(" + day(value("r", side.dateField)) + " - " + day(value("l", rule.left.dateField)) + ")"
        var q: SQLQueryString = day(value("r", side.dateField)) + " IS NOT NULL"
        if let from = rule.window.from { q = q + " AND " + days + " >= \(literal: from)" }
        if let to = rule.window.to { q = q + " AND " + days + " <= \(literal: to)" }
        return q
    }

    /// Whether `r` pays in full: exempt, or its amount reaches the left base less the tolerance (a side
    /// without an amount always does).
    func paysInFull(_ side: MatchRule.RightSide) -> SQLQueryString {
        guard let underpayment = rule.underpayment, let amount = side.amountField else { return "1 = 1" }
        let factor = 1 - NSDecimalNumberBridge.double(underpayment.tolerance)
        var q: SQLQueryString = "(" + number(value("r", amount)) + " >= " + number(value("l", underpayment.leftBaseField))
            + " * \(literal: factor)"
        if let exemption = side.exemptionField, let none = side.notExemptValue {
            q = q + " OR " + value("r", exemption) + " <> \(bind: none)"
        }
        return q + ")"
    }

    /// How left and right records are joined: by identifier, or (second pass) by name and 信息属地.
    enum Pass {
        case identifier, name

        var confidence: TaxLeadConfidence { self == .identifier ? .identifier : .nameDivision }
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

    /// Which right records count: of a right indicator, through one of its key fields (by name: its name
    /// field, and only when it has no identifier key of a kind the left record's keys have), from a current submission; within the
    /// window when `windowed`; paying in full when `inFull`.
    func rightSides(windowed: Bool, inFull: Bool, _ pass: Pass) -> SQLQueryString {
        var q: SQLQueryString = "("
        var first = true
        for side in rule.right {
            let keys: SQLQueryString
            switch pass {
            case .identifier: keys = keyFields("rk", side.keys)
            case .name:
                guard let name = side.nameField else { continue }
                keys = keyFields("rk", [MatchRule.KeyField(name, .name)])
                    + " AND NOT EXISTS (SELECT 1 FROM match_keys ri JOIN match_keys li ON li.kind = ri.kind"
                    + " WHERE ri.record_id = rk.record_id AND " + keyFields("ri", side.keys)
                    + " AND li.record_id = l.id AND " + keyFields("li", rule.left.keys) + ")"
            }
            q = q + (first ? "" : " OR ") + "(rk.indicator_code = \(bind: side.indicator) AND " + keys
            first = false
            if windowed { q = q + " AND " + inWindow(side) }
            if inFull { q = q + " AND " + paysInFull(side) }
            q = q + ")"
        }
        return first ? "1 = 0" : q + ")"
    }

    /// The right records joined to `l` through a shared key of `pass`, as a `FROM … WHERE` tail.
    func rightJoin(windowed: Bool, inFull: Bool, _ pass: Pass) -> SQLQueryString {
        "FROM match_keys lk JOIN match_keys rk ON rk.kind = lk.kind AND rk.value = lk.value"
            + " JOIN records r ON r.id = rk.record_id JOIN submissions rs ON rs.id = r.submission_id"
            + " WHERE lk.record_id = l.id AND " + leftKeys(pass) + " AND " + current("rs")
            + " AND " + rightSides(windowed: windowed, inFull: inFull, pass)
    }

    /// `EXISTS` a right record as ``rightJoin(windowed:inFull:_:)`` says.
    func matchExists(windowed: Bool, inFull: Bool, _ pass: Pass) -> SQLQueryString {
        "EXISTS (SELECT 1 " + rightJoin(windowed: windowed, inFull: inFull, pass) + ")"
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

    /// The largest in-window right amount of `l` joined by `pass` (for an underpaid lead's estimate).
    func largestPaidAmount(_ pass: Pass) -> SQLQueryString {
        var amount: SQLQueryString = "CASE"
        var any = false
        for side in rule.right {
            guard let field = side.amountField else { continue }
            amount = amount + " WHEN rk.indicator_code = \(bind: side.indicator) THEN " + number(value("r", field))
            any = true
        }
        guard any else { return "0" }
        return "(SELECT MAX(" + amount + " END) " + rightJoin(windowed: true, inFull: false, pass) + ")"
    }

    // MARK: Statements

    /// How many left records the run covers.
    var countLeft: SQLQueryString { "SELECT COUNT(*) AS n " + leftRecords }

    /// `INSERT … SELECT` of the leads of `kind` found by `pass` for run `run`, skipping left records that
    /// already have a lead of this rule version; `nil` when the rule cannot find such leads. `sent`: whether
    /// the rule state sends leads to the queue.
    ///
    /// By identifier: `no_match` (no key match, and no name match either when the rule has the second
    /// pass), `out_of_window`, `underpaid`. By name (only for left records with no identifier match):
    /// `out_of_window` and `underpaid` — never `no_match`.
    func insertLeads(_ kind: TaxLeadKind, _ pass: Pass, run: Int, sent: Bool, nowMs: Int64) -> SQLQueryString? {
        if pass == .name, !rule.matchesNames || kind == .noMatch { return nil }
        let base = rule.estimate.baseField.map { number(value("l", $0)) }
        var condition: SQLQueryString = pass == .name ? "NOT " + matchExists(windowed: false, inFull: false, .identifier) + " AND " : ""
        let estimate: SQLQueryString
        switch kind {
        case .noMatch:
            condition = condition + "NOT " + matchExists(windowed: false, inFull: false, .identifier)
            if rule.matchesNames { condition = condition + " AND NOT " + matchExists(windowed: false, inFull: false, .name) }
            estimate = base.map(fen) ?? "0"
        case .outOfWindow:
            condition = condition + matchExists(windowed: false, inFull: false, pass) + " AND NOT " + matchExists(windowed: true, inFull: false, pass)
            estimate = base.map(fen) ?? "0"
        case .underpaid:
            guard let underpayment = rule.underpayment else { return nil }
            condition = condition + value("l", underpayment.leftBaseField) + " IS NOT NULL AND "
                + matchExists(windowed: true, inFull: false, pass) + " AND NOT " + matchExists(windowed: true, inFull: true, pass)
            estimate = base.map { fen("(" + $0 + " - COALESCE(" + largestPaidAmount(pass) + ", 0))") } ?? "0"
        }
        return "INSERT INTO match_leads (rule_code, rule_version, left_record_id, run_id, kind, confidence, estimated_tax_fen, sent, state, created_ms, updated_ms)"
            + " SELECT \(bind: rule.code), \(bind: rule.version), l.id, \(bind: run), \(bind: kind.rawValue), \(bind: pass.confidence.rawValue), "
            + estimate + ", \(bind: sent), \(bind: TaxLeadState.open.rawValue), \(bind: nowMs), \(bind: nowMs) "
            + leftRecords + " AND " + condition
            + " AND NOT EXISTS (SELECT 1 FROM match_leads x WHERE x.rule_code = \(bind: rule.code) AND x.rule_version = \(bind: rule.version) AND x.left_record_id = l.id)"
    }

    /// `INSERT … SELECT` of the right records of run `run`'s leads found by `pass`: every key match of an
    /// `out_of_window` lead, the in-window matches of an `underpaid` one.
    func insertLeadRecords(run: Int, _ pass: Pass) -> SQLQueryString {
        "INSERT INTO match_lead_records (lead_id, record_id) SELECT DISTINCT x.id, rk.record_id FROM match_leads x"
            + " JOIN records l ON l.id = x.left_record_id"
            + " JOIN match_keys lk ON lk.record_id = l.id AND " + leftKeys(pass)
            + " JOIN match_keys rk ON rk.kind = lk.kind AND rk.value = lk.value"
            + " JOIN records r ON r.id = rk.record_id JOIN submissions rs ON rs.id = r.submission_id"
            + " WHERE x.run_id = \(bind: run) AND x.confidence = \(bind: pass.confidence.rawValue) AND " + current("rs") + " AND ("
            + "(x.kind = \(bind: TaxLeadKind.outOfWindow.rawValue) AND " + rightSides(windowed: false, inFull: false, pass) + ")"
            + " OR (x.kind = \(bind: TaxLeadKind.underpaid.rawValue) AND " + rightSides(windowed: true, inFull: false, pass) + "))"
    }
}

/// Decimal → Double for the factors bound into SQL (tolerances, rates: a handful of significant digits).
enum NSDecimalNumberBridge {
    static func double(_ value: Decimal) -> Double {
        Double(truncating: value as NSDecimalNumber)
    }
}
