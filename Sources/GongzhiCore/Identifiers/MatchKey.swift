/// What a canonical matching key identifies. Two records match when they carry a key of the same kind
/// with the same value (issue 12 §2, "identifier-first matching"). Raw values are the stored spellings.
public enum MatchKeyKind: String, Sendable, Codable, CaseIterable {
    /// A natural person: an 18-character GB 11643-1999 resident ID (a legacy 15-digit number upgraded), or
    /// a passport number upper-cased with spaces removed.
    case person
    /// An organisation: its 9-character GB 11714-1997 organization code, taken from a USCC (GB 32100-2015
    /// positions 9–17), a 15-character taxpayer id (division + code) or the code itself.
    case organization
    /// A GS15-2006 business registration number (15 digits) that carries no organization code.
    case registrationNumber = "reg_no"
    /// A vehicle identification number (VIN, GB 16735), upper-cased, spaces removed, half-width.
    case vehicle
    /// A number plate (号牌号码), upper-cased, spaces removed, half-width.
    case plate
    /// A normalised name plus 信息属地 (``MatchKeys/nameKey(_:division:)``): the second pass for records
    /// without an identifier; leads it finds have `name_division` confidence.
    case name
}

/// How the values of one field are read into a ``MatchKey``: chosen by the rule for each key field.
public enum MatchKeyForm: String, Sendable, Codable, CaseIterable {
    /// A `person_id` field: resident ID (15 → 18) or passport.
    case person
    /// An `org_id` / `uscc` field: USCC, organization code, taxpayer id (15/18/20) or registration number.
    /// A taxpayer id that is a resident ID (18, or 20 = ID + 2 digits) yields a ``MatchKeyKind/person`` key.
    case organization
    /// A VIN text field.
    case vehicle
    /// A number-plate text field.
    case plate
    /// A name text field, read with the record's 信息属地 (``MatchKeys/nameKey(_:division:)``): the second pass.
    case name
}

/// A canonical matching key of one identifier value.
public struct MatchKey: Sendable, Equatable, Hashable {
    /// What the key identifies; keys of different kinds never match.
    public var kind: MatchKeyKind
    /// The canonical value: ASCII, upper-case, no spaces or hyphens.
    public var value: String
    /// The 6-digit GB/T 2260 division the identifier itself names, when it names one: a USCC's
    /// registration authority (positions 3–8), a 15-character taxpayer id's first 6, a resident ID's first 6.
    /// Used to tell an out-of-town organisation (issue 12, `out-of-town-builder`).
    public var division: String?

    /// A key of `kind` with canonical `value` (and the division the identifier names, if any).
    public init(kind: MatchKeyKind, value: String, division: String? = nil) {
        self.kind = kind
        self.value = value
        self.division = division
    }
}

/// The canonicalisation rules of cross-matching (issue 12 §2). Pure; built on the identifier helpers
/// (``TextNormalization``, ``ResidentIdentityNumber``, ``UnifiedSocialCreditCode``, ``OrganizationCode``,
/// ``BusinessRegistrationNumber``), so that matching reads identifiers exactly as the importer checks them.
///
/// Every function accepts raw or stored text: it trims, folds full-width to half-width, upper-cases and
/// drops inner spaces before reading. A value it cannot read as its form gives `nil` (no key: such a record
/// is left to the name pass).
public enum MatchKeys {
    /// The key of `text` read as `form`; a ``MatchKeyForm/name`` needs the record's 信息属地 `division`
    /// (`nil` without one).
    public static func key(_ text: String, form: MatchKeyForm, division: String? = nil) -> MatchKey? {
        switch form {
        case .person: personKey(text)
        case .organization: organizationKey(text)
        case .vehicle: compactKey(text, kind: .vehicle)
        case .plate: compactKey(text, kind: .plate)
        case .name: division.flatMap { nameKey(text, division: $0) }
        }
    }

    /// `raw` trimmed, width-folded, upper-cased (``TextNormalization/identifierForm(_:)``) and without
    /// spaces (ASCII or ideographic) or hyphens anywhere.
    public static func compact(_ raw: String) -> String {
        let text = TextNormalization.identifierForm(raw)
        guard text.unicodeScalars.contains(where: { $0 == " " || $0 == "-" || TextNormalization.isTrimmable($0) }) else {
            return text
        }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { !($0 == " " || $0 == "-" || TextNormalization.isTrimmable($0)) }))
    }

    /// A person: a resident ID of 18 characters (GB 11643-1999; upper-case `X`) as it is, a legacy
    /// 15-digit number upgraded to its 18-digit form (GB 11643-1999 §5, ``ResidentIdentityNumber/upgrade(_:)``),
    /// anything else of 5–20 letters and digits as a passport number. The division is the ID's first 6 digits.
    public static func personKey(_ raw: String) -> MatchKey? {
        let text = compact(raw)
        if text.utf8.count == 15, let upgraded = ResidentIdentityNumber.upgrade(text) {
            return MatchKey(kind: .person, value: upgraded, division: String(upgraded.prefix(6)))
        }
        if isResidentID(text) {
            return MatchKey(kind: .person, value: text, division: String(text.prefix(6)))
        }
        guard (5...20).contains(text.utf8.count), text.utf8.allSatisfy(isAlphanumeric) else { return nil }
        return MatchKey(kind: .person, value: text)
    }

    /// An organisation identifier, whichever form it was reported in:
    /// - 18 characters with a valid GB 32100-2015 check character: a USCC, key = its organization code
    ///   (positions 9–17), division = positions 3–8;
    /// - 18 characters with a valid GB 11643-1999 check character, or 20 (ID + 2 digits): a person's
    ///   taxpayer id, a ``MatchKeyKind/person`` key;
    /// - 9 characters: an organization code (GB 11714-1997);
    /// - 15 characters whose last 9 are an organization code with a valid check character: a taxpayer id
    ///   (6-digit division + code), key = the code; otherwise 15 digits: a GS15-2006 registration number.
    public static func organizationKey(_ raw: String) -> MatchKey? {
        let text = compact(raw)
        let c = Array(text)
        switch c.count {
        case 18:
            if UnifiedSocialCreditCode.checkCharacter(String(c[0..<17])) == c[17] {
                return MatchKey(kind: .organization, value: String(c[8..<17]), division: String(c[2..<8]))
            }
            if isResidentID(text) { return MatchKey(kind: .person, value: text, division: String(c[0..<6])) }
            return nil
        case 20:
            let id = String(c[0..<18])
            guard isResidentID(id), c[18...].allSatisfy(\.isASCII), c[18...].allSatisfy(\.isNumber) else { return nil }
            return MatchKey(kind: .person, value: id, division: String(c[0..<6]))
        case 9:
            guard OrganizationCode.checkCharacter(String(c[0..<8])) == c[8] else { return nil }
            return MatchKey(kind: .organization, value: text)
        case 15:
            let code = String(c[6..<15])
            if OrganizationCode.checkCharacter(String(c[6..<14])) == c[14], c[0..<6].allSatisfy({ $0.isASCII && $0.isNumber }) {
                return MatchKey(kind: .organization, value: code, division: String(c[0..<6]))
            }
            if BusinessRegistrationNumber.checkDigit(String(c[0..<14])) == c[14] {
                return MatchKey(kind: .registrationNumber, value: text, division: String(c[0..<6]))
            }
            return nil
        default:
            return nil
        }
    }

    /// A VIN or plate: ``compact(_:)`` of letters and digits (plates may hold one leading Chinese
    /// province character, e.g. 苏K12345); `nil` when empty.
    static func compactKey(_ raw: String, kind: MatchKeyKind) -> MatchKey? {
        let text = compact(raw)
        return text.isEmpty ? nil : MatchKey(kind: kind, value: text)
    }

    /// The company-form endings ``normalizedName(_:)`` removes, longest first.
    public static let companyFormSuffixes = [
        "股份有限公司", "有限责任公司", "有限公司", "股份公司", "有限合伙", "公司",
    ]

    /// A name for the second pass: width folded, upper-cased, without spaces and bracket characters
    /// (`（扬州）` and `(扬州)` and `扬州` read alike), and without one company-form ending (有限公司,
    /// 有限责任公司, 股份有限公司…): `扬州 某某（集团）有限责任公司` → `扬州某某集团`.
    public static func normalizedName(_ raw: String) -> String {
        let brackets: Set<Unicode.Scalar> = ["(", ")", "[", "]", "{", "}", "【", "】", "〔", "〕", "［", "］", "《", "》", "<", ">"]
        let folded = TextNormalization.upperASCII(TextNormalization.foldWidth(raw))
        var name = String(String.UnicodeScalarView(folded.unicodeScalars.filter {
            !($0 == " " || TextNormalization.isTrimmable($0) || brackets.contains($0))
        }))
        if let suffix = companyFormSuffixes.first(where: { name.hasSuffix($0) }), name.count > suffix.count {
            name.removeLast(suffix.count)
        }
        return name
    }

    /// The name-pass key: ``normalizedName(_:)`` and the 信息属地 `division`, as `NAME|DIVISION`; `nil`
    /// when the name is empty.
    public static func nameKey(_ raw: String, division: String) -> MatchKey? {
        let name = normalizedName(raw)
        guard !name.isEmpty else { return nil }
        return MatchKey(kind: .name, value: name + "|" + division, division: division)
    }

    /// 17 digits and a correct GB 11643-1999 check character (`0-9`, `X`).
    static func isResidentID(_ text: String) -> Bool {
        let u = Array(text.utf8)
        guard u.count == 18, u[0..<17].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        return ResidentIdentityNumber.checkCharacter(String(text.prefix(17))).map { String($0) } == String(text.suffix(1))
    }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 90)
    }
}
