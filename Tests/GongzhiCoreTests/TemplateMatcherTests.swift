import Testing
import GongzhiCore

@Suite("TemplateMatcher: headers to fields")
struct TemplateMatcherTests {
    /// 房产交易信息 with two fields sharing the label 成交价格, told apart by their units.
    static let indicator = Indicator(
        code: "CASE-T01", unit: "case", name: "房产交易信息", period: .monthly, subject: "mixed", sharing: .registered,
        fields: [
            Field(key: "contract_no", label: "合同编号", type: .text, required: true),
            Field(key: "building_area", label: "建筑面积", type: .decimal, required: true, unit: "平方米"),
            Field(key: "price_wan", label: "成交价格", type: .decimal, required: true, unit: "万元"),
            Field(key: "price_yuan", label: "成交价格", type: .decimal, unit: "元"),
            Field(key: "buyer_id_no", label: "买方证件号码", type: .personID, required: true),
            Field(key: "note", label: "备注", type: .text),
        ])

    static let matcher = TemplateMatcher(indicator: indicator)

    @Test("a header names its field regardless of BOM, white space and width", arguments: [
        ("合同编号", 0 as Int?),
        ("\u{FEFF}合同编号", 0),
        ("\u{00A0}合同编号\u{3000}", 0),
        (" \t合同编号\r\n", 0),
        ("建筑面积（平方米）", 1),
        ("建筑面积(平方米)", 1),
        ("\u{3000}建筑面积 (平方米)\u{00A0}", 1),
        ("建筑面积", 1),
        ("成交价格（万元）", 2),
        ("成交价格(元)", 3),
        ("买方证件号码", 4),
        ("备注", 5),
        ("成交价格", nil),
        ("建筑面积（亩）", nil),
        ("卖方姓名", nil),
        ("", nil),
    ])
    func fieldIndex(header: String, index: Int?) {
        // given the matcher of the indicator
        // when
        let found = Self.matcher.fieldIndex(forHeader: header)
        // then
        #expect(found == index)
    }

    @Test("header key drops BOM, white space and width differences")
    func headerKey() {
        #expect(TemplateMatcher.headerKey("\u{FEFF} 建筑面积（平方米）\u{3000}") == "建筑面积(平方米)")
        #expect(TemplateMatcher.headerKey("\u{00A0}ＡＢＣ") == "ABC")
    }

    @Test("headers in any order map column to field")
    func matchesInAnyOrder() throws {
        // given the template's headers shuffled, with a BOM and padding
        let headers: [(column: Int, text: String)] = [
            (0, "\u{FEFF}买方证件号码"), (1, " 合同编号 "), (2, "成交价格（元）"), (3, "建筑面积"),
            (5, "成交价格(万元)"), (6, "备注"),
        ]
        // when
        let mapping = try Self.matcher.match(headers).get()
        // then
        #expect(mapping == [0: 4, 1: 0, 2: 3, 3: 1, 5: 2, 6: 5])
    }

    @Test("optional columns may be absent")
    func optionalAbsent() throws {
        let headers: [(column: Int, text: String)] = [(0, "合同编号"), (1, "建筑面积（平方米）"), (2, "成交价格（万元）"), (3, "买方证件号码")]
        #expect(try Self.matcher.match(headers).get() == [0: 0, 1: 1, 2: 2, 3: 4])
    }

    @Test("missing, unknown and repeated columns are all named")
    func mismatch() {
        // given headers lacking 买方证件号码 and 成交价格（万元）, with an unknown column and a repeat
        let headers: [(column: Int, text: String)] = [
            (0, "合同编号"), (1, "建筑面积（平方米）"), (2, "\u{3000}卖方姓名 "), (3, " 合同编号"), (4, "成交价格"),
        ]
        // when
        let result = Self.matcher.match(headers)
        // then
        guard case .failure(let mismatch) = result else {
            Issue.record("expected a mismatch, got \(result)")
            return
        }
        #expect(mismatch == TemplateMismatch(indicatorName: "房产交易信息", matched: 2,
                                              missing: ["成交价格（万元）", "买方证件号码"],
                                              unknown: ["卖方姓名", "成交价格"], repeated: ["合同编号"]))
        #expect(mismatch.message == "表头与「房产交易信息」的模板不符（缺少必填列：成交价格（万元）、买方证件号码；无法识别的列：卖方姓名、成交价格；重复的列：合同编号）。请确认选择的数据项正确，并下载该数据项的最新模板填写后重新上传。")
    }

    @Test("a message names only the kinds of fault present", arguments: [
        (TemplateMismatch(indicatorName: "契税征收信息", matched: 0, missing: ["纳税人识别号"], unknown: [], repeated: []),
         "表头与「契税征收信息」的模板不符（缺少必填列：纳税人识别号）。请确认选择的数据项正确，并下载该数据项的最新模板填写后重新上传。"),
        (TemplateMismatch(indicatorName: "契税征收信息", matched: 3, missing: [], unknown: ["买方姓名", "卖方姓名"], repeated: []),
         "表头与「契税征收信息」的模板不符（无法识别的列：买方姓名、卖方姓名）。请确认选择的数据项正确，并下载该数据项的最新模板填写后重新上传。"),
    ])
    func messages(mismatch: TemplateMismatch, message: String) {
        #expect(mismatch.message == message)
    }

    @Test("another indicator's template is refused with its unknown headers")
    func wrongTemplate() {
        // given the 契税 template's headers
        let headers: [(column: Int, text: String)] = [(0, "纳税人识别号"), (1, "计税金额（元）")]
        // when
        let result = Self.matcher.match(headers)
        // then
        guard case .failure(let mismatch) = result else {
            Issue.record("expected a mismatch")
            return
        }
        #expect(mismatch.matched == 0)
        #expect(mismatch.unknown == ["纳税人识别号", "计税金额（元）"])
        #expect(mismatch.missing == ["合同编号", "建筑面积（平方米）", "成交价格（万元）", "买方证件号码"])
        #expect(mismatch.repeated == [])
    }
}
