import Foundation
import Testing
import GongzhiCore
import GongzhiTestSupport

/// One row of `fixtures/identifiers.csv` (`kind,value,valid,reason,normalized`), values byte for byte.
struct IdentifierVector: Sendable, CustomTestStringConvertible {
    var line: Int
    var kind: String
    var value: String
    var valid: Bool
    var reason: String
    var normalized: String

    var testDescription: String { "line \(line) \(kind) \(reason.prefix(40))" }
}

/// The shared identifier fixtures, the registry and the validator every test uses (today = 2026-11-29).
enum IdentifierFixtures {
    static let registry: DivisionRegistry = {
        let url = SharedData.fixtures.appendingPathComponent("divisions.csv")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return (try? DivisionRegistry(csv: text)) ?? (try! DivisionRegistry(csv: ""))
    }()

    static let validator = IdentifierValidator(divisions: registry, today: SharedData.today)

    static let vectors: [IdentifierVector] = {
        let url = SharedData.fixtures.appendingPathComponent("identifiers.csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        let records = parseCSV(text)
        guard records.first == ["kind", "value", "valid", "reason", "normalized"] else { return [] }
        return records.dropFirst().enumerated().compactMap { i, r in
            guard r.count == 5 else { return nil }
            return IdentifierVector(line: i + 2, kind: r[0], value: r[1], valid: r[2] == "true", reason: r[3], normalized: r[4])
        }
    }()

    /// RFC 4180: fields separated by commas, records by LF or CRLF, quoted fields with doubled quotes and
    /// line breaks. Works on Unicode scalars so that no character is merged or trimmed.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        var afterQuote = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endField() { record.append(String(field)); field = String.UnicodeScalarView() }
        func endRecord() { endField(); records.append(record); record = [] }
        while let s = pending ?? scalars.next() {
            pending = nil
            if inQuotes {
                if s == "\"" {
                    if let next = scalars.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; afterQuote = true; pending = next }
                    } else { inQuotes = false; afterQuote = true }
                } else {
                    field.append(s)
                }
                continue
            }
            switch s {
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            case ",":
                endField(); afterQuote = false
            case "\r":
                if let next = scalars.next(), next != "\n" { pending = next; field.append(s) } else { endRecord(); afterQuote = false }
            case "\n":
                endRecord(); afterQuote = false
            default:
                field.append(s)
            }
        }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        return records
    }
}

@Suite("Identifier rules (附件1 第八条)")
struct IdentifierTests {
    let validator = IdentifierFixtures.validator

    @Test("fixtures and division list are loaded")
    func fixturesLoaded() {
        #expect(IdentifierFixtures.vectors.count == 171)
        #expect(IdentifierFixtures.vectors.filter(\.valid).count == 86)
        #expect(IdentifierFixtures.registry.count == 6885)
    }

    @Test("every row of fixtures/identifiers.csv", arguments: IdentifierFixtures.vectors)
    func fixtureRow(_ row: IdentifierVector) throws {
        let kind = try #require(IdentifierKind(rawValue: row.kind))
        let result = validator.validate(row.value, as: kind)
        switch result {
        case .success(let canonical):
            #expect(row.valid, "accepted \(canonical) but the row is invalid: \(row.reason)")
            #expect(canonical == row.normalized)
        case .failure(let issue):
            #expect(!row.valid, "rejected (\(issue.reason): \(issue.message)) but the row is valid: \(row.reason)")
            #expect(!issue.message.isEmpty)
            if row.reason.hasPrefix("E_CHECK") {
                #expect(issue.reason == .checkCharacter, "\(issue.message)")
            } else {
                #expect(issue.reason != .checkCharacter, "\(issue.message)")
            }
        }
    }

    @Test("worked examples of fixtures/README.md")
    func workedExamples() throws {
        #expect(UnifiedSocialCreditCode.checkCharacter("91321002123456788") == "G")
        #expect(OrganizationCode.checkCharacter("12345678") == "8")
        #expect(OrganizationCode.checkCharacter("60003734") == "1")
        #expect(BusinessRegistrationNumber.checkDigit("32100200000001") == "6")
        #expect(ResidentIdentityNumber.checkCharacter("32100219900101123") == "8")
        #expect(ISO7064.mod11_2("32100219900101123") == "8")
        #expect(ISO7064.mod11_10("32100200000001") == "6")
        #expect(try validator.validate("12345678-8", as: .organizationCode).get() == "123456788")
    }

    @Test("legacy 15-digit resident ID is upgraded to 18 digits")
    func fifteenDigitUpgrade() throws {
        #expect(ResidentIdentityNumber.upgrade("110101790414464") == "110101197904144648")
        #expect(try validator.validate(" 110101790414464 ", as: .residentIdentityNumber).get() == "110101197904144648")
        // Not for a TIN: the 18/20-character forms need the 18-digit number.
        #expect(throws: IdentifierIssue.self) { try validator.validate("110101790414464", as: .taxpayerIdentificationNumber).get() }
        // A legacy number with an impossible date is refused as a date error.
        guard case .failure(let issue) = validator.validate("110101990230824", as: .residentIdentityNumber) else {
            Issue.record("accepted 1999-02-30"); return
        }
        #expect(issue.reason == .date)
    }

    @Test("lower-case x check character is upper-cased")
    func lowerCaseX() throws {
        #expect(try validator.validate("42010219910704575x", as: .residentIdentityNumber).get() == "42010219910704575X")
        #expect(try validator.validate("62818065-x", as: .organizationCode).get() == "62818065X")
        #expect(try validator.validate("３２１２０２２００１０９０９１７４ｘ", as: .residentIdentityNumber).get() == "32120220010909174X")
    }

    /// An 18-digit ID born on `date` (Beijing Dongcheng, sequence 123) with its correct check character.
    func id(born date: String) -> String {
        let body = "110101" + date + "123"
        return body + String(ResidentIdentityNumber.checkCharacter(body)!)
    }

    @Test("birth date after today is refused; today itself is accepted")
    func futureBirthDate() throws {
        let today = CalendarDate(year: 2026, month: 11, day: 29)!
        let v = IdentifierValidator(divisions: IdentifierFixtures.registry, today: today)
        #expect(try v.validate(id(born: "20261129"), as: .residentIdentityNumber).get() == id(born: "20261129"))
        guard case .failure(let issue) = v.validate(id(born: "20261130"), as: .residentIdentityNumber) else {
            Issue.record("accepted a birth date after today"); return
        }
        #expect(issue.reason == .future)
        #expect(issue.message.contains("2026-11-30"))
        // The same number is fine once that day has come.
        let later = IdentifierValidator(divisions: IdentifierFixtures.registry, today: CalendarDate(year: 2026, month: 12, day: 1)!)
        #expect((try? later.validate(id(born: "20261130"), as: .residentIdentityNumber).get()) != nil)
        // Impossible dates.
        for date in ["19970229", "19000229", "19991301", "19990400"] {
            guard case .failure(let issue) = v.validate(id(born: date), as: .residentIdentityNumber) else {
                Issue.record("accepted \(date)"); continue
            }
            #expect(issue.reason == .date)
        }
        #expect((try? v.validate(id(born: "20000229"), as: .residentIdentityNumber).get()) != nil)
    }

    @Test("321088 江都市 is known (valid in old IDs) but not a current division")
    func historicalDivision() throws {
        let registry = IdentifierFixtures.registry
        #expect(registry.isKnown("321088"))
        #expect(!registry.isCurrent("321088"))
        #expect(registry.isCurrent("321012"))
        guard case .failure(let issue) = validator.validate("321088", as: .divisionCode) else {
            Issue.record("321088 accepted as a current division"); return
        }
        #expect(issue.reason == .division)
        #expect(issue.message.contains("江都市"))
        #expect(try validator.validate("321088199606128412", as: .residentIdentityNumber).get() == "321088199606128412")
        guard case .failure(let unknown) = validator.validate("321099", as: .divisionCode) else {
            Issue.record("321099 accepted"); return
        }
        #expect(unknown.reason == .division)
    }

    @Test("scientific notation is precision lost for every kind",
          arguments: IdentifierKind.allCases)
    func precisionLost(_ kind: IdentifierKind) {
        for raw in ["3.21002E+17", " 1.10101e17", "９.１３２１０Ｅ＋１７", "3E+14"] {
            guard case .failure(let issue) = validator.validate(raw, as: kind) else {
                Issue.record("\(raw) accepted as \(kind)"); continue
            }
            #expect(issue.reason == .precisionLost)
            #expect(issue.message.contains("科学计数法"))
            #expect(issue.message.contains("文本"))
        }
    }

    @Test("digits-E-digits without a point or sign is not scientific notation")
    func notScientific() throws {
        #expect(try validator.validate("12E4567", as: .passport).get() == "12E4567")
        // A USCC whose body is digits, E, digits (check character a digit).
        let body = (0...99).lazy.map { "9132100212345E" + String(1000 + $0).dropFirst() }
            .first { UnifiedSocialCreditCode.checkCharacter($0)?.isNumber == true }!
        let code = body + String(UnifiedSocialCreditCode.checkCharacter(body)!)
        #expect(try validator.validate(code, as: .uscc).get() == code)
    }

    @Test("precision-lost message names the value as written")
    func precisionLostMessage() {
        guard case .failure(let issue) = validator.validate("1.10101E+17", as: .residentIdentityNumber) else {
            Issue.record("accepted"); return
        }
        #expect(issue.message == "证件号码被 Excel 转成了科学计数法（1.10101E+17），末几位已丢失：请把该列设置为“文本”格式后重新录入")
    }

    @Test("an 18-digit ID zeroed by Excel gets the text-format hint")
    func excelZeroedDigits() {
        guard case .failure(let issue) = validator.validate("310104199507172000", as: .residentIdentityNumber) else {
            Issue.record("accepted"); return
        }
        #expect(issue.reason == .checkCharacter)
        #expect(issue.message.contains("GB 11643-1999"))
        #expect(issue.message.contains("15 位有效数字"))
        #expect(issue.message.contains("文本"))
    }

    @Test("float tails and placeholders are never repaired")
    func neverRepaired() {
        for (raw, kind) in [("913210125382047695.0", IdentifierKind.uscc), ("321000.0", .divisionCode),
                            ("无", .uscc), ("N/A", .residentIdentityNumber), ("'321002199001011238", .residentIdentityNumber),
                            ("32100219900101123Х", .residentIdentityNumber)] {
            guard case .failure(let issue) = validator.validate(raw, as: kind) else {
                Issue.record("\(raw) accepted as \(kind)"); continue
            }
            #expect(issue.reason != .checkCharacter)
        }
        #expect(validator.validate("  \u{3000}\t", as: .uscc) == .failure(IdentifierIssue(reason: .empty, message: "统一社会信用代码为空")))
    }

    @Test("org_id accepts every organisation identifier form")
    func organizationIdentifier() throws {
        let accepted: [(String, String)] = [
            ("913210813HBFRTX8XT", "913210813HBFRTX8XT"), // USCC
            ("70018731-2", "700187312"), ("725570756", "725570756"), // org code
            ("321084073406739", "321084073406739"), // reg no
            ("321002473626038", "321002473626038"), // TIN 15
            ("37100219921128118X", "37100219921128118X"), // TIN 18 (resident ID)
            ("31010419510724976x02", "31010419510724976X02"), // TIN 20
        ]
        for (raw, canonical) in accepted {
            #expect(try validator.validate(raw, as: .organizationIdentifier).get() == canonical)
        }
        for raw in ["91321012861TW3H8", "3210022002110602791", "34517956"] {
            guard case .failure(let issue) = validator.validate(raw, as: .organizationIdentifier) else {
                Issue.record("\(raw) accepted"); continue
            }
            #expect(issue.reason == .length)
        }
        guard case .failure(let issue) = validator.validate("91321023MEWXTTFR3E", as: .organizationIdentifier) else {
            Issue.record("accepted"); return
        }
        #expect(issue.reason == .checkCharacter)
        #expect(issue.message.contains("GB 32100-2015"))
    }

    @Test("project code year runs 2015 to today's year")
    func projectCodeYears() {
        #expect((try? validator.validate("2026-321002-47-03-947610", as: .projectCode).get()) != nil)
        for raw in ["2027-321002-47-03-947610", "2014-321002-47-03-947610"] {
            guard case .failure(let issue) = validator.validate(raw, as: .projectCode) else {
                Issue.record("\(raw) accepted"); continue
            }
            #expect(issue.reason == .date)
        }
    }

    @Test("power codes", arguments: [
        ("XK-321000-00123", true), ("xk-321000-00123", true), ("QT-321088-99999", true),
        ("AB-321000-00123", false), ("XK-329999-00123", false), ("XK-321000-0012", false),
        ("XK321000-00123", false), ("XK—321000—00123", false),
    ])
    func powerCodes(_ raw: String, _ valid: Bool) throws {
        let result = validator.validate(raw, as: .powerCode)
        if valid {
            #expect(try result.get() == TextNormalization.upperASCII(raw))
        } else {
            guard case .failure(let issue) = result else { Issue.record("\(raw) accepted"); return }
            #expect(issue.reason != .checkCharacter)
        }
    }

    @Test("phone numbers", arguments: [
        ("13812345678", true), ("19912345678", true), ("0514-87654321", true), ("051487654321", true),
        ("010-1234567", true), ("０５１４－８７６５４３２１", true),
        ("12812345678", false), ("1381234567", false), ("0514-876", false), ("0514 87654321", false),
        ("+8613812345678", false), ("0514-8765-4321", false),
    ])
    func phones(_ raw: String, _ valid: Bool) throws {
        let result = validator.validate(raw, as: .phone)
        if valid {
            #expect(try result.get() == TextNormalization.identifierForm(raw))
        } else {
            guard case .failure(let issue) = result else { Issue.record("\(raw) accepted"); return }
            #expect(issue.reason == .format || issue.reason == .charset)
        }
    }

    @Test("check-character messages name the standard and the expected character")
    func checkMessages() {
        let cases: [(String, IdentifierKind, String)] = [
            ("91321023MEWXTTFR3E", .uscc, "GB 32100-2015"),
            ("38974306-0", .organizationCode, "GB 11714-1997"),
            ("321081134300583", .businessRegistrationNumber, "GS15-2006"),
            ("110101199204307819", .residentIdentityNumber, "GB 11643-1999"),
        ]
        for (raw, kind, standard) in cases {
            guard case .failure(let issue) = validator.validate(raw, as: kind) else {
                Issue.record("\(raw) accepted"); continue
            }
            #expect(issue.reason == .checkCharacter)
            #expect(issue.message.hasPrefix("校验位错误：按 \(standard)"))
        }
    }
}
