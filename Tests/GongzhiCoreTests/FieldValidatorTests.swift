import Testing
import GongzhiCore

/// Hand-built fields, identifier rules and validators shared by the field and record validator tests.
enum ValidationFixtures {
    /// A small GB/T 2260 list: 321002 广陵区 current, 321027 邗江县 retired in 2000, 110101 东城区 current.
    static let divisions: DivisionRegistry = try! DivisionRegistry(csv: """
        code,name,valid_from,valid_to,level
        320000,江苏省,,,province
        321000,扬州市,,,prefecture
        321002,广陵区,,,county
        321027,邗江县,,2000,county
        110000,北京市,,,province
        110101,东城区,,,county
        """)

    static let identifiers = IdentifierValidator(divisions: divisions, today: CalendarDate(year: 2026, month: 11, day: 29)!)

    static let general = NumberFormat.general
    static let sixDigits = NumberFormat(id: 164, code: "000000", isDateTime: false)
    static let dateFormat = NumberFormat(id: 14, code: "yyyy/m/d", isDateTime: true)
}

@Suite("FieldValidator: one cell against its field")
struct FieldValidatorTests {
    static let fields: [Field] = [
        Field(key: "name", label: "名称", type: .text),
        Field(key: "scope", label: "经营范围", type: .text, maxLength: 10),
        Field(key: "code6", label: "信息属地", type: .text, pattern: "^[0-9]{6}$"),
        Field(key: "usage", label: "用途", type: .enum, values: ["住宅", "商业", "其他"]),
        Field(key: "count", label: "套数", type: .integer, unit: "套"),
        Field(key: "amount", label: "成交金额", type: .decimal, unit: "万元"),
        Field(key: "day", label: "合同日期", type: .date),
        Field(key: "moment", label: "登记时间", type: .datetime),
        Field(key: "flag", label: "是否首套", type: .boolean),
        Field(key: "person", label: "证件号码", type: .personID),
        Field(key: "uscc", label: "统一社会信用代码", type: .uscc),
        Field(key: "division", label: "行政区划代码", type: .divisionCode),
    ]

    static let indicator = Indicator(code: "CASE-F01", unit: "case", name: "字段测试", period: .monthly,
                                     subject: "mixed", sharing: .registered, fields: fields)
    static let validator = FieldValidator(identifiers: ValidationFixtures.identifiers, indicator: indicator)

    static func field(_ key: String) -> Field { indicator.field(key)! }

    enum Expected: Sendable, Equatable {
        case value(FieldValue, from: String?)
        case failure(ImportErrorCode)
        case empty(raw: String?)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var key: String
        var cell: RawCell
        var expected: Expected
        var passport = false
        var testDescription: String { "\(key) \(cell)" }

        init(_ key: String, _ cell: RawCell, _ expected: Expected, passport: Bool = false) {
            self.key = key
            self.cell = cell
            self.expected = expected
            self.passport = passport
        }

        init(_ key: String, _ text: String, _ expected: Expected, passport: Bool = false) {
            self.init(key, .text(text), expected, passport: passport)
        }
    }

    static func check(_ c: Case) {
        // given the field and the raw cell
        let field = field(c.key)
        // when
        let outcome = validator.validate(c.cell, as: field, passport: c.passport)
        // then
        switch (c.expected, outcome) {
        case let (.value(value, from), .value(actual, actualFrom)):
            #expect(actual == value)
            #expect(actualFrom == from)
        case let (.failure(code), .failure(actual, message)):
            #expect(actual == code)
            #expect(!message.isEmpty)
        case let (.empty(raw), .empty(actual)):
            #expect(actual == raw)
        default:
            Issue.record("expected \(c.expected), got \(outcome)")
        }
    }

    @Test("text: trimmed, full-width kept, number cells through their format", arguments: [
        Case("name", "扬州市广陵区某公司", .value(.text("扬州市广陵区某公司"), from: nil)),
        Case("name", "  扬州某公司\u{3000}", .value(.text("扬州某公司"), from: "  扬州某公司\u{3000}")),
        Case("name", "\u{00A0}张 三\u{00A0}", .value(.text("张 三"), from: "\u{00A0}张 三\u{00A0}")),
        Case("name", "批发；零售（不含危险品）", .value(.text("批发；零售（不含危险品）"), from: nil)),
        Case("name", "ＡＢＣ１２３", .value(.text("ＡＢＣ１２３"), from: nil)),
        Case("name", " 批发；零售 ", .value(.text("批发；零售"), from: " 批发；零售 ")),
        Case("name", .number("1", format: ValidationFixtures.general), .value(.text("1"), from: nil)),
        Case("code6", .number("10010", format: ValidationFixtures.sixDigits), .value(.text("010010"), from: nil)),
        Case("code6", .number("321002", format: ValidationFixtures.general), .value(.text("321002"), from: nil)),
    ])
    func text(c: Case) { Self.check(c) }

    @Test("text: max_length and pattern give bad_format", arguments: [
        Case("scope", "一二三四五六七八九十", .value(.text("一二三四五六七八九十"), from: nil)),
        Case("scope", "  一二三四五六七八九十  ", .value(.text("一二三四五六七八九十"), from: "  一二三四五六七八九十  ")),
        Case("scope", "一二三四五六七八九十一", .failure(.badFormat)),
        Case("code6", "321002", .value(.text("321002"), from: nil)),
        Case("code6", " 321002 ", .value(.text("321002"), from: " 321002 ")),
        Case("code6", "32100", .failure(.badFormat)),
        Case("code6", "3210021", .failure(.badFormat)),
        Case("code6", "广陵区", .failure(.badFormat)),
        Case("code6", "a321002", .failure(.badFormat)),
        Case("code6", .number("32100", format: ValidationFixtures.general), .failure(.badFormat)),
    ])
    func textRules(c: Case) { Self.check(c) }

    @Test("enum: exact after trimming", arguments: [
        Case("usage", "住宅", .value(.text("住宅"), from: nil)),
        Case("usage", " 其他 ", .value(.text("其他"), from: " 其他 ")),
        Case("usage", "商业\u{3000}", .value(.text("商业"), from: "商业\u{3000}")),
        Case("usage", "其它", .failure(.notInEnum)),
        Case("usage", "商住", .failure(.notInEnum)),
        Case("usage", "小汽车", .failure(.notInEnum)),
    ])
    func enumeration(c: Case) { Self.check(c) }

    @Test("integer: plain, folded, separated; fractions and words refused", arguments: [
        Case("count", "12", .value(.integer("12"), from: nil)),
        Case("count", " 12 ", .value(.integer("12"), from: " 12 ")),
        Case("count", "１２", .value(.integer("12"), from: "１２")),
        Case("count", "1,234", .value(.integer("1234"), from: "1,234")),
        Case("count", "12.5", .failure(.notANumber)),
        Case("count", "十二", .failure(.notANumber)),
        Case("count", "12套", .failure(.notANumber)),
        Case("count", .number("12", format: ValidationFixtures.general), .value(.integer("12"), from: nil)),
        Case("count", .number("12.5", format: ValidationFixtures.general), .failure(.notANumber)),
    ])
    func integer(c: Case) { Self.check(c) }

    @Test("decimal: plain readings, normalisations", arguments: [
        Case("amount", "256.95", .value(.decimal("256.95"), from: nil)),
        Case("amount", "256.90", .value(.decimal("256.90"), from: nil)),
        Case("amount", "4789548", .value(.decimal("4789548"), from: nil)),
        Case("amount", "1,234,567.50", .value(.decimal("1234567.50"), from: "1,234,567.50")),
        Case("amount", "12,000", .value(.decimal("12000"), from: "12,000")),
        Case("amount", "４７８９５４８", .value(.decimal("4789548"), from: "４７８９５４８")),
        Case("amount", "１，２３４．５", .value(.decimal("1234.5"), from: "１，２３４．５")),
        Case("amount", " 35 ", .value(.decimal("35"), from: " 35 ")),
        Case("amount", .number("256.9", format: ValidationFixtures.general), .value(.decimal("256.9"), from: nil)),
        Case("amount", .number("256.94999999999999", format: ValidationFixtures.general), .value(.decimal("256.95"), from: nil)),
        Case("amount", .number("4789548", format: NumberFormat(id: 3, code: "#,##0", isDateTime: false)), .value(.decimal("4789548"), from: nil)),
    ])
    func decimal(c: Case) { Self.check(c) }

    @Test("decimal: text that is not a number is not_a_number", arguments: [
        "待定", "面议", "约35万", "12O000", "N/A", "叁万元", "见附件", "1.234,50", "1,23,4.5", "35万", "-",
    ])
    func notANumber(text: String) { Self.check(Case("amount", text, .failure(.notANumber))) }

    @Test("date: plain readings, other spellings normalised", arguments: [
        Case("day", "2024-03-05", .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), from: nil)),
        Case("day", "2023/1/5", .value(.date(CalendarDate(year: 2023, month: 1, day: 5)!), from: "2023/1/5")),
        Case("day", "2024年3月5日", .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), from: "2024年3月5日")),
        Case("day", "2024-3-5", .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), from: "2024-3-5")),
        Case("day", "2024.3.5", .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), from: "2024.3.5")),
        Case("day", "20240305", .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), from: "20240305")),
        Case("day", " 2024-03-05 ", .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), from: " 2024-03-05 ")),
        Case("day", " ２０２４年３月５日", .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), from: " ２０２４年３月５日")),
        Case("day", "2024-02-29", .value(.date(CalendarDate(year: 2024, month: 2, day: 29)!), from: nil)),
        Case("day", .number("45356", format: ValidationFixtures.dateFormat), .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), from: nil)),
        Case("day", .number("45356", format: NumberFormat(id: 176, code: "yyyy\"年\"m\"月\"d\"日\"", isDateTime: true)),
             .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), from: nil)),
    ])
    func date(c: Case) { Self.check(c) }

    @Test("date: days that do not exist, times and words are bad_date", arguments: [
        Case("day", "2024-02-30", .failure(.badDate)),
        Case("day", "2023-02-29", .failure(.badDate)),
        Case("day", "2024-13-05", .failure(.badDate)),
        Case("day", "2024-00-12", .failure(.badDate)),
        Case("day", "2024年2月30日", .failure(.badDate)),
        Case("day", "2024-03-05 10:00:00", .failure(.badDate)),
        Case("day", "明天", .failure(.badDate)),
        Case("day", "03/05/2024", .failure(.badDate)),
        Case("day", .number("60", format: ValidationFixtures.dateFormat), .failure(.badDate)),
    ])
    func badDate(c: Case) { Self.check(c) }

    @Test("datetime: yyyy-mm-dd hh:mm:ss is plain, other spellings normalised", arguments: [
        Case("moment", "2024-03-05 10:20:30",
             .value(.dateTime(CalendarDateTime(date: CalendarDate(year: 2024, month: 3, day: 5)!, hour: 10, minute: 20, second: 30)!), from: nil)),
        Case("moment", "2024-03-05T10:20:30",
             .value(.dateTime(CalendarDateTime(date: CalendarDate(year: 2024, month: 3, day: 5)!, hour: 10, minute: 20, second: 30)!), from: nil)),
        Case("moment", "2024/3/5 10:20",
             .value(.dateTime(CalendarDateTime(date: CalendarDate(year: 2024, month: 3, day: 5)!, hour: 10, minute: 20, second: 0)!), from: "2024/3/5 10:20")),
        Case("moment", "2024-03-05",
             .value(.dateTime(CalendarDateTime(date: CalendarDate(year: 2024, month: 3, day: 5)!, hour: 0, minute: 0, second: 0)!), from: "2024-03-05")),
        Case("moment", " 2024-03-05 10:20:30 ",
             .value(.dateTime(CalendarDateTime(date: CalendarDate(year: 2024, month: 3, day: 5)!, hour: 10, minute: 20, second: 30)!), from: " 2024-03-05 10:20:30 ")),
        Case("moment", .number("45356.5", format: NumberFormat(id: 22, code: "yyyy/m/d h:mm", isDateTime: true)),
             .value(.dateTime(CalendarDateTime(date: CalendarDate(year: 2024, month: 3, day: 5)!, hour: 12, minute: 0, second: 0)!), from: nil)),
        Case("moment", "2024-03-05 24:00:00", .failure(.badDate)),
        Case("moment", "2024-02-30 10:00:00", .failure(.badDate)),
        Case("moment", "2024-03-05 10:60:00", .failure(.badDate)),
    ])
    func dateTime(c: Case) { Self.check(c) }

    @Test("boolean: 是/否 plain, other spellings normalised", arguments: [
        Case("flag", "是", .value(.boolean(true), from: nil)),
        Case("flag", "否", .value(.boolean(false), from: nil)),
        Case("flag", " 是 ", .value(.boolean(true), from: " 是 ")),
        Case("flag", "否\u{3000}", .value(.boolean(false), from: "否\u{3000}")),
        Case("flag", "Y", .value(.boolean(true), from: "Y")),
        Case("flag", "FALSE", .value(.boolean(false), from: "FALSE")),
        Case("flag", "false", .value(.boolean(false), from: nil)),
        Case("flag", "可能", .failure(.badFormat)),
        Case("flag", .boolean(true), .value(.boolean(true), from: nil)),
        Case("flag", .number("0", format: ValidationFixtures.general), .value(.boolean(false), from: nil)),
        Case("flag", .number("2", format: ValidationFixtures.general), .failure(.badFormat)),
    ])
    func boolean(c: Case) { Self.check(c) }

    @Test("resident ID: folded and upper-cased, check digit, length, numbers that lost digits", arguments: [
        Case("person", "321002198001010011", .value(.text("321002198001010011"), from: nil)),
        Case("person", "  321002198001010011 ", .value(.text("321002198001010011"), from: "  321002198001010011 ")),
        Case("person", "３２１００２１９９５１１１９６１６４", .value(.text("321002199511196164"), from: "３２１００２１９９５１１１９６１６４")),
        Case("person", "32100219880305004x", .value(.text("32100219880305004X"), from: "32100219880305004x")),
        Case("person", "32100219880305004X", .value(.text("32100219880305004X"), from: nil)),
        Case("person", "110101200208274581", .failure(.badCheckDigit)),
        Case("person", "110101200208274582", .value(.text("110101200208274582"), from: nil)),
        Case("person", "32100219800101001", .failure(.badFormat)),
        Case("person", "3.21002E+17", .failure(.precisionLost)),
        Case("person", .number("3.21002198001011e+17", format: ValidationFixtures.general), .failure(.precisionLost)),
        Case("person", .number("321002198001010011", format: ValidationFixtures.general), .failure(.precisionLost)),
        Case("person", .number("3210021980010100", format: ValidationFixtures.general), .failure(.precisionLost)),
    ])
    func residentID(c: Case) { Self.check(c) }

    @Test("passport flag switches a person_id field to passport rules", arguments: [
        Case("person", "E12345678", .value(.text("E12345678"), from: nil), passport: true),
        Case("person", " e12345678", .value(.text("E12345678"), from: " e12345678"), passport: true),
        Case("person", "E12345678", .failure(.badFormat), passport: false),
        Case("person", "护照E1234", .failure(.badFormat), passport: true),
    ])
    func passport(c: Case) { Self.check(c) }

    @Test("USCC and division code", arguments: [
        Case("uscc", "91321002MA1N2B3C44", .value(.text("91321002MA1N2B3C44"), from: nil)),
        Case("uscc", " 91321002ma1n2b3c44", .value(.text("91321002MA1N2B3C44"), from: " 91321002ma1n2b3c44")),
        Case("uscc", "91321002MA1N2B3C45", .failure(.badCheckDigit)),
        Case("division", "321002", .value(.text("321002"), from: nil)),
        Case("division", " 321002 ", .value(.text("321002"), from: " 321002 ")),
        Case("division", "３２１００２", .value(.text("321002"), from: "３２１００２")),
        Case("division", .number("321002", format: ValidationFixtures.general), .value(.text("321002"), from: nil)),
        Case("division", .number("321002", format: ValidationFixtures.sixDigits), .value(.text("321002"), from: nil)),
        Case("division", .number("110101", format: ValidationFixtures.sixDigits), .value(.text("110101"), from: nil)),
        Case("division", "32100", .failure(.badFormat)),
        Case("division", "广陵区", .failure(.badFormat)),
        Case("division", "321027", .failure(.badFormat)),
        Case("division", "999999", .failure(.badFormat)),
    ])
    func codes(c: Case) { Self.check(c) }

    @Test("formula without cached value is bad_format, naming the formula", arguments: ["amount", "name", "day", "person"])
    func formula(key: String) {
        // given
        let cell = RawCell.formula("=B3*10000")
        // when
        let outcome = Self.validator.validate(cell, as: Self.field(key))
        // then
        guard case .failure(let code, let message) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(code == .badFormat)
        #expect(message.contains("=B3*10000"))
        #expect(cell.rawValue == "=B3*10000")
    }

    @Test("Excel error values fail with the field type's code", arguments: [
        Case("amount", .error("#N/A"), .failure(.notANumber)),
        Case("count", .error("#DIV/0!"), .failure(.notANumber)),
        Case("day", .error("#VALUE!"), .failure(.badDate)),
        Case("name", .error("#REF!"), .failure(.badFormat)),
    ])
    func excelErrors(c: Case) { Self.check(c) }

    @Test("empty and white-space-only cells are empty, keeping the raw white space", arguments: [
        Case("name", .empty, .empty(raw: nil)),
        Case("name", "   ", .empty(raw: "   ")),
        Case("person", "\u{3000}", .empty(raw: "\u{3000}")),
        Case("amount", "\u{00A0} \t", .empty(raw: "\u{00A0} \t")),
        Case("day", "", .empty(raw: "")),
    ])
    func empty(c: Case) { Self.check(c) }
}
