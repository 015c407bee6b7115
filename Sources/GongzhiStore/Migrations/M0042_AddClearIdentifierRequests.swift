import FluentKit
import FluentSQL
import SQLKit

/// 申请明文身份标识 (issue 12 §6): `access_requests.clear_identifiers` — the requester asked for the taxpayer
/// identifiers in the clear, which sends a 报备式 request to an approver (``AccessRequest/clearIdentifiers``).
/// Requests filed before this migration asked for nothing of the kind (`false`).
public struct M0042_AddClearIdentifierRequests: AsyncMigration {
    public init() {}

    public func prepare(on database: any Database) async throws {
        try await database.schema("access_requests")
            .field("clear_identifiers", .bool, .required, .sql(.default(false)))
            .update()
    }

    public func revert(on database: any Database) async throws {
        try await database.schema("access_requests").deleteField("clear_identifiers").update()
    }
}
