import Foundation
import GongzhiCore
import Yams

/// Why a catalog or indicator definition cannot be used.
public enum CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The YAML does not parse or does not have the catalog's shape.
    case malformed(detail: String)
    /// The catalog parses but breaks one of its own rules; each string names one problem.
    case invalid([String])

    public var description: String {
        switch self {
        case .malformed(let d): "目录文件格式错误：\(d)"
        case .invalid(let problems): "目录内容有误：" + problems.joined(separator: "；")
        }
    }
}

/// Reads the data-item catalog and single indicator definitions in the schema of `catalog.yaml`, and the
/// project's own copies of the seed catalog and the GB/T 2260 division list.
public enum CatalogLoader {
    /// Parses and checks a whole catalog.
    /// - Throws: ``CatalogError``.
    public static func catalog(yaml: String) throws(CatalogError) -> Catalog {
        let catalog: Catalog
        do {
            catalog = try YAMLDecoder().decode(Catalog.self, from: yaml)
        } catch {
            throw .malformed(detail: describe(error))
        }
        let problems = check(catalog)
        if !problems.isEmpty { throw .invalid(problems) }
        return catalog
    }

    /// Parses one indicator in catalog format (`--indicator-file`). It is taken as is: no `division_code`
    /// is added or required and `unit` need not name a member unit (cases/realworld/README.md).
    /// - Throws: ``CatalogError``.
    public static func indicator(yaml: String) throws(CatalogError) -> Indicator {
        let indicator: Indicator
        do {
            indicator = try YAMLDecoder().decode(Indicator.self, from: yaml)
        } catch {
            throw .malformed(detail: describe(error))
        }
        let problems = checkFields(indicator)
        if !problems.isEmpty { throw .invalid(problems) }
        return indicator
    }

    /// A YAML or shape error in words: which key, what is wrong.
    static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return parts.isEmpty ? "（顶层）" : parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "\(path(context)) 缺少必需的键 \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "\(path(context)) 的值类型不对（\(context.debugDescription)）"
        case DecodingError.dataCorrupted(let context):
            return "\(path(context))：\(context.debugDescription)"
        default:
            return "YAML 语法错误：\(error)"
        }
    }

    /// The seed catalog shipped with Gongzhi, as YAML text.
    public static func seedCatalogYAML() throws -> String {
        try resourceText("catalog", "yaml")
    }

    /// The seed catalog shipped with Gongzhi.
    public static func seedCatalog() throws -> Catalog {
        try catalog(yaml: seedCatalogYAML())
    }

    /// The GB/T 2260 division list shipped with Gongzhi (every code since 1980 with its years in force).
    public static func divisions() throws -> DivisionRegistry {
        try DivisionRegistry(csv: resourceText("divisions", "csv"))
    }

    private static func resourceText(_ name: String, _ ext: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext) else {
            throw CatalogError.malformed(detail: "resource \(name).\(ext) missing from the installation")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The catalog's own rules (catalog.yaml header): unique codes, known units, a required `division_code`
    /// on every indicator, and consistent field definitions.
    static func check(_ catalog: Catalog) -> [String] {
        var problems: [String] = []
        let units = Set(catalog.units.map(\.code))
        var seen: Set<String> = []
        for indicator in catalog.indicators {
            if !seen.insert(indicator.code).inserted { problems.append("\(indicator.code) 重复") }
            if !units.contains(indicator.unit) { problems.append("\(indicator.code) 的报送单位 \(indicator.unit) 不在成员单位中") }
            if !indicator.fields.contains(where: { $0.key == "division_code" && $0.type == .divisionCode && $0.required }) {
                problems.append("\(indicator.code) 缺少必填的信息属地（division_code）")
            }
            if indicator.sharing == .withheld && (indicator.legalBasis ?? "").isEmpty {
                problems.append("\(indicator.code) 不予共享但没有法律依据（legal_basis）")
            }
            problems.append(contentsOf: checkFields(indicator))
        }
        return problems
    }

    static func checkFields(_ indicator: Indicator) -> [String] {
        var problems: [String] = []
        let code = indicator.code
        var keys: Set<String> = []
        var headers: Set<String> = []
        for field in indicator.fields {
            if !keys.insert(field.key).inserted { problems.append("\(code).\(field.key) 重复") }
            if !headers.insert(TemplateMatcher.headerKey(field.header)).inserted {
                problems.append("\(code) 的列名「\(field.header)」重复")
            }
            if field.type == .enum && (field.values ?? []).isEmpty { problems.append("\(code).\(field.key) 是枚举但没有可选值") }
            if let pattern = field.pattern, (try? NSRegularExpression(pattern: pattern)) == nil {
                problems.append("\(code).\(field.key) 的 pattern 不是有效的正则表达式")
            }
            if let sibling = field.idTypeField {
                if field.type != .personID { problems.append("\(code).\(field.key) 不是 person_id 却有 id_type_field") }
                if indicator.field(sibling)?.type != .enum { problems.append("\(code).\(field.key) 的 id_type_field \(sibling) 不是枚举字段") }
            }
        }
        for group in indicator.oneOf ?? [] {
            for key in group where !keys.contains(key) { problems.append("\(code) 的 one_of 引用了不存在的字段 \(key)") }
        }
        return problems
    }
}
