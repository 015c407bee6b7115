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
    /// The account is disabled (403).
    case disabled
    /// The signed-in user's roles do not include any of these (403).
    case forbidden(needs: Set<Role>)
    /// A state-changing form from a session without the session's `csrf_token` (403).
    case csrfMismatch
    /// A password shorter than the minimum (400).
    case weakPassword(minimum: Int)
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
        case .disabled: "account_disabled"
        case .forbidden: "forbidden"
        case .csrfMismatch: "csrf_mismatch"
        case .weakPassword: "weak_password"
        case .usernameTaken: "username_taken"
        case .invalidUsername: "invalid_username"
        case .incompleteUser: "incomplete_user"
        case .unknownUnit: "unknown_unit"
        }
    }

    /// Chinese message for the clerk.
    public var message: String {
        switch self {
        case .unauthenticated: "请先登录：页面请在 /login 登录，API 请在请求头中带上 Authorization: Bearer <令牌>。"
        case .invalidToken: "API 令牌无效或已撤销：请在“API 令牌”页面新建令牌。"
        case .badCredentials:
            "用户名或密码不正确，或多次失败后暂时不能登录：请核对后稍后再试（最长 \(AccountService.lockMinutes) 分钟）；如仍不能登录，请联系信息中心。"
        case .disabled: "账户已停用：请联系信息中心。"
        case .forbidden(let roles):
            "您的角色无权使用此功能（需要：" + roles.sorted().map(\.chineseName).joined(separator: "、") + "）。"
        case .csrfMismatch: "表单已过期或来源不明（缺少或不符的 csrf_token）：请刷新页面后重新提交。"
        case .weakPassword(let minimum): "密码至少 \(minimum) 个字符。"
        case .usernameTaken(let name): "用户名“\(name)”已存在。"
        case .invalidUsername(let name): "用户名“\(name)”不可用：只能使用字母、数字、点、下划线和连字符。"
        case .incompleteUser(let what): what
        case .unknownUnit(let unit): "单位“\(unit)”不在目录中：请使用目录中的单位编码。"
        }
    }

    /// The HTTP status that goes with the refusal.
    public var status: Int {
        switch self {
        case .unauthenticated, .invalidToken, .badCredentials: 401
        case .disabled, .forbidden, .csrfMismatch: 403
        case .weakPassword, .invalidUsername, .incompleteUser, .unknownUnit: 400
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

    /// English, for the audit log's `detail` (`reason=…`).
    public var description: String {
        switch self {
        case .unknownUser: "unknown_user"
        case .wrongPassword: "wrong_password"
        case .lockedNow(let until): "wrong_password; account_locked_until=\(PlatformClock.iso8601(until))"
        case .accountLocked(let until): "account_locked_until=\(PlatformClock.iso8601(until))"
        case .addressThrottled: "address_throttled"
        }
    }
}
