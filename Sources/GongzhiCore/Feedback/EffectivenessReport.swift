/// The annual effectiveness report (应用成效报告) and the suspension of sharing that follows two years without
/// one, as 附件1 第十二条 sets it out: every consuming unit reports each year what it achieved with the shared
/// data; the 综合治税办 grades it 0–5 (附件2 加分项 数据应用成效); a unit that files none for two consecutive
/// years has its sharing suspended until it files.
///
/// Pure: the deadline, which years count and whether a unit stands suspended are functions of dates and the
/// years filed; the server stores the reports and the suspensions and runs the check daily.

/// When a year's effectiveness report is due: a month and day of the following year (a setting; default
/// 31 January, "每年1月份").
public struct EffectivenessSchedule: Sendable, Equatable {
    public var month: Int
    public var day: Int

    /// The default: 31 January of the following year.
    public static let standard = EffectivenessSchedule(month: 1, day: 31)

    public init(month: Int, day: Int) {
        self.month = month
        self.day = day
    }

    /// `MM-DD` (e.g. `01-31`, `2-28`) → a schedule; `nil` unless it is a day every year has (29 February is not).
    public init?(text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let m = Int(parts[0]), let d = Int(parts[1]), (1...12).contains(m),
              d >= 1, d <= CalendarDate.daysIn(month: m, year: 2023) else { return nil }
        self.init(month: m, day: d)
    }

    /// The last day to file the report for `year` (in `year + 1`): the report filed on this day is on time.
    /// Years are taken within ``ReportingPeriod/years`` (a year past them has its deadline in 9999).
    public func deadline(for year: Int) -> CalendarDate {
        let next = min(max(year, ReportingPeriod.years.lowerBound), ReportingPeriod.years.upperBound) + 1
        return CalendarDate(year: next, month: month, day: min(day, CalendarDate.daysIn(month: month, year: next)))!
    }

    /// The latest year whose deadline has passed on `asOf` (the deadline day itself still belongs to the unit).
    public func latestClosedYear(asOf: CalendarDate) -> Int {
        asOf > deadline(for: asOf.year - 1) ? asOf.year - 1 : asOf.year - 2
    }

    /// The latest year a report may be filed for on `today`: the year just ended (reports look back).
    public static func latestReportableYear(today: CalendarDate) -> Int { today.year - 1 }
}

/// Whether a unit's sharing stands suspended (附件1 第十二条: "连续两年未报送应用成效报告的，暂停其数据共享").
public enum SharingSuspensionRule {
    /// The years that count for `firstYear` (the year the unit first held a grant, i.e. became a consuming
    /// unit; `nil` for a unit that never did) on `asOf`: from `firstYear` through the latest year whose
    /// deadline has passed, oldest first.
    public static func countedYears(firstYear: Int?, asOf: CalendarDate, schedule: EffectivenessSchedule) -> [Int] {
        guard let firstYear else { return [] }
        let last = schedule.latestClosedYear(asOf: asOf)
        return last >= firstYear ? Array(firstYear...last) : []
    }

    /// The two consecutive years without a report for which the unit stands suspended on `asOf`, oldest first;
    /// empty when it does not. A unit stands suspended when the two latest counted years (deadline passed, the
    /// unit consuming since `firstYear`) both lack a report filed on or before `asOf`. A report filed late
    /// still counts from the day it is filed: filing one of the two missing years reinstates the unit.
    /// - Parameter filed: for each year reported, the day the report was filed.
    public static func missedYears(firstYear: Int?, filed: [Int: CalendarDate], asOf: CalendarDate,
                                   schedule: EffectivenessSchedule = .standard) -> [Int] {
        let years = countedYears(firstYear: firstYear, asOf: asOf, schedule: schedule)
        guard years.count >= 2 else { return [] }
        let lastTwo = Array(years.suffix(2))
        let missing = lastTwo.filter { year in filed[year].map { $0 > asOf } ?? true }
        return missing.count == 2 ? lastTwo : []
    }

    /// What the daily check does for one unit: suspend (with the missed years), reinstate, or nothing.
    public enum Change: Sendable, Equatable {
        case suspend(missedYears: [Int])
        case reinstate
        case none
    }

    /// The change that brings a unit's stored state (`suspended`) in line with the rule on `asOf`.
    public static func change(suspended: Bool, firstYear: Int?, filed: [Int: CalendarDate], asOf: CalendarDate,
                              schedule: EffectivenessSchedule = .standard) -> Change {
        let missed = missedYears(firstYear: firstYear, filed: filed, asOf: asOf, schedule: schedule)
        switch (suspended, missed.isEmpty) {
        case (false, false): return .suspend(missedYears: missed)
        case (true, true): return .reinstate
        default: return .none
        }
    }

    /// The Chinese message a suspended unit's users get on a query, download or new request: why, and how to
    /// lift it.
    public static func message(missedYears: [Int]) -> String {
        let years = missedYears.map { "\($0)" }.joined(separator: "、")
        return "本单位 \(years) 年度连续两年未报送应用成效报告（附件1 第十二条），数据共享已暂停：查询、下载和新的共享申请均不予受理。"
            + "请在“应用成效报告”页面补报所缺年度的报告，报送后即恢复共享。"
    }
}

/// An effectiveness report as filed: the text and the figures (附件1 第十二条: 应用成效).
public struct EffectivenessFiling: Sendable, Equatable {
    public var year: Int
    /// The written report.
    public var text: String
    /// Tax recovered thanks to the shared data, in 元 with at most 2 decimals, as typed (e.g. `125000.50`).
    public var taxRecovered: String
    /// Cases (案件/线索) worked with the data.
    public var cases: Int
    /// Other results, free text (may be empty).
    public var otherResults: String

    public init(year: Int, text: String, taxRecovered: String, cases: Int, otherResults: String) {
        self.year = year
        self.text = text
        self.taxRecovered = taxRecovered
        self.cases = cases
        self.otherResults = otherResults
    }

    /// Why a report cannot be filed or graded.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// Reports look back: only a year already ended (and not before 2000).
        case badYear(Int)
        case missingText
        /// Not a non-negative amount in 元 with at most 2 decimals (the text as typed).
        case badAmount(String)
        case badCases(String)
        /// A report for this year was already filed (one per unit and year).
        case alreadyFiled(Int)
        /// A grade is 0–5 (附件2: 数据应用成效 加1-5分).
        case badGrade(String)
        case notFound

        public var code: String {
            switch self {
            case .badYear: "bad_year"
            case .missingText: "missing_text"
            case .badAmount: "bad_amount"
            case .badCases: "bad_cases"
            case .alreadyFiled: "already_filed"
            case .badGrade: "bad_grade"
            case .notFound: "not_found"
            }
        }

        public var description: String {
            switch self {
            case .badYear(let y): "只能报送已结束年度的应用成效报告，收到 \(y) 年。"
            case .missingText: "请填写报告正文：说明本年度利用共享数据取得的成效。"
            case .badAmount(let t): "挽回税款应为不小于 0 的金额（元，最多两位小数），收到「\(t)」。"
            case .badCases(let t): "案件数应为不小于 0 的整数，收到「\(t)」。"
            case .alreadyFiled(let y): "本单位 \(y) 年度的应用成效报告已经报送，每年一份。"
            case .badGrade(let t): "成效评分应为 0–5 的整数，收到「\(t)」。"
            case .notFound: "应用成效报告不存在。"
            }
        }
    }

    /// A filing from what the unit typed, checked: a year already ended on `today`, non-blank text, an amount
    /// in 元 (full-width digits folded, thousands commas dropped) and a case count.
    /// - Throws: ``Problem``.
    public static func checked(year: Int, text: String, taxRecovered: String, cases: String, otherResults: String,
                               today: CalendarDate) throws(Problem) -> EffectivenessFiling {
        guard year >= 2000, year <= EffectivenessSchedule.latestReportableYear(today: today) else { throw .badYear(year) }
        let body = TextNormalization.trim(text)
        guard !body.isEmpty else { throw .missingText }
        var amount = TextNormalization.trim(TextNormalization.foldWidth(taxRecovered)).replacingOccurrences(of: ",", with: "")
        if amount.isEmpty { amount = "0" }
        let parts = amount.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              parts.count == 1 || (1...2).contains(parts[1].count) else { throw .badAmount(taxRecovered) }
        // Leading zeros dropped, so the amount is also a JSON number: 007.5 → 7.5.
        let whole = String(parts[0].drop(while: { $0 == "0" }))
        amount = (whole.isEmpty ? "0" : whole) + (parts.count == 2 ? "." + parts[1] : "")
        let caseText = TextNormalization.trim(TextNormalization.foldWidth(cases))
        let n: Int
        if caseText.isEmpty { n = 0 } else {
            guard let v = Int(caseText), v >= 0, caseText.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .badCases(cases) }
            n = v
        }
        return EffectivenessFiling(year: year, text: body, taxRecovered: amount, cases: n,
                                   otherResults: TextNormalization.trim(otherResults))
    }

    /// The grade the 综合治税办 gives, 0–5, from what was typed.
    /// - Throws: ``Problem/badGrade(_:)``.
    public static func grade(_ text: String) throws(Problem) -> Int {
        let t = TextNormalization.trim(TextNormalization.foldWidth(text))
        guard let g = Int(t), (0...5).contains(g), t.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .badGrade(text) }
        return g
    }

    /// The assessment quarter a graded report of `year` counts in: its fourth quarter (the annual assessment
    /// takes the year's highest 数据应用成效 grade, see ``AnnualAssessment``).
    public static func assessmentQuarter(of year: Int) -> ReportingPeriod { .quarter(year: year, quarter: 4) }
}
