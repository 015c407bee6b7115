import Leaf
import LeafKit
import Vapor

/// `#csrfToken()`: the signed-in session's CSRF token, for the hidden `csrf_token` field of every
/// state-changing form; empty without a session.
struct CSRFTokenTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard case .session(let token)? = ctx.request?.signedIn?.credential else { return .string("") }
        return .string(token)
    }
}

/// `#accountBar()`: the header's right-hand side — the user's name, unit and roles with links to the API
/// tokens and a 退出 button (posting the CSRF token) — or a 登录 link for an anonymous visitor. Unescaped
/// HTML, so every value is escaped here.
struct AccountBarTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let actor = ctx.request?.signedIn else {
            return .string("<span class=\"actor\"><a href=\"/login\">登录</a></span>")
        }
        let roles = actor.principal.roles.sorted().map(\.chineseName).joined(separator: "、")
        var csrf = ""
        if case .session(let token) = actor.credential { csrf = token }
        return .string("""
            <span class="actor">\(Self.escape(actor.displayName))（\(Self.escape(actor.unitCode))，\(Self.escape(roles))）\
            <a href="/account/tokens">API 令牌</a>\
            <form method="post" action="/logout" style="display:inline"><input type="hidden" name="csrf_token" value="\(Self.escape(csrf))">\
            <button type="submit" class="link">退出</button></form></span>
            """)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
