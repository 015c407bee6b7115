/// How a field's value is masked (脱敏) when a ``Grant`` lists it as masked (issue 5; 附件1 第十条).
///
/// The catalog has no person-name type, so ``for(_:in:)`` infers names from the field (see there). Every rule
/// works on `Character`s (grapheme clusters), so Chinese names and full-width text are cut whole. Partial rules
/// replace each hidden character with one `*` and fall back to ``full`` when the value is too short to hide
/// at least ``minimumHidden`` characters: a masked value never shows everything.
///
/// | rule | keeps | hides at least | example |
/// |---|---|---|---|
/// | `residentID` | first 6, last 4 | 4 | `320102199001011234` → `320102********1234` |
/// | `phone` | first 3, last 4 | 4 | `13912345678` → `139****5678` |
/// | `personName` | first 1, then always `**` | 1 | `欧阳娜娜` → `欧**` |
/// | `organizationID` | all, unless 20 characters (resident ID + 2 digits): then as `residentID` | | |
/// | `full` | nothing | all | `扬州市…` → `****` (always four `*`, length hidden too) |
public enum MaskingRule: String, Hashable, Sendable, CaseIterable {
    /// 公民身份号码 (15 or 18 characters): keep the division code (first 6) and the last 4. A passport number
    /// in a `person_id` field (5-9 characters) is too short and is masked fully.
    case residentID = "resident_id"
    /// A person's name: keep the surname's first character.
    case personName = "person_name"
    /// A phone number (mobile or landline with area code): keep the first 3 and the last 4.
    case phone
    /// USCC / organisation identifiers: kept in the clear, because an organisation's identifier is public
    /// registration information (GB 32100-2015; 《企业信息公示暂行条例》) and the key of cross-matching
    /// (附件1 第八条). The exception is a 20-character taxpayer number, which is a resident ID plus two digits
    /// (catalog `org_id`): it is masked like ``residentID``.
    case organizationID = "organization_id"
    /// Everything hidden: the value becomes `****` whatever its length.
    case full

    /// The fixed text of a fully masked value.
    public static let fullMask = "****"

    /// Characters kept at the start and the end, and the fewest that must be hidden for a partial mask.
    public var keepFirst: Int {
        switch self {
        case .residentID, .organizationID: 6
        case .phone: 3
        case .personName: 1
        case .full: 0
        }
    }

    public var keepLast: Int {
        switch self {
        case .residentID, .organizationID, .phone: 4
        case .personName, .full: 0
        }
    }

    public var minimumHidden: Int {
        switch self {
        case .residentID, .organizationID, .phone: 4
        case .personName: 1
        case .full: 0
        }
    }

    /// The masked form of `text` (canonical value text). Empty text stays empty.
    public func mask(_ text: String) -> String {
        if text.isEmpty { return text }
        if self == .full { return Self.fullMask }
        let chars = Array(text)
        if self == .organizationID, chars.count != 20 { return text }
        // A name keeps its first character and always two stars, so the mask does not tell the name's length.
        if self == .personName { return chars.count >= 2 ? String(chars[0]) + "**" : Self.fullMask }
        let hidden = chars.count - keepFirst - keepLast
        guard hidden >= minimumHidden else { return Self.fullMask }
        return String(chars[..<keepFirst]) + String(repeating: "*", count: hidden) + String(chars[(chars.count - keepLast)...])
    }

    /// The rule for `field` of `indicator`:
    /// - `person_id` → ``residentID``; `phone` → ``phone``; `uscc`, `org_id` → ``organizationID``;
    /// - a `text` field that names a person → ``personName``: its label contains 姓名 (姓名, 买方姓名, 英文姓名),
    ///   or ends in 法定代表人, or its key is `name` / `X_name` beside a `person_id` field `id_no` / `X_id_no`
    ///   (the catalog's pairing, e.g. `owner_name` with `owner_id_no`: the owner may be a person, so the name is
    ///   treated as one even when a row names a company);
    /// - everything else → ``full``.
    public static func `for`(_ field: Field, in indicator: Indicator) -> MaskingRule {
        switch field.type {
        case .personID: return .residentID
        case .phone: return .phone
        case .uscc, .orgID: return .organizationID
        case .text: return namesPerson(field, in: indicator) ? .personName : .full
        default: return .full
        }
    }

    /// Whether `field` holds personal information (个人信息) that a grant masks unless the approver decides
    /// otherwise (``Grant/Terms/proposed(for:fields:from:days:limits:)``): every field with a partial rule,
    /// every `text` field of an indicator whose subject is `person` (addresses, permit numbers…), and account
    /// numbers (label contains 账号).
    public static func isPersonal(_ field: Field, in indicator: Indicator) -> Bool {
        switch self.for(field, in: indicator) {
        case .residentID, .personName, .phone, .organizationID: return true
        case .full:
            guard field.type == .text else { return false }
            return indicator.subject == "person" || field.label.contains("账号")
        }
    }

    /// Whether `field` identifies a taxpayer: a resident ID, USCC or organisation code (types `person_id`,
    /// `uscc`, `org_id`) — what cross-matching joins on, and what an approver may grant in the clear on a
    /// request with ``AccessRequest/clearIdentifiers`` (issue 12 §6).
    public static func identifiesTaxpayer(_ field: Field) -> Bool {
        [.personID, .uscc, .orgID].contains(field.type)
    }

    private static func namesPerson(_ field: Field, in indicator: Indicator) -> Bool {
        if field.label.contains("姓名") || field.label.hasSuffix("法定代表人") { return true }
        guard field.key == "name" || field.key.hasSuffix("_name") else { return false }
        let sibling = field.key.dropLast("name".count) + "id_no"
        return indicator.field(String(sibling))?.type == .personID
    }
}

/// Applies a ``Grant`` to records of its indicator in the query layer: granted fields in the clear are copied,
/// granted masked fields are masked by their ``MaskingRule``, fields not granted are left out.
///
/// Records are the stored `{"key": value, ...}` objects (``AcceptedRecord/valuesJSON(fields:)``). A masked value
/// becomes a JSON string whatever it was (a number's digits are masked as text); `null` stays `null`.
public struct RecordMasker: Sendable {
    /// Per field key: `nil` = left out, `.some(nil)` = clear, `.some(rule)` = masked with rule.
    private let treatment: [String: MaskingRule?]

    /// - Throws: ``GrantError/indicatorMismatch(expected:given:)`` when the grant is for another indicator.
    public init(indicator: Indicator, grant: Grant) throws(GrantError) {
        guard grant.indicatorCode == indicator.code else {
            throw .indicatorMismatch(expected: grant.indicatorCode, given: indicator.code)
        }
        var t: [String: MaskingRule?] = [:]
        for field in indicator.fields {
            switch grant.access(to: field.key) {
            case .clear?: t[field.key] = .some(nil)
            case .masked?: t[field.key] = .some(MaskingRule.for(field, in: indicator))
            case nil: break
            }
        }
        treatment = t
    }

    /// What the grant shows of `value` in field `key`: the value, its masked form, or `nil` (leave the field out).
    public func value(_ value: JSONValue, forField key: String) -> JSONValue? {
        guard let entry = treatment[key] else { return nil }
        return Self.masked(value, by: entry)
    }

    /// `value` masked by `rule` (`nil`: unchanged): text and numbers by the rule, `null` stays `null`, an array or
    /// object becomes ``MaskingRule/fullMask``.
    public static func masked(_ value: JSONValue, by rule: MaskingRule?) -> JSONValue {
        guard let rule else { return value }
        switch value {
        case .null: return .null
        case .string(let s): return .string(rule.mask(s))
        case .number(let n): return .string(rule.mask(n))
        case .bool(let b): return .string(rule.mask(b ? "true" : "false"))
        case .array, .object: return .string(MaskingRule.fullMask)
        }
    }

    /// The record as the grant shows it: an object with the granted keys only, in the record's order. A value
    /// that is not an object yields an empty object.
    public func mask(_ record: JSONValue) -> JSONValue {
        guard case .object(let members) = record else { return .object([]) }
        return .object(members.compactMap { key, value in self.value(value, forField: key).map { (key, $0) } })
    }
}
