import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiServer

/// `gongzhi tasks`: reporting tasks and where they stand (附件2 数据归集周期).
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List reporting tasks with deadline and status (open, on_time, late, missed, zero_data).",
        discussion: """
        gongzhi tasks --unit housing --period 2024Q1 [--as-of 2024-05-01] [--json]
          every task whose period lies inside --period: a month holds its monthly tasks, a quarter also its
          quarterly ones, a year also its yearly ones.
        gongzhi tasks --overdue --as-of 2024-05-01 [--since 2023] [--unit housing] [--json]
          the tasks missed as of the day (deadline passed, nothing that counts filed), from --since
          (default: the start of the year before --as-of).
        """)

    @Option(help: "Unit code (e.g. housing); all units when omitted.")
    var unit: String?

    @Option(help: "A month (2024-03), quarter (2024Q1) or year (2024).")
    var period: String?

    @Flag(help: "List the missed tasks instead.")
    var overdue = false

    @Option(name: .customLong("as-of"), help: "The day to judge on, yyyy-mm-dd (default: today, China Standard Time).")
    var asOf: String?

    @Option(help: "With --overdue: the first period to look at (default: the year before --as-of).")
    var since: String?

    @Flag(help: "Print a JSON array of {unit, indicator, period, deadline, status, days_late, …}.")
    var json = false

    func validate() throws {
        if overdue == (period != nil) {
            throw ValidationError("请给出 --period（如 2024Q1）或 --overdue 之一。")
        }
    }

    func run() async throws {
        AppRunner.bootstrapLogging(level: .warning)
        do {
            let rows = try await AppRunner.withApp(existingDatabase: true) { app in
                let service = app.gongzhi.reporting(on: app.db)
                let asOf = try asOf.map { try ReportingService.date($0) }
                if overdue {
                    return try await service.overdue(asOf: asOf, since: try since.map { try ReportingService.period($0) }, unit: unit)
                }
                return try await service.tasks(within: try ReportingService.period(period ?? ""), unit: unit, asOf: asOf)
            }
            if json {
                print(JSONValue.array(rows.map(\.json)).serialized(pretty: true))
            } else {
                for row in rows {
                    let t = row.state.task
                    print([t.unit, t.indicator, t.period.description, "截止 " + t.deadline.isoString, row.state.status.chineseName,
                           row.indicatorName].joined(separator: "\t"))
                }
                if rows.isEmpty { print(overdue ? "没有逾期未报的任务。" : "该期没有报送任务。") }
            }
        } catch let error as ReportingError {
            printError(error.message)
            throw ExitStatus.failure
        }
    }
}
