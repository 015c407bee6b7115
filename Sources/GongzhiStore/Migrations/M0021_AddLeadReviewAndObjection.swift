import FluentKit

/// The review of name matches and the objection a dismissal files (issue 12 §2, §4):
/// `match_leads.match_rejected_by` — who found a `name_division` lead's two sides are not the same taxpayer;
/// `match_leads.objection_id` — the objection (table `objections`) filed against the lead's source record when
/// it was dismissed as 源数据错误.
public struct M0021_AddLeadReviewAndObjection: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        // One column per ALTER TABLE: SQLite adds a single column at a time.
        try await database.schema("match_leads").field("match_rejected_by", .string).update()
        try await database.schema("match_leads").field("objection_id", .uuid).update()
    }

    public func revert(on database: any Database) async throws {
        for column in ["objection_id", "match_rejected_by"] {
            try await database.schema("match_leads").deleteField(.string(column)).update()
        }
    }
}
