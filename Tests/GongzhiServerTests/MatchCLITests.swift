import Foundation
import GongzhiTestSupport
import Testing

@Suite("gongzhi match", .serialized)
struct MatchCLITests {
    @Test("match --json prints the rule, the periods and a lead for every sale with no deed tax; a re-run adds none")
    func matchJSON() throws {
        // given: S01's house sales (HOU-001 2024-03) and no deed-tax records at all
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["GONGZHI_DB": dir.appendingPathComponent("db.sqlite").path, "GONGZHI_FILES": dir.appendingPathComponent("files").path]
        let s01 = try #require(ContractCase.samples().first { $0.name.hasPrefix("S01") })
        let imported = try CLITests.run(["import", s01.file.path, "--indicator", "HOU-001", "--period", "2024-03"], environment: env)
        #expect(imported.status == 0, Comment(rawValue: imported.stderr))
        let sales = try s01.expectedRecords().filter { ($0["values"] as? [String: Any])?["transfer_type"] as? String == "买卖" }
        // when
        let run = try CLITests.run(["match", "--rule", "deed-tax", "--from", "2024-03", "--to", "2024-03", "--json"], environment: env)
        // then
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout: \(run.stdout)")
        #expect(json["rule"] as? String == "deed-tax")
        #expect(json["version"] as? Int == 1)
        #expect(json["from"] as? String == "2024-03")
        #expect(json["to"] as? String == "2024-03")
        let leads = try #require(json["leads"] as? [[String: Any]])
        #expect(!sales.isEmpty)
        #expect(leads.count == sales.count)
        #expect(json["leads_added"] as? Int == sales.count)
        #expect(leads.allSatisfy { $0["kind"] as? String == "no_match" && $0["confidence"] as? String == "identifier" })
        #expect(leads.allSatisfy { (($0["left"] as? [String: Any])?["values"] as? [String: Any])?["buyer_id_no"] is String })
        #expect(leads.allSatisfy { ($0["right"] as? [Any])?.isEmpty == true && $0["estimated_tax"] is NSNumber })

        // when: again
        let again = try CLITests.run(["match", "--rule", "deed-tax", "--from", "2024-03", "--to", "2024-03", "--json"], environment: env)
        let againJSON = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(againJSON["leads_added"] as? Int == 0)
        #expect((againJSON["leads"] as? [Any])?.count == sales.count)
    }

    @Test("an unknown rule or a bad period is refused with a message, exit 1")
    func refusals() throws {
        let dir = try CLITests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["GONGZHI_DB": dir.appendingPathComponent("db.sqlite").path, "GONGZHI_FILES": dir.appendingPathComponent("files").path]
        let s01 = try #require(ContractCase.samples().first { $0.name.hasPrefix("S01") })
        _ = try CLITests.run(["import", s01.file.path, "--indicator", "HOU-001", "--period", "2024-03"], environment: env)
        let unknown = try CLITests.run(["match", "--rule", "nope", "--from", "2024-03", "--to", "2024-03"], environment: env)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("deed-tax"))
        let period = try CLITests.run(["match", "--rule", "deed-tax", "--from", "2024/03", "--to", "2024-03"], environment: env)
        #expect(period.status == 1)
        #expect(period.stderr.contains("2024Q1"))
    }
}
