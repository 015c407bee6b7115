/// A made-up file of one indicator for one reporting period, as a unit's clerk would file it: a CSV (RFC 4180,
/// UTF-8, the catalog's column headers) whose rows are valid, plus a few faulty rows when asked — for the demo
/// city. Every person, company and identifier is invented (``SyntheticIdentifiers``); the first date field of
/// each row falls inside the period, so the file reads as that period's.
public struct SyntheticFile: Sendable {
    /// A kind of faulty row, each rejected with its own error code.
    public enum Fault: String, Sendable, CaseIterable {
        /// An identifier with a wrong check character (`bad_check_digit`).
        case checkCharacter
        /// A required field left empty (`missing_required`).
        case missingRequired
        /// A date that does not exist (`bad_date`).
        case impossibleDate
        /// A value outside an enum's list (`not_in_enum`).
        case notInList
        /// A row repeating an earlier one (`duplicate_row`).
        case duplicateRow
    }

    /// The CSV text (``CSVText/document(header:rows:)``: BOM, header line, one line per row).
    public var csv: String
    /// Data rows in the file (valid and faulty).
    public var rowsTotal: Int
    /// Faulty rows among them.
    public var faultyRows: Int
    /// The faulty rows as the clerk corrects them (a duplicate row is dropped, not corrected), as a CSV for a
    /// 补报; `nil` when the file has no faulty row to correct.
    public var correctedCSV: String?

    /// Makes `validRows` valid rows of `indicator` for `period` and `faults` faulty ones (kinds the indicator
    /// allows, e.g. no `impossibleDate` without a date field), placed among them.
    public init<G: RandomNumberGenerator>(indicator: Indicator, period: ReportingPeriod, validRows: Int, faults: Int,
                                          using rng: inout G) {
        var maker = RowMaker(indicator: indicator, period: period)
        var rows = (0..<max(validRows, 1)).map { maker.row(number: $0, using: &rng) }
        let kinds = Fault.allCases.filter { maker.allows($0) }
        var faulty = 0
        var corrected: [[String]] = []
        for _ in 0..<faults {
            guard let kind = kinds.randomElement(using: &rng) else { break }
            if kind == .duplicateRow {
                rows.append(rows[Int.random(in: 0..<rows.count, using: &rng)])
            } else {
                let good = maker.row(number: rows.count, using: &rng)
                rows.insert(maker.breaking(good, kind, using: &rng), at: Int.random(in: 0...rows.count, using: &rng))
                corrected.append(good)
            }
            faulty += 1
        }
        let header = indicator.fields.map(\.header)
        csv = CSVText.document(header: header, rows: rows)
        correctedCSV = corrected.isEmpty ? nil : CSVText.document(header: header, rows: corrected)
        rowsTotal = rows.count
        faultyRows = faulty
    }
}

/// Makes the cells of one indicator's rows, field by field.
struct RowMaker {
    let indicator: Indicator
    let period: ReportingPeriod
    /// Fields that say which document a person_id field holds (居民身份证/护照).
    let idTypeFields: Set<String>
    /// For each one_of group, its keys.
    let groups: [[String]]

    init(indicator: Indicator, period: ReportingPeriod) {
        self.indicator = indicator
        self.period = period
        idTypeFields = Set(indicator.fields.compactMap(\.idTypeField))
        groups = indicator.oneOf ?? []
    }

    static let surnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
    static let given = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌宇浩凯鹏晨欣怡子轩雨婷佳琪思远")
    static let trade = ["贸易", "建设", "置业", "科技", "物流", "食品", "机械", "服饰", "餐饮", "商贸", "实业", "电子", "化工", "文化"]
    static let brand = Array("瘦西湖运河文昌广陵邗江仪征高邮宝应江都琼花东关个园汶河维扬")
    static let roads = ["文昌中路", "汶河北路", "江阳中路", "扬子江北路", "运河南路", "维扬路", "京华城路", "邗江中路", "史可法路", "开发东路"]
    static let districtNames = ["321000": "市本级", "321002": "广陵区", "321003": "邗江区", "321012": "江都区",
                                "321023": "宝应县", "321081": "仪征市", "321084": "高邮市"]

    /// One valid row, `number` making its reference numbers unique.
    mutating func row<G: RandomNumberGenerator>(number: Int, using rng: inout G) -> [String] {
        // In each one_of group, one alternative is filled (a person or an organisation), the others left empty.
        var empty: Set<String> = []
        for group in groups where group.count > 1 {
            let chosen = group.randomElement(using: &rng)!
            empty.formUnion(group.filter { $0 != chosen })
        }
        var passportFor: Set<String> = []
        var firstDate: CalendarDate?
        var cells: [String] = []
        for field in indicator.fields {
            if empty.contains(field.key) {
                cells.append("")
                continue
            }
            if idTypeFields.contains(field.key) {
                let passport = Double.random(in: 0..<1, using: &rng) < 0.03
                if passport { passportFor.insert(field.key) }
                cells.append(passport ? "护照" : "居民身份证")
                continue
            }
            cells.append(value(field, number: number, passport: field.idTypeField.map(passportFor.contains) ?? false,
                               firstDate: &firstDate, using: &rng))
        }
        return cells
    }

    func value<G: RandomNumberGenerator>(_ field: Field, number: Int, passport: Bool, firstDate: inout CalendarDate?,
                                         using rng: inout G) -> String {
        switch field.type {
        case .text: return text(field, number: number, using: &rng)
        case .integer: return String(Int.random(in: 1...(field.unique == true ? 9_999 : 300), using: &rng) + (field.unique == true ? number * 10_000 : 0))
        case .decimal: return decimal(field, using: &rng)
        case .date:
            let day = date(field, firstDate: &firstDate, using: &rng)
            return day.isoString
        case .datetime:
            let day = date(field, firstDate: &firstDate, using: &rng)
            return day.isoString + " " + pad(Int.random(in: 8...17, using: &rng), 2) + ":" + pad(Int.random(in: 0...59, using: &rng), 2) + ":00"
        case .boolean: return Bool.random(using: &rng) ? "是" : "否"
        case .enum: return field.values?.randomElement(using: &rng) ?? ""
        case .uscc, .orgID: return SyntheticIdentifiers.uscc(using: &rng)
        case .personID: return passport ? SyntheticIdentifiers.passport(using: &rng) : SyntheticIdentifiers.residentID(using: &rng)
        case .projectCode: return SyntheticIdentifiers.projectCode(year: max(period.firstDay.year - Int.random(in: 0...2, using: &rng), 2015), using: &rng)
        case .powerCode: return SyntheticIdentifiers.powerCode(using: &rng)
        case .divisionCode: return SyntheticIdentifiers.yangzhouDivisions.randomElement(using: &rng)!
        case .phone: return SyntheticIdentifiers.mobile(using: &rng)
        }
    }

    /// The first date of a row lies in the period; an end or expiry date one to three years after it; other dates
    /// in the period too.
    func date<G: RandomNumberGenerator>(_ field: Field, firstDate: inout CalendarDate?, using rng: inout G) -> CalendarDate {
        let span = period.lastDay.daysSinceEpoch - period.firstDay.daysSinceEpoch
        let inPeriod = period.firstDay.adding(days: Int.random(in: 0...span, using: &rng))!
        guard let first = firstDate else {
            firstDate = inPeriod
            return inPeriod
        }
        let key = field.key
        if key.contains("end") || key.contains("expir") || key.contains("until") || key.contains("valid_to") {
            return first.adding(days: 365 * Int.random(in: 1...3, using: &rng) - 1)!
        }
        return inPeriod
    }

    func decimal<G: RandomNumberGenerator>(_ field: Field, using rng: inout G) -> String {
        let unit = field.unit ?? ""
        let whole: Int
        switch unit {
        case "%": whole = Int.random(in: 0...99, using: &rng)
        case "平方米": whole = Int.random(in: 30...400, using: &rng)
        case "万元": whole = Int.random(in: 5...5_000, using: &rng)
        case "元": whole = Int.random(in: 500...3_000_000, using: &rng)
        default: whole = Int.random(in: 1...10_000, using: &rng)
        }
        return String(whole) + "." + pad(Int.random(in: 0...99, using: &rng), 2)
    }

    func text<G: RandomNumberGenerator>(_ field: Field, number: Int, using rng: inout G) -> String {
        let label = field.label, key = field.key
        let value: String
        if label.contains("姓名") || label.contains("法定代表人") || label.contains("负责人") || label.contains("联系人") {
            value = personName(using: &rng)
        } else if label.contains("项目") || label.contains("工程") || label.contains("规划") || label.contains("赛事") || label.contains("活动") {
            value = "扬州市" + String(Self.brand.randomElement(using: &rng)!) + String(Self.brand.randomElement(using: &rng)!)
                + ["片区改造工程", "配套设施项目", "综合开发项目", "文体活动"].randomElement(using: &rng)!
        } else if label.contains("名称") || key.hasSuffix("_name") {
            value = companyName(using: &rng)
        } else if key.hasSuffix("address") || key.hasSuffix("location") || label.contains("地址") || label.contains("坐落") {
            let district = SyntheticIdentifiers.district(using: &rng)
            value = "扬州市" + (Self.districtNames[district] ?? "") + Self.roads.randomElement(using: &rng)! + "\(Int.random(in: 1...388, using: &rng))号"
        } else if key.hasSuffix("country") || key.hasSuffix("nationality") {
            value = "中国"
        } else if key.hasSuffix("_no") || key.hasSuffix("_code") || key.hasSuffix("_id") || key == "vin" || key.hasSuffix("_vin") {
            let prefix = String(indicator.code.prefix(3))
            value = prefix + period.description.replacingOccurrences(of: "-", with: "") + pad(number + 1, 4)
                + pad(Int.random(in: 0...99, using: &rng), 2)
        } else {
            value = label.split(separator: "/").last.map(String.init).map { $0 + "（\(number + 1)）" } ?? "—"
        }
        guard let max = field.maxLength, value.count > max else { return value }
        return String(value.prefix(max))
    }

    func personName<G: RandomNumberGenerator>(using rng: inout G) -> String {
        String(Self.surnames.randomElement(using: &rng)!) + (0..<Int.random(in: 1...2, using: &rng))
            .map { _ in String(Self.given.randomElement(using: &rng)!) }.joined()
    }

    func companyName<G: RandomNumberGenerator>(using rng: inout G) -> String {
        "扬州" + String(Self.brand.randomElement(using: &rng)!) + String(Self.given.randomElement(using: &rng)!)
            + Self.trade.randomElement(using: &rng)! + "有限公司"
    }

    // MARK: Faults

    var checkedIdentifier: Field? {
        indicator.fields.first { MaskingRule.identifiesTaxpayer($0) && !inGroup($0.key) }
    }

    var requiredField: Field? {
        indicator.fields.first { $0.required && !inGroup($0.key) && !idTypeFields.contains($0.key) && $0.type != .divisionCode }
    }

    var enumField: Field? {
        indicator.fields.first { $0.type == .enum && !idTypeFields.contains($0.key) }
    }

    var dateField: Field? {
        indicator.fields.first { $0.type == .date }
    }

    func inGroup(_ key: String) -> Bool {
        groups.contains { $0.contains(key) }
    }

    func allows(_ fault: SyntheticFile.Fault) -> Bool {
        switch fault {
        case .checkCharacter: checkedIdentifier != nil
        case .missingRequired: requiredField != nil
        case .impossibleDate: dateField != nil
        case .notInList: enumField != nil
        case .duplicateRow: true
        }
    }

    /// `row` made faulty in the way `fault` says.
    func breaking<G: RandomNumberGenerator>(_ row: [String], _ fault: SyntheticFile.Fault, using rng: inout G) -> [String] {
        var row = row
        func set(_ field: Field?, _ value: (String) -> String) {
            guard let field, let i = indicator.fields.firstIndex(where: { $0.key == field.key }) else { return }
            row[i] = value(row[i])
        }
        switch fault {
        case .checkCharacter:
            // A resident ID (not a passport) or a credit code with its last character mistyped.
            set(checkedIdentifier) { $0.count == 18 ? SyntheticIdentifiers.withWrongCheckCharacter($0) : SyntheticIdentifiers.withWrongCheckCharacter(SyntheticIdentifiers.residentID(using: &rng)) }
            if let field = checkedIdentifier, let typeKey = field.idTypeField, let i = indicator.fields.firstIndex(where: { $0.key == typeKey }) {
                row[i] = "居民身份证"
            }
        case .missingRequired: set(requiredField) { _ in "" }
        case .impossibleDate: set(dateField) { _ in "\(period.firstDay.year)-02-30" }
        case .notInList: set(enumField) { _ in "其它类" }
        case .duplicateRow: break
        }
        return row
    }
}
