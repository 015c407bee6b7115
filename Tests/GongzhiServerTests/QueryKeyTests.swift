import Fluent
import Foundation
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import SQLKit
import Testing
import Vapor

@Suite("Query keys beside the JSON payload")
struct QueryKeyTests {
    @Test("identifiers, period and jurisdiction of every stored record are indexed keys")
    func keysAreWritten() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given
            let contract = try #require(ContractCase.samples().first { $0.name.hasPrefix("S01") })
            let expected = try contract.expectedRecords()
            // when
            let outcome = try await app.submissions.submit(
                file: contract.file, fileName: contract.file.lastPathComponent, indicatorCode: "HOU-001",
                period: "2024-03", by: .commandLine(unit: "housing"))
            // then: every identifier of every accepted row is a key
            let sql = try #require(app.db as? any SQLDatabase)
            let idFields = ["buyer_id_no", "seller_id_no"]
            let expectedKeys = expected.reduce(0) { count, record in
                let values = record["values"] as? [String: Any] ?? [:]
                return count + idFields.filter { values[$0] is String }.count
            }
            let keyCount = try await sql.raw("SELECT COUNT(*) AS n FROM record_keys WHERE submission_id = \(bind: outcome.submissionID)")
                .first()?.decode(column: "n", as: Int.self)
            #expect(keyCount == expectedKeys)
            // a buyer is found by identifier, with the row it came from
            let first = try #require(expected.first)
            let buyer = try #require((first["values"] as? [String: Any])?["buyer_id_no"] as? String)
            let hit = try await sql.raw("""
                SELECT r.row_number AS row, r.period AS period FROM record_keys k
                JOIN records r ON r.submission_id = k.submission_id AND r.row_number = k.row_number
                WHERE k.value = \(bind: buyer) AND k.field = 'buyer_id_no'
                """).first()
            #expect(try hit?.decode(column: "row", as: Int.self) == first["row"] as? Int)
            #expect(try hit?.decode(column: "period", as: String.self) == "2024-03")
            // records of one jurisdiction and period
            let guangling = expected.filter { ($0["values"] as? [String: Any])?["division_code"] as? String == "321002" }.count
            let stored = try await sql.raw("""
                SELECT COUNT(*) AS n FROM records WHERE division_code = '321002' AND period = '2024-03' AND indicator_code = 'HOU-001'
                """).first()?.decode(column: "n", as: Int.self)
            #expect(guangling > 0)
            #expect(stored == guangling)
        }
    }
}
