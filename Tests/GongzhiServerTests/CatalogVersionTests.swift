import Fluent
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor

@Suite("Catalog versions", .serialized)
struct CatalogVersionTests {
    @Test("the seed catalog is loaded on first start: 50 units, 3 operators, 183 indicators")
    func seedIsLoaded() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let repository = CatalogRepository(database: app.db)
            #expect(try await repository.currentVersion()?.version == "2017.1")
            #expect(try await repository.units().filter { !$0.isOperator }.count == 50)
            #expect(try await repository.units().filter(\.isOperator).count == 3)
            #expect(try await repository.currentIndicators().count == 183)
        }
    }

    @Test("loading a new version keeps earlier submissions with their labels; loading the same text again changes nothing")
    func newVersionDoesNotRelabel() async throws {
        try await AppHarness.withApp { app, _ async throws in
            // given a submission under the seed catalog
            let contract = try #require(ContractCase.samples().first { $0.name.hasPrefix("S04") })
            let before = try await app.submissions.submit(
                file: contract.file, fileName: contract.file.lastPathComponent, indicatorCode: "CON-003",
                period: "2024-03", by: .commandLine(unit: "urban-construction"))
            // when a revised catalog renames the indicator and relabels a field
            var yaml = try CatalogLoader.seedCatalogYAML()
            yaml = yaml.replacingOccurrences(of: "version: \"2017.1\"", with: "version: \"2019.1\"")
            yaml = yaml.replacingOccurrences(of: "name: 建筑工程施工许可证发放", with: "name: 建筑工程施工许可证核发")
            let service = CatalogService(database: app.db, clock: app.gongzhi.clock)
            let outcome = try await service.load(yaml: yaml, by: .commandLine())
            // then
            #expect(outcome == .loaded(version: "2019.1", indicators: 183, units: 53))
            #expect(try await service.load(yaml: yaml, by: .commandLine()) == .unchanged(version: "2019.1"))
            let repository = CatalogRepository(database: app.db)
            #expect(try await repository.versions().count == 2)
            #expect(try await repository.currentIndicator(code: "CON-003")?.indicator.name == "建筑工程施工许可证核发")
            let submission = try #require(try await SubmissionRepository(database: app.db).find(before.submissionID))
            #expect(submission.indicatorName == "建筑工程施工许可证发放")
            let old = try #require(try await IndicatorRecord.find(submission.$indicator.id, on: app.db))
            #expect(old.name == "建筑工程施工许可证发放")
            #expect(try await old.$catalogVersion.get(on: app.db).version == "2017.1")
            #expect(try await SubmissionRepository(database: app.db).records(of: submission, page: 1, per: 100).total == 60)
        }
    }

    @Test("an invalid catalog is refused whole and names its problems")
    func invalidCatalogIsRefused() async throws {
        try await AppHarness.withApp { app, _ async throws in
            var yaml = try CatalogLoader.seedCatalogYAML()
            yaml = yaml.replacingOccurrences(of: "    unit: housing\n", with: "    unit: no-such-unit\n")
            await #expect(throws: CatalogError.self) {
                _ = try await CatalogService(database: app.db, clock: app.gongzhi.clock).load(yaml: yaml, by: .commandLine())
            }
            #expect(try await CatalogRepository(database: app.db).versions().count == 1)
        }
    }
}
