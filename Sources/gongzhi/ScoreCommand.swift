import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiServer

/// `gongzhi score`: the quarterly assessment (附件2 考核评分表).
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a unit's quarter on the assessment table (附件2 考核评分表).",
        discussion: """
        gongzhi score --facts FILE [--json]
          scores one facts object (fixtures/scoring/README.md schema); no database is opened.
          Exit status: 0 scored, 2 the facts are invalid ({"error": FIELD, …} with --json), 1 any other failure.
        gongzhi score --quarter 2024Q1 [--unit housing] [--as-of 2024-05-01] [--by NAME] [--json]
          gathers each unit's facts for the quarter from the platform as of the day (default today), scores them
          and stores the run (earlier runs are kept). --json prints {run_id, quarter, as_of, scorecards: [...]},
          each scorecard with a "facts" key holding the facts it was computed from (the --facts schema).
        """)

    @Option(help: "A facts file (UTF-8 JSON) for one unit and one quarter.")
    var facts: String?

    @Option(help: "The quarter to assess from the platform's data, e.g. 2024Q1.")
    var quarter: String?

    @Option(help: "With --quarter: one unit (e.g. housing); every assessed unit when omitted.")
    var unit: String?

    @Option(name: .customLong("as-of"), help: "With --quarter: the day to gather facts as of, yyyy-mm-dd (default: today, China Standard Time).")
    var asOf: String?

    @Option(help: "With --quarter: who runs the assessment (stored with the run).")
    var by: String = "cli"

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if (facts == nil) == (quarter == nil) { throw ValidationError("请给出 --facts FILE 或 --quarter 2024Q1 之一。") }
        if facts != nil, unit != nil || asOf != nil { throw ValidationError("--unit 和 --as-of 只能与 --quarter 一起使用。") }
    }

    func run() async throws {
        if let facts { return try scoreFacts(path: facts) }
        AppRunner.bootstrapLogging(level: .warning)
        do {
            let quarter = try AssessmentService.quarter(quarter ?? "")
            let asOf = try asOf.map { try ReportingService.date($0) }
            let run = try await AppRunner.withApp(existingDatabase: true) { app in
                try await AssessmentService(database: app.db, clock: app.gongzhi.clock)
                    .run(quarter: quarter, unit: unit, asOf: asOf, ranBy: by, actor: .commandLine())
            }
            let lastDeadline = run.scores.flatMap { $0.facts.tasks.map(\.deadline) }.max()
            if let lastDeadline, lastDeadline >= run.asOf {
                printError("注意：截至 \(run.asOf.isoString)，本季度还有任务未到截止日期（最晚 \(lastDeadline.isoString)），尚未报送的按未报计；可在截止后再次考核。")
            }
            if json {
                print(AssessmentService.json(run).serialized(pretty: true))
            } else {
                print("已完成 \(run.quarter.chineseName) 考核（截至 \(run.asOf.isoString)），共 \(run.scores.count) 个单位；考核批次 \(run.id.uuidString.lowercased())")
                for score in run.scores.sorted(by: { $0.scorecard.total > $1.scorecard.total }) {
                    print("\(score.unit)\t\(score.scorecard.total.roundedText())\t基本项 \(score.scorecard.base.roundedText())\t未报 \(score.scorecard.missedTasks)\t缓报 \(score.scorecard.lateDays) 天")
                }
            }
        } catch let error as ReportingError {
            printError(error.message)
            throw ExitStatus.failure
        } catch let error as AssessmentFactsError {
            printError(error.description)
            throw ExitStatus.failure
        }
    }

    func scoreFacts(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            printError("无法读取考核事实文件：\(path)")
            throw ExitStatus.failure
        }
        do {
            let text = String(decoding: data, as: UTF8.self)
            let parsed = try AssessmentFacts(jsonText: text)
            let card = try AssessmentScoring.score(parsed)
            print(json ? card.json.serialized(pretty: true) : AssessmentExplanation.text(facts: parsed, card: card))
        } catch let error as AssessmentFactsError {
            if json { print(error.json.serialized(pretty: true)) } else { printError(error.description) }
            throw ExitStatus.refused
        }
    }
}
