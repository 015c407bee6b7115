/// The unique identifiers of 附件1 第八条 and the codes checked like them.
///
/// Raw values are the `kind` column of `fixtures/identifiers.csv`. Standards: USCC GB 32100-2015,
/// organisation code GB 11714-1997, business registration number GS15-2006 (ISO 7064 MOD 11,10),
/// resident ID GB 11643-1999 (ISO 7064 MOD 11-2), division codes GB/T 2260, project code GB/T 40058-2021
/// (format only); passport, power code and phone are project policy.
public enum IdentifierKind: String, Sendable, CaseIterable {
    /// 统一社会信用代码, 18 characters, GB 32100-2015.
    case uscc
    /// 组织机构代码, 9 characters (printed `XXXXXXXX-C`), GB 11714-1997.
    case organizationCode = "org_code"
    /// 工商注册号, 15 digits, GS15-2006 with an ISO 7064 MOD 11,10 check digit.
    case businessRegistrationNumber = "reg_no"
    /// 纳税人识别号: 15 (division + GB 11714-1997 code), 18 (GB 32100-2015 USCC or GB 11643-1999 ID) or 20
    /// (GB 11643-1999 ID + 2 digits).
    case taxpayerIdentificationNumber = "tin"
    /// 公民身份号码, GB 11643-1999 (18 characters, or the legacy 15 digits upgraded to 18).
    case residentIdentityNumber = "resident_id"
    /// 护照号码 (project policy; ICAO 9303 document-number field): 5-9 of `0-9A-Z`, at least one digit.
    case passport
    /// 投资项目代码 `YYYY-DDDDDD-II-TT-NNNNNN` (GB/T 40058-2021 scheme, format only).
    case projectCode = "project_code"
    /// 行政权力事项编码 `CC-dddddd-nnnnn` (reconstructed, see the catalog header).
    case powerCode = "power_code"
    /// 行政区划代码 / 信息属地: a current GB/T 2260 code.
    case divisionCode = "division_code"
    /// 联系电话: mainland mobile or landline with area code.
    case phone
    /// Any organisation identifier: GB 32100-2015 USCC (18), GB 11714-1997 organisation code (9, hyphen form
    /// accepted), GS15-2006 registration number (15) or taxpayer identification number (15/18/20).
    case organizationIdentifier = "org_id"

    /// The Chinese name used in messages (统一社会信用代码, 公民身份号码…).
    public var chineseName: String {
        switch self {
        case .uscc: "统一社会信用代码"
        case .organizationCode: "组织机构代码"
        case .businessRegistrationNumber: "工商注册号"
        case .taxpayerIdentificationNumber: "纳税人识别号"
        case .residentIdentityNumber: "公民身份号码"
        case .passport: "护照号码"
        case .projectCode: "投资项目代码"
        case .powerCode: "权力事项编码"
        case .divisionCode: "行政区划代码"
        case .phone: "电话号码"
        case .organizationIdentifier: "单位代码"
        }
    }
}

/// Why an identifier was refused, with a Chinese message a clerk can act on.
///
/// Only ``Reason/checkCharacter`` (a wrong GB 32100-2015 / GB 11714-1997 / GB 11643-1999 check character or
/// ISO 7064 check digit) maps to the import error `bad_check_digit`; ``Reason/precisionLost`` (Excel
/// scientific notation) to `precision_lost`; every other reason to `bad_format` (DESIGN.md "Contracts").
public struct IdentifierIssue: Error, Sendable, Equatable {
    /// The first rule that failed.
    public enum Reason: String, Sendable {
        /// Nothing left after trimming.
        case empty
        /// Wrong number of characters.
        case length
        /// A character the identifier does not allow (at the position it is in).
        case charset
        /// Right characters in the wrong arrangement (separators, parts, float tails, no digit…).
        case format
        /// The check character does not match its standard's algorithm.
        case checkCharacter
        /// A date inside the identifier does not exist (or a year out of range).
        case date
        /// A birth date after today.
        case future
        /// An unknown (or, where a current one is required, abolished) GB/T 2260 division code.
        case division
        /// GB 32100-2015 position 1: registration authority not assigned.
        case authority
        /// GB 32100-2015 position 2 (organisation category), or a power code's category, not assigned.
        case category
        /// Excel turned the number into scientific notation: digits are lost.
        case precisionLost
    }

    public var reason: Reason
    /// Chinese message a clerk can act on, naming what is wrong (e.g. "校验位错误：按 GB 11643-1999 计算应为 X，请核对号码";
    /// for scientific notation it says the digits are lost and the column must be formatted as 文本).
    public var message: String

    public init(reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }
}
