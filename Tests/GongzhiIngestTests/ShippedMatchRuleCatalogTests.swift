import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiTestSupport
import Testing

@Suite("Shipped matching rules against the catalog")
struct ShippedMatchRuleCatalogTests {
    @Test("every field a shipped rule names exists in catalog.yaml with the type its use needs",
          arguments: ShippedMatchRules.all.map(\.code))
    func ruleFieldsExist(_ code: String) throws {
        // given
        let yaml = try String(contentsOf: SharedData.catalogFile, encoding: .utf8)
        let catalog = try CatalogLoader.catalog(yaml: yaml)
        let rule = try #require(ShippedMatchRules.rule(code: code))
        // when / then
        #expect(rule.problems(in: catalog) == [])
        #expect(rule.problems(in: try CatalogLoader.seedCatalog()) == [])
    }
}
