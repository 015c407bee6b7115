import Testing
import GongzhiCore

@Suite("Masking")
struct MaskingTests {
    typealias F = AccessFixtures

    @Test("resident IDs keep the first 6 and the last 4", arguments: [
        ("320102199001011234", "320102********1234"),   // 18 digits
        ("32010219900101123X", "320102********123X"),   // check character X
        ("320102900101123", "320102*****1123"),         // legacy 15 digits
        ("E12345678", "****"),                          // passport (9): too short to hide 4 → fully masked
        ("G1234", "****"),
        ("3201021234", "****"),                         // 10 characters would hide nothing
        ("32010212345678", "320102****5678"),           // 14: hides exactly 4
        ("3201021234567", "****"),                      // 13: would hide only 3
        ("", ""),
    ])
    func residentID(value: String, masked: String) {
        #expect(MaskingRule.residentID.mask(value) == masked)
    }

    @Test("phones keep the first 3 and the last 4", arguments: [
        ("13912345678", "139****5678"),
        ("0514-87654321", "051******4321"),
        ("87654321", "****"),        // 8 characters would hide only 1
        ("12345678901", "123****8901"),
        ("1391234", "****"),
    ])
    func phone(value: String, masked: String) {
        #expect(MaskingRule.phone.mask(value) == masked)
    }

    @Test("names keep the first character and two stars whatever their length, by Character", arguments: [
        ("张三", "张**"), ("王小明", "王**"), ("欧阳娜娜", "欧**"), ("张", "****"),
        ("John Smith", "J**"), ("𠀋一", "𠀋**"),             // a supplementary-plane character is one character
        ("é李", "é**"),                                       // e + combining accent is one Character
    ])
    func personName(value: String, masked: String) {
        #expect(MaskingRule.personName.mask(value) == masked)
    }

    @Test("full masking hides content and length")
    func full() {
        #expect(MaskingRule.full.mask("扬州市广陵区文昌中路 1 号") == "****")
        #expect(MaskingRule.full.mask("1") == "****")
        #expect(MaskingRule.full.mask("") == "")
    }

    @Test("organisation ids stay clear unless they embed a resident ID (20-character taxpayer number)")
    func organizationID() {
        #expect(MaskingRule.organizationID.mask("91321000MA1N8X9R0L") == "91321000MA1N8X9R0L")
        #expect(MaskingRule.organizationID.mask("MA1N8X9R0") == "MA1N8X9R0")
        #expect(MaskingRule.organizationID.mask("32010219900101123401") == "320102**********3401")
    }

    @Test("the rule follows the field type, and names are inferred", arguments: [
        ("PSB-001", "name", MaskingRule.personName), ("PSB-001", "id_no", .residentID), ("PSB-001", "phone", .phone),
        ("PSB-001", "household_address", .full), ("PSB-001", "gender", .full), ("PSB-001", "division_code", .full),
        ("HOU-003", "lessor_name", .personName),     // lessor_name beside lessor_id_no: may be a person
        ("HOU-003", "legal_rep_name", .personName),  // label 法定代表人
        ("HOU-003", "lessor_org_id", .organizationID), ("HOU-003", "monthly_rent", .full), ("HOU-003", "house_address", .full),
    ])
    func ruleForField(indicator: String, key: String, rule: MaskingRule) throws {
        let ind = indicator == "PSB-001" ? F.residents : F.leases
        let field = try #require(ind.field(key))
        #expect(MaskingRule.for(field, in: ind) == rule)
    }

    @Test("a company-name field without a person_id sibling is not a person name")
    func companyName() {
        let ind = Indicator(code: "MKT-001", unit: "market", name: "企业登记", period: .monthly, subject: "organization",
                            sharing: .registered, fields: [
                                Field(key: "org_name", label: "企业名称", type: .text),
                                Field(key: "org_id", label: "统一社会信用代码", type: .uscc),
                                Field(key: "account_no", label: "账号", type: .text),
                            ])
        #expect(MaskingRule.for(ind.fields[0], in: ind) == .full)
        #expect(!MaskingRule.isPersonal(ind.fields[0], in: ind))
        #expect(MaskingRule.isPersonal(ind.fields[1], in: ind))  // uscc: masked rule keeps it clear anyway
        #expect(MaskingRule.isPersonal(ind.fields[2], in: ind))  // 账号
    }

    @Test("RecordMasker: clear fields copied, masked fields masked, others left out, order kept")
    func recordMasker() throws {
        // given a grant with name, id_no and phone masked, gender and date clear, address not granted
        let grant = try F.approvedGrant(clear: ["gender", "registered_date"], masked: ["name", "id_no", "phone"])
        let masker = try RecordMasker(indicator: F.residents, grant: grant)
        let record = JSONValue.object([
            ("name", .string("欧阳娜娜")), ("id_no", .string("320102199001011234")), ("gender", .string("女")),
            ("household_address", .string("南京市玄武区")), ("registered_date", .string("2026-03-01")),
            ("phone", .null), ("division_code", .string("321002")), ("unexpected", .string("x")),
        ])
        // when
        let shown = masker.mask(record)
        // then
        #expect(shown == .object([
            ("name", .string("欧**")), ("id_no", .string("320102********1234")), ("gender", .string("女")),
            ("registered_date", .string("2026-03-01")), ("phone", .null),
        ]))
    }

    @Test("RecordMasker: masked numbers and booleans become masked strings; non-objects yield {}")
    func recordMaskerTypes() throws {
        var request = try F.draft(F.leases, legalBasis: nil)
        try request.apply(.submit, by: F.analyst, at: F.now)
        let grant = try Grant(request: request, indicator: F.leases,
                              terms: .init(clearFields: ["division_code"], maskedFields: ["rooms", "monthly_rent", "lessor_org_id"],
                                           expiresOn: F.day("2026-12-31"), limits: F.limits),
                              by: F.analyst, at: F.now)
        let masker = try RecordMasker(indicator: F.leases, grant: grant)
        #expect(masker.value(.number("3"), forField: "rooms") == .string("****"))
        #expect(masker.value(.string("3200.00"), forField: "monthly_rent") == .string("****"))
        #expect(masker.value(.string("91321000MA1N8X9R0L"), forField: "lessor_org_id") == .string("91321000MA1N8X9R0L"))
        #expect(masker.value(.string("321002"), forField: "division_code") == .string("321002"))
        #expect(masker.value(.string("张三"), forField: "lessor_name") == nil)
        #expect(masker.mask(.array([])) == .object([]))
        #expect(throws: GrantError.indicatorMismatch(expected: "HOU-003", given: "PSB-001")) {
            try RecordMasker(indicator: F.residents, grant: grant)
        }
    }
}
