import Foundation
import GongzhiCore

/// Why a request or a sign-in was refused (issue 5). Each case carries the facts; ``message`` is what the
/// clerk reads.
public enum AuthError: Error, Sendable, Equatable {
    /// No session and no bearer token: sign in first (401).
    case unauthenticated
    /// A bearer token that is unknown, revoked or whose owner is disabled (401).
    case invalidToken
    /// A sign-in refused for `reason` (401). The clerk gets the same status and message whatever the reason
    /// — unknown name, wrong password, locked account, throttled address — so that the answer tells nobody
    /// which usernames exist or are locked (issue 9); the reason goes to the audit log.
    case badCredentials(SignInRefusal)
    /// The signed-in user's roles do not include any of these (403).
    case forbidden(needs: Set<Role>)
    /// A state-changing form from a session without the session's `csrf_token` (403).
    case csrfMismatch
    /// A password that breaks ``PasswordPolicy`` (400).
    case weakPassword(PasswordPolicy.Violation)
    /// The current password typed on the password page is wrong (400); `lockedUntil` when this failure, or
    /// earlier ones, locked the account (issue 10).
    case wrongCurrentPassword(lockedUntil: Date?)
    /// The new password and its repetition differ (400).
    case passwordMismatch
    /// The new password is the current one (400).
    case passwordUnchanged
    /// An info-center action on an unknown login name (404).
    case unknownAccount(String)
    /// An info-center action an admin may not take on the own account, e.g. disabling it (403); the text says
    /// what to do instead.
    case notOnOwnAccount(String)
    /// A username already in use (409).
    case usernameTaken(String)
    /// A username with characters other than letters, digits, `.`, `_`, `-`, or blank (400).
    case invalidUsername(String)
    /// A user without a display name or without roles (400).
    case incompleteUser(String)
    /// The unit is not a unit of the platform (400).
    case unknownUnit(String)

    /// Stable machine-readable code for API clients.
    public var code: String {
        switch self {
        case .unauthenticated: "unauthenticated"
        case .invalidToken: "invalid_token"
        case .badCredentials: "bad_credentials"
        case .forbidden: "forbidden"
        case .csrfMismatch: "csrf_mismatch"
        case .weakPassword: "weak_password"
        case .usernameTaken: "username_taken"
        case .invalidUsername: "invalid_username"
        case .incompleteUser: "incomplete_user"
        case .unknownUnit: "unknown_unit"
        case .wrongCurrentPassword: "wrong_current_password"
        case .passwordMismatch: "password_mismatch"
        case .passwordUnchanged: "password_unchanged"
        case .unknownAccount: "unknown_account"
        case .notOnOwnAccount: "not_on_own_account"
        }
    }

    /// Chinese message for the clerk.
    public var message: String {
        switch self {
        case .unauthenticated: "请先登录：页面请在 /login 登录，API 请在请求头中带上 Authorization: Bearer <令牌>。"
        case .invalidToken: "API 令牌无效或已撤销：请在“API 令牌”页面新建令牌。"
        case .badCredentials:
            "用户名或密码不正确，或多次失败后暂时不能登录：请核对后稍后再试（最长 \(AccountService.lockMinutes) 分钟）；如仍不能登录，请联系信息中心。"
        case .forbidden(let roles):
            "您的角色无权使用此功能（需要：" + roles.sorted().map(\.chineseName).joined(separator: "、") + "）。"
        case .csrfMismatch: "表单已过期或来源不明（缺少或不符的 csrf_token）：请刷新页面后重新提交。"
        case .weakPassword(let violation): violation.message
        case .usernameTaken(let name): "用户名“\(name)”已存在。"
        case .invalidUsername(let name): "用户名“\(name)”不可用：只能使用字母、数字、点、下划线和连字符。"
        case .incompleteUser(let what): what
        case .unknownUnit(let unit): "单位“\(unit)”不在目录中：请使用目录中的单位编码。"
        case .wrongCurrentPassword(nil):
            "当前密码不正确。连续输错 \(AccountService.maxFailedLogins) 次，账户将锁定 \(AccountService.lockMinutes) 分钟。"
        case .wrongCurrentPassword(let until?):
            "当前密码连续输错，账户已锁定至 \(DisplayNames.time(until))：请稍后再试，或请信息中心重置密码。"
        case .passwordMismatch: "两次输入的新密码不一致。"
        case .passwordUnchanged: "新密码不能与当前密码相同。"
        case .unknownAccount(let name): "没有用户名为“\(name)”的用户。"
        case .notOnOwnAccount(let what): what
        }
    }

    /// The HTTP status that goes with the refusal.
    public var status: Int {
        switch self {
        case .unauthenticated, .invalidToken, .badCredentials: 401
        case .forbidden, .csrfMismatch, .notOnOwnAccount: 403
        case .weakPassword, .invalidUsername, .incompleteUser, .unknownUnit, .wrongCurrentPassword, .passwordMismatch,
             .passwordUnchanged: 400
        case .unknownAccount: 404
        case .usernameTaken: 409
        }
    }
}

/// Why a sign-in was refused, for the audit log and the operator (issue 9). Never shown to the clerk: every
/// reason answers as ``AuthError/badCredentials(_:)``.
public enum SignInRefusal: Sendable, Equatable, CustomStringConvertible {
    /// No user has the name typed (or it was blank).
    case unknownUser
    /// The password does not match.
    case wrongPassword
    /// The password does not match and this failure locked the account until `until`.
    case lockedNow(until: Date)
    /// The account was locked until `until` (the password was checked, but not honoured).
    case accountLocked(until: Date)
    /// Too many failures from the client's address within the window: refused without checking.
    case addressThrottled
    /// The password matches but the info center disabled the account (issue 10).
    case accountDisabled

    /// English, for the audit log's `detail` (`reason=…`).
    public var description: String {
        switch self {
        case .unknownUser: "unknown_user"
        case .wrongPassword: "wrong_password"
        case .lockedNow(let until): "wrong_password; account_locked_until=\(PlatformClock.iso8601(until))"
        case .accountLocked(let until): "account_locked_until=\(PlatformClock.iso8601(until))"
        case .addressThrottled: "address_throttled"
        case .accountDisabled: "account_disabled"
        }
    }
}
