import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiTestSupport
import Testing

/// The demo city's synthetic files (issue 10 item 6) go through the real importer: every identifier they make
/// is valid, and exactly the faulty rows they announce are rejected.
@Suite("Synthetic files of the demo city")
struct SyntheticFileTests {
    static func importing(_ csv: String, indicator: Indicator, period: ReportingPeriod) async throws -> ImportReport {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-synthetic-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(csv.utf8).write(to: url)
        let job = ImportJob(indicator: indicator, period: period.description, fileName: url.lastPathComponent,
                            identifiers: IdentifierValidator(divisions: try CatalogLoader.divisions(), today: SharedData.today))
        return try await SubmissionImporter.run(file: url, job: job) { _ in }
    }

    static func period(of indicator: Indicator) -> ReportingPeriod {
        switch indicator.period {
        case .monthly: .month(year: 2026, month: 3)
        case .quarterly: .quarter(year: 2026, quarter: 1)
        case .yearly: .year(2025)
        }
    }

    @Test("every indicator of the catalog: all valid rows are accepted, none rejected")
    func validRowsOfEveryIndicator() async throws {
        let catalog = try CatalogLoader.seedCatalog()
        var rng = SplitMix64(seed: 1)
        for indicator in catalog.indicators {
            let file = SyntheticFile(indicator: indicator, period: Self.period(of: indicator), validRows: 12, faults: 0, using: &rng)
            let report = try await Self.importing(file.csv, indicator: indicator, period: Self.period(of: indicator))
            #expect(!report.refused && report.rowsAccepted == 12 && report.rowsRejected == 0,
                    "\(indicator.code): \(report.rowsAccepted)/\(report.rowsTotal); \(report.errors.prefix(2).map { "\($0.field ?? "") \($0.code.rawValue) \($0.value ?? "")" })")
        }
    }

    @Test("faulty rows are rejected, one each, with the codes clerks meet; the corrected rows are accepted")
    func faultyRowsAndTheirCorrection() async throws {
        let catalog = try CatalogLoader.seedCatalog()
        var rng = SplitMix64(seed: 7)
        var codes: Set<String> = []
        for code in ["HOU-001", "PSB-003", "AIC-001", "LRB-006", "CON-003"] {
            let indicator = try #require(catalog.indicator(code: code))
            let period = Self.period(of: indicator)
            let file = SyntheticFile(indicator: indicator, period: period, validRows: 10, faults: 4, using: &rng)
            let report = try await Self.importing(file.csv, indicator: indicator, period: period)
            #expect(report.rowsTotal == 14 && report.rowsAccepted == 10 && report.rowsRejected == 4, "\(code)")
            codes.formUnion(report.errors.map(\.code.rawValue))
            if let corrected = file.correctedCSV {
                let fixed = try await Self.importing(corrected, indicator: indicator, period: period)
                #expect(fixed.rowsRejected == 0 && fixed.rowsAccepted > 0, "\(code) corrected")
            }
        }
        #expect(codes.isSuperset(of: ["bad_check_digit", "missing_required", "duplicate_row"]), "\(codes.sorted())")
    }

    @Test("the same seed makes the same file")
    func reproducible() throws {
        let indicator = try #require(try CatalogLoader.seedCatalog().indicator(code: "HOU-001"))
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        let one = SyntheticFile(indicator: indicator, period: .month(year: 2026, month: 5), validRows: 5, faults: 2, using: &a)
        let two = SyntheticFile(indicator: indicator, period: .month(year: 2026, month: 5), validRows: 5, faults: 2, using: &b)
        #expect(one.csv == two.csv && one.correctedCSV == two.correctedCSV)
    }

    @Test("made-up resident IDs and credit codes pass their check-character rules")
    func identifiers() throws {
        let validator = IdentifierValidator(divisions: try CatalogLoader.divisions(), today: SharedData.today)
        var rng = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let id = SyntheticIdentifiers.residentID(using: &rng), uscc = SyntheticIdentifiers.uscc(using: &rng)
            if case .failure(let issue) = validator.validate(id, as: .residentIdentityNumber) { Issue.record("\(id): \(issue.message)") }
            if case .failure(let issue) = validator.validate(uscc, as: .uscc) { Issue.record("\(uscc): \(issue.message)") }
            if case .success = validator.validate(SyntheticIdentifiers.withWrongCheckCharacter(id), as: .residentIdentityNumber) { Issue.record("\(id) mistyped passes") }
            if case .success = validator.validate(SyntheticIdentifiers.withWrongCheckCharacter(uscc), as: .uscc) { Issue.record("\(uscc) mistyped passes") }
        }
    }

    @Test("the plan: every task past its deadline in range is filed, zero-data or missed; mostly on time; reproducible")
    func plan() throws {
        let catalog = try CatalogLoader.seedCatalog()
        let today = CalendarDate(year: 2026, month: 12, day: 6)!
        let plan = DemoCityPlan(catalog: catalog, today: today, from: .quarter(year: 2025, quarter: 4), seed: 2017_100)
        let again = DemoCityPlan(catalog: catalog, today: today, from: .quarter(year: 2025, quarter: 4), seed: 2017_100)
        #expect(plan.filings == again.filings && plan.missed == again.missed)
        let due = ReportingCalendar(catalog: catalog).tasks(from: .quarter(year: 2025, quarter: 4), to: .month(year: 2026, month: 12))
            .filter { $0.deadline < today }
        let first = Dictionary(plan.filings.filter { if case .correction = $0.kind { false } else { true } }.map { ($0.task, $0) },
                               uniquingKeysWith: { a, _ in a })
        #expect(Set(first.keys).union(plan.missed).isSuperset(of: due))
        let onTime = due.filter { first[$0].map { $0.filedAt.date <= $0.task.deadline } ?? false }.count
        let zero = first.values.filter { if case .zeroData = $0.kind { true } else { false } }.count
        #expect(Double(onTime) > 0.8 * Double(due.count), "\(onTime) of \(due.count) on time")
        #expect(!plan.missed.isEmpty && Double(plan.missed.count) < 0.08 * Double(due.count), "\(plan.missed.count) missed")
        #expect(zero > 0 && plan.filings.contains { $0.proxyReason != nil } && plan.filings.contains { if case .correction = $0.kind { true } else { false } })
        #expect(plan.filings.allSatisfy { $0.filedAt.date > $0.task.period.lastDay && $0.filedAt.date < today })
    }
}
