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
}
