import GongzhiCore
import Testing

/// The quarterly usage report's rules (附件1 第十二条): the due date, the quarters owed, the pre-fill.
@Suite("Usage report rule")
struct UsageReportRuleTests {
    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    @Test("due on the set day of the month after the quarter")
    func deadline() {
        #expect(UsageReportRule.deadline(of: .quarter(year: 2026, quarter: 3)) == Self.day("2026-10-20"))
        #expect(UsageReportRule.deadline(of: .quarter(year: 2026, quarter: 4), dueDay: 15) == Self.day("2027-01-15"))
    }

    @Test("the quarters ended since the first grant, the latest four")
    func quarters() {
        #expect(UsageReportRule.quarters(since: Self.day("2026-11-29"), today: Self.day("2026-12-31")) == [])
        #expect(UsageReportRule.quarters(since: Self.day("2026-11-29"), today: Self.day("2027-01-01")) == [.quarter(year: 2026, quarter: 4)])
        #expect(UsageReportRule.quarters(since: Self.day("2020-01-01"), today: Self.day("2027-05-01")).map(\.description)
                == ["2026Q2", "2026Q3", "2026Q4", "2027Q1"])
    }

    @Test("pre-fill counts answered queries and downloads of other units' data in the quarter, with leads")
    func prefill() {
        let provider = ["PSB-003": "public-security", "LTS-001": "local-tax", "HOU-001": "housing"]
        func fact(_ action: AuditAction, _ indicator: String, _ rows: Int, _ day: String, unit: String = "local-tax", detail: String? = nil) -> UsageAuditFact {
            UsageAuditFact(action: action, unit: unit, indicator: indicator, rows: rows, detail: detail, day: Self.day(day))
        }
        let facts = [
            fact(.query, "PSB-003", 50, "2026-07-01"), fact(.query, "PSB-003", 20, "2026-09-30"), fact(.download, "PSB-003", 120, "2026-08-01"),
            fact(.query, "PSB-003", 0, "2026-08-01", detail: "refused=quota_exceeded"), fact(.query, "PSB-003", 9, "2026-10-01"),
            fact(.query, "PSB-003", 9, "2026-08-01", unit: "state-tax"), fact(.query, "LTS-001", 9, "2026-08-01"),
            fact(.recordView, "PSB-003", 9, "2026-08-01"),
        ]
        let usage = UsageReportRule.prefill(unit: "local-tax", quarter: .quarter(year: 2026, quarter: 3), facts: facts,
                                            leads: ["PSB-003": 2, "HOU-001": 1, "LTS-001": 5], provider: provider)
        #expect(usage == [
            IndicatorUsage(indicator: "HOU-001", provider: "housing", leads: 1),
            IndicatorUsage(indicator: "PSB-003", provider: "public-security", queries: 2, rowsRead: 70, downloads: 1, rowsDownloaded: 120, leads: 2),
        ])
    }

    @Test("a filing needs an ended quarter, a purpose, ratings 1–5 for listed units")
    func checked() throws {
        let today = Self.day("2026-11-29")
        let ok = try UsageReportRule.checked(quarter: "2026Q3", purpose: " 比对 ", ratings: ["housing": ("５", "好"), "customs": ("", "")],
                                             providers: ["housing"], today: today)
        #expect(ok.purpose == "比对" && ok.ratings == [.init(provider: "housing", score: 5, comment: "好")])
        #expect(throws: UsageReportRule.Problem.badQuarter("2026Q4")) {
            try UsageReportRule.checked(quarter: "2026Q4", purpose: "x", ratings: [:], providers: [], today: today)
        }
        #expect(throws: UsageReportRule.Problem.missingPurpose) {
            try UsageReportRule.checked(quarter: "2026Q3", purpose: " ", ratings: [:], providers: [], today: today)
        }
        #expect(throws: UsageReportRule.Problem.badRating(provider: "customs", text: "3")) {
            try UsageReportRule.checked(quarter: "2026Q3", purpose: "x", ratings: ["customs": ("3", "")], providers: ["housing"], today: today)
        }
    }
}
