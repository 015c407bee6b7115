import ArgumentParser
import Foundation
import GongzhiCore

/// `gongzhi score`: the quarterly assessment (附件2 考核评分表).
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a unit's quarter on the assessment table (附件2 考核评分表).",
        discussion: """
        gongzhi score --facts FILE [--json]
          scores one facts object (fixtures/scoring/README.md schema); no database is opened.
          Exit status: 0 scored, 2 the facts are invalid ({"error": FIELD, …} with --json), 1 any other failure.
        """)

    @Option(help: "A facts file (UTF-8 JSON) for one unit and one quarter.")
    var facts: String?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if facts == nil { throw ValidationError("请给出 --facts FILE。") }
    }

    func run() async throws {
        if let facts { try scoreFacts(path: facts) }
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
