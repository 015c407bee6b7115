import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiServer

/// `gongzhi match`: runs a cross-matching rule in the database (信息比对, issue 12 §3).
struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Run a cross-matching rule over the platform's records and list its tax leads (信息比对).",
        discussion: """
        gongzhi match --rule R --from P --to P [--json]
          runs rule R (deed-tax, property-registration-deed-tax, vehicle-purchase-tax, deregistration-clearance,
          out-of-town-builder, rental-income) over the left indicator's records of the periods starting from P to P
          (2024-01, 2024Q1 or 2024), against the right records of every current submission. Running the same rule
          version again adds no lead twice. --json prints {"rule", "version", "from", "to", "leads": [{"kind",
          "confidence", "estimated_tax", "left": {"indicator", "record_id", "values": {FIELD: canonical value}},
          "right": [...]}]} with every lead of the rule version over those periods, highest estimated tax first.
          Exit status: 0 ran, 1 any failure (unknown rule, bad period, rule not runnable).
        """)

    @Option(help: "The rule code, e.g. deed-tax.")
    var rule: String

    @Option(help: "The first reporting period, e.g. 2024-01.")
    var from: String

    @Option(help: "The last reporting period, e.g. 2024-03.")
    var to: String

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        AppRunner.bootstrapLogging(level: .warning)
        do {
            let from = try MatchingService.period(from)
            let to = try MatchingService.period(to)
            let code = rule
            let (run, leads) = try await AppRunner.withApp(existingDatabase: true) { app in
                let service = MatchingService(database: app.db, clock: app.gongzhi.clock)
                let rule = try await service.rule(code: code)
                let run = try await service.run(rule: rule, from: from, to: to, by: .commandLine())
                return (run, try await service.leads(of: rule, periods: run.leftPeriods))
            }
            if json {
                print(MatchingService.json(run, leads: leads).serialized(pretty: true))
            } else {
                print("规则 \(run.rule.code) 第 \(run.rule.version) 版（\(run.state.chineseName)）：\(run.from)–\(run.to) 比对左侧记录 \(run.leftRecords) 条，新增线索 \(run.leadsAdded) 条，共 \(leads.count) 条")
                for lead in leads {
                    print("\(lead.id)\t\(lead.kind.chineseName)\t\(MatchingService.yuan(fen: lead.estimatedTaxFen)) 元\t\(lead.left.indicator) 记录 \(lead.left.recordID)\t右侧 \(lead.right.count) 条")
                }
            }
        } catch let error as MatchingError {
            printError(error.message)
            throw ExitStatus.failure
        }
    }
}
