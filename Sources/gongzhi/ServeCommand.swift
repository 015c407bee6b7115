import ArgumentParser
import Foundation
import GongzhiCore
import FluentKit
import GongzhiIngest
import GongzhiServer
import GongzhiStore
import Vapor

/// `gongzhi serve`: the web application and JSON API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Start the web server (pages in Chinese, JSON API under /api/v1).")

    @ArgumentParser.Option(help: "Address to listen on.")
    var hostname = "127.0.0.1"

    @ArgumentParser.Option(help: "Port to listen on.")
    var port = 8080

    @ArgumentParser.Option(help: "Seed the demo first: the sample folders in this folder (each with a <INDICATOR>_<PERIOD>.xlsx|csv file, e.g. ../shared/samples), then the demo city — every unit's filings of the last four quarters, synthetic and reproducible — and one account per role.")
    var demo: String?

    func run() async throws {
        AppRunner.bootstrapLogging(level: .info)
        let config = try AppConfig.fromEnvironment()
        let environment = Environment(name: "production", arguments: ["gongzhi", "serve", "--hostname", hostname, "--port", String(port)])
        let app = try await Application.make(environment)
        var history: Task<Void, Never>?
        do {
            try await configure(app, config: config)
            if let demo {
                let started = ContinuousClock.now
                try await DemoData.load(folder: URL(fileURLWithPath: demo), into: app)
                let city = try await DemoCity.file(into: app)
                try await DemoData.createUsers(in: app)
                do {
                    try await DemoCity.share(into: app)
                } catch {
                    app.logger.warning("demo: sharing requests not made: \(error)")
                }
                let seconds = (ContinuousClock.now - started) / .seconds(1)
                app.logger.notice(city.alreadySeeded ? "demo: the demo city is already filed"
                    : "demo: city filed \(city.files) files (\(city.accepted) records accepted, \(city.rejected) rows rejected), \(city.zeroData) zero-data, \(city.missed) tasks missed, in \(String(format: "%.1f", seconds)) s")
                history = Task { await Self.fileHistory(app) }
            }
            if try await UserRecord.query(on: app.db).count() == 0 {
                app.logger.warning("No users yet: create the first admin with `gongzhi user create --admin --username U --display-name N`.")
            }
            app.logger.notice("Gongzhi serving on http://\(hostname):\(port) (database: \(Self.describe(config.database)))")
            try await app.execute()
            history?.cancel()
            await history?.value
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Files the demo city's history before its last four quarters — from January of last year, as far back as
    /// the overdue lists look — while the server already answers (the board and the unit pages show the last
    /// four quarters, filed before it started).
    static func fileHistory(_ app: Application) async {
        let started = ContinuousClock.now
        let today = app.gongzhi.clock.today()
        do {
            let history = try await DemoCity.file(into: app, from: DemoCity.historyStart(today: today), until: DemoCity.firstPeriod(today: today))
            guard !history.alreadySeeded, !Task.isCancelled else { return }
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            app.logger.notice("demo: history from \(DemoCity.historyStart(today: today)) filed: \(history.files) files, \(history.zeroData) zero-data, \(history.missed) tasks missed, in \(String(format: "%.1f", seconds)) s")
        } catch {
            app.logger.warning("demo: history not filed: \(error)")
        }
    }

    static func describe(_ database: AppConfig.DatabaseChoice) -> String {
        switch database {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres: "PostgreSQL"
        }
    }
}

/// Loads sample submissions as demo data, once each (a file already submitted is skipped), but for
/// ``keptFree``; the demo city of recent quarters is ``DemoCity``.
///
/// Each file is filed by its indicator's own unit on a day near its period's deadline — from 6 days early to
/// 7 days late, taken from the file's SHA-256 so the demo is the same every time — so that the status board
/// shows a realistic quarter (e.g. `/board?from=2024-01&to=2024Q1` for the shared samples).
enum DemoData {
    /// Samples the demo leaves unfiled: the README's first upload (`curl … HOU-001_2024-03.xlsx`), which must
    /// succeed on a fresh demo as a first upload does, and which the browser checks file and then correct (补报).
    static let keptFree: Set<String> = ["HOU-001_2024-03"]

    static func load(folder: URL, into app: Application) async throws {
        let fm = FileManager.default
        let existing = Set(try await SubmissionRecord.query(on: app.db).all().map(\.fileSHA256))
        let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
        var files: [URL] = []
        for name in (try fm.contentsOfDirectory(atPath: folder.path)).sorted() {
            let dir = folder.appendingPathComponent(name)
            for file in (try? fm.contentsOfDirectory(atPath: dir.path))?.sorted() ?? [] where file.hasSuffix(".xlsx") || file.hasSuffix(".csv") {
                files.append(dir.appendingPathComponent(file))
            }
        }
        for file in files {
            let stem = file.deletingPathExtension().lastPathComponent
            guard let split = stem.lastIndex(of: "_") else { continue }
            let code = String(stem[..<split]), period = String(stem[stem.index(after: split)...])
            let sha256 = try FileDigest.sha256(of: file)
            guard !existing.contains(sha256), !keptFree.contains(stem), let indicator = catalog.indicator(code: code),
                  let reportingPeriod = ReportingPeriod(period),
                  let task = ReportingCalendar(catalog: catalog).task(for: indicator, period: reportingPeriod) else { continue }
            let offset = Int(UInt8(sha256.prefix(2), radix: 16) ?? 0) % 14 - 6
            let day = task.deadline.adding(days: offset)!
            let filedAt = Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch * 86_400 + 2 * 3600)) // 10:00 in UTC+8
            guard filedAt <= app.gongzhi.clock.now() else { continue }
            do {
                let outcome = try await app.gongzhi.submissions(on: app.db(.imports), clock: .fixed(filedAt))
                    .submit(file: file, fileName: file.lastPathComponent, indicatorCode: code, period: period,
                            by: AuditActor.system.acting(for: indicator.unit))
                app.logger.notice("demo: \(file.lastPathComponent) filed \(day) → \(outcome.report.rowsAccepted)/\(outcome.report.rowsTotal) accepted")
            } catch {
                app.logger.warning("demo: \(file.lastPathComponent) skipped: \(error)")
            }
        }
    }

    /// Demo accounts, one per role, made only by `serve --demo` on a database without users.
    static let demoUsers: [(username: String, name: String, unit: String, role: Role)] = [
        ("admin", "信息中心管理员", "info-center", .admin),
        ("housing.reporter", "房管局报送员", "housing", .reporter),
        ("housing.head", "房管局第一责任人", "housing", .unitHead),
        ("tax.analyst", "地税局分析员", "local-tax", .analyst),
        ("city.approver", "市政府办公室审批人", "city-office", .approver),
        ("auditor", "监督检查员", "tax-office", .auditor),
        ("tax.coordinator", "综合治税办考核员", "tax-office", .coordinator),
        ("tax.officer", "地税局税务比对人员", "local-tax", .taxOfficer),
    ]

    /// On a database without users, creates ``demoUsers`` with one random password, records the tax
    /// bureau's security agreement (so its analyst can ask for data at once), and prints the accounts.
    static func createUsers(in app: Application) async throws {
        guard try await UserRecord.query(on: app.db).count() == 0 else { return }
        let password = AccountService.generatedPassword()
        for user in demoUsers {
            try await app.accounts.createUser(.init(username: user.username, displayName: user.name, unitCode: user.unit,
                                                    roles: [user.role], password: password), by: .system)
        }
        try await app.gongzhi.sharing(on: app.db).recordAgreement(
            unit: "local-tax", signedOn: app.gongzhi.clock.today(), signatory: "地税局局长（演示）", documentName: "数据安全保障协议（演示）.txt",
            document: Data("演示用数据安全保障协议".utf8), by: Principal(userID: "admin", unitCode: "info-center", roles: [.admin]))
        // The demo city's other clerks (`<unit>.reporter`, who file the generated data) are real accounts with the
        // same password, so the audit log and the lists name a person, and each unit's clerk can sign in.
        let shared = try await app.accounts.createUser(.init(username: "public-security.reporter", displayName: "公安局报送员",
                                                              unitCode: "public-security", roles: [.reporter], password: password), by: .system)
        let taken = Set(demoUsers.map(\.username) + [shared.username])
        for unit in try await CatalogRepository(database: app.db).units() where !unit.isOperator {
            let username = unit.code + ".reporter"
            guard !taken.contains(username) else { continue }
            try await UserRepository(database: app.db).create(UserRecord(
                username: username, displayName: (unit.shortName ?? unit.name) + "报送员", unitCode: unit.code,
                roles: UserRecord.storedRoles([.reporter]), passwordHash: shared.passwordHash, createdAt: app.gongzhi.clock.now()))
        }
        let lines = ["演示账号（密码均为 \(password)）："] + demoUsers.map { "  \($0.username)\t\($0.name)（\($0.unit)，\($0.role.rawValue)）" }
            + ["  以及各成员单位的报送员 <单位代码>.reporter（如 public-security.reporter）"]
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

