import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gongzhi user …`: accounts (issue 5). The first admin is created here; later users too.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Create, list, unlock, reset, disable and enable users.",
        subcommands: [Create.self, List.self, Unlock.self, ResetPassword.self, Disable.self, Enable.self])

    /// `gongzhi user create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a user of one unit with one or more roles.",
            discussion: """
            gongzhi user create --admin --username U --display-name N [--unit info-center] [--password-stdin]
              an info-center admin (the first one is created this way).
            gongzhi user create --username U --unit housing --role reporter[,unit_head] [--display-name N] [--password-stdin]
              roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).
            The password (at least \(PasswordPolicy.minimumLength) characters) is read from standard input with
            --password-stdin, else asked for without echo on a terminal.
            """)

        @Flag(help: "Create an info-center admin (role admin; unit info-center unless --unit says otherwise).")
        var admin = false

        @Option(help: "Login name: letters, digits, '.', '_' and '-'.")
        var username: String

        @Option(name: .customLong("display-name"), help: "Name shown in the page header (default: the username).")
        var displayName: String?

        @Option(help: "The member unit's code, e.g. housing (default for --admin: info-center).")
        var unit: String?

        @Option(help: "Roles, comma-separated, e.g. reporter,unit_head.")
        var role: String?

        @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.")
        var passwordStdin = false

        func roles() throws -> Set<Role> {
            var roles: Set<Role> = admin ? [.admin] : []
            for text in (role ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
                guard let r = Role(rawValue: text) else {
                    throw ValidationError("未知角色“\(text)”：可用角色为 " + Role.allCases.map(\.rawValue).joined(separator: "、"))
                }
                roles.insert(r)
            }
            return roles
        }

        func validate() throws {
            if try roles().isEmpty { throw ValidationError("请用 --role 给出角色（如 reporter），或用 --admin 创建管理员。") }
            if !admin && unit == nil { throw ValidationError("请用 --unit 给出用户所属单位的编码（如 housing）。") }
        }

        func run() async throws {
            AppRunner.bootstrapLogging(level: .warning)
            guard let password = Self.readPassword(fromStandardInput: passwordStdin) else {
                printError("请提供密码：用 --password-stdin 从标准输入读取，或在终端中运行以便输入密码。")
                throw ExitStatus.failure
            }
            let new = AccountService.NewUser(username: username, displayName: displayName ?? username,
                                             unitCode: unit ?? SubmissionService.proxyUnit, roles: try roles(), password: password)
            do {
                let user = try await AppRunner.withApp { app in try await app.accounts.createUser(new, by: .commandLine()) }
                print("已创建用户 \(user.username)（\(user.displayName)，单位 \(user.unitCode)，角色 \(user.roles)）。")
            } catch let error as AuthError {
                printError(error.message)
                throw ExitStatus.failure
            }
        }

        /// The password: the first line of standard input with `--password-stdin`; else typed twice without
        /// echo on a terminal; else `nil`.
        static func readPassword(fromStandardInput: Bool) -> String? {
            if fromStandardInput {
                guard let line = readLine(strippingNewline: true) else { return nil }
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            guard isatty(STDIN_FILENO) == 1 else { return nil }
            guard let first = readHidden("密码："), let second = readHidden("再输入一次：") else { return nil }
            guard first == second else {
                printError("两次输入的密码不一致。")
                return nil
            }
            return first
        }

        /// One line from the terminal with echo turned off.
        static func readHidden(_ prompt: String) -> String? {
            FileHandle.standardError.write(Data(prompt.utf8))
            var saved = termios()
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
            defer {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            return readLine(strippingNewline: true)
        }
    }

    /// `gongzhi user list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List users: username, name, unit, roles, state.")

        func run() async throws {
            AppRunner.bootstrapLogging(level: .warning)
            let (users, now) = try await AppRunner.withApp { app in
                (try await UserRepository(database: app.db).list(), app.gongzhi.clock.now())
            }
            for user in users {
                let state = user.disabled ? "已停用" : user.isLocked(at: now) ? "锁定至 " + PlatformClock.display(user.lockedUntil!) : "正常"
                print([user.username, user.displayName, user.unitCode, user.roles, state].joined(separator: "\t"))
            }
            if users.isEmpty { print("还没有用户：用 gongzhi user create --admin 创建第一个管理员。") }
        }
    }

    /// `gongzhi user unlock`: lifts a sign-in lock-out (issue 9), audit-logged as the command's user.
    struct Unlock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unlock",
            abstract: "Lift an account's sign-in lock, or an address's throttling.",
            discussion: """
            gongzhi user unlock --username U      lifts the lock of account U and clears its failure count.
            gongzhi user unlock --address A       lets sign-ins from client address A through again.
            Both are recorded in the audit log (lockout_cleared).
            """)

        @Option(help: "The login name of the locked account.")
        var username: String?

        @Option(help: "A throttled client address, as the lock-out page shows it.")
        var address: String?

        func validate() throws {
            if (username ?? "").isEmpty && address == nil { throw ValidationError("请用 --username 给出要解锁的用户名，或用 --address 给出地址。") }
        }

        func run() async throws {
            AppRunner.bootstrapLogging(level: .warning)
            let username = username, address = address
            try await AppRunner.withApp(existingDatabase: true) { app in
                if let username, !username.isEmpty {
                    guard try await app.accounts.unlock(username: username, by: .commandLine()) else {
                        printError("没有用户名为“\(username)”的用户。")
                        throw ExitStatus.failure
                    }
                    print("已解除用户 \(username) 的登录锁定。")
                }
                if let address {
                    let forgotten = try await app.accounts.clearThrottle(address: address, by: .commandLine())
                    print("已解除地址 \(address) 的登录限制（清除 \(forgotten) 次失败记录）。")
                }
            }
        }
    }

    /// `gongzhi user reset-password`: a temporary password the user must change at the next sign-in (issue 10).
    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Set a temporary password that the user must change at the next sign-in.",
            discussion: """
            gongzhi user reset-password --username U [--password-stdin]
              with --password-stdin the temporary password is the first line of standard input (at least
              \(PasswordPolicy.minimumLength) characters, not the username); without it one is generated and printed once.
            Every session of the user ends and a sign-in lock is lifted. Recorded in the audit log (password_reset).
            """)

        @Option(help: "The login name.")
        var username: String

        @Flag(name: .customLong("password-stdin"), help: "Read the temporary password from the first line of standard input.")
        var passwordStdin = false

        func run() async throws {
            AppRunner.bootstrapLogging(level: .warning)
            var given: String? = nil
            if passwordStdin {
                guard let line = Create.readPassword(fromStandardInput: true), !line.isEmpty else {
                    printError("标准输入中没有密码：请在第一行给出临时密码，或去掉 --password-stdin 由平台生成。")
                    throw ExitStatus.failure
                }
                given = line
            }
            let username = username, password = given
            do {
                let reset = try await AppRunner.withApp(existingDatabase: true) { app in
                    try await app.accounts.resetPassword(of: username, to: password, by: .commandLine())
                }
                if reset.generated {
                    print("已重置用户 \(reset.username) 的密码。临时密码（只显示这一次）：\(reset.password)")
                } else {
                    print("已重置用户 \(reset.username) 的密码。")
                }
                print("该用户下次登录时须修改密码；其登录已全部退出。")
            } catch let error as AuthError {
                printError(error.message)
                throw ExitStatus.failure
            }
        }
    }

    /// `gongzhi user disable`: the account can no longer sign in; its sessions end and its API tokens are revoked.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable",
            abstract: "Disable an account: no sign-in; its sessions end and its API tokens are revoked.",
            discussion: "Recorded in the audit log (account_disabled). Undo with gongzhi user enable.")

        @Option(help: "The login name.")
        var username: String

        func run() async throws {
            try await UserCommand.setDisabled(true, username: username)
        }
    }

    /// `gongzhi user enable`: a disabled account may sign in again.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable",
            abstract: "Enable a disabled account again (its revoked API tokens stay revoked).",
            discussion: "Recorded in the audit log (account_enabled).")

        @Option(help: "The login name.")
        var username: String

        func run() async throws {
            try await UserCommand.setDisabled(false, username: username)
        }
    }

    /// Disables or enables `username` as the command's user, printing what happened.
    static func setDisabled(_ disabled: Bool, username: String) async throws {
        AppRunner.bootstrapLogging(level: .warning)
        do {
            let changed = try await AppRunner.withApp(existingDatabase: true) { app in
                try await app.accounts.setDisabled(disabled, username: username, by: .commandLine()).changed
            }
            switch (disabled, changed) {
            case (true, true): print("已停用用户 \(username)：其登录已全部退出，API 令牌已全部撤销。")
            case (true, false): print("用户 \(username) 已是停用状态。")
            case (false, true): print("已启用用户 \(username)。")
            case (false, false): print("用户 \(username) 未被停用。")
            }
        } catch let error as AuthError {
            printError(error.message)
            throw ExitStatus.failure
        }
    }
}
