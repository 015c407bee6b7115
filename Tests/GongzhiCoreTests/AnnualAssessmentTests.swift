import Testing
@testable import GongzhiCore

private func d(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
private func p(_ text: String) -> ReportingPeriod { ReportingPeriod(text)! }

@Suite("The year-end assessment (年终综合考核, issue 11 §6)")
struct AnnualAssessmentTests {
    /// One monthly task in the quarter's first month, due on the 20th of the next: `late` days late, or missed.
    static func quarter(_ unit: String, _ q: Int, records: Int, late: Int? = 0, leads: Int = 0, effect: Int = 0,
                        identifiers: Int = 0, rank: Int? = nil, leak: Int = 0) -> AssessmentFacts {
        let month = (q - 1) * 3 + 1
        let deadline = CalendarDate(year: 2024, month: month + 1, day: 20)!
        let submitted = late.flatMap { CalendarDate(daysSinceEpoch: deadline.daysSinceEpoch + $0) }
        let task = AssessmentFacts.Task(indicator: "HOU-001", collection: .monthly, period: .month(year: 2024, month: month),
                                        deadline: deadline, submittedOn: submitted, records: late == nil ? 0 : records)
        return AssessmentFacts(unit: unit, quarter: .quarter(year: 2024, quarter: q), tasks: [task], identifierCompleteIndicators: identifiers,
                               applicationEffect: effect, adoptedLeads: leads, specialContributionRank: rank, leakPenalty: leak)
    }

    @Test("the annual score: the mean of the quarters' base scores, the year's bonus once, the year's leaks")
    func annualScore() throws {
        let facts = [
            Self.quarter("housing", 3, records: 8_000, leads: 4, identifiers: 3, leak: 5),
            Self.quarter("housing", 1, records: 8_000, effect: 2, identifiers: 2),
            Self.quarter("housing", 2, records: 8_000, late: 3, leads: 3, rank: 1),
            Self.quarter("housing", 4, records: 8_000, late: nil, effect: 4, rank: 3),
        ]
        let year = try AnnualAssessment.score(unit: "housing", year: 2024, quarters: facts)
        #expect(year.quarters.map(\.quarter) == [p("2024Q1"), p("2024Q2"), p("2024Q3"), p("2024Q4")])
        // bases 100, 97 (3 days late), 100, 20 (the only task missed: 20 + 20 + 40 lost) → 317 / 4
        #expect(year.quarters.map { $0.base.roundedText() } == ["100", "97", "100", "20"])
        #expect(year.baseMean == (try Rational(317, 4)))
        // V = 24 000 rows: 3 points on the annual tiers (5万/2万/8千), where a quarter's tiers would give 5
        #expect(year.records == 24_000 && year.monthlyIndicators == 1)
        #expect(year.bonus.workload == 3)
        #expect(AssessmentScoring.workloadPoints(monthly: 1, quarterly: 0, records: 24_000) == 5)
        // rank 3 (the latest entered) → 4; identifiers the most of a quarter; the best grade; leads 3 + 4 capped at 5
        #expect(year.bonus.specialContribution == Rational(4))
        #expect([year.bonus.identifiers, year.bonus.applicationEffect, year.bonus.leads] == [3, 4, 5])
        #expect(year.bonusTotal == Rational(19))
        #expect(year.penalty == 5)
        #expect(year.total.roundedText() == "93.25")
        #expect(year.isComplete)
    }

    @Test("annual volume tiers: more than 50 000, 20 000 and 8 000 rows (超过 excludes the bound)")
    func volumeTiers() {
        let tiers = AnnualAssessment.volumeTiers
        #expect([8_000, 8_001, 20_000, 20_001, 50_000, 50_001].map {
            AssessmentScoring.workloadPoints(monthly: 0, quarterly: 0, records: $0, tiers: tiers)
        } == [0, 1, 1, 3, 3, 5])
        #expect(AssessmentScoring.workloadPoints(monthly: 6, quarterly: 0, records: 0, tiers: tiers) == 5)
    }

    @Test("ranking and marks: 先进 needs a complete year, 90 or more, the top 20 % and no leak; 后进 is below 60")
    func marks() throws {
        func year(_ unit: String, quarters: [Int], missed: Bool = false, leak: Int = 0) throws -> AnnualAssessment.Result {
            try AnnualAssessment.score(unit: unit, year: 2024, quarters: quarters.map {
                Self.quarter(unit, $0, records: 100, late: missed ? nil : 0, leak: $0 == 1 ? leak : 0)
            })
        }
        let ranked = AnnualAssessment.ranked([
            try year("c-missed", quarters: [1, 2, 3, 4], missed: true),
            try year("d-half", quarters: [1, 2]),
            try year("b-full", quarters: [1, 2, 3, 4]),
            try year("e-leak", quarters: [1, 2, 3, 4], leak: 5),
            try year("a-none", quarters: []),
        ])
        #expect(ranked.map(\.result.unit) == ["b-full", "d-half", "e-leak", "c-missed", "a-none"])
        #expect(ranked.map { $0.result.total.roundedText() } == ["101", "101", "96", "20", "0"])
        #expect(ranked.map(\.rank) == [1, 1, 3, 4, 5])
        // ⌈5 / 5⌉ = 1 place is the top 20 %: b-full; d-half ties it but has two quarters only
        #expect(ranked.map(\.mark) == [.advanced, nil, nil, .lagging, nil])
    }

    @Test("facts of another unit or year, or a quarter twice, are refused naming the quarter")
    func refusesForeignFacts() {
        #expect(throws: AssessmentFactsError.self) {
            try AnnualAssessment.score(unit: "housing", year: 2023, quarters: [Self.quarter("housing", 1, records: 1)])
        }
        #expect(throws: AssessmentFactsError.self) {
            try AnnualAssessment.score(unit: "land", year: 2024, quarters: [Self.quarter("housing", 1, records: 1)])
        }
        do {
            _ = try AnnualAssessment.score(unit: "housing", year: 2024,
                                           quarters: [Self.quarter("housing", 1, records: 1), Self.quarter("housing", 1, records: 2)])
            Issue.record("a quarter twice was taken")
        } catch {
            #expect(error.field == "quarter")
        }
    }
}
