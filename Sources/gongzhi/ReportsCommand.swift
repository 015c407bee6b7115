import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiServer

/// `gongzhi reports`: the reports consuming units owe (附件1 第十二条).
struct ReportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Usage and effectiveness reports (数据使用报告, 应用成效报告) and the suspension of sharing.",
        subcommands: [ReportsCheckCommand.self])
}

/// `gongzhi reports check [--as-of DATE] [--json]`: the suspension check the server runs daily, run now.
struct ReportsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Suspend the sharing of units with no effectiveness report for two years; reinstate those that filed.",
        discussion: """
        gongzhi reports check [--as-of 2026-02-01] [--json]
          judges every consuming unit (one that ever held a grant) on the day: a unit whose two latest years due
          (deadline GONGZHI_EFFECTIVENESS_DUE, default 01-31 of the following year, passed) both lack a report is
          suspended; a suspended unit that no longer is gets reinstated. Each change is audit-logged.
          --json prints [{"unit", "change": "suspend" | "reinstate", "missed_years": [YEAR, YEAR]}].
          Exit status: 0 ran, 1 any failure (a malformed date).
        """)

    @Option(name: .customLong("as-of"), help: "The day to judge on, yyyy-mm-dd (default: today, China Standard Time).")
    var asOf: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        AppRunner.bootstrapLogging(level: .warning)
        do {
            let day = try asOf.map { try ReportingService.date($0) }
            let findings = try await AppRunner.withApp(existingDatabase: true) { app in
                try await app.gongzhi.effectiveness(on: app.db).check(asOf: day, by: .commandLine())
            }
            if json {
                print(JSONValue.array(findings.map(EffectivenessService.json)).serialized(pretty: true))
            } else {
                for finding in findings {
                    switch finding.change {
                    case .suspend(let years): print("\(finding.unit)\t暂停共享\t\(years.map(String.init).joined(separator: "、")) 年度未报应用成效报告")
                    case .reinstate: print("\(finding.unit)\t恢复共享")
                    case .none: break
                    }
                }
                if findings.isEmpty { print("没有需要暂停或恢复共享的单位。") }
            }
        } catch let error as ReportingError {
            printError(error.message)
            throw ExitStatus.failure
        }
    }
}
