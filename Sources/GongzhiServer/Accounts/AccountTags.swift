import GongzhiCore
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

/// `#accountBar()`: the header's right-hand side — the user's name, unit and roles with links to the own
/// password and the API tokens and a 退出 button (posting the CSRF token) — or a 登录 link for an anonymous visitor. Unescaped
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
            <span class="actor">\(Self.escape(actor.displayName))（\(Self.escape(actor.unitName ?? actor.unitCode))，\(Self.escape(roles))）\
            <a href="/account/password">修改密码</a><a href="/account/tokens">API 令牌</a>\
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

/// `#nav()`: the header's links, only those the signed-in user's roles open (from ``RouteAccess``, the one place
/// that says who may use what); nothing for an anonymous visitor.
struct NavTag: UnsafeUnescapedLeafTag {
    static func links(for actor: Actor) -> [(href: String, label: String)] {
        let all: [(String, String, Set<Role>)] = [
            ("/", "首页", RouteAccess.authenticated),
            ("/catalog", "数据项目录", RouteAccess.authenticated),
            ("/upload", "上传报送", RouteAccess.reporters),
            ("/zero-data", "零数据报送", RouteAccess.reporters),
            ("/submissions", "报送记录", RouteAccess.unitReaders),
            ("/units/\(actor.unitCode)", "本单位", RouteAccess.unitReaders),
            ("/board", "报送情况看板", RouteAccess.oversight),
            ("/assessment", "考核评分", RouteAccess.assessmentReaders),
            ("/surveys", "调研反馈表", RouteAccess.surveyResponders),
            ("/notices", "通知公告", RouteAccess.authenticated),
            ("/objections", "数据疑义", RouteAccess.objectionParties),
            ("/sharing", "数据共享", RouteAccess.authenticated),
            ("/query", "数据查询", RouteAccess.recordReaders),
            ("/leads", "涉税线索", RouteAccess.leadReaders),
            ("/audit", "审计日志", RouteAccess.auditors),
            ("/account/users", "用户管理", RouteAccess.admins),
            ("/account/lockouts", "登录锁定", RouteAccess.admins),
            ("/operations/inspection", "月度巡检", RouteAccess.inspectors),
        ]
        return all.filter { $0.2.isEmpty || actor.principal.hasAny(of: $0.2) }.map { ($0.0, $0.1) }
    }

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let actor = ctx.request?.signedIn else { return .string("<nav></nav>") }
        let items = Self.links(for: actor).map { "<a href=\"\(AccountBarTag.escape($0.href))\">\($0.label)</a>" }
        return .string("<nav>" + items.joined() + "</nav>")
    }
}
