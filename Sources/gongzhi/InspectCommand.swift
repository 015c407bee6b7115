import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore

/// `gongzhi inspect --month 2024-03 [--json]`: the monthly inspection report (每月巡检, 附件1 第十四条).
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "The monthly inspection report: audit chain, backups, sign-ins, accounts, tokens, grants, downloads, imports, disk.",
        discussion: """
        gongzhi inspect --month 2024-03 [--json]
          Exit 0 when every item is in order, 3 when some item needs attention, 1 on failure.
        """)

    @ArgumentParser.Option(help: "The month inspected, yyyy-mm.")
    var month: String

    @ArgumentParser.Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() async throws {
        AppRunner.bootstrapLogging(level: .warning)
        let report: InspectionReport
        do {
            report = try await AppRunner.withApp(existingDatabase: true) { app in
                let report = try await InspectionService(database: app.db, clock: app.gongzhi.clock, files: app.gongzhi.files).inspect(month: month).report
                try await app.gongzhi.audit(on: app.db).record(.auditView, by: .commandLine(),
                                                               AuditTarget(query: "gongzhi inspect --month \(month)", detail: "inspection"))
                return report
            }
        } catch let error as InspectionService.InspectionError {
            printError(error.description)
            throw ExitStatus.failure
        }
        if json {
            print(String(decoding: try InspectionService.jsonData(report), as: UTF8.self))
        } else {
            print("\(month) 月度巡检报告")
            for item in report.items {
                print("\(item.ok ? "正常" : "注意")  \(item.title)：\(item.summary)")
            }
            for a in report.unusedAccounts { print("  未使用账户：\(a.username)（\(a.unitCode)）") }
            for t in report.staleTokens {
                print("  令牌：\(t.token.username) / \(t.token.name)" + (t.neverUsed ? "，从未使用" : "") + (t.tooOld ? "，超过一年" : ""))
            }
            for g in report.expiredGrants { print("  过期授权：\(g.granteeUnit) \(g.indicatorCode)，\(g.expiresOn) 到期") }
            for s in report.spikes { print("  下载异常：\(s.unitCode) 本月 \(s.count) 次，此前月中位数 \(s.median)") }
        }
        if !report.allClear { throw ExitCode(3) }
    }
}
