import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiServer
import GongzhiTestSupport
import Vapor

/// A generated dataset for the shipped matching rules (issue 12 §8): for each rule a clean part that must
/// yield no lead — including the hard cases (15- vs 18-digit IDs, organization code or taxpayer id vs USCC,
/// lower-case VINs, exempt vehicles, boundaries of the window and the tolerance, records the rule's filter
/// leaves out) — and planted leads of each kind the rule can find.
///
/// Each lead is expected as (kind, canonical key of the left record), the key being the value of the
/// first of the rule's left key fields the record fills, as the lead's JSON shows it.
struct MatchingDataset {
    /// One file to import: indicator, reporting period, rows (field key → cell text).
    struct File {
        var indicator: String
        var period: String
        var rows: [[String: String]]
    }

    /// One run to make: the rule, the left periods, the leads it must find.
    struct Expectation {
        var from: String
        var to: String
        var leads: Set<PlantedLead>
    }

    struct PlantedLead: Hashable, CustomStringConvertible {
        var kind: TaxLeadKind
        var key: String
        var confidence: TaxLeadConfidence = .identifier
        var description: String { "\(kind.rawValue) \(key) \(confidence.rawValue)" }
    }

    var files: [String: File] = [:]
    var expectations: [String: Expectation] = [:]

    mutating func add(_ indicator: String, _ period: String, _ row: [String: String]) {
        let name = indicator + "_" + period
        files[name, default: File(indicator: indicator, period: period, rows: [])].rows.append(row)
    }

    mutating func expect(_ rule: String, _ kind: TaxLeadKind, _ key: String, _ confidence: TaxLeadConfidence = .identifier) {
        expectations[rule]?.leads.insert(PlantedLead(kind: kind, key: key, confidence: confidence))
    }

    static let division = "321002"

    /// The whole dataset.
    static func make() -> MatchingDataset {
        var d = MatchingDataset()
        d.deedTax()
        d.propertyRegistration()
        d.vehicles()
        d.deregistrations()
        d.builders()
        d.rentals()
        return d
    }

    // MARK: deed-tax and property-registration-deed-tax

    /// A house sale (HOU-001, 2026-07) of `buyer` at `price` on `day`.
    mutating func sale(_ n: Int, buyer: String, price: String = "1000000", day: String = "2026-07-05", type: String = "买卖") {
        add("HOU-001", "2026-07", [
            "contract_no": "HT2026\(n)", "property_address": "扬州市广陵区文昌路\(n)号", "usage": "住宅", "building_area": "100",
            "price": price, "transfer_type": type, "contract_date": day, "buyer_name": "买方\(n)", "buyer_id_type": "居民身份证",
            "buyer_id_no": buyer, "seller_name": "卖方\(n)", "seller_id_type": "居民身份证",
            "seller_id_no": IdentifierFactory.residentID18(2000 + n), "division_code": Self.division,
        ])
    }

    /// A deed-tax payment (LTS-009) by a person (`person`) or an organisation (`org`), filed in the period of `paid`.
    mutating func deedTaxPaid(_ n: Int, person: String? = nil, org: String? = nil, price: String = "1000000", paid: String) {
        add("LTS-009", String(paid.prefix(7)), [
            "taxpayer_name": "纳税人\(n)", "taxpayer_id_no": person ?? "", "taxpayer_org_id": org ?? "", "ticket_no": "QS\(n)",
            "location": "扬州市广陵区文昌路\(n)号", "object": "房屋", "transfer_type": "买卖", "area": "100", "price": price,
            "tax_rate": "3", "tax_paid": "30000", "paid_date": paid, "division_code": Self.division,
        ])
    }

    mutating func deedTax() {
        expectations["deed-tax"] = Expectation(from: "2026-07", to: "2026-07", leads: [])
        // clean: paid 10 days after, the same price
        for n in 1...20 {
            let id = IdentifierFactory.residentID18(n)
            sale(n, buyer: id)
            deedTaxPaid(n, person: id, paid: "2026-07-15")
        }
        // clean: a 15-digit ID in the sale, its 18-digit form at the tax bureau
        sale(21, buyer: IdentifierFactory.residentID15(21))
        deedTaxPaid(21, person: IdentifierFactory.residentID18(21), paid: "2026-07-20")
        // clean: paid on the 90th day; declared 4 % below (tolerance 5 %); a gift with no tax (not 买卖)
        sale(22, buyer: IdentifierFactory.residentID18(22))
        deedTaxPaid(22, person: IdentifierFactory.residentID18(22), paid: "2026-10-03")
        sale(23, buyer: IdentifierFactory.residentID18(23))
        deedTaxPaid(23, person: IdentifierFactory.residentID18(23), price: "960000", paid: "2026-07-10")
        sale(24, buyer: IdentifierFactory.residentID18(24), type: "赠与")
        // planted: no tax; no tax (15-digit buyer); paid on the 91st day; declared 10 % below
        sale(31, buyer: IdentifierFactory.residentID18(31), price: "2000000")
        expect("deed-tax", .noMatch, IdentifierFactory.residentID18(31))
        sale(32, buyer: IdentifierFactory.residentID15(32))
        expect("deed-tax", .noMatch, IdentifierFactory.residentID18(32))
        sale(33, buyer: IdentifierFactory.residentID18(33))
        deedTaxPaid(33, person: IdentifierFactory.residentID18(33), paid: "2026-10-04")
        expect("deed-tax", .outOfWindow, IdentifierFactory.residentID18(33))
        sale(34, buyer: IdentifierFactory.residentID18(34))
        deedTaxPaid(34, person: IdentifierFactory.residentID18(34), price: "900000", paid: "2026-07-10")
        expect("deed-tax", .underpaid, IdentifierFactory.residentID18(34))
    }

    /// A transfer registration (LRB-006, 2026-08) to a person or an organisation.
    mutating func registration(_ n: Int, person: String? = nil, org: String? = nil, price: String? = "1000000",
                                day: String = "2026-08-10", type: String = "转移登记") {
        add("LRB-006", "2026-08", [
            "unit_no": "321002001001GB\(IdentifierFactory.digits(n, 5))F0001", "certificate_no": "苏(2026)扬州市不动产权第\(n)号",
            "registration_type": type, "owner_name": "权利人\(n)", "owner_id_no": person ?? "", "owner_org_id": org ?? "",
            "location": "扬州市广陵区汶河路\(n)号", "usage": "住宅", "area": "100", "price": price ?? "", "registration_date": day,
            "division_code": Self.division,
        ])
    }

    mutating func propertyRegistration() {
        expectations["property-registration-deed-tax"] = Expectation(from: "2026-08", to: "2026-08", leads: [])
        // clean: the deed-tax buyers register in August, after paying in July
        for n in 1...20 { registration(n, person: IdentifierFactory.residentID18(n)) }
        // clean: organisations registered by USCC, their tax paid under the organization code / 15-digit TIN
        registration(101, org: IdentifierFactory.uscc(101))
        deedTaxPaid(101, org: IdentifierFactory.organizationCode(101), paid: "2026-07-28")
        registration(102, org: IdentifierFactory.uscc(102))
        deedTaxPaid(102, org: IdentifierFactory.taxpayerID15(102), paid: "2026-08-10")
        // clean: no price registered (nothing to compare); a first registration with no tax (filtered)
        registration(103, person: IdentifierFactory.residentID18(103), price: nil)
        deedTaxPaid(103, person: IdentifierFactory.residentID18(103), price: "500000", paid: "2026-08-01")
        registration(104, person: IdentifierFactory.residentID18(104), type: "首次登记")
        // planted: an organisation with no tax; tax paid after the registration; declared 20 % below
        registration(111, org: IdentifierFactory.uscc(111))
        expect("property-registration-deed-tax", .noMatch, IdentifierFactory.organizationCode(111))
        registration(112, person: IdentifierFactory.residentID18(112))
        deedTaxPaid(112, person: IdentifierFactory.residentID18(112), paid: "2026-08-20")
        expect("property-registration-deed-tax", .outOfWindow, IdentifierFactory.residentID18(112))
        registration(113, person: IdentifierFactory.residentID18(113))
        deedTaxPaid(113, person: IdentifierFactory.residentID18(113), price: "800000", paid: "2026-08-01")
        expect("property-registration-deed-tax", .underpaid, IdentifierFactory.residentID18(113))
    }

    // MARK: vehicle-purchase-tax

    mutating func vehicle(_ n: Int, business: String = "注册登记", price: String? = "113000", day: String = "2026-09-10") {
        add("PSB-002", "2026-09", [
            "plate_no": "苏K\(IdentifierFactory.digits(n, 5))", "plate_type": "小型汽车", "vin": IdentifierFactory.vin(n),
            "vehicle_type": "小型轿车", "registration_date": day, "business_type": business, "owner_name": "车主\(n)",
            "owner_id_no": IdentifierFactory.residentID18(300 + n), "purchase_price": price ?? "", "division_code": Self.division,
        ])
    }

    mutating func purchaseTax(_ n: Int, vin: String? = nil, taxable: String = "100000", relief: String = "无", paid: String) {
        add("NTS-002", String(paid.prefix(7)), [
            "taxpayer_name": "车主\(n)", "taxpayer_id_no": IdentifierFactory.residentID18(300 + n), "cert_no": "CG\(n)",
            "vin": vin ?? IdentifierFactory.vin(n), "taxable_price": taxable, "tax_paid": relief == "无" ? "10000" : "0",
            "relief": relief, "paid_date": paid, "division_code": Self.division,
        ])
    }

    mutating func vehicles() {
        expectations["vehicle-purchase-tax"] = Expectation(from: "2026-09", to: "2026-09", leads: [])
        // clean: paid before registration, taxable price = purchase price without VAT
        for n in 1...15 {
            vehicle(n)
            purchaseTax(n, paid: "2026-09-05")
        }
        // clean: the VIN in lower case at the tax bureau; paid on the 30th day; an exempt new-energy car
        // declared at 0; a transfer (not a new registration) with no tax
        vehicle(16)
        purchaseTax(16, vin: IdentifierFactory.vin(16).lowercased(), paid: "2026-09-05")
        vehicle(17)
        purchaseTax(17, paid: "2026-10-10")
        vehicle(18)
        purchaseTax(18, taxable: "0", relief: "新能源汽车免征", paid: "2026-09-05")
        vehicle(19, business: "转移登记")
        // planted: no tax; paid on the 31st day; declared at half the price
        vehicle(21, price: "226000")
        expect("vehicle-purchase-tax", .noMatch, IdentifierFactory.vin(21))
        vehicle(22)
        purchaseTax(22, paid: "2026-10-11")
        expect("vehicle-purchase-tax", .outOfWindow, IdentifierFactory.vin(22))
        vehicle(23)
        purchaseTax(23, taxable: "56500", paid: "2026-09-05")
        expect("vehicle-purchase-tax", .underpaid, IdentifierFactory.vin(23))
    }

    // MARK: deregistration-clearance

    mutating func company(_ n: Int, event: String = "注销", day: String = "2026-10-20") {
        add("AIC-001", "2026-10", [
            "org_id": IdentifierFactory.uscc(400 + n), "org_name": "扬州某某\(n)有限公司", "legal_rep_name": "法人\(n)",
            "legal_rep_id_no": IdentifierFactory.residentID18(400 + n), "enterprise_type": "有限责任公司", "event": event,
            "event_date": day, "established_date": "2015-03-01", "address": "扬州市广陵区\(n)号", "authority": "扬州市市场监督管理局",
            "division_code": Self.division,
        ])
    }

    mutating func cleared(_ n: Int, indicator: String, orgID: String, day: String, name: String? = nil) {
        add(indicator, String(day.prefix(7)), [
            "org_id": orgID, "org_name": name ?? "扬州某某\(n)有限公司", "legal_rep_name": "法人\(n)",
            "legal_rep_id_no": IdentifierFactory.residentID18(400 + n), "document_no": "QSZM\(n)", "cleared_date": day,
            "reason": "解散", "tax_office": "国家税务总局扬州市广陵区税务局", "division_code": Self.division,
        ])
    }

    mutating func deregistrations() {
        expectations["deregistration-clearance"] = Expectation(from: "2026-10", to: "2026-10", leads: [])
        // clean: cleared at the state tax bureau under the 15-digit TIN, at the local one under the
        // organization code, on the day itself; a company opening (not a deregistration)
        for n in 1...10 {
            company(n)
            cleared(n, indicator: "NTS-004", orgID: IdentifierFactory.taxpayerID15(400 + n), day: "2026-10-12")
        }
        company(11)
        cleared(11, indicator: "LTS-004", orgID: IdentifierFactory.organizationCode(411), day: "2026-10-20")
        company(12, event: "开业")
        // clean, second pass: cleared under an old registration number (no organization code), the name
        // written with another company-form ending and full-width brackets
        company(13)
        cleared(13, indicator: "NTS-004", orgID: IdentifierFactory.registrationNumber(90_013), day: "2026-10-15",
                name: "扬州某某13有限责任公司")
        // planted, second pass: cleared by name after deregistering (name_division); a namesake in another
        // county does not count (no_match)
        company(23)
        cleared(23, indicator: "LTS-004", orgID: IdentifierFactory.registrationNumber(90_023), day: "2026-10-28",
                name: "扬州某某23（有限公司）")
        expect("deregistration-clearance", .outOfWindow, IdentifierFactory.organizationCode(423), .nameDivision)
        company(24)
        add("NTS-004", "2026-10", [
            "org_id": IdentifierFactory.registrationNumber(90_024), "org_name": "扬州某某24有限公司", "legal_rep_name": "法人24",
            "legal_rep_id_no": IdentifierFactory.residentID18(424), "document_no": "QSZM24", "cleared_date": "2026-10-01",
            "reason": "解散", "tax_office": "国家税务总局扬州市邗江区税务局", "division_code": "321003",
        ])
        expect("deregistration-clearance", .noMatch, IdentifierFactory.organizationCode(424))
        // a company cleared under another company's organization code with its own name is no match by name
        company(25)
        cleared(25, indicator: "NTS-004", orgID: IdentifierFactory.uscc(499), day: "2026-10-01")
        expect("deregistration-clearance", .noMatch, IdentifierFactory.organizationCode(425))
        // planted: never cleared; cleared 5 days after deregistering
        company(21)
        expect("deregistration-clearance", .noMatch, IdentifierFactory.organizationCode(421))
        company(22)
        cleared(22, indicator: "LTS-004", orgID: IdentifierFactory.uscc(422), day: "2026-10-25")
        expect("deregistration-clearance", .outOfWindow, IdentifierFactory.organizationCode(422))
    }

    // MARK: out-of-town-builder

    mutating func permit(_ n: Int, builderDivision: String, day: String = "2026-09-15") {
        add("CON-003", "2026-09", [
            "project_code": "2026-321002-47-01-\(IdentifierFactory.digits(n, 6))", "project_name": "项目\(n)",
            "power_code": "XK-321000-\(IdentifierFactory.digits(n, 5))", "permit_no": "SG\(n)",
            "owner_org_id": IdentifierFactory.uscc(500 + n), "owner_name": "建设单位\(n)", "builder_name": "施工单位\(n)",
            "builder_org_id": IdentifierFactory.uscc(600 + n, division: builderDivision), "location": "扬州市广陵区\(n)号",
            "contract_amount": "1000", "issue_date": day, "division_code": Self.division,
        ])
    }

    mutating func builders() {
        expectations["out-of-town-builder"] = Expectation(from: "2026-09", to: "2026-09", leads: [])
        // clean: local builders with nothing (not out of town)
        for n in 1...8 { permit(n, builderDivision: "321003") }
        // clean: out-of-town builders with an out-of-town certificate, or a local registration under a
        // 15-digit TIN 20 days after the permit
        permit(9, builderDivision: "320500")
        add("LTS-011", "2026-09", [
            "org_id": IdentifierFactory.uscc(609, division: "320500"), "org_name": "施工单位9", "legal_rep_name": "法人9",
            "legal_rep_id_no": IdentifierFactory.residentID18(609), "certificate_no": "WC9", "destination": "扬州市",
            "valid_from": "2026-09-05", "valid_to": "2027-03-05", "division_code": "320500",
        ])
        permit(10, builderDivision: "320100")
        taxRegistration(10, day: "2026-10-05")
        // planted: out-of-town builders with nothing, or registered 60 days after the permit
        permit(21, builderDivision: "320500")
        expect("out-of-town-builder", .noMatch, IdentifierFactory.organizationCode(621))
        permit(22, builderDivision: "110105", day: "2026-09-01")
        taxRegistration(22, day: "2026-10-31")
        expect("out-of-town-builder", .outOfWindow, IdentifierFactory.organizationCode(622))
    }

    mutating func taxRegistration(_ n: Int, day: String) {
        add("LTS-005", String(day.prefix(7)), [
            "org_id": IdentifierFactory.taxpayerID15(600 + n), "org_name": "施工单位\(n)", "legal_rep_name": "法人\(n)",
            "legal_rep_id_no": IdentifierFactory.residentID18(600 + n), "registration_type": "设立登记", "registration_date": day,
            "taxpayer_type": "一般纳税人", "industry_code": "4700", "address": "扬州市广陵区\(n)号", "tax_office": "国家税务总局扬州市税务局",
            "division_code": Self.division,
        ])
    }

    // MARK: rental-income

    mutating func lease(_ n: Int, landlord: String) {
        add("PSB-003", "2026Q3", [
            "landlord_name": "出租人\(n)", "landlord_id_type": "居民身份证", "landlord_id_no": landlord, "tenant_name": "承租人\(n)",
            "tenant_id_type": "居民身份证", "tenant_id_no": IdentifierFactory.residentID18(800 + n), "house_address": "扬州市广陵区\(n)号",
            "usage": "住宅", "rent_area": "80", "monthly_rent": "3000", "lease_start": "2026-07-10", "lease_end": "2027-07-09",
            "division_code": Self.division,
        ])
    }

    mutating func rentDeclared(_ n: Int, lessor: String, quarter: String, start: String, end: String) {
        add("LTS-010", quarter, [
            "lessor_name": "出租人\(n)", "lessor_id_no": lessor, "house_address": "扬州市广陵区\(n)号", "rent_income": "9000",
            "period_start": start, "period_end": end, "tax_paid": "450", "division_code": Self.division,
        ])
    }

    mutating func rentals() {
        expectations["rental-income"] = Expectation(from: "2026-07", to: "2026-09", leads: [])
        for n in 1...10 {
            lease(n, landlord: IdentifierFactory.residentID18(700 + n))
            rentDeclared(n, lessor: IdentifierFactory.residentID18(700 + n), quarter: "2026Q3", start: "2026-07-01", end: "2026-09-30")
        }
        // clean: a 15-digit landlord ID at the police, 18 digits at the tax bureau
        lease(11, landlord: IdentifierFactory.residentID15(711))
        rentDeclared(11, lessor: IdentifierFactory.residentID18(711), quarter: "2026Q3", start: "2026-07-01", end: "2026-09-30")
        // planted: nothing declared; only an earlier quarter declared
        lease(21, landlord: IdentifierFactory.residentID18(721))
        expect("rental-income", .noMatch, IdentifierFactory.residentID18(721))
        lease(22, landlord: IdentifierFactory.residentID18(722))
        rentDeclared(22, lessor: IdentifierFactory.residentID18(722), quarter: "2026Q1", start: "2026-01-01", end: "2026-03-31")
        expect("rental-income", .outOfWindow, IdentifierFactory.residentID18(722))
    }

    // MARK: Loading

    /// The providing unit of each indicator (the importing actor).
    static func unit(of indicator: String) -> String {
        switch indicator.prefix(3) {
        case "HOU": "housing"
        case "LTS": "local-tax"
        case "NTS": "state-tax"
        case "LRB": "land-resources"
        case "PSB": "public-security"
        case "AIC": "industry-commerce"
        case "CON": "urban-construction"
        default: String(indicator)
        }
    }

    /// Imports every file as a CSV through the submission service; fails when a row is rejected.
    func load(into app: Application, directory: URL) async throws {
        let catalog = try CatalogLoader.seedCatalog()
        for (name, file) in files.sorted(by: { $0.key < $1.key }) {
            guard let indicator = catalog.indicator(code: file.indicator) else { throw Abort(.notFound, reason: file.indicator) }
            var text = indicator.fields.map(\.header).joined(separator: ",") + "\n"
            for row in file.rows {
                text += indicator.fields.map { row[$0.key] ?? "" }.joined(separator: ",") + "\n"
            }
            let url = directory.appendingPathComponent(name + ".csv")
            try Data(text.utf8).write(to: url)
            let outcome = try await app.submissions.submit(file: url, fileName: url.lastPathComponent, indicatorCode: file.indicator,
                                                           period: file.period, by: .commandLine(unit: Self.unit(of: file.indicator)),
                                                           confirmPeriod: true)
            guard outcome.report.rowsAccepted == file.rows.count else {
                throw Abort(.internalServerError, reason: "\(name): \(outcome.report.errors.prefix(3).map { "\($0)" })")
            }
        }
    }
}
