import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiTestSupport
import Testing

/// Every shared sample and real-world case gives exactly its expected.json and records.jsonl through the
/// importer the CLI and the web upload use.
@Suite("Import contract")
struct ContractTests {
    static let divisions = try! CatalogLoader.divisions()

    @Test("department samples", arguments: ContractCase.samples())
    func sample(_ contract: ContractCase) async throws {
        try await check(contract)
    }

    @Test("real-world cases", arguments: ContractCase.realworld())
    func realworld(_ contract: ContractCase) async throws {
        try await check(contract)
    }

    @Test func sharedDataIsFound() {
        #expect(ContractCase.samples().count == 11)
        #expect(ContractCase.realworld().count == 8)
    }

    func check(_ contract: ContractCase) async throws {
        // given
        let job = ImportJob(indicator: contract.indicator, period: contract.period, fileName: contract.file.lastPathComponent,
                            identifiers: IdentifierValidator(divisions: Self.divisions, today: SharedData.today), batchSize: 7)
        var records: [AcceptedRecord] = []
        // when
        let report = try await SubmissionImporter.run(file: contract.file, job: job) { batch in records += batch.records }
        let json = report.contractJSON(records: .array(records.map { $0.contractJSON(fields: contract.indicator.fields) }))
        let actual = try JSONSerialization.jsonObject(with: Data(json.serialized().utf8)) as! [String: Any]
        // then
        let differences = ContractComparison.differences(actual: actual, expected: try contract.expectedJSON(),
                                                         decimalFields: contract.decimalFields)
        #expect(differences.isEmpty, Comment(rawValue: "\(contract.name):\n" + differences.joined(separator: "\n")))
        let recordDifferences = ContractComparison.recordDifferences(
            actual: actual["records"] as? [[String: Any]] ?? [], expected: try contract.expectedRecords(),
            decimalFields: contract.decimalFields)
        #expect(recordDifferences.isEmpty, Comment(rawValue: "\(contract.name) records:\n" + recordDifferences.joined(separator: "\n")))
        #expect(report.errors.count == (actual["error_messages"] as? [String])?.count)
        #expect(report.errors.allSatisfy { !$0.message.isEmpty })
    }
}

@Suite("Contract comparison")
struct ContractComparisonTests {
    @Test func reportsEveryKindOfDifference() throws {
        // given: S01's expected result compared against S02's
        let cases = ContractCase.samples()
        let s01 = try #require(cases.first { $0.name.hasPrefix("S01") })
        let s02 = try #require(cases.first { $0.name.hasPrefix("S02") })
        // when
        let differences = ContractComparison.differences(actual: try s02.expectedJSON(), expected: try s01.expectedJSON(),
                                                         decimalFields: s01.decimalFields)
        let recordDifferences = ContractComparison.recordDifferences(actual: try s02.expectedRecords(), expected: try s01.expectedRecords(),
                                                                     decimalFields: s01.decimalFields)
        // then
        #expect(differences.contains { $0.hasPrefix("period") })
        #expect(differences.contains { $0.hasPrefix("rows_total") })
        #expect(differences.contains { $0.hasPrefix("errors") })
        #expect(!recordDifferences.isEmpty)
    }

    @Test func decimalsCompareAsDecimalsButBooleansAreNotNumbers() {
        #expect(ContractComparison.recordDifferences(
            actual: [["row": 3, "values": ["area": "256.9"]]], expected: [["row": 3, "values": ["area": "256.90"]]],
            decimalFields: ["area"]).isEmpty)
        #expect(!ContractComparison.same(NSNumber(value: true), NSNumber(value: 1)))
        #expect(!ContractComparison.same("256.9", "256.90"))
    }
}
