import GongzhiCore
import Testing

/// The suspension rule of 附件1 第十二条 on a fixed clock: which years count, the deadline day, two years
/// minus a day, and reinstatement by filing.
@Suite("Sharing suspension rule")
struct SharingSuspensionRuleTests {
    typealias R = SharingSuspensionRule

    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    @Test("the deadline is a setting: 31 January by default, any month-day every year has")
    func deadline() {
        #expect(EffectivenessSchedule.standard.deadline(for: 2024) == Self.day("2025-01-31"))
        #expect(EffectivenessSchedule(text: "03-15")?.deadline(for: 2025) == Self.day("2026-03-15"))
        #expect(EffectivenessSchedule(text: "02-29") == nil)
        #expect(EffectivenessSchedule(text: "13-01") == nil)
        #expect(EffectivenessSchedule(text: "1-31") == .standard)
    }

    @Test("years count from the first grant's year through the latest year whose deadline has passed")
    func countedYears() {
        // given a unit consuming since 2023
        // then on the 2025 report's deadline day 2025 does not count yet; the day after it does
        #expect(R.countedYears(firstYear: 2023, asOf: Self.day("2026-01-31"), schedule: .standard) == [2023, 2024])
        #expect(R.countedYears(firstYear: 2023, asOf: Self.day("2026-02-01"), schedule: .standard) == [2023, 2024, 2025])
        #expect(R.countedYears(firstYear: 2026, asOf: Self.day("2026-06-01"), schedule: .standard) == [])
        #expect(R.countedYears(firstYear: nil, asOf: Self.day("2030-06-01"), schedule: .standard) == [])
    }

    @Test("two years without a report: suspended the day after the second deadline, not on it (two years minus a day)")
    func boundary() {
        // given a unit consuming since 1 February 2024 that never filed
        let first = 2024
        // when judged on 31 January 2026 (two years minus a day after it began): the 2025 report is still due today
        #expect(R.missedYears(firstYear: first, filed: [:], asOf: Self.day("2026-01-31")).isEmpty)
        // then on 1 February 2026 both 2024 and 2025 are missed
        #expect(R.missedYears(firstYear: first, filed: [:], asOf: Self.day("2026-02-01")) == [2024, 2025])
        // a single missed year is never enough
        #expect(R.missedYears(firstYear: 2025, filed: [:], asOf: Self.day("2026-12-31")).isEmpty)
    }

    @Test("a report filed on the deadline day counts; only the two latest years decide")
    func filedOnDeadline() {
        let filed2025 = [2025: Self.day("2026-01-31")]
        #expect(R.missedYears(firstYear: 2024, filed: filed2025, asOf: Self.day("2026-02-01")).isEmpty)
        // 2023 and 2024 missed but 2024 is not among the latest two on 2026-02-01 once 2025 was filed
        #expect(R.missedYears(firstYear: 2022, filed: filed2025, asOf: Self.day("2026-02-01")).isEmpty)
        // a report filed after the judging day does not count on that day
        #expect(R.missedYears(firstYear: 2024, filed: [2025: Self.day("2026-03-01")], asOf: Self.day("2026-02-01")) == [2024, 2025])
    }

    @Test("filing a missing year late reinstates; the check's change follows the stored state")
    func reinstatement() {
        let asOf = Self.day("2026-05-01")
        #expect(R.change(suspended: false, firstYear: 2024, filed: [:], asOf: asOf) == .suspend(missedYears: [2024, 2025]))
        #expect(R.change(suspended: true, firstYear: 2024, filed: [:], asOf: asOf) == .none)
        // when the 2024 report is filed late, on 2026-04-30
        let late = [2024: Self.day("2026-04-30")]
        #expect(R.change(suspended: true, firstYear: 2024, filed: late, asOf: asOf) == .reinstate)
        #expect(R.change(suspended: false, firstYear: 2024, filed: late, asOf: asOf) == .none)
        // the message says why and how to lift it
        let message = R.message(missedYears: [2024, 2025])
        #expect(message.contains("2024、2025") && message.contains("暂停") && message.contains("补报"))
    }

    @Test("a filing is checked: a year already ended, text, amount in 元, cases; grades 0–5")
    func filing() throws {
        let today = Self.day("2026-01-10")
        let f = try EffectivenessFiling.checked(year: 2025, text: " 查补契税 ", taxRecovered: "1,250,000.5", cases: "１２", otherResults: "", today: today)
        #expect(f.taxRecovered == "1250000.5" && f.cases == 12 && f.text == "查补契税")
        #expect(throws: EffectivenessFiling.Problem.badYear(2026)) {
            try EffectivenessFiling.checked(year: 2026, text: "x", taxRecovered: "0", cases: "0", otherResults: "", today: today)
        }
        #expect(throws: EffectivenessFiling.Problem.missingText) {
            try EffectivenessFiling.checked(year: 2025, text: "  ", taxRecovered: "0", cases: "0", otherResults: "", today: today)
        }
        #expect(throws: EffectivenessFiling.Problem.badAmount("12.345")) {
            try EffectivenessFiling.checked(year: 2025, text: "x", taxRecovered: "12.345", cases: "0", otherResults: "", today: today)
        }
        #expect(throws: EffectivenessFiling.Problem.badAmount("-1")) {
            try EffectivenessFiling.checked(year: 2025, text: "x", taxRecovered: "-1", cases: "0", otherResults: "", today: today)
        }
        #expect(try EffectivenessFiling.grade("5") == 5)
        #expect(throws: EffectivenessFiling.Problem.badGrade("6")) { try EffectivenessFiling.grade("6") }
        #expect(EffectivenessFiling.assessmentQuarter(of: 2025) == .quarter(year: 2025, quarter: 4))
    }
}
