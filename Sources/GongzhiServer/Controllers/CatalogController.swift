import Fluent
import FluentKit
import GongzhiCore
import GongzhiIngest
import GongzhiStore
import Vapor

/// The catalog by unit, each indicator with its fields and template, and the catalog over the API.
struct CatalogController: Sendable {
    struct UnitItem: Encodable {
        var code: String
        var name: String
        var short: String?
        var indicators: [IndicatorItem]
    }

    struct IndicatorItem: Encodable {
        var code: String
        var name: String
        var period: String
        var sharing: String
        var fieldCount: Int
    }

    struct IndexPage: Encodable {
        var title: String
        var version: String
        var effective: String
        var indicatorCount: Int
        var units: [UnitItem]
        /// The latest published assessment bulletin, as the user's unit sees it.
        var bulletin: AssessmentController.BulletinNotice?
    }

    func index(req: Request) async throws -> View {
        let repository = CatalogRepository(database: req.db)
        let version = try await repository.currentVersion()
        let indicators = try await repository.currentIndicators()
        let byUnit = Dictionary(grouping: indicators, by: \.unitCode)
        let units = try await repository.units().filter { !$0.isOperator }.map { unit in
            UnitItem(code: unit.code, name: unit.name, short: unit.shortName,
                     indicators: (byUnit[unit.code] ?? []).map { record in
                         let indicator = try? record.indicator()
                         return IndicatorItem(code: record.code, name: record.name,
                                              period: CollectionPeriod(rawValue: record.period)?.chineseName ?? record.period,
                                              sharing: SharingMode(rawValue: record.sharing)?.chineseName ?? record.sharing,
                                              fieldCount: indicator?.fields.count ?? 0)
                     })
        }
        return try await req.view.render("catalog", IndexPage(
            title: "归集数据项目录", version: version?.version ?? "-", effective: version?.effective ?? "-",
            indicatorCount: indicators.count, units: units, bulletin: try await AssessmentController.notice(req)))
    }

    struct FieldItem: Encodable {
        var key: String
        var header: String
        var type: String
        var required: Bool
        var identifies: Bool
        var rule: String
    }

    struct IndicatorPage: Encodable {
        var title: String
        var code: String
        var name: String
        var unitName: String
        var period: String
        var periodExample: String
        var sharing: String
        var legalBasis: String?
        var note: String?
        var oneOf: [String]
        var fields: [FieldItem]
    }

    func show(req: Request) async throws -> View {
        let (indicator, unitName) = try await currentIndicator(req)
        let fields = indicator.fields.map { field in
            FieldItem(key: field.key, header: field.header, type: field.type.chineseName, required: field.required,
                      identifies: field.identifies ?? false, rule: Self.rule(for: field))
        }
        let oneOf = (indicator.oneOf ?? []).map { group in
            group.compactMap { indicator.field($0)?.header }.joined(separator: " 或 ") + " 至少填写一项"
        }
        return try await req.view.render("indicator", IndicatorPage(
            title: indicator.name, code: indicator.code, name: indicator.name, unitName: unitName,
            period: indicator.period.chineseName, periodExample: Self.periodExample(indicator.period),
            sharing: indicator.sharing.chineseName, legalBasis: indicator.legalBasis, note: indicator.note,
            oneOf: oneOf, fields: fields))
    }

    func template(req: Request) async throws -> Response {
        let (indicator, unitName) = try await currentIndicator(req)
        let data = try XlsxTemplateWriter.template(for: indicator, unitName: unitName)
        return Response.download(.init(data: data), type: Response.xlsxType, name: "\(indicator.code)_\(indicator.name)_模板.xlsx",
                                 fallbackName: "\(indicator.code).xlsx")
    }

    struct IndicatorDTO: Content {
        var code: String
        var name: String
        var unit: String
        var unitName: String
        var period: String
        var sharing: String
        var legalBasis: String?
        var fields: [FieldDTO]

        enum CodingKeys: String, CodingKey {
            case code, name, unit, period, sharing, fields
            case unitName = "unit_name"
            case legalBasis = "legal_basis"
        }
    }

    struct FieldDTO: Content {
        var key: String
        var label: String
        var header: String
        var type: String
        var required: Bool
        var unit: String?
        var values: [String]?
    }

    func apiIndicators(req: Request) async throws -> [IndicatorDTO] {
        let repository = CatalogRepository(database: req.db)
        let names = Dictionary(try await repository.units().map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        return try await repository.currentIndicators().map { record in
            let indicator = try record.indicator()
            return IndicatorDTO(code: indicator.code, name: indicator.name, unit: indicator.unit,
                                unitName: names[indicator.unit] ?? indicator.unit, period: indicator.period.rawValue,
                                sharing: indicator.sharing.rawValue, legalBasis: indicator.legalBasis,
                                fields: indicator.fields.map {
                                    FieldDTO(key: $0.key, label: $0.label, header: $0.header, type: $0.type.rawValue,
                                             required: $0.required, unit: $0.unit, values: $0.values)
                                })
        }
    }

    private func currentIndicator(_ req: Request) async throws -> (Indicator, String) {
        let code = req.parameters.get("code") ?? ""
        let repository = CatalogRepository(database: req.db)
        guard let (_, indicator) = try await repository.currentIndicator(code: code) else {
            throw SubmissionError.unknownIndicator(code)
        }
        let unitName = try await repository.unit(code: indicator.unit)?.name ?? indicator.unit
        return (indicator, unitName)
    }

    static func periodExample(_ period: CollectionPeriod) -> String {
        switch period {
        case .monthly: "2024-03"
        case .quarterly: "2024Q1"
        case .yearly: "2024"
        }
    }

    /// What the clerk must write in the column, in words.
    static func rule(for field: Field) -> String {
        var parts: [String] = []
        switch field.type {
        case .enum: parts.append("可选值：" + (field.values ?? []).joined(separator: "、"))
        case .date: parts.append("yyyy-mm-dd")
        case .datetime: parts.append("yyyy-mm-dd hh:mm:ss")
        case .decimal: parts.append("数字" + (field.unit.map { "，单位\($0)" } ?? ""))
        case .integer: parts.append("整数" + (field.unit.map { "，单位\($0)" } ?? ""))
        case .boolean: parts.append("是 / 否")
        case .uscc: parts.append("18 位统一社会信用代码")
        case .orgID: parts.append("统一社会信用代码、组织机构代码、工商注册号或纳税人识别号")
        case .personID: parts.append(field.idTypeField == nil ? "18 位公民身份号码" : "公民身份号码；证件类型为护照时填护照号")
        case .projectCode: parts.append("如 2024-321002-47-01-000123")
        case .powerCode: parts.append("如 XK-321000-00123")
        case .divisionCode: parts.append("6 位现行行政区划代码，如 321002")
        case .phone: parts.append("手机号或带区号的固定电话")
        case .text: if let max = field.maxLength { parts.append("不超过 \(max) 字") }
        }
        if field.type.isIdentifier { parts.append("单元格须设为文本格式") }
        return parts.joined(separator: "；")
    }
}
