import GongzhiCore
import Testing

/// Issue 10: a file that names or dates another period is caught; periods are understood as clerks write them.
@Suite("Period sanity")
struct PeriodSanityTests {
    @Test("periods as clerks write them", arguments: [
        ("2024-03", ReportingPeriod.month(year: 2024, month: 3)), ("2024-3", .month(year: 2024, month: 3)),
        ("2024年3月", .month(year: 2024, month: 3)), ("２０２４年１２月", .month(year: 2024, month: 12)),
        ("2024年第1季度", .quarter(year: 2024, quarter: 1)), ("2024年2季度", .quarter(year: 2024, quarter: 2)),
        ("2024Q4", .quarter(year: 2024, quarter: 4)), ("2024年度", .year(2024)), ("2024年", .year(2024)), ("2024", .year(2024)),
    ])
    func parsing(text: String, period: ReportingPeriod) {
        #expect(ReportingPeriod(text) == period)
    }

    @Test("not periods", arguments: ["2024年13月", "2024年第5季度", "3月", "2024年3月至5月", ""])
    func notPeriods(text: String) {
        #expect(ReportingPeriod(text) == nil)
    }

    @Test("the periods a title names")
    func titles() {
        #expect(PeriodSanity.periods(in: "扬州市住房保障和房产管理局 房产交易信息 2024年3月") == [.month(year: 2024, month: 3)])
        #expect(PeriodSanity.periods(in: "市场监管局 企业登记信息（2024年第1季度）") == [.quarter(year: 2024, quarter: 1)])
        #expect(PeriodSanity.periods(in: "统计时段：2024-07；制表：张三") == [.month(year: 2024, month: 7)])
        #expect(PeriodSanity.periods(in: "房产交易信息") == [])
        #expect(PeriodSanity.periods(in: "编号 120240301") == [], "a longer number is no year")
    }

    @Test("a title naming another period of the same kind is a finding; another kind is not")
    func titleFinding() {
        let march = ReportingPeriod.month(year: 2024, month: 3), july = ReportingPeriod.month(year: 2024, month: 7)
        #expect(PeriodSanity.check(period: july, title: "房产交易信息 2024年3月", tallies: []) == .title(named: march, text: "房产交易信息 2024年3月"))
        #expect(PeriodSanity.check(period: march, title: "房产交易信息 2024年3月", tallies: []) == nil)
        #expect(PeriodSanity.check(period: march, title: "2024年度汇总 2024年3月", tallies: []) == nil, "a year in a monthly title")
        let message = PeriodSanity.Finding.title(named: march, text: "").message(chosen: july)
        #expect(message.contains("2024年3月") && message.contains("2024年7月") && message.contains("confirm=period"))
    }

    @Test("dates: a finding only when every date field has most of its dates outside")
    func dateFinding() {
        let july = ReportingPeriod.month(year: 2024, month: 7)
        var contract = PeriodSanity.DateTally(label: "合同签订日期")
        for day in 1...10 { contract.add(CalendarDate(year: 2024, month: 3, day: day)!, period: july) }
        contract.add(CalendarDate(year: 2024, month: 7, day: 1)!, period: july)
        guard case .dates(let tally)? = PeriodSanity.check(period: july, title: "", tallies: [contract]) else {
            Issue.record("March dates filed as July are a finding")
            return
        }
        #expect(tally.commonest?.period == "2024-03")
        #expect(PeriodSanity.Finding.dates(tally).message(chosen: july).contains("多数在2024年3月"))
        // a registration date inside the period clears old establishment dates
        var registered = PeriodSanity.DateTally(label: "登记日期")
        for day in 1...11 { registered.add(CalendarDate(year: 2024, month: 7, day: day)!, period: july) }
        #expect(PeriodSanity.check(period: july, title: "", tallies: [contract, registered]) == nil)
        // lease start dates spread over many months say nothing
        var leases = PeriodSanity.DateTally(label: "租赁起始日期")
        for month in 1...12 { leases.add(CalendarDate(year: 2023, month: month, day: 5)!, period: july) }
        #expect(PeriodSanity.check(period: july, title: "", tallies: [leases]) == nil)
        // too few dates say nothing
        var few = PeriodSanity.DateTally(label: "合同签订日期")
        few.add(CalendarDate(year: 2024, month: 3, day: 1)!, period: july)
        #expect(PeriodSanity.check(period: july, title: "", tallies: [few]) == nil)
    }
}
