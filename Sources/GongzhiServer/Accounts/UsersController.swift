import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// `/account/users` (用户管理, the info center's admins; issue 10): every user with unit, roles and state, filtered
/// by unit; a new user with a temporary password; a password reset; disabling and enabling an account; a link
/// to the lock-out page. A password the platform generates is shown once, on the page that answers the form.
struct UsersController: Sendable {
    struct Option: Encodable {
        var code: String
        var label: String
        var selected: Bool
    }

    struct UserItem: Encodable {
        var username: String
        var displayName: String
        var unitName: String
        var roles: String
        /// 正常, 已停用, 锁定至 …
        var state: String
        /// `ok`, `bad` or `warn`, for the state's colour.
        var stateClass: String
        var disabled: Bool
        var locked: Bool
        var mustChange: Bool
        /// The admin looking at the page: no button that disables the own account.
        var isSelf: Bool
    }

    /// The new-user form as typed, shown again after a refusal.
    struct NewUserForm: Encodable {
        var username = ""
        var displayName = ""
        var unit = ""
    }

    /// A password set by the info center, shown this once.
    struct ShownPassword: Encodable {
        var username: String
        var password: String
        var generated: Bool
    }

    struct UsersPage: Encodable {
        var title: String
        /// The unit filter's choices, the first meaning every unit.
        var filterUnits: [Option]
        /// The unit filtered on (code), empty for every unit.
        var filter: String
        var filterName: String
        var users: [UserItem]
        /// The new-user form's unit picker and role checkboxes.
        var units: [Option]
        var roles: [Option]
        var form: NewUserForm
        var shownPassword: ShownPassword?
        var minimumLength: Int
        var notice: String?
        var error: String?
    }

    /// What a page answering a form says besides the list.
    struct Outcome {
        var notice: String?
        var error: String?
        var shownPassword: ShownPassword?
        var form = NewUserForm()
        var roles: Set<Role> = []
        var status: HTTPResponseStatus = .ok
    }

    private func render(_ req: Request, filter: String, _ outcome: Outcome = Outcome()) async throws -> Response {
        let names = try await DisplayNames.load(req)
        let units = try await CatalogRepository(database: req.db).units()
        let filterCode = units.contains { $0.code == filter } ? filter : ""
        let users = try await UserRepository(database: req.db).list(unit: filterCode.isEmpty ? nil : filterCode)
        let now = req.gongzhi.clock.now()
        let me = try req.actor.username
        let items = users.map { user -> UserItem in
            let locked = user.isLocked(at: now)
            let state: (String, String) = if user.disabled {
                ("已停用" + (user.disabledAt.map { "（\(DisplayNames.time($0)) 起）" } ?? ""), "bad")
            } else if locked, let until = user.lockedUntil {
                ("锁定至 \(DisplayNames.time(until))", "warn")
            } else if user.mustChangePassword {
                ("正常（待修改临时密码）", "ok")
            } else {
                ("正常", "ok")
            }
            return UserItem(username: user.username, displayName: user.displayName, unitName: names.unit(user.unitCode),
                            roles: user.roleSet.sorted().map(\.chineseName).joined(separator: "、"), state: state.0, stateClass: state.1,
                            disabled: user.disabled, locked: locked && !user.disabled, mustChange: user.mustChangePassword,
                            isSelf: user.username == me)
        }
        let chosenUnit = outcome.form.unit.isEmpty ? filterCode : outcome.form.unit
        let page = UsersPage(
            title: "用户管理",
            filterUnits: [Option(code: "", label: "全部单位", selected: filterCode.isEmpty)]
                + units.map { Option(code: $0.code, label: $0.name, selected: $0.code == filterCode) },
            filter: filterCode, filterName: filterCode.isEmpty ? "全部单位" : names.unit(filterCode), users: items,
            units: [Option(code: "", label: "请选择单位", selected: chosenUnit.isEmpty)]
                + units.map { Option(code: $0.code, label: $0.name, selected: $0.code == chosenUnit) },
            roles: Role.allCases.map { Option(code: $0.rawValue, label: $0.chineseName, selected: outcome.roles.contains($0)) },
            form: outcome.form, shownPassword: outcome.shownPassword, minimumLength: PasswordPolicy.minimumLength,
            notice: outcome.notice, error: outcome.error)
        return try await req.view.render("users", page).encodeResponse(status: outcome.status, for: req)
    }

    private static func text(_ req: Request, _ key: String) -> String {
        ((try? req.content.get(String.self, at: key)) ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// The unit filter a form carries back (`filter`), so that the page answering it lists the same users.
    private static func filter(_ req: Request) -> String { text(req, "filter") }

    /// `GET /account/users[?unit=CODE]`.
    func index(req: Request) async throws -> Response {
        try await render(req, filter: req.query[String.self, at: "unit"] ?? "")
    }

    /// `POST /account/users` with `username`, `display_name`, `unit`, `roles[]` and an optional `password`
    /// (blank: one is generated). The new user must change the password at the first sign-in.
    func create(req: Request) async throws -> Response {
        let form = NewUserForm(username: Self.text(req, "username"), displayName: Self.text(req, "display_name"), unit: Self.text(req, "unit"))
        var roles: Set<Role> = []
        var unknown: [String] = []
        for raw in SharingController.list(req, "roles") where !raw.isEmpty {
            if let role = Role(rawValue: raw) { roles.insert(role) } else { unknown.append(raw) }
        }
        guard unknown.isEmpty else {
            return try await render(req, filter: Self.filter(req), Outcome(error: "未知角色：" + unknown.joined(separator: "、"), form: form,
                                                                          roles: roles, status: .badRequest))
        }
        let typed = (try? req.content.get(String.self, at: "password")) ?? ""
        let password = typed.isEmpty ? AccountService.generatedPassword() : typed
        do {
            guard !form.unit.isEmpty else { throw AuthError.incompleteUser("请选择用户所属的单位。") }
            let user = try await req.accounts.createUser(
                .init(username: form.username, displayName: form.displayName, unitCode: form.unit, roles: roles, password: password),
                mustChangePassword: true, by: req.auditActor)
            return try await render(req, filter: Self.filter(req), Outcome(
                notice: "已新建用户 \(user.username)（\(user.displayName)）。",
                shownPassword: ShownPassword(username: user.username, password: password, generated: typed.isEmpty), status: .created))
        } catch let error as AuthError {
            return try await render(req, filter: Self.filter(req), Outcome(error: error.message, form: form, roles: roles,
                                                                          status: HTTPResponseStatus(statusCode: error.status)))
        }
    }

    /// `POST /account/users/:username/reset-password` with an optional `password` (blank: one is generated).
    func resetPassword(req: Request) async throws -> Response {
        let username = req.parameters.get("username") ?? ""
        do {
            if username == (try req.actor.username) {
                throw AuthError.notOnOwnAccount("自己的密码请在“修改密码”页面修改。")
            }
            let typed = (try? req.content.get(String.self, at: "password")) ?? ""
            let reset = try await req.accounts.resetPassword(of: username, to: typed, by: req.auditActor)
            return try await render(req, filter: Self.filter(req), Outcome(
                notice: "已重置用户 \(reset.username) 的密码；其登录已全部退出，登录锁定已解除。",
                shownPassword: ShownPassword(username: reset.username, password: reset.password, generated: reset.generated)))
        } catch let error as AuthError {
            return try await render(req, filter: Self.filter(req), Outcome(error: error.message, status: HTTPResponseStatus(statusCode: error.status)))
        }
    }

    /// `POST /account/users/:username/disable`: ends its sessions and revokes its tokens; never the own account.
    func disable(req: Request) async throws -> Response {
        try await setDisabled(true, req)
    }

    /// `POST /account/users/:username/enable`.
    func enable(req: Request) async throws -> Response {
        try await setDisabled(false, req)
    }

    private func setDisabled(_ disabled: Bool, _ req: Request) async throws -> Response {
        let username = req.parameters.get("username") ?? ""
        do {
            let result = try await req.accounts.setDisabled(disabled, username: username, actingAs: try req.actor.username, by: req.auditActor)
            let notice = switch (disabled, result.changed) {
            case (true, true): "已停用用户 \(username)：其登录已全部退出，API 令牌已全部撤销。"
            case (true, false): "用户 \(username) 已是停用状态。"
            case (false, true): "已启用用户 \(username)：可以重新登录（原有 API 令牌仍为撤销状态，需要时请本人新建）。"
            case (false, false): "用户 \(username) 未被停用。"
            }
            return try await render(req, filter: Self.filter(req), Outcome(notice: notice))
        } catch let error as AuthError {
            return try await render(req, filter: Self.filter(req), Outcome(error: error.message, status: HTTPResponseStatus(statusCode: error.status)))
        }
    }
}
