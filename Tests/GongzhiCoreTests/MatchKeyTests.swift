import Foundation
import GongzhiCore
import GongzhiTestSupport
import Testing

@Suite("Canonical matching keys (issue 12 §2)")
struct MatchKeyTests {
    @Test("a 15-digit resident ID matches its 18-digit form")
    func legacyResidentID() {
        // given
        let legacy = IdentifierFactory.residentID15(7)
        let modern = IdentifierFactory.residentID18(7)
        // when / then
        #expect(MatchKeys.personKey(legacy) == MatchKeys.personKey(modern))
        #expect(MatchKeys.personKey(legacy)?.value == modern)
        #expect(MatchKeys.personKey(legacy)?.division == "321002")
        #expect(MatchKeys.personKey(" " + modern.lowercased() + " ")?.value == modern)
    }

    @Test("passports compare upper-cased, without spaces, half-width")
    func passports() {
        #expect(MatchKeys.personKey("ｅ１２ ３４５６７")?.value == "E1234567")
        #expect(MatchKeys.personKey("e1234567") == MatchKeys.personKey("E 1234567"))
        #expect(MatchKeys.personKey("") == nil)
    }

    @Test("organization code, 15-character taxpayer id and USCC are the same organisation",
          arguments: [
            IdentifierFactory.organizationCode(4711),
            String(IdentifierFactory.organizationCode(4711).prefix(8)) + "-" + String(IdentifierFactory.organizationCode(4711).suffix(1)),
            IdentifierFactory.taxpayerID15(4711),
            IdentifierFactory.uscc(4711),
            IdentifierFactory.uscc(4711, division: "110105"),
            IdentifierFactory.uscc(4711).lowercased(),
          ])
    func organisationForms(_ form: String) {
        let key = MatchKeys.organizationKey(form)
        #expect(key?.kind == .organization)
        #expect(key?.value == IdentifierFactory.organizationCode(4711))
    }

    @Test("a USCC's division is its registering authority (positions 3–8)")
    func usccDivision() {
        #expect(MatchKeys.organizationKey(IdentifierFactory.uscc(5, division: "320500"))?.division == "320500")
        #expect(MatchKeys.organizationKey(IdentifierFactory.taxpayerID15(5, division: "321003"))?.division == "321003")
        #expect(MatchKeys.organizationKey(IdentifierFactory.organizationCode(5))?.division == nil)
    }

    @Test("a taxpayer id that is a resident ID is a person")
    func personTaxpayerID() {
        let id = IdentifierFactory.residentID18(12)
        #expect(MatchKeys.organizationKey(id) == MatchKeys.personKey(id))
        #expect(MatchKeys.organizationKey(id + "01") == MatchKeys.personKey(id))
    }

    @Test("a registration number is not an organization code")
    func registrationNumber() {
        let body = "32100200001234"
        let number = body + String(BusinessRegistrationNumber.checkDigit(body)!)
        let key = MatchKeys.organizationKey(number)
        // a 15-digit number whose last 9 happen to be a valid organization code would read as a taxpayer id
        if OrganizationCode.checkCharacter(String(Array(number)[6..<14])) != Array(number)[14] {
            #expect(key?.kind == .registrationNumber)
        }
        #expect(MatchKeys.organizationKey("12345") == nil)
        #expect(MatchKeys.organizationKey(String(IdentifierFactory.uscc(1).dropLast()) + "0") != MatchKeys.organizationKey(IdentifierFactory.uscc(1)))
    }

    @Test("VINs and plates compare upper-cased, without spaces, half-width")
    func vehicles() {
        #expect(MatchKeys.key("ｌｓｖ ab2ak000000001", form: .vehicle)?.value == "LSVAB2AK000000001")
        #expect(MatchKeys.key("苏K 1234a", form: .plate)?.value == "苏K1234A")
        #expect(MatchKeys.key("苏K 1234a", form: .plate)?.kind == .plate)
    }

    @Test("company names: width, brackets and company-form endings",
          arguments: [
            ("扬州某某（集团）有限责任公司", "扬州某某集团"),
            ("扬州某某(集团)有限公司", "扬州某某集团"),
            ("扬州 某某集团股份有限公司", "扬州某某集团"),
            ("ＡＢＣ科技有限公司", "ABC科技"),
            ("有限公司", "有限公司"),
          ])
    func names(_ raw: String, _ expected: String) {
        #expect(MatchKeys.normalizedName(raw) == expected)
    }

    @Test("the name key joins name and 信息属地")
    func nameKey() {
        #expect(MatchKeys.nameKey("扬州某某（集团）有限公司", division: "321002")?.value == "扬州某某集团|321002")
        #expect(MatchKeys.nameKey("扬州某某集团", division: "321002") == MatchKeys.nameKey("扬州某某(集团)有限责任公司", division: "321002"))
        #expect(MatchKeys.nameKey(" ", division: "321002") == nil)
        #expect(MatchKeys.key("扬州某某（集团）有限公司", form: .name, division: "321002")?.kind == .name)
        #expect(MatchKeys.key("扬州某某有限公司", form: .name) == nil)
    }
}
