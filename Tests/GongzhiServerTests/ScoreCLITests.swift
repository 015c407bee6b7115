import Foundation
import GongzhiCore
import GongzhiTestSupport
import Testing

/// `gongzhi score --facts` run as the scoring README's contract says. An extension of ``CLITests`` so that it
/// joins that serialized suite: processes started from parallel suites interrupt each other's pipe reads.
extension CLITests {
    @Test("each shared scenario prints its expected result; exit 0, or non-zero with {\"error\": FIELD}",
          arguments: ScoringScenario.all())
    func scoreScenario(_ scenario: ScoringScenario) throws {
        // given
        let expected = try scenario.expectedJSON()
        let invalid: Bool = if case .object(let m) = expected { m.contains { $0.0 == "error" } } else { false }
        // when
        let run = try Self.run(["score", "--facts", scenario.facts.path, "--json"])
        // then
        #expect((run.status == 0) == !invalid, Comment(rawValue: "status \(run.status)\n\(run.stderr)"))
        let printed = try JSONValue.parse(run.stdout)
        let differences = JSONContract.differences(actual: printed, expected: expected)
        #expect(differences.isEmpty, Comment(rawValue: scenario.name + "\n" + differences.joined(separator: "\n")))
        // every number printed has at most 2 decimals
        for number in run.stdout.split(whereSeparator: { !"0123456789.-".contains($0) }) where number.contains(".") {
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            #expect(parts.count != 2 || parts[1].count <= 2, Comment(rawValue: String(number)))
        }
    }

    @Test("without --json: a readable scorecard with its explained deductions; errors name the field")
    func scoreReadable() throws {
        let scenario = try #require(ScoringScenario.all().first { $0.name.hasPrefix("05") })
        let run = try Self.run(["score", "--facts", scenario.facts.path])
        #expect(run.status == 0)
        #expect(run.stdout.contains("考核得分 71.14"))
        #expect(run.stdout.contains("缓报 2 天：CPB-001 2024-02 截止 03-20，03-22 报送"))
        let bad = try #require(ScoringScenario.all().first { $0.name.hasPrefix("16") })
        let refused = try Self.run(["score", "--facts", bad.facts.path])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("leak_penalty"))
        let missing = try Self.run(["score", "--facts", "/no/such/facts.json", "--json"])
        #expect(missing.status == 1)
    }

    @Test("gongzhi score --quarter --json stores a run whose printed facts give the same scorecard through --facts")
    func scoreQuarter() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["GONGZHI_DB": dir.appendingPathComponent("db.sqlite").path, "GONGZHI_FILES": dir.appendingPathComponent("files").path]
        #expect(try Self.run(["migrate"], environment: env).status == 0)
        let run = try Self.run(["score", "--quarter", "2024Q1", "--unit", "housing", "--as-of", "2024-05-01", "--json"], environment: env)
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        guard case .object(let members) = try JSONValue.parse(run.stdout),
              case .array(let cards)? = members.first(where: { $0.0 == "scorecards" })?.1, cards.count == 1,
              case .object(let card)? = cards.first, let facts = card.first(where: { $0.0 == "facts" })?.1 else {
            Issue.record("unexpected output: \(run.stdout)"); return
        }
        let file = dir.appendingPathComponent("facts.json")
        try facts.serialized(pretty: true).write(to: file, atomically: true, encoding: .utf8)
        let again = try Self.run(["score", "--facts", file.path, "--json"])
        #expect(again.status == 0)
        let differences = JSONContract.differences(actual: try JSONValue.parse(again.stdout), expected: .object(card.filter { $0.0 != "facts" }))
        #expect(differences.isEmpty, Comment(rawValue: differences.joined(separator: "\n")))
        #expect(again.stdout.contains("\"missed_tasks\": 16"))
        // a second run is kept beside the first; a wrong quarter or unit is refused
        #expect(try Self.run(["score", "--quarter", "2024Q1", "--unit", "housing"], environment: env).stdout.contains("共 1 个单位"))
        let early = try Self.run(["score", "--quarter", "2024Q1", "--unit", "housing", "--as-of", "2024-04-10"], environment: env)
        #expect(early.status == 0 && early.stderr.contains("尚未报送的按未报计"))
        #expect(!run.stderr.contains("尚未报送的按未报计"))
        #expect(try Self.run(["score", "--quarter", "2024-03"], environment: env).status == 1)
        #expect(try Self.run(["score", "--quarter", "2024Q1", "--unit", "nope"], environment: env).status == 1)
    }
}
