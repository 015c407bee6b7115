import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import SQLKit

/// Why a step on a stored lead or rule version was refused, with a Chinese message the officer can act on.
public enum LeadWorkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No lead has this id.
    case unknownLead(Int)
    /// No stored rule version has this code and number.
    case unknownRuleVersion(code: String, version: Int)
    /// Someone else changed the lead or rule in between: read it again.
    case changedMeanwhile
    /// The workflow does not allow the step (``TaxLeadWorkError``).
    case refused(TaxLeadWorkError)
    /// The rule states do not allow the step (``MatchRuleTransitionError``).
    case ruleRefused(MatchRuleTransitionError)

    /// Chinese message the officer can act on.
    public var message: String {
        switch self {
        case .unknownLead(let id): "没有编号为 \(id) 的线索"
        case .unknownRuleVersion(let code, let version): "没有规则 \(code) 第 \(version) 版"
        case .changedMeanwhile: "该记录刚被他人修改，请刷新后重试"
        case .refused(let error): error.message
        case .ruleRefused(let error): error.message
        }
    }

    public var description: String { message }
}

/// A lead in the tax officers' queue.
public struct QueuedLead: Sendable, Equatable {
    /// The lead, the rule version that found it, its kind and how its sides were joined.
    public var id: Int
    public var ruleCode: String
    public var ruleVersion: Int
    public var kind: TaxLeadKind
    public var confidence: TaxLeadConfidence
    /// Estimated tax in fen (1/100 元).
    public var estimatedTaxFen: Int
    /// Its work (state, officer), and the left record: indicator, id, reporting period.
    public var state: TaxLeadState
    public var assignee: String?
    public var leftIndicator: String
    public var leftRecordID: Int
    public var period: String
    /// 信息属地 of the left record.
    public var division: String?
}

extension MatchingService {
    /// The unworked leads the tax officers see — of rule versions whose state sends leads (active), not yet
    /// confirmed or dismissed — ranked by estimated tax (highest first), then by id; at most `limit` (≤ 1,000).
    /// With `review` false (the officers' queue) the `name_division` leads whose match no person has confirmed
    /// are left out; with `review` true only those are listed: the review queue (issue 12 §2).
    public func queue(limit: Int = 100, review: Bool = false) async throws -> [QueuedLead] {
        let sql = try sqlDatabase()
        let open = [TaxLeadState.open, .assigned, .investigating].map(\.rawValue)
        var query: SQLQueryString = "SELECT x.id, x.rule_code, x.rule_version, x.kind, x.confidence, x.estimated_tax_fen, x.state, x.assignee,"
            + " ls.indicator_code, l.id AS record_id, ls.period, l.division_code FROM match_leads x"
            + " JOIN records l ON l.id = x.left_record_id JOIN submissions ls ON ls.id = l.submission_id"
            + " WHERE x.sent = \(bind: true) AND "
        let awaitsReview: SQLQueryString = "(x.confidence = \(bind: TaxLeadConfidence.nameDivision.rawValue) AND x.match_verified_by IS NULL)"
        query = query + (review ? awaitsReview : "NOT " + awaitsReview) + " AND x.state IN ("
        for (i, state) in open.enumerated() { query = query + (i == 0 ? "" : ", ") + "\(bind: state)" }
        query = query + ") ORDER BY x.estimated_tax_fen DESC, x.id LIMIT \(literal: min(max(limit, 0), 1_000))"
        return try await sql.raw(query).all().map { row in
            QueuedLead(
                id: try row.decode(column: "id", as: Int.self),
                ruleCode: try row.decode(column: "rule_code", as: String.self),
                ruleVersion: try row.decode(column: "rule_version", as: Int.self),
                kind: TaxLeadKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .noMatch,
                confidence: TaxLeadConfidence(rawValue: try row.decode(column: "confidence", as: String.self)) ?? .identifier,
                estimatedTaxFen: try row.decode(column: "estimated_tax_fen", as: Int.self),
                state: TaxLeadState(rawValue: try row.decode(column: "state", as: String.self)) ?? .open,
                assignee: try row.decode(column: "assignee", as: String?.self),
                leftIndicator: try row.decode(column: "indicator_code", as: String.self),
                leftRecordID: try row.decode(column: "record_id", as: Int.self),
                period: try row.decode(column: "period", as: String.self),
                division: try row.decode(column: "division_code", as: String?.self))
        }
    }

    /// The stored work on lead `id`, or `nil`.
    public func work(lead id: Int) async throws -> TaxLeadWork? {
        try await Self.work(lead: id, on: try sqlDatabase())
    }

    /// Applies `event` to lead `id` and stores the new work with its audit entry in one transaction (the left
    /// record's id is the entry's record).
    ///
    /// A `source_data_error` dismissal also files, in the same transaction, an objection (疑义, kind
    /// `erroneous`, 附件1 第十一条) against the left record — the source record that produced the lead — for its
    /// providing unit to answer: filed by `actor`'s unit and user, its reason naming the lead and the officer's
    /// note, its id stored on the lead (`objection_id`) and written in both audit entries. When the record is
    /// `actor`'s own unit's data no objection is filed (a unit corrects its own data, ``ObjectionError/ownData``);
    /// the lead's entry then says `reported_to_provider`.
    /// - Throws: ``LeadWorkError`` (unknown lead, a step the workflow refuses, a concurrent change).
    @discardableResult
    public func apply(_ event: TaxLeadWork.Event, toLead id: Int, by actor: AuditActor) async throws -> TaxLeadWork {
        let clock = self.clock
        return try await SQLiteWriteGate.transaction(on: database, lockTable: "match_leads") { db in
            guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
            guard let current = try await Self.work(lead: id, on: sql),
                  let left = try await sql.raw("SELECT left_record_id, rule_code FROM match_leads WHERE id = \(bind: id)").first() else {
                throw LeadWorkError.unknownLead(id)
            }
            let next: TaxLeadWork
            do { next = try current.applying(event) } catch let error as TaxLeadWorkError { throw LeadWorkError.refused(error) }
            var recovered: String? = nil
            if !next.recovered.isEmpty {
                recovered = JSONValue.object(next.recovered.sorted { $0.key.rawValue < $1.key.rawValue }
                    .map { ($0.key.rawValue, JSONValue.number(NSDecimalNumber(decimal: $0.value).stringValue)) }).serialized()
            }
            let recoveredFen = next.recovered.isEmpty ? nil : Int(truncating: NSDecimalNumber(decimal: next.totalRecovered * 100))
            let updated = try await sql.update("match_leads")
                .set("state", to: SQLBind(next.state.rawValue))
                .set("assignee", to: SQLBind(next.assignee))
                .set("match_verified_by", to: SQLBind(next.matchVerifiedBy))
                .set("match_rejected_by", to: SQLBind(next.matchRejectedBy))
                .set("recovered", to: SQLBind(recovered))
                .set("recovered_fen", to: SQLBind(recoveredFen))
                .set("dismissal", to: SQLBind(next.dismissal?.rawValue))
                .set("dismissal_note", to: SQLBind(next.dismissalNote))
                .set("updated_ms", to: SQLBind(Self.milliseconds(clock.now())))
                .where("id", .equal, SQLBind(id))
                .where("state", .equal, SQLBind(current.state.rawValue))
                .returning("id").all()
            guard updated.count == 1 else { throw LeadWorkError.changedMeanwhile }
            let record = try left.decode(column: "left_record_id", as: Int.self)
            var detail = "lead=\(id);rule=\(try left.decode(column: "rule_code", as: String.self));lead_state=\(next.state.rawValue);record=\(record)"
            if let assignee = next.assignee, assignee != current.assignee { detail += ";user=\(assignee)" }
            if let reason = next.dismissal { detail += ";dismissal=\(reason.rawValue)" }
            if let recoveredFen { detail += ";recovered=\(Self.yuan(fen: recoveredFen))" }
            if next.filesObjection {
                if let objection = try await Self.fileObjection(lead: id, record: record, note: next.dismissalNote, by: actor, at: clock.now(), on: db) {
                    try await sql.update("match_leads").set("objection_id", to: SQLBind(objection)).where("id", .equal, SQLBind(id)).run()
                    detail += ";objection=\(objection.uuidString.lowercased())"
                } else {
                    detail += ";reported_to_provider"
                }
            }
            try await AuditLog.append(actor.event(.matching, AuditTarget(recordIDs: [String(record)], detail: detail), at: clock.now()), on: db)
            return next
        }
    }

    /// Files the objection of a `source_data_error` dismissal of lead `lead` against `record` on `db` (inside
    /// the lead's transaction), with its own audit entry; `nil` when the record is `actor`'s unit's own data.
    static func fileObjection(lead: Int, record: Int, note: String?, by actor: AuditActor, at now: Date,
                              on db: any Database) async throws -> UUID? {
        guard let row = try await RecordQuery.record(id: record, on: db),
              let submission = try await SubmissionRecord.find(row.submissionID, on: db) else { throw LeadWorkError.unknownLead(lead) }
        guard submission.unitCode != actor.unit else { return nil }
        let objection = ObjectionRecord()
        let id = UUID()
        objection.id = id
        objection.kind = ObjectionKind.erroneous.rawValue
        objection.state = ObjectionState.open.rawValue
        objection.indicatorCode = submission.indicatorCode
        objection.period = submission.period
        objection.providerUnit = submission.unitCode
        objection.filerUnit = actor.unit
        objection.filedBy = actor.user
        objection.submissionID = row.submissionID
        objection.recordID = record
        objection.recordCount = 1
        objection.reason = "涉税线索 #\(lead) 核查发现源数据错误" + (note.map { "：\($0)" } ?? "")
        objection.evidence = "涉税线索 #\(lead)（/leads/\(lead)）"
        objection.filedAt = now
        objection.updatedAt = now
        try await objection.create(on: db)
        try await AuditLog.append(actor.event(.objection, AuditTarget(
            indicatorCode: submission.indicatorCode, recordIDs: [String(record)], rowCount: 1,
            detail: "objection=\(id.uuidString.lowercased()); event=file; kind=\(ObjectionKind.erroneous.rawValue); "
                + "unit=\(submission.unitCode); period=\(submission.period); lead=\(lead)"), at: now), on: db)
        return id
    }

    /// Moves rule version (`code`, `version`) by `event` (draft → trial → active → retired) with its audit entry;
    /// activating a version sends the leads its trial runs found to the queue.
    /// - Throws: ``LeadWorkError/unknownRuleVersion(code:version:)``, ``LeadWorkError/ruleRefused(_:)``,
    ///   ``LeadWorkError/changedMeanwhile``.
    @discardableResult
    public func change(rule code: String, version: Int, _ event: MatchRuleState.Event, by actor: AuditActor) async throws -> MatchRuleState {
        let clock = self.clock
        return try await SQLiteWriteGate.transaction(on: database, lockTable: "match_rules") { db in
            guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
            guard let row = try await sql.raw("SELECT state FROM match_rules WHERE code = \(bind: code) AND version = \(bind: version)").first(),
                  let state = MatchRuleState(rawValue: try row.decode(column: "state", as: String.self)) else {
                throw LeadWorkError.unknownRuleVersion(code: code, version: version)
            }
            let next: MatchRuleState
            do { next = try state.applying(event) } catch let error as MatchRuleTransitionError { throw LeadWorkError.ruleRefused(error) }
            let updated = try await sql.update("match_rules").set("state", to: SQLBind(next.rawValue))
                .set("updated_ms", to: SQLBind(Self.milliseconds(clock.now())))
                .where("code", .equal, SQLBind(code)).where("version", .equal, SQLBind(version))
                .where("state", .equal, SQLBind(state.rawValue)).returning("id").all()
            guard updated.count == 1 else { throw LeadWorkError.changedMeanwhile }
            if next.sendsLeads {
                // The leads the trial found go to the queue with the rule.
                try await sql.update("match_leads").set("sent", to: SQLBind(true))
                    .where("rule_code", .equal, SQLBind(code)).where("rule_version", .equal, SQLBind(version)).run()
            }
            try await AuditLog.append(actor.event(.matching, AuditTarget(detail: "rule_change rule=\(code);rule_version=\(version);rule_state=\(next.rawValue)"),
                                                  at: clock.now()), on: db)
            return next
        }
    }

    /// The work on lead `id` as stored, read on `sql`.
    static func work(lead id: Int, on sql: any SQLDatabase) async throws -> TaxLeadWork? {
        guard let row = try await sql.raw("""
            SELECT state, confidence, assignee, match_verified_by, match_rejected_by, recovered, dismissal, dismissal_note FROM match_leads WHERE id = \(bind: id)
            """).first() else { return nil }
        var recovered: [TaxKind: Decimal] = [:]
        if let text = try row.decode(column: "recovered", as: String?.self), case .object(let members) = try JSONValue.parse(text) {
            for (key, value) in members {
                if let kind = TaxKind(rawValue: key), case .number(let n) = value, let amount = Decimal(string: n) { recovered[kind] = amount }
            }
        }
        return TaxLeadWork(
            state: TaxLeadState(rawValue: try row.decode(column: "state", as: String.self)) ?? .open,
            confidence: TaxLeadConfidence(rawValue: try row.decode(column: "confidence", as: String.self)) ?? .identifier,
            assignee: try row.decode(column: "assignee", as: String?.self),
            matchVerifiedBy: try row.decode(column: "match_verified_by", as: String?.self),
            matchRejectedBy: try row.decode(column: "match_rejected_by", as: String?.self),
            recovered: recovered,
            dismissal: try row.decode(column: "dismissal", as: String?.self).flatMap(DismissalReason.init(rawValue:)),
            dismissalNote: try row.decode(column: "dismissal_note", as: String?.self))
    }
}

/// What one rule's leads came to (issue 12 §4), over all its versions, for one reporting period and county
/// or summed over them.
public struct LeadStatistics: Sendable, Equatable {
    /// The rule's code.
    public var ruleCode: String
    /// The left record's reporting period, or `nil` for the sum over periods.
    public var period: String?
    /// The left record's 信息属地, or `nil` for the sum over counties.
    public var division: String?
    /// Leads found (sent to the queue).
    public var found = 0
    /// Leads taken up (assigned, investigating, confirmed or dismissed).
    public var worked = 0
    /// Leads confirmed (tax recovered).
    public var confirmed = 0
    /// Dismissed leads by reason.
    public var dismissed: [DismissalReason: Int] = [:]
    /// Tax recovered on confirmed leads, in fen.
    public var recoveredFen = 0
    /// Leads not yet closed (open, assigned, investigating) and their estimated tax in fen.
    public var unworked = 0
    public var unworkedEstimateFen = 0

    /// Confirmed ÷ closed (confirmed + dismissed), 0 when none is closed: the strike rate.
    public var strikeRate: Double {
        let closed = confirmed + dismissed.values.reduce(0, +)
        return closed == 0 ? 0 : Double(confirmed) / Double(closed)
    }

    /// Empty statistics of `ruleCode` for `period` and `division` (`nil`: summed).
    public init(ruleCode: String, period: String? = nil, division: String? = nil) {
        self.ruleCode = ruleCode
        self.period = period
        self.division = division
    }
}

extension MatchingService {
    /// Statistics of the leads sent to the queue, per rule (sums, `period` and `division` `nil`) followed by
    /// per rule, period and county; one grouped query, rules in code order. (The sums are cast back to BIGINT:
    /// PostgreSQL sums BIGINT as NUMERIC.)
    public func statistics() async throws -> [LeadStatistics] {
        let sql = try sqlDatabase()
        let rows = try await sql.raw("""
            SELECT x.rule_code, ls.period, l.division_code, x.state, x.dismissal, COUNT(*) AS n,
                   CAST(SUM(x.estimated_tax_fen) AS BIGINT) AS estimate, CAST(SUM(COALESCE(x.recovered_fen, 0)) AS BIGINT) AS recovered
            FROM match_leads x JOIN records l ON l.id = x.left_record_id JOIN submissions ls ON ls.id = l.submission_id
            WHERE x.sent = \(bind: true)
            GROUP BY x.rule_code, ls.period, l.division_code, x.state, x.dismissal
            """).all()
        var totals: [String: LeadStatistics] = [:]
        var detail: [String: LeadStatistics] = [:]
        for row in rows {
            let rule = try row.decode(column: "rule_code", as: String.self)
            let period = try row.decode(column: "period", as: String.self)
            let division = try row.decode(column: "division_code", as: String?.self) ?? ""
            let state = TaxLeadState(rawValue: try row.decode(column: "state", as: String.self)) ?? .open
            let reason = try row.decode(column: "dismissal", as: String?.self).flatMap(DismissalReason.init(rawValue:))
            let n = try row.decode(column: "n", as: Int.self)
            let estimate = try row.decode(column: "estimate", as: Int?.self) ?? 0
            let recovered = try row.decode(column: "recovered", as: Int?.self) ?? 0
            func add(_ s: inout LeadStatistics) {
                s.found += n
                if state != .open { s.worked += n }
                switch state {
                case .confirmed:
                    s.confirmed += n
                    s.recoveredFen += recovered
                case .dismissed:
                    s.dismissed[reason ?? .other, default: 0] += n
                case .open, .assigned, .investigating:
                    s.unworked += n
                    s.unworkedEstimateFen += estimate
                }
            }
            add(&totals[rule, default: LeadStatistics(ruleCode: rule)])
            add(&detail[rule + "\u{1}" + period + "\u{1}" + division, default: LeadStatistics(ruleCode: rule, period: period, division: division)])
        }
        let order = { (a: LeadStatistics, b: LeadStatistics) in
            (a.ruleCode, a.period ?? "", a.division ?? "") < (b.ruleCode, b.period ?? "", b.division ?? "")
        }
        return totals.values.sorted(by: order) + detail.values.sorted(by: order)
    }
}

extension MatchingService {
    /// The stored state of each rule's newest version, by rule code.
    public func ruleStates() async throws -> [String: (version: Int, state: MatchRuleState)] {
        let rows = try await sqlDatabase().raw("SELECT code, version, state FROM match_rules ORDER BY code, version").all()
        var states: [String: (version: Int, state: MatchRuleState)] = [:]
        for row in rows {
            states[try row.decode(column: "code", as: String.self)] = (try row.decode(column: "version", as: Int.self),
                MatchRuleState(rawValue: try row.decode(column: "state", as: String.self)) ?? .draft)
        }
        return states
    }
}

extension MatchingService {
    /// How many leads produced by `unit`'s records were confirmed from `from` to `through` (days in China
    /// Standard Time, both inclusive) and count as adopted (信息报送, issue 12 §5): identifier matches, and
    /// name-and-division matches a person verified. Leads of trial rules never count.
    public func adoptedLeads(unit: String, from: CalendarDate, through: CalendarDate) async throws -> Int {
        let startMs = Int64(from.daysSinceEpoch * 86_400 - CalendarDate.chinaStandardTimeOffset) * 1000
        let endMs = Int64((through.daysSinceEpoch + 1) * 86_400 - CalendarDate.chinaStandardTimeOffset) * 1000
        return try await sqlDatabase().raw("""
            SELECT COUNT(*) AS n FROM match_leads x JOIN records l ON l.id = x.left_record_id JOIN submissions ls ON ls.id = l.submission_id
            WHERE ls.unit_code = \(bind: unit) AND x.state = \(bind: TaxLeadState.confirmed.rawValue) AND x.sent = \(bind: true)
              AND (x.confidence = \(bind: TaxLeadConfidence.identifier.rawValue) OR x.match_verified_by IS NOT NULL)
              AND x.updated_ms >= \(bind: startMs) AND x.updated_ms < \(bind: endMs)
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}

/// What one indicator of a providing unit yielded through cross-matching (issue 12 §5): counts and amounts
/// only, no personal data.
public struct LeadYield: Sendable, Equatable {
    /// The left indicator whose records produced the leads.
    public var indicator: String
    /// Leads sent to the queue, leads confirmed that count as adopted, and the tax recovered on them in fen.
    public var produced = 0
    public var confirmed = 0
    public var recoveredFen = 0

    public init(indicator: String) {
        self.indicator = indicator
    }
}

extension MatchingService {
    /// The window of days `from`…`through` (China Standard Time, both inclusive) in `updated_ms` milliseconds.
    static func window(from: CalendarDate, through: CalendarDate) -> (start: Int64, end: Int64) {
        (Int64(from.daysSinceEpoch * 86_400 - CalendarDate.chinaStandardTimeOffset) * 1000,
         Int64((through.daysSinceEpoch + 1) * 86_400 - CalendarDate.chinaStandardTimeOffset) * 1000)
    }

    /// Tax recovered, in fen, per providing unit (the unit whose record produced the lead), on the leads
    /// confirmed from `from` to `through` that count as adopted (identifier matches, and name matches a person
    /// verified; leads of trial rules never count) — what ranks the units for 特别贡献 (issue 12 §5).
    public func recoveredByUnit(from: CalendarDate, through: CalendarDate) async throws -> [String: Int] {
        let (start, end) = Self.window(from: from, through: through)
        let rows = try await sqlDatabase().raw("""
            SELECT ls.unit_code, CAST(SUM(COALESCE(x.recovered_fen, 0)) AS BIGINT) AS recovered
            FROM match_leads x JOIN records l ON l.id = x.left_record_id JOIN submissions ls ON ls.id = l.submission_id
            WHERE x.state = \(bind: TaxLeadState.confirmed.rawValue) AND x.sent = \(bind: true)
              AND (x.confidence = \(bind: TaxLeadConfidence.identifier.rawValue) OR x.match_verified_by IS NOT NULL)
              AND x.updated_ms >= \(bind: start) AND x.updated_ms < \(bind: end)
            GROUP BY ls.unit_code
            """).all()
        var recovered: [String: Int] = [:]
        for row in rows {
            recovered[try row.decode(column: "unit_code", as: String.self)] = try row.decode(column: "recovered", as: Int?.self) ?? 0
        }
        return recovered
    }

    /// `unit`'s place in the 特别贡献 ranking of the year of `through`, counting confirmations from 1 January to
    /// `through` (``SpecialContribution/ranks(recoveredFen:)``), or `nil` when its data yielded no tax.
    public func specialContributionRank(unit: String, through: CalendarDate) async throws -> Int? {
        guard let first = CalendarDate(year: through.year, month: 1, day: 1) else { return nil }
        return SpecialContribution.ranks(recoveredFen: try await recoveredByUnit(from: first, through: through))[unit]
    }

    /// What `unit`'s data yielded per left indicator (issue 12 §5): leads sent, adopted confirmations and the tax
    /// recovered on them, over every period; indicators in code order. No personal data.
    public func yield(of unit: String) async throws -> [LeadYield] {
        let rows = try await sqlDatabase().raw("""
            SELECT ls.indicator_code,
                   COUNT(*) AS produced,
                   SUM(CASE WHEN x.state = \(bind: TaxLeadState.confirmed.rawValue)
                             AND (x.confidence = \(bind: TaxLeadConfidence.identifier.rawValue) OR x.match_verified_by IS NOT NULL)
                            THEN 1 ELSE 0 END) AS confirmed,
                   CAST(SUM(CASE WHEN x.state = \(bind: TaxLeadState.confirmed.rawValue)
                             AND (x.confidence = \(bind: TaxLeadConfidence.identifier.rawValue) OR x.match_verified_by IS NOT NULL)
                            THEN COALESCE(x.recovered_fen, 0) ELSE 0 END) AS BIGINT) AS recovered
            FROM match_leads x JOIN records l ON l.id = x.left_record_id JOIN submissions ls ON ls.id = l.submission_id
            WHERE ls.unit_code = \(bind: unit) AND x.sent = \(bind: true)
            GROUP BY ls.indicator_code ORDER BY ls.indicator_code
            """).all()
        return try rows.map { row in
            var y = LeadYield(indicator: try row.decode(column: "indicator_code", as: String.self))
            y.produced = try row.decode(column: "produced", as: Int.self)
            y.confirmed = try row.decode(column: "confirmed", as: Int?.self) ?? 0
            y.recoveredFen = try row.decode(column: "recovered", as: Int?.self) ?? 0
            return y
        }
    }
}
