import GongzhiCore

/// Indicators, people and times shared by the access and audit tests (shapes copied from catalog.yaml).
enum AccessFixtures {
    /// PSB-001 暂住人口居住信息: person subject, 审批式.
    static let residents = Indicator(
        code: "PSB-001", unit: "public-security", name: "暂住人口居住信息", period: .monthly, subject: "person",
        sharing: .approval, legalBasis: "《居住证暂行条例》第十五条",
        fields: [
            Field(key: "name", label: "姓名", type: .text, required: true, maxLength: 50),
            Field(key: "id_no", label: "身份证号码", type: .personID, required: true, identifies: true),
            Field(key: "gender", label: "性别", type: .enum, required: true, values: ["男", "女"]),
            Field(key: "household_address", label: "户籍地址", type: .text, required: true, maxLength: 200),
            Field(key: "registered_date", label: "登记日期", type: .date, required: true),
            Field(key: "phone", label: "联系电话", type: .phone),
            Field(key: "division_code", label: "信息属地", type: .divisionCode, required: true),
        ])

    /// HOU-003 房产租赁登记信息: mixed subject, 报备式; names paired with person_id / org_id.
    static let leases = Indicator(
        code: "HOU-003", unit: "housing", name: "房产租赁登记信息", period: .quarterly, subject: "mixed",
        sharing: .registered, oneOf: [["lessor_id_no", "lessor_org_id"]],
        fields: [
            Field(key: "lessor_name", label: "出租人名称", type: .text, required: true, maxLength: 200),
            Field(key: "lessor_id_no", label: "出租人身份证号码", type: .personID, identifies: true),
            Field(key: "lessor_org_id", label: "出租人统一社会信用代码", type: .orgID, identifies: true),
            Field(key: "legal_rep_name", label: "法定代表人", type: .text, maxLength: 50),
            Field(key: "house_address", label: "房屋坐落", type: .text, required: true, maxLength: 200),
            Field(key: "monthly_rent", label: "月租金", type: .decimal, required: true, unit: "元"),
            Field(key: "rooms", label: "间数", type: .integer),
            Field(key: "division_code", label: "信息属地", type: .divisionCode, required: true),
        ])

    /// A negative-list indicator.
    static let sealed = Indicator(
        code: "CRT-009", unit: "court", name: "未公开审判信息", period: .monthly, subject: "person",
        sharing: .withheld, legalBasis: "《中华人民共和国个人信息保护法》第十三条",
        fields: [Field(key: "name", label: "姓名", type: .text, required: true)])

    static let analyst = Principal(userID: "tax-analyst", unitCode: "tax", roles: [.analyst])
    static let taxHead = Principal(userID: "tax-head", unitCode: "tax", roles: [.unitHead])
    static let otherAnalyst = Principal(userID: "land-analyst", unitCode: "land-resources", roles: [.analyst])
    static let approver = Principal(userID: "office-approver", unitCode: "city-office", roles: [.approver])
    static let taxApprover = Principal(userID: "tax-approver", unitCode: "tax", roles: [.approver])
    static let admin = Principal(userID: "ic-admin", unitCode: "info-center", roles: [.admin])
    static let auditor = Principal(userID: "auditor", unitCode: "supervision", roles: [.auditor])
    static let policeHead = Principal(userID: "psb-head", unitCode: "public-security", roles: [.unitHead])
    static let policeReporter = Principal(userID: "psb-reporter", unitCode: "public-security", roles: [.reporter])
    static let housingHead = Principal(userID: "hou-head", unitCode: "housing", roles: [.unitHead])

    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
    static func at(_ iso: String, _ hour: Int = 9) -> CalendarDateTime {
        CalendarDateTime(date: day(iso), hour: hour, minute: 0, second: 0)!
    }

    static let now = at("2026-11-02")
    static let agreement = SecurityAgreement(unitCode: "tax", signedOn: day("2026-01-15"), signatory: "王某",
                                             document: "sha256:ab12")
    static let limits = QuotaLimits(dailyQueryRows: 1000, dailyDownloadRows: 200)

    /// A draft request by the tax analyst.
    static func draft(_ indicator: Indicator, fields: [String]? = nil, legalBasis: String? = "《税收征收管理法》第五条",
                      clearIdentifiers: Bool = false, by principal: Principal = analyst) throws -> AccessRequest {
        try AccessRequest(by: principal, data: .indicator(indicator), agreement: agreement,
                          fields: fields ?? indicator.fields.map(\.key),
                          periodFrom: ReportingPeriod("2026-01")!, periodTo: ReportingPeriod("2026-06")!,
                          purpose: "个人所得税比对", legalBasis: legalBasis, clearIdentifiers: clearIdentifiers, at: now)
    }

    /// An approved PSB-001 request and its grant: names and ids masked, expiring 2026-12-31.
    static func approvedGrant(clear: [String] = ["gender", "registered_date", "division_code"],
                              masked: [String] = ["name", "id_no", "phone", "household_address"],
                              expiresOn: String = "2026-12-31") throws -> Grant {
        var request = try draft(residents)
        try request.apply(.submit, by: analyst, at: now)
        try request.apply(.approve(note: nil), by: approver, at: now)
        return try Grant(request: request, indicator: residents,
                         terms: .init(clearFields: clear, maskedFields: masked, expiresOn: day(expiresOn), limits: limits),
                         by: approver, at: now)
    }
}
