import FluentKit
import Foundation

/// A bearer token for the API, created, listed and revoked by its owner. Only the SHA-256 of the token is
/// stored: the token itself is shown once, when it is created.
public final class ApiTokenRecord: Model, @unchecked Sendable {
    public static let schema = "api_tokens"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: UserRecord
    /// The owner's label for the token, e.g. `报送脚本`.
    @Field(key: "name") public var name: String
    /// Lowercase hex SHA-256 of the token's UTF-8 text; unique.
    @Field(key: "token_sha256") public var tokenSHA256: String
    @Field(key: "created_at") public var createdAt: Date
    /// When the token last authenticated a request (updated at most once a minute).
    @OptionalField(key: "last_used_at") public var lastUsedAt: Date?
    /// When the owner revoked it; a revoked token is refused.
    @OptionalField(key: "revoked_at") public var revokedAt: Date?

    public init() {}

    public init(userID: UUID, name: String, tokenSHA256: String, createdAt: Date) {
        self.$user.id = userID
        self.name = name
        self.tokenSHA256 = tokenSHA256
        self.createdAt = createdAt
    }
}

/// A signed-in browser session. The cookie carries a random token; only its SHA-256 is stored, with the
/// session's CSRF token for the forms it posts. Kept in the database so that several app servers share it.
public final class UserSessionRecord: Model, @unchecked Sendable {
    public static let schema = "user_sessions"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "user_id") public var user: UserRecord
    /// Lowercase hex SHA-256 of the cookie's token; unique.
    @Field(key: "token_sha256") public var tokenSHA256: String
    /// The token every state-changing form of this session carries (`csrf_token`).
    @Field(key: "csrf_token") public var csrfToken: String
    @Field(key: "created_at") public var createdAt: Date
    /// After this instant the session no longer authenticates.
    @Field(key: "expires_at") public var expiresAt: Date

    public init() {}

    public init(userID: UUID, tokenSHA256: String, csrfToken: String, createdAt: Date, expiresAt: Date) {
        self.$user.id = userID
        self.tokenSHA256 = tokenSHA256
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
