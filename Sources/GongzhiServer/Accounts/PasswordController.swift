import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// `/account/password` (修改密码): any signed-in user changes the own password (issue 10); a user with a
/// temporary password from the info center is sent here until they do.
struct PasswordController: Sendable {
    struct PasswordPage: Encodable {
        var title: String
        var username: String
        /// The user still has a temporary password and must choose their own.
        var mustChange: Bool
        var minimumLength: Int
        var maxFailedLogins: Int
        var notice: String?
        var error: String?
    }

    private func render(_ req: Request, notice: String? = nil, error: String? = nil, mustChange: Bool? = nil,
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor
        let page = PasswordPage(title: "修改密码", username: actor.username, mustChange: mustChange ?? actor.mustChangePassword,
                                minimumLength: PasswordPolicy.minimumLength, maxFailedLogins: AccountService.maxFailedLogins,
                                notice: notice, error: error)
        return try await req.view.render("password", page).encodeResponse(status: status, for: req)
    }

    /// `GET /account/password`: the form (current password, new password twice).
    func form(req: Request) async throws -> Response {
        try await render(req)
    }

    /// `POST /account/password` with `current`, `new` and `confirm`: changes the password, ends the user's other
    /// sessions and shows the page again with what happened, or with the refusal in Chinese.
    func change(req: Request) async throws -> Response {
        func field(_ key: String) -> String { (try? req.content.get(String.self, at: key)) ?? "" }
        let actor = try req.actor
        do {
            let ended = try await req.accounts.changePassword(
                of: actor.username, current: field("current"), new: field("new"), confirmation: field("confirm"),
                keepingSessionOf: req.cookies[CredentialsMiddleware.cookieName]?.string, by: req.auditActor)
            let others = ended > 0 ? "其他 \(ended) 处登录已退出，需用新密码重新登录。" : ""
            return try await render(req, notice: "密码已修改。" + others, mustChange: false)
        } catch let error as AuthError where error != .unauthenticated {
            return try await render(req, error: error.message, status: HTTPResponseStatus(statusCode: error.status))
        }
    }
}
