/// The identifier rules of 附件1 第八条 (fixtures/README.md "Normalisation policy" and "Algorithms").
///
/// Checks USCC (GB 32100-2015), organisation codes (GB 11714-1997), business registration numbers
/// (GS15-2006, ISO 7064 MOD 11,10), TINs, resident IDs (GB 11643-1999, ISO 7064 MOD 11-2), passports,
/// project codes (GB/T 40058-2021 format), power codes, GB/T 2260 division codes and phone numbers.
/// Pure: the division list and "today" are given, nothing is read.
public struct IdentifierValidator: Sendable {
    /// The GB/T 2260 list resident-ID prefixes, project/power codes and division fields are checked against.
    public let divisions: DivisionRegistry
    /// The day birth dates may not be after, and the last year a project code may carry.
    public let today: CalendarDate

    /// - Parameters:
    ///   - divisions: the GB/T 2260 codes with their years in force.
    ///   - today: the current date (birth dates after it are refused; project code years run to its year).
    public init(divisions: DivisionRegistry, today: CalendarDate) {
        self.divisions = divisions
        self.today = today
    }

    /// Validates one cell as `kind`.
    ///
    /// `raw` is the cell text exactly as in the file (untrimmed). Applies the normalisation policy (trim,
    /// width fold, upper-case, org-code hyphen, GB 11643-1999 15-digit upgrade) then the kind's rules, and
    /// returns the canonical form or the first failing rule. Scientific notation (`3.21002E+17`) is
    /// ``IdentifierIssue/Reason/precisionLost`` for every kind; a wrong check character is
    /// ``IdentifierIssue/Reason/checkCharacter``.
    public func validate(_ raw: String, as kind: IdentifierKind) -> Result<String, IdentifierIssue> {
        if kind == .residentIdentityNumber || kind == .divisionCode, let canonical = validAsciiFastPath(raw, as: kind) {
            return .success(canonical)
        }
        let text = TextNormalization.identifierForm(raw)
        if text.isEmpty {
            return .failure(IdentifierIssue(reason: .empty, message: "\(kind.chineseName)为空"))
        }
        if let issue = Self.excelArtefact(text, kind: kind) { return .failure(issue) }
        let c = Array(text)
        return Result { () throws(IdentifierIssue) -> String in
            switch kind {
            case .uscc: return try uscc(c)
            case .organizationCode: return try organizationCode(c, allowHyphen: true)
            case .businessRegistrationNumber: return try registrationNumber(c)
            case .taxpayerIdentificationNumber: return try taxpayerNumber(c)
            case .residentIdentityNumber: return try residentID(c, allowLegacy: true)
            case .passport: return try passport(c)
            case .projectCode: return try projectCode(text)
            case .powerCode: return try powerCode(text)
            case .divisionCode: return try divisionCode(c)
            case .phone: return try phone(c)
            case .organizationIdentifier: return try organizationIdentifier(c)
            }
        }
    }

    // MARK: Fast path

    /// The canonical form of a plain ASCII resident ID (17 digits + digit or `X`/`x`) or division code
    /// (6 digits) that passes every rule, read straight from the UTF-8 bytes; `nil` for anything else,
    /// which the general path then handles (and reports). Such text needs no trimming or width folding
    /// and is no Excel artefact, so the result is exactly what the general path returns.
    private func validAsciiFastPath(_ raw: String, as kind: IdentifierKind) -> String? {
        let outcome: (ok: Bool, lowerX: Bool)? = raw.utf8.withContiguousStorageIfAvailable { u in
            @inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }
            if kind == .divisionCode {
                guard u.count == 6, u.allSatisfy(isDigit) else { return (false, false) }
                return (divisions.status(ofDigits: u, current: true), false)
            }
            guard u.count == 18 else { return (false, false) }
            var sum = 0
            for i in 0..<17 {
                let d = u[i] &- 48
                guard d < 10 else { return (false, false) }
                sum = (sum + Int(d)) * 2 % 11
            }
            let last = u[17]
            guard isDigit(last) || last == UInt8(ascii: "X") || last == UInt8(ascii: "x") else { return (false, false) }
            guard divisions.status(ofDigits: u, current: false) else { return (false, false) }
            func number(_ from: Int, _ count: Int) -> Int {
                var v = 0
                for i in from..<(from + count) { v = v * 10 + Int(u[i] - 48) }
                return v
            }
            let y = number(6, 4), m = number(10, 2), d = number(12, 2)
            guard let birth = CalendarDate(year: y, month: m, day: d), birth <= today else { return (false, false) }
            // ISO 7064 MOD 11-2, as ResidentIdentityNumber.checkCharacter
            let check = (12 - sum % 11) % 11
            let expected: UInt8 = check == 10 ? UInt8(ascii: "X") : UInt8(48 + check)
            let upper = last == UInt8(ascii: "x") ? UInt8(ascii: "X") : last
            return (upper == expected, last == UInt8(ascii: "x"))
        }
        guard let outcome, outcome.ok else { return nil }
        return outcome.lowerX ? raw.uppercased() : raw
    }

    // MARK: Excel artefacts

    /// Scientific notation (digits lost; `d.dddE+dd`, `d.ddde17`, `dE+dd`), float `.0` tails and a leading
    /// apostrophe: never repaired.
    static func excelArtefact(_ text: String, kind: IdentifierKind) -> IdentifierIssue? {
        let u = Array(text.utf8)
        func digits(_ from: Int) -> Int {
            var i = from
            while i < u.count, u[i] >= 48, u[i] <= 57 { i += 1 }
            return i
        }
        // [+-]?digits(.digits)?E[+-]?digits
        var i = 0
        if i < u.count, u[i] == 43 || u[i] == 45 { i += 1 }
        let intEnd = digits(i)
        if intEnd > i {
            var j = intEnd
            var fractionZerosOnly = true
            var hasFraction = false
            if j < u.count, u[j] == 46 {
                let f = digits(j + 1)
                if f > j + 1 {
                    hasFraction = true
                    fractionZerosOnly = u[(j + 1)..<f].allSatisfy { $0 == 48 }
                    j = f
                }
            }
            if j < u.count, u[j] == 69 {
                var k = j + 1
                let signed = k < u.count && (u[k] == 43 || u[k] == 45)
                if signed { k += 1 }
                let e = digits(k)
                // Excel writes a point or a signed exponent (9.13210E+17, 3E+14); plain `12E4567` is a
                // legitimate passport or code.
                if e > k, e == u.count, hasFraction || signed {
                    let who = kind == .residentIdentityNumber || kind == .passport ? "证件号码" : kind.chineseName
                    return IdentifierIssue(
                        reason: .precisionLost,
                        message: "\(who)被 Excel 转成了科学计数法（\(text)），末几位已丢失：请把该列设置为“文本”格式后重新录入")
                }
            } else if j == u.count, hasFraction, fractionZerosOnly, i == 0 {
                return IdentifierIssue(
                    reason: .format,
                    message: "\(kind.chineseName)末尾多了“.0”（\(text)），这是 Excel 把号码当成数字保存留下的，可能已丢失位数，不会自动去掉：请把该列设置为“文本”格式后重新录入")
            }
        }
        if text.hasPrefix("'") || text.hasPrefix("‘") || text.hasPrefix("`") {
            return IdentifierIssue(
                reason: .charset,
                message: "\(kind.chineseName)开头多了一个单引号（\(text)）：请删去引号，并把该列设置为“文本”格式")
        }
        return nil
    }

    // MARK: GB 32100-2015

    /// USCC rules in order: length 18 → alphabet → positions 3-8 digits → authority → category → check.
    func uscc(_ c: [Character], offset: Int = 0) throws(IdentifierIssue) -> String {
        guard c.count == 18 else { throw Self.lengthIssue("统一社会信用代码", expected: "18 位", c) }
        for (i, ch) in c.enumerated() where UnifiedSocialCreditCode.value(of: ch) == nil {
            throw IdentifierIssue(
                reason: .charset,
                message: "统一社会信用代码第 \(offset + i + 1) 位是\(Self.shown(ch))，不是允许的字符（数字和除 I、O、Z、S、V 以外的大写字母）")
        }
        if !c[2..<8].allSatisfy(Self.isDigit) {
            throw IdentifierIssue(
                reason: .format,
                message: "统一社会信用代码第 3-8 位应为登记管理机关的行政区划代码（6 位数字），实际是“\(String(c[2..<8]))”")
        }
        guard let allowed = UnifiedSocialCreditCode.categories[c[0]] else {
            throw IdentifierIssue(
                reason: .authority,
                message: "统一社会信用代码第 1 位登记管理部门代码“\(c[0])”未分配（应为 1-9、A、N 或 Y），请核对代码")
        }
        guard allowed.contains(c[1]) else {
            throw IdentifierIssue(
                reason: .category,
                message: "统一社会信用代码第 2 位机构类别“\(c[1])”不属于登记管理部门“\(c[0])”（可用：\(allowed.sorted().map(String.init).joined(separator: "、"))），请核对代码")
        }
        let expected = UnifiedSocialCreditCode.checkCharacter(String(c[0..<17]))!
        guard c[17] == expected else {
            throw IdentifierIssue(
                reason: .checkCharacter,
                message: "校验位错误：按 GB 32100-2015 计算统一社会信用代码第 18 位应为 \(expected)，实际是 \(c[17])，请核对代码")
        }
        return String(c)
    }

    // MARK: GB 11714-1997

    /// Organisation code: one hyphen at position 9 dropped (when allowed), 9 characters, body `0-9A-Z`,
    /// check `0-9X`, MOD 11 check. `offset` shifts positions in messages (inside a TIN).
    func organizationCode(_ input: [Character], allowHyphen: Bool, offset: Int = 0) throws(IdentifierIssue) -> String {
        var c = input
        if allowHyphen, c.count == 10, c[8] == "-" { c.remove(at: 8) }
        guard c.count == 9 else {
            var issue = Self.lengthIssue("组织机构代码", expected: "9 位（或 XXXXXXXX-C 形式的 10 位）", c)
            if c.count == 8, c.allSatisfy(Self.isDigit) {
                issue.message += "；如果原代码以 0 开头，可能是 Excel 把它当成数字去掉了开头的 0：请把该列设置为“文本”格式后重新录入"
            } else if c.contains("-") {
                issue.message += "；连字符只能在第 9 位（XXXXXXXX-C）"
            }
            throw issue
        }
        for i in 0..<8 where !(Self.isDigit(c[i]) || Self.isUpperLetter(c[i])) {
            throw IdentifierIssue(
                reason: .charset,
                message: "组织机构代码第 \(offset + i + 1) 位是\(Self.shown(c[i]))，本体 8 位只能是数字或大写字母")
        }
        guard Self.isDigit(c[8]) || c[8] == "X" else {
            throw IdentifierIssue(
                reason: .charset,
                message: "组织机构代码的校验码（第 \(offset + 9) 位）是\(Self.shown(c[8]))，只能是数字或 X")
        }
        let expected = OrganizationCode.checkCharacter(String(c[0..<8]))!
        guard c[8] == expected else {
            throw IdentifierIssue(
                reason: .checkCharacter,
                message: "校验位错误：按 GB 11714-1997 计算组织机构代码“\(String(c[0..<8]))”的校验码（第 \(offset + 9) 位）应为 \(expected)，实际是 \(c[8])，请核对代码")
        }
        return String(c)
    }

    // MARK: GS15-2006

    /// Business registration number: 15 digits, national or province-prefixed division, MOD 11,10 check.
    func registrationNumber(_ c: [Character]) throws(IdentifierIssue) -> String {
        guard c.count == 15 else {
            var issue = Self.lengthIssue("工商注册号", expected: "15 位", c)
            if c.count == 13, c.allSatisfy(Self.isDigit) {
                issue.message += "；2007 年以前的 13 位注册号没有校验位，不再接受，请填写统一社会信用代码或 15 位注册号"
            }
            throw issue
        }
        try Self.requireDigits(c, name: "工商注册号")
        let division = String(c[0..<6])
        guard division == DivisionCode.national || DivisionCode.hasProvincePrefix(division) else {
            throw IdentifierIssue(
                reason: .division,
                message: "工商注册号前 6 位“\(division)”不是登记机关的行政区划代码（省级前缀无效），请核对号码")
        }
        let expected = BusinessRegistrationNumber.checkDigit(String(c[0..<14]))!
        guard c[14] == expected else {
            throw IdentifierIssue(
                reason: .checkCharacter,
                message: "校验位错误：按 GS15-2006（ISO 7064 MOD 11,10）计算工商注册号第 15 位应为 \(expected)，实际是 \(c[14])，请核对号码")
        }
        return String(c)
    }

    // MARK: TIN

    /// Taxpayer identification number: 15 (division + org code), 18 (USCC or resident ID), 20 (ID + 2 digits).
    func taxpayerNumber(_ c: [Character]) throws(IdentifierIssue) -> String {
        switch c.count {
        case 15: return try oldTaxpayerNumber(c)
        case 18:
            return try firstValid([("统一社会信用代码", { () throws(IdentifierIssue) in try uscc(c) }),
                                   ("公民身份号码", { () throws(IdentifierIssue) in try residentID(c, allowLegacy: false) })])
        case 20: return try personalTaxpayerNumber(c)
        default:
            throw Self.lengthIssue("纳税人识别号", expected: "15、18 或 20 位", c)
        }
    }

    /// 15-character TIN: 6-digit division with a province prefix + GB 11714-1997 code (no hyphen).
    func oldTaxpayerNumber(_ c: [Character]) throws(IdentifierIssue) -> String {
        for i in 0..<6 where !Self.isDigit(c[i]) {
            throw IdentifierIssue(
                reason: .charset,
                message: "15 位纳税人识别号第 \(i + 1) 位是\(Self.shown(c[i]))，前 6 位应为行政区划代码（数字）")
        }
        let division = String(c[0..<6])
        guard DivisionCode.hasProvincePrefix(division) else {
            throw IdentifierIssue(
                reason: .division,
                message: "15 位纳税人识别号前 6 位“\(division)”不是行政区划代码（省级前缀无效），请核对号码")
        }
        _ = try organizationCode(Array(c[6...]), allowHyphen: false, offset: 6)
        return String(c)
    }

    /// 20-character TIN: an 18-character GB 11643-1999 ID + a 2-digit sequence.
    func personalTaxpayerNumber(_ c: [Character]) throws(IdentifierIssue) -> String {
        for i in 18..<20 where !Self.isDigit(c[i]) {
            throw IdentifierIssue(
                reason: .charset,
                message: "20 位纳税人识别号第 \(i + 1) 位是\(Self.shown(c[i]))，最后 2 位应为数字序号")
        }
        _ = try residentID(Array(c[0..<18]), allowLegacy: false)
        return String(c)
    }

    /// Any organisation identifier: org code (9, or 10 with the hyphen), reg no or old TIN (15),
    /// USCC or ID-based TIN (18), TIN (20).
    func organizationIdentifier(_ c: [Character]) throws(IdentifierIssue) -> String {
        switch c.count {
        case 9:
            return try organizationCode(c, allowHyphen: true)
        case 10 where c[8] == "-":
            return try organizationCode(c, allowHyphen: true)
        case 15:
            return try firstValid([("工商注册号", { () throws(IdentifierIssue) in try registrationNumber(c) }),
                                   ("纳税人识别号", { () throws(IdentifierIssue) in try oldTaxpayerNumber(c) })])
        case 18, 20:
            return try taxpayerNumber(c)
        default:
            throw Self.lengthIssue(
                "单位代码", expected: "统一社会信用代码（18 位）、组织机构代码（9 位）、工商注册号（15 位）或纳税人识别号（15、18、20 位）", c)
        }
    }

    /// The first candidate that accepts the value; else the issue(s) that got furthest through their rules.
    func firstValid(_ candidates: [(String, () throws(IdentifierIssue) -> String)]) throws(IdentifierIssue) -> String {
        var issues: [(String, IdentifierIssue)] = []
        for (name, rule) in candidates {
            do {
                return try rule()
            } catch {
                issues.append((name, error))
            }
        }
        let best = issues.map { Self.progress($0.1.reason) }.max() ?? 0
        let top = issues.filter { Self.progress($0.1.reason) == best }
        if top.count == 1 { throw top[0].1 }
        throw IdentifierIssue(
            reason: top[0].1.reason,
            message: top.map { "作为\($0.0)：\($0.1.message)" }.joined(separator: "；"))
    }

    /// How far through the rules a reason lies (later rules rank higher).
    static func progress(_ reason: IdentifierIssue.Reason) -> Int {
        switch reason {
        case .empty, .precisionLost, .length: 0
        case .charset: 1
        case .format: 2
        case .authority, .category, .division, .date, .future: 3
        case .checkCharacter: 4
        }
    }

    // MARK: GB 11643-1999

    /// Resident ID: 18 characters (17 digits + `0-9X`) or, when allowed, 15 legacy digits upgraded to 18;
    /// then division (any vintage) → birth date exists → not after today → MOD 11-2 check.
    func residentID(_ c: [Character], allowLegacy: Bool) throws(IdentifierIssue) -> String {
        var id = c
        var upgraded = false
        if allowLegacy, c.count == 15 {
            for (i, ch) in c.enumerated() where !Self.isDigit(ch) {
                throw IdentifierIssue(
                    reason: .charset,
                    message: "15 位旧公民身份号码只能由数字组成（没有校验码），第 \(i + 1) 位是\(Self.shown(ch))")
            }
            id = Array(ResidentIdentityNumber.upgrade(String(c))!)
            upgraded = true
        } else if c.count == 18 {
            for i in 0..<17 where !Self.isDigit(c[i]) {
                throw IdentifierIssue(
                    reason: .charset,
                    message: "公民身份号码第 \(i + 1) 位是\(Self.shown(c[i]))，前 17 位只能是数字（X 只能在最后一位）")
            }
            guard Self.isDigit(c[17]) || c[17] == "X" else {
                throw IdentifierIssue(
                    reason: .charset,
                    message: "公民身份号码最后一位是\(Self.shown(c[17]))，只能是数字或 X")
            }
        } else {
            throw Self.lengthIssue("公民身份号码", expected: allowLegacy ? "18 位（或 15 位旧号码）" : "18 位", c)
        }
        let division = String(id[0..<6])
        guard divisions.isKnown(division) else {
            throw IdentifierIssue(
                reason: .division,
                message: "公民身份号码前 6 位地址码“\(division)”不是任何时期的 GB/T 2260 行政区划代码，请核对号码")
        }
        let y = Int(String(id[6..<10]))!, m = Int(String(id[10..<12]))!, d = Int(String(id[12..<14]))!
        let isoDate = String(id[6..<10]) + "-" + String(id[10..<12]) + "-" + String(id[12..<14])
        let shownDate = upgraded ? isoDate + "（旧号码中的 \(String(c[6..<12]))）" : isoDate
        guard let birth = CalendarDate(year: y, month: m, day: d) else {
            throw IdentifierIssue(
                reason: .date,
                message: "公民身份号码中的出生日期 \(shownDate) 不存在，请核对号码")
        }
        guard birth <= today else {
            throw IdentifierIssue(
                reason: .future,
                message: "公民身份号码中的出生日期 \(birth.isoString) 晚于今天（\(today.isoString)），请核对号码")
        }
        let expected = ResidentIdentityNumber.checkCharacter(String(id[0..<17]))!
        guard id[17] == expected else {
            var message = "校验位错误：按 GB 11643-1999 计算公民身份号码最后一位应为 \(expected)，实际是 \(id[17])，请核对号码"
            if id[15...].allSatisfy({ $0 == "0" }) {
                message += "。号码末尾是 000，可能是 Excel 只保留了 15 位有效数字、把最后几位变成了 0：请把该列设置为“文本”格式后重新录入完整号码"
            }
            throw IdentifierIssue(reason: .checkCharacter, message: message)
        }
        return String(id)
    }

    // MARK: Passport (project policy)

    /// Passport: 5-9 characters of `0-9A-Z` with at least one digit.
    func passport(_ c: [Character]) throws(IdentifierIssue) -> String {
        for (i, ch) in c.enumerated() where !(Self.isDigit(ch) || Self.isUpperLetter(ch)) {
            throw IdentifierIssue(
                reason: .charset,
                message: "护照号码第 \(i + 1) 位是\(Self.shown(ch))，只能由字母和数字组成")
        }
        guard (5...9).contains(c.count) else {
            var issue = Self.lengthIssue("护照号码", expected: "5-9 位", c)
            if c.count == 18 || c.count == 15 { issue.message += "；看起来是公民身份号码，请检查证件类型" }
            throw issue
        }
        guard c.contains(where: Self.isDigit) else {
            throw IdentifierIssue(reason: .format, message: "护照号码“\(String(c))”中没有数字，请核对号码")
        }
        return String(c)
    }

    // MARK: Codes with parts

    /// Splits `text` at ASCII hyphens and checks each part's length and characters; `nil` on success, else
    /// the format issue.
    static func partsIssue(_ text: String, name: String, pattern: String, example: String,
                           parts expected: [(length: Int, digits: Bool)]) -> IdentifierIssue? {
        let head = "\(name)应为 \(pattern)（如 \(example)）"
        if text.contains(where: { $0 == "—" || $0 == "–" || $0 == "－" || $0 == "−" || $0 == "_" }) {
            return IdentifierIssue(reason: .format, message: "\(head)，分隔符必须是半角连字符 -，不能用破折号、长横线或下划线")
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 1 {
            return IdentifierIssue(reason: .format, message: "\(head)，缺少连字符 -")
        }
        guard parts.count == expected.count else {
            return IdentifierIssue(reason: .format, message: "\(head)，应有 \(expected.count) 段、\(expected.count - 1) 个连字符，实际 \(parts.count) 段")
        }
        for (n, (part, want)) in zip(parts, expected).enumerated() {
            let ok = part.count == want.length && part.allSatisfy { want.digits ? isDigit($0) : isUpperLetter($0) }
            if !ok {
                return IdentifierIssue(
                    reason: .format,
                    message: "\(head)，第 \(n + 1) 段“\(part)”应为 \(want.length) 位\(want.digits ? "数字" : "大写字母")")
            }
        }
        return nil
    }

    /// Project code `YYYY-DDDDDD-II-TT-NNNNNN`: year 2015…today's year, division of any vintage.
    func projectCode(_ text: String) throws(IdentifierIssue) -> String {
        if let issue = Self.partsIssue(
            text, name: "投资项目代码", pattern: "YYYY-DDDDDD-II-TT-NNNNNN", example: "2017-321002-47-03-000123",
            parts: [(4, true), (6, true), (2, true), (2, true), (6, true)]) { throw issue }
        let year = Int(text.prefix(4))!
        guard (2015...today.year).contains(year) else {
            throw IdentifierIssue(
                reason: .date,
                message: "投资项目代码的赋码年份 \(year) 不在 2015–\(today.year) 之间，请核对代码")
        }
        let division = String(text.dropFirst(5).prefix(6))
        guard divisions.isKnown(division) else {
            throw IdentifierIssue(
                reason: .division,
                message: "投资项目代码第 2 段“\(division)”不是 GB/T 2260 行政区划代码，请核对代码")
        }
        return text
    }

    /// The power-category letters of a power code (许可 处罚 强制 征收 给付 确认 奖励 裁决 其他).
    static let powerCategories: [String] = ["XK", "CF", "QZ", "ZS", "JF", "QR", "JL", "CJ", "QT"]

    /// Power code `CC-dddddd-nnnnn`: CC a power category, dddddd a GB/T 2260 code of any vintage.
    func powerCode(_ text: String) throws(IdentifierIssue) -> String {
        if let issue = Self.partsIssue(
            text, name: "权力事项编码", pattern: "CC-dddddd-nnnnn", example: "XK-321000-00123",
            parts: [(2, false), (6, true), (5, true)]) { throw issue }
        let category = String(text.prefix(2))
        guard Self.powerCategories.contains(category) else {
            throw IdentifierIssue(
                reason: .category,
                message: "权力事项编码的类别“\(category)”无效，应为 XK、CF、QZ、ZS、JF、QR、JL、CJ、QT 之一")
        }
        let division = String(text.dropFirst(3).prefix(6))
        guard divisions.isKnown(division) else {
            throw IdentifierIssue(
                reason: .division,
                message: "权力事项编码第 2 段“\(division)”不是 GB/T 2260 行政区划代码，请核对编码")
        }
        return text
    }

    // MARK: GB/T 2260

    /// Division code (信息属地): 6 digits in the current GB/T 2260 list.
    func divisionCode(_ c: [Character]) throws(IdentifierIssue) -> String {
        for (i, ch) in c.enumerated() where !Self.isDigit(ch) {
            throw IdentifierIssue(
                reason: .charset,
                message: "行政区划代码第 \(i + 1) 位是\(Self.shown(ch))，应为 6 位数字（如 321002），不能填地名")
        }
        guard c.count == 6 else { throw Self.lengthIssue("行政区划代码", expected: "6 位", c) }
        let code = String(c)
        guard divisions.isCurrent(code) else {
            if divisions.isKnown(code) {
                let name = divisions.name(of: code).map { "（\($0)）" } ?? ""
                let until = divisions.entries(of: code).compactMap(\.validTo).max().map { "，只使用到 \($0) 年" } ?? ""
                throw IdentifierIssue(
                    reason: .division,
                    message: "行政区划代码“\(code)”\(name)已撤销或调整\(until)，不是现行代码：请填写现行的行政区划代码")
            }
            throw IdentifierIssue(
                reason: .division,
                message: "“\(code)”不是 GB/T 2260 行政区划代码，请核对代码")
        }
        return code
    }

    // MARK: Phone

    /// Mainland mobile `1[3-9]` + 9 digits, or landline `0` + 2-3 digit area code, optional `-`, 7-8 digits.
    func phone(_ c: [Character]) throws(IdentifierIssue) -> String {
        for (i, ch) in c.enumerated() where !(Self.isDigit(ch) || ch == "-") {
            throw IdentifierIssue(
                reason: .charset,
                message: "电话号码第 \(i + 1) 位是\(Self.shown(ch))，只能由数字和一个连字符组成（如 13812345678 或 0514-87654321）")
        }
        let text = String(c)
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let ok: Bool
        switch parts.count {
        case 1:
            let second = c.count > 1 ? c[1] : " "
            ok = (c.count == 11 && c[0] == "1" && ("3"..."9").contains(second))
                || (c.first == "0" && (10...12).contains(c.count))
        case 2:
            ok = parts[0].first == "0" && (3...4).contains(parts[0].count) && (7...8).contains(parts[1].count)
        default:
            ok = false
        }
        guard ok else {
            throw IdentifierIssue(
                reason: .format,
                message: "电话号码“\(text)”应为 11 位手机号（1 开头，第 2 位 3-9）或带区号的固定电话（如 0514-87654321）")
        }
        return text
    }

    // MARK: Helpers

    static func isDigit(_ c: Character) -> Bool {
        guard let a = c.asciiValue else { return false }
        return a >= 48 && a <= 57
    }

    static func isUpperLetter(_ c: Character) -> Bool {
        guard let a = c.asciiValue else { return false }
        return a >= 65 && a <= 90
    }

    static func requireDigits(_ c: [Character], name: String) throws(IdentifierIssue) {
        for (i, ch) in c.enumerated() where !isDigit(ch) {
            throw IdentifierIssue(reason: .charset, message: "\(name)第 \(i + 1) 位是\(shown(ch))，只能是数字")
        }
    }

    /// A character quoted for a message; spaces and look-alikes named (with their code point).
    static func shown(_ c: Character) -> String {
        switch c {
        case " ": return "空格"
        case "-": return "连字符“-”"
        default: break
        }
        guard let scalar = c.unicodeScalars.first, c.unicodeScalars.count == 1 else { return "“\(c)”" }
        let v = scalar.value
        if v < 0x80 || (0x4E00...0x9FFF).contains(v) { return "“\(c)”" }
        if scalar.properties.isWhitespace || v == 0x200B || v == 0xFEFF {
            return "不可见的空白字符（U+\(hex(v))）"
        }
        return "“\(c)”（U+\(hex(v))，不是半角字母或数字）"
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// "X应为 N 位，实际 M 位" with a hint about inner spaces, hyphens or dashes.
    static func lengthIssue(_ name: String, expected: String, _ c: [Character]) -> IdentifierIssue {
        let space = expected.first?.isASCII == true ? " " : ""
        var message = "\(name)应为\(space)\(expected)，实际 \(c.count) 位"
        if c.count <= 4 { message += "（“\(String(c))”）" }
        var hints: [String] = []
        if c.contains(where: { $0 == " " || $0.unicodeScalars.first.map { $0.properties.isWhitespace || $0.value == 0x200B } == true }) {
            hints.append("空格")
        }
        if c.contains("-") { hints.append("连字符") }
        if c.contains(where: { $0 == "—" || $0 == "–" }) { hints.append("破折号") }
        if c.contains(".") { hints.append("小数点") }
        if !hints.isEmpty { message += "：号码中间有\(hints.joined(separator: "、"))，不会自动删除，请核对后重新录入" }
        return IdentifierIssue(reason: .length, message: message)
    }
}
