import FluentKit
import SQLKit

/// Cross-matching (issue 12): rule versions, runs, canonical keys and leads. Times are milliseconds since
/// 1970 (`*_ms`), as in the audit log, so that set-based statements can write them on both databases.
///
/// - `match_rules`: one row per rule version — code, version, state (draft | trial | active | retired),
///   the rule's JSON (``MatchRule``); unique on (code, version). A stored version's definition never changes.
/// - `match_runs`: one row per run of a rule version over a range of left periods.
/// - `match_keys`: the canonical matching key (``MatchKey``) of one key field of one record: record id,
///   indicator, field, form read as, kind, value, the division the identifier names. Indexed on
///   (kind, value, indicator_code, field) — the join of a run — and on (record_id, field).
/// - `match_keyed`: which (submission, field, form) have their keys in `match_keys`: keys are extracted
///   once per submission, so a run only keys what arrived since.
/// - `match_leads`: one lead per (rule code, version, left record) — the unique index is what keeps a
///   re-run from adding a lead twice; kind, confidence, estimated tax in fen, the work on it.
/// - `match_lead_records`: the right records a lead was matched with (none for `no_match`).
public struct M0020_CreateMatching: AsyncMigration {
    public init() {}

    /// The index of a run's join, `match_keys` on (kind, value, indicator, field, record): created here, and
    /// dropped and created again around a bulk keying (``keysByValue``; `MatchingService`).
    public static let keysByValue = "match_keys_by_value"

    /// Creates ``keysByValue``.
    public static func createKeysByValue(on sql: any SQLDatabase) async throws {
        try await sql.create(index: keysByValue).on("match_keys")
            .column("kind").column("value").column("indicator_code").column("field").column("record_id").run()
    }

    public func prepare(on database: any Database) async throws {
        try await database.schema("match_rules")
            .field("id", .int64, .identifier(auto: true))
            .field("code", .string, .required)
            .field("version", .int, .required)
            .field("name", .string, .required)
            .field("state", .string, .required)
            .field("definition", .string, .required)
            .field("created_ms", .int64, .required)
            .field("updated_ms", .int64, .required)
            .unique(on: "code", "version")
            .create()
        try await database.schema("match_runs")
            .field("id", .int64, .identifier(auto: true))
            .field("rule_code", .string, .required)
            .field("rule_version", .int, .required)
            .field("rule_state", .string, .required)
            .field("from_period", .string, .required)
            .field("to_period", .string, .required)
            .field("left_records", .int, .required)
            .field("leads_added", .int, .required)
            .field("ran_by", .string, .required)
            .field("started_ms", .int64, .required)
            .field("finished_ms", .int64, .required)
            .create()
        try await database.schema("match_keys")
            .field("record_id", .int64, .required)
            .field("indicator_code", .string, .required)
            .field("field", .string, .required)
            .field("form", .string, .required)
            .field("kind", .string, .required)
            .field("value", .string, .required)
            .field("division", .string)
            .create()
        try await database.schema("match_keyed")
            .field("submission_id", .uuid, .required, .references("submissions", "id"))
            .field("field", .string, .required)
            .field("form", .string, .required)
            .unique(on: "submission_id", "field", "form")
            .create()
        try await database.schema("match_leads")
            .field("id", .int64, .identifier(auto: true))
            .field("rule_code", .string, .required)
            .field("rule_version", .int, .required)
            .field("left_record_id", .int64, .required)
            .field("run_id", .int64, .required)
            .field("kind", .string, .required)
            .field("confidence", .string, .required)
            .field("estimated_tax_fen", .int64, .required)
            .field("sent", .bool, .required)
            .field("state", .string, .required)
            .field("assignee", .string)
            .field("match_verified_by", .string)
            .field("recovered", .string)
            .field("recovered_fen", .int64)
            .field("dismissal", .string)
            .field("dismissal_note", .string)
            .field("created_ms", .int64, .required)
            .field("updated_ms", .int64, .required)
            .unique(on: "rule_code", "rule_version", "left_record_id")
            .create()
        try await database.schema("match_lead_records")
            .field("lead_id", .int64, .required)
            .field("record_id", .int64, .required)
            .unique(on: "lead_id", "record_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await M0020_CreateMatching.createKeysByValue(on: sql)
        try await sql.create(index: "match_keys_by_record").on("match_keys").column("record_id").column("field").run()
        try await sql.create(index: "match_leads_by_queue").on("match_leads").column("state").column("estimated_tax_fen").run()
        try await sql.create(index: "match_leads_by_run").on("match_leads").column("run_id").run()
    }

    public func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            for index in ["match_keys_by_value", "match_keys_by_record", "match_leads_by_queue", "match_leads_by_run"] {
                try await sql.drop(index: index).ifExists().run()
            }
        }
        for table in ["match_lead_records", "match_leads", "match_keyed", "match_keys", "match_runs", "match_rules"] {
            try await database.schema(table).delete()
        }
    }
}
