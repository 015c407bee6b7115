import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiTestSupport
import Testing

@Suite("Catalog loader")
struct CatalogLoaderTests {
    @Test("the shipped seed catalog equals the shared one, byte for byte and as parsed")
    func shippedCatalogEqualsShared() throws {
        let shipped = try CatalogLoader.seedCatalogYAML()
        let shared = try String(contentsOf: SharedData.catalogFile, encoding: .utf8)
        #expect(shipped == shared)
        let catalog = try CatalogLoader.seedCatalog()
        #expect(catalog == (try CatalogLoader.catalog(yaml: shared)))
        #expect(catalog.units.count == 50)
        #expect(catalog.operators.count == 3)
        #expect(catalog.indicators.count == 183)
        #expect(catalog.indicators.reduce(0) { $0 + $1.fields.count } == 1893)
        #expect(catalog.indicators.allSatisfy { $0.fields.contains { $0.key == "division_code" && $0.required } })
        let withheld = catalog.indicators.filter { $0.sharing == .withheld }
        #expect(!withheld.isEmpty && withheld.allSatisfy { !($0.legalBasis ?? "").isEmpty })
        #expect(catalog.deadlines[.yearly] == DeadlineRule(monthsAfterPeriodEnd: 1, day: 20, rule: "当年数据需在次年1月20日前报送完毕"))
        #expect(catalog.deadlines[.quarterly]?.rule == "当季数据需在下一季度第一个月20日前报送完毕")
    }

    @Test("a catalog with a deadline for an unknown collection period is refused")
    func unknownDeadlinePeriod() throws {
        let yaml = try CatalogLoader.seedCatalogYAML().replacingOccurrences(of: "\n  yearly: {months_after_period_end", with: "\n  weekly: {months_after_period_end")
        #expect(throws: (any Error).self) { try CatalogLoader.catalog(yaml: yaml) }
    }

    @Test("the shipped division list equals the shared one")
    func shippedDivisionsEqualShared() throws {
        let registry = try CatalogLoader.divisions()
        #expect(registry.count == 6885)
        #expect(registry.isCurrent("321012"))
        #expect(!registry.isCurrent("321088") && registry.isKnown("321088"))
        let shipped = try Data(contentsOf: #require(Bundle.allBundles.lazy.compactMap { $0.url(forResource: "divisions", withExtension: "csv") }.first
            ?? SharedData.packageRoot.appendingPathComponent("Sources/GongzhiIngest/Resources/divisions.csv")))
        #expect(shipped == (try Data(contentsOf: SharedData.fixtures.appendingPathComponent("divisions.csv"))))
    }

    @Test("an indicator file is taken as is; a broken one names its problem")
    func indicatorFiles() throws {
        let yaml = """
        code: CASE-X
        unit: case
        name: 测试
        period: monthly
        subject: person
        sharing: registered
        fields:
          - {key: name, label: 姓名, type: text, required: true}
          - {key: kind, label: 证件类型, type: enum, values: [居民身份证, 护照]}
          - {key: id_no, label: 证件号码, type: person_id, required: true, id_type_field: kind}
        """
        let indicator = try CatalogLoader.indicator(yaml: yaml)
        #expect(indicator.fields.map(\.key) == ["name", "kind", "id_no"])
        #expect(indicator.field("id_no")?.idTypeField == "kind")
        #expect(throws: CatalogError.self) { try CatalogLoader.indicator(yaml: yaml.replacingOccurrences(of: "type: enum", with: "type: text")) }
        #expect(throws: CatalogError.self) { try CatalogLoader.indicator(yaml: yaml.replacingOccurrences(of: "type: text", with: "type: txet")) }
        #expect(throws: CatalogError.self) { try CatalogLoader.indicator(yaml: "code: [") }
    }
}
