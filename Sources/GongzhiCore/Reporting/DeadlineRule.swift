/// When a reporting period's data is due: the `day` of the month that lies `monthsAfterPeriodEnd` months
/// after the period's last month, inclusive (附件2 数据归集周期; catalog.yaml `deadlines`).
///
/// Monthly data is due by the 20th of the next month, quarterly data by the 20th of the next quarter's
/// first month, yearly data by 20 January of the next year. A `day` past the month's end (e.g. 31 in
/// April) falls on the month's last day.
public struct DeadlineRule: Codable, Sendable, Equatable {
    /// Months between the period's last month and the deadline's month (1 = the following month).
    public var monthsAfterPeriodEnd: Int
    /// Day of that month, 1...31.
    public var day: Int
    /// The rule as the policy words it, e.g. 当月数据需在下月20日前报送完毕.
    public var rule: String?

    public init(monthsAfterPeriodEnd: Int = 1, day: Int = 20, rule: String? = nil) {
        self.monthsAfterPeriodEnd = monthsAfterPeriodEnd
        self.day = day
        self.rule = rule
    }

    /// The last day on which `period`'s data is on time.
    public func deadline(for period: ReportingPeriod) -> CalendarDate {
        let end = period.lastDay
        let monthIndex = end.year * 12 + (end.month - 1) + monthsAfterPeriodEnd
        let year = monthIndex / 12, month = monthIndex % 12 + 1
        return CalendarDate(year: year, month: month, day: min(max(day, 1), CalendarDate.daysIn(month: month, year: year)))!
    }

    /// The policy's rules, used when a catalog names none.
    public static let standard: [CollectionPeriod: DeadlineRule] = [
        .monthly: DeadlineRule(rule: "当月数据需在下月20日前报送完毕"),
        .quarterly: DeadlineRule(rule: "当季数据需在下一季度第一个月20日前报送完毕"),
        .yearly: DeadlineRule(rule: "当年数据需在次年1月20日前报送完毕"),
    ]

    enum CodingKeys: String, CodingKey {
        case monthsAfterPeriodEnd = "months_after_period_end"
        case day, rule
    }
}
