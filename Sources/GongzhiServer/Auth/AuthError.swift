import Foundation
import GongzhiCore

/// Why a request or a sign-in was refused (issue 5). Each case carries the facts; ``message`` is what the
/// clerk reads.
public enum AuthError: Error, Sendable, Equatable {
    /// No session and no bearer token: sign in first (401).
    case unauthenticated
    /// A bearer token that is unknown, revoked or whose owner is disabled (401).
    case invalidToken
    /// Wrong username or password (401).
    case badCredentials
    /// Too many failed logins: locked until this instant (423).
    case locked(until: Date)
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
        case .locked: "account_locked"
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
            "用户名或密码不正确。连续 \(AccountService.maxFailedLogins) 次登录失败，账户将锁定 \(AccountService.lockMinutes) 分钟。"
        case .locked(let until):
            "连续 \(AccountService.maxFailedLogins) 次登录失败，账户已锁定：请于 \(PlatformClock.display(until)) 之后再试，或联系信息中心。"
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
        case .locked: 423
        case .disabled, .forbidden, .csrfMismatch: 403
        case .weakPassword, .invalidUsername, .incompleteUser, .unknownUnit: 400
        case .usernameTaken: 409
        }
    }
}
