import Foundation

/// The rules the platform ships (issue 12 §1), version 1 of each, with the parameters stated here and
/// on their page. Field keys are the catalog's (`catalog.yaml`); a test checks each against it.
public enum ShippedMatchRules {
    /// Every shipped rule, in the order of issue 12.
    public static let all: [MatchRule] = [
        deedTax, propertyRegistrationDeedTax, vehiclePurchaseTax, deregistrationClearance, outOfTownBuilder, rentalIncome,
    ]

    /// The shipped rule with `code`, or `nil`.
    public static func rule(code: String) -> MatchRule? {
        all.first { $0.code == code }
    }

    /// The deed-tax payers' key fields of 契税征收信息 (LTS-009): the person's ID or the organisation's code.
    static let deedTaxPayer = MatchRule.RightSide(
        indicator: "LTS-009",
        keys: [.init("taxpayer_id_no", .person), .init("taxpayer_org_id", .organization)],
        dateField: "paid_date", amountField: "price")

    /// `deed-tax`: 房产交易 HOU-001 (交易类型 买卖) vs 契税 LTS-009 — the buyer's ID is the taxpayer's ID; deed
    /// tax paid within 90 days after the contract date; underpaid when the declared price is more than 5 %
    /// below the contract price. Estimate: 3 % of the contract price (《中华人民共和国契税法》第三条, the
    /// upper rate of Jiangsu).
    public static let deedTax = MatchRule(
        code: "deed-tax", version: 1, name: "房产交易未缴契税",
        source: "扬府办发〔2017〕100号 三(三)；《中华人民共和国契税法》第三条、第九条",
        left: .init(indicator: "HOU-001", filters: [.init("transfer_type", ["买卖"])],
                    keys: [.init("buyer_id_no", .person)], dateField: "contract_date"),
        right: [deedTaxPayer],
        window: .init(from: 0, to: 90),
        underpayment: .init(leftBaseField: "price", tolerance: Decimal(string: "0.05")!),
        estimate: .init(taxKind: .deedTax, baseField: "price", rate: Decimal(string: "0.03")!))

    /// `property-registration-deed-tax`: 不动产登记 LRB-006 (登记类型 转移登记) vs 契税 LTS-009 — the owner (person
    /// or organisation) is the taxpayer; deed tax is paid before the transfer is registered (契税法第十一条),
    /// within the 365 days up to the registration date; underpaid when the declared price is more than 5 %
    /// below the registered price. Estimate: 3 % of the registered price (none when the price is empty).
    public static let propertyRegistrationDeedTax = MatchRule(
        code: "property-registration-deed-tax", version: 1, name: "不动产转移登记未缴契税",
        source: "扬府办发〔2017〕100号 三(三)；《中华人民共和国契税法》第十一条",
        left: .init(indicator: "LRB-006", filters: [.init("registration_type", ["转移登记"])],
                    keys: [.init("owner_id_no", .person), .init("owner_org_id", .organization)],
                    dateField: "registration_date"),
        right: [deedTaxPayer],
        window: .init(from: -365, to: 0),
        underpayment: .init(leftBaseField: "price", tolerance: Decimal(string: "0.05")!),
        estimate: .init(taxKind: .deedTax, baseField: "price", rate: Decimal(string: "0.03")!))

    /// `vehicle-purchase-tax`: 机动车登记 PSB-002 (业务类型 注册登记) vs 车辆购置税 NTS-002, by VIN — tax paid
    /// no later than 30 days after registration; an exempt record (减免性质 other than 无, e.g. 新能源汽车免征)
    /// is a payment whatever its amount; underpaid when the taxable price is more than 15 % below the
    /// purchase price (the purchase price includes 13 % VAT, which the taxable price does not).
    /// Estimate: 10 % of the purchase price (《中华人民共和国车辆购置税法》第四条).
    public static let vehiclePurchaseTax = MatchRule(
        code: "vehicle-purchase-tax", version: 1, name: "新车注册未缴车辆购置税",
        source: "扬府办发〔2017〕100号 三(三)；《中华人民共和国车辆购置税法》第四条、第十二条",
        left: .init(indicator: "PSB-002", filters: [.init("business_type", ["注册登记"])],
                    keys: [.init("vin", .vehicle)], dateField: "registration_date"),
        right: [.init(indicator: "NTS-002", keys: [.init("vin", .vehicle)], dateField: "paid_date",
                      amountField: "taxable_price", exemptionField: "relief", notExemptValue: "无")],
        window: .init(from: nil, to: 30),
        underpayment: .init(leftBaseField: "purchase_price", tolerance: Decimal(string: "0.15")!),
        estimate: .init(taxKind: .vehiclePurchaseTax, baseField: "purchase_price", rate: Decimal(string: "0.10")!))

    /// `deregistration-clearance`: 工商登记 AIC-001 (登记事项 注销) vs 清税 NTS-004 or LTS-004, by organisation —
    /// the taxes cleared on or before the deregistration date (《税收征收管理法实施细则》第十五条). Second pass:
    /// a clearance filed under an identifier with no organization code (an old registration number) is matched
    /// by the normalised company name and 信息属地 (`name_division` leads). No amount on the left: the
    /// estimate is 0.
    public static let deregistrationClearance = MatchRule(
        code: "deregistration-clearance", version: 1, name: "企业注销未清税",
        source: "扬府办发〔2017〕100号 三(三)；《中华人民共和国税收征收管理法实施细则》第十五条",
        left: .init(indicator: "AIC-001", filters: [.init("event", ["注销"])],
                    keys: [.init("org_id", .organization)], dateField: "event_date", nameField: "org_name"),
        right: [.init(indicator: "NTS-004", keys: [.init("org_id", .organization)], dateField: "cleared_date", nameField: "org_name"),
                .init(indicator: "LTS-004", keys: [.init("org_id", .organization)], dateField: "cleared_date", nameField: "org_name")],
        window: .init(from: nil, to: 0),
        estimate: .init(taxKind: .other, baseField: nil, rate: 1))

    /// `out-of-town-builder`: 施工许可 CON-003, builders registered outside Yangzhou (USCC positions 3–8 not
    /// 3210xx) vs 税务登记 LTS-005 or 外出经营证明 LTS-011 — registered or certified no later than 30 days after
    /// the permit. Estimate: 2 % VAT prepaid on the contract price (万元 × 10,000; 财税〔2016〕36号).
    public static let outOfTownBuilder = MatchRule(
        code: "out-of-town-builder", version: 1, name: "外地施工企业未办理涉税登记",
        source: "扬府办发〔2017〕100号 三(三)；财税〔2016〕36号；税总发〔2017〕103号",
        left: .init(indicator: "CON-003", keys: [.init("builder_org_id", .organization)], dateField: "issue_date",
                    registeredOutside: "3210"),
        right: [.init(indicator: "LTS-005", keys: [.init("org_id", .organization)], dateField: "registration_date"),
                .init(indicator: "LTS-011", keys: [.init("org_id", .organization)], dateField: "valid_from")],
        window: .init(from: nil, to: 30),
        estimate: .init(taxKind: .valueAddedTax, baseField: "contract_amount", multiplier: 10_000, rate: Decimal(string: "0.02")!))

    /// `rental-income`: 出租房屋 PSB-003 vs 出租收入 LTS-010 — the landlord declares rental income for the
    /// quarter the lease starts in (所属期止 0–92 days after the lease start). Estimate: a quarter's rent
    /// (月租金 × 3) at a 5 % combined rate.
    public static let rentalIncome = MatchRule(
        code: "rental-income", version: 1, name: "房屋出租未申报租金收入",
        source: "扬府办发〔2017〕100号 三(三)；《中华人民共和国个人所得税法》第二条",
        left: .init(indicator: "PSB-003", keys: [.init("landlord_id_no", .person)], dateField: "lease_start"),
        right: [.init(indicator: "LTS-010", keys: [.init("lessor_id_no", .person), .init("lessor_org_id", .organization)],
                      dateField: "period_end")],
        window: .init(from: 0, to: 92),
        estimate: .init(taxKind: .individualIncomeTax, baseField: "monthly_rent", multiplier: 3, rate: Decimal(string: "0.05")!))
}
