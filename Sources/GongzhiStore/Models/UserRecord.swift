import FluentKit
import Foundation

/// A person who signs in (issue 5): one member unit, one or more roles, a Bcrypt password hash, and the
/// count of consecutive failed logins that locks the account for a while.
public final class UserRecord: Model, @unchecked Sendable {
    public static let schema = "users"

    @ID(key: .id) public var id: UUID?
    /// Login name, unique.
    @Field(key: "username") public var username: String
    /// Name shown in the page header, e.g. `王敏`.
    @Field(key: "display_name") public var displayName: String
    /// Code of the member unit the user belongs to, e.g. `housing` or `info-center`.
    @Field(key: "unit_code") public var unitCode: String
    /// Role raw values joined by commas, e.g. `reporter,unit_head` (see `UserRecord.roleSet`).
    @Field(key: "roles") public var roles: String
    /// Bcrypt hash (`$2b$…`) of the password; never the password.
    @Field(key: "password_hash") public var passwordHash: String
    /// Consecutive failed logins since the last success or the last lock.
    @Field(key: "failed_logins") public var failedLogins: Int
    /// Until when logins are refused after too many failures; `nil` when not locked.
    @OptionalField(key: "locked_until") public var lockedUntil: Date?
    @Field(key: "created_at") public var createdAt: Date
    /// A disabled user can no longer sign in or use tokens.
    @Field(key: "disabled") public var disabled: Bool
    /// When the info center last disabled the account; `nil` when it never was or has been enabled again.
    @OptionalField(key: "disabled_at") public var disabledAt: Date?
    /// Whether the password is a temporary one the info center set: until the user changes it, every page
    /// sends them to the password page.
    @Field(key: "must_change_password") public var mustChangePassword: Bool

    public init() {}

    public init(id: UUID? = nil, username: String, displayName: String, unitCode: String, roles: String,
                passwordHash: String, createdAt: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.unitCode = unitCode
        self.roles = roles
        self.passwordHash = passwordHash
        self.failedLogins = 0
        self.lockedUntil = nil
        self.createdAt = createdAt
        self.disabled = false
        self.disabledAt = nil
        self.mustChangePassword = false
    }
}

/// One sign-in attempt from a client address (issue 9): written before the password is checked and removed
/// again when the attempt succeeds or is refused unchecked, so the rows of an address within the throttling
/// window are its failures (and attempts still in flight).
public final class LoginAttemptRecord: Model, @unchecked Sendable {
    public static let schema = "login_attempts"

    @ID(key: .id) public var id: UUID?
    /// The client's address as ``AuditActor`` takes it (after trusted proxies); empty when unknown.
    @Field(key: "client_address") public var clientAddress: String
    /// The name typed (at most 64 characters), for the info center's lock-out page.
    @Field(key: "username") public var username: String
    @Field(key: "attempted_at") public var attemptedAt: Date

    public init() {}

    public init(clientAddress: String, username: String, attemptedAt: Date) {
        self.clientAddress = clientAddress
        self.username = username
        self.attemptedAt = attemptedAt
    }
}
