import Testing
@testable import GongzhiCore

private func d(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
private func p(_ text: String) -> ReportingPeriod { ReportingPeriod(text)! }

@Suite("Reporting calendar: deadlines, task statuses, lifecycle, contacts")
struct ReportingCalendarTests {
    // MARK: deadlines (附件2 数据归集周期)

    @Test("deadline of each kind of period", arguments: [
        ("2024-01", "2024-02-20"),
        ("2024-02", "2024-03-20"),  // leap February ends on the 29th; the deadline is the 20th all the same
        ("2024-11", "2024-12-20"),
        ("2024-12", "2025-01-20"),  // month end of the year rolls into the next year
        ("2024Q1", "2024-04-20"),
        ("2024Q2", "2024-07-20"),
        ("2024Q3", "2024-10-20"),
        ("2024Q4", "2025-01-20"),   // quarter boundary across the year
        ("2024", "2025-01-20"),     // yearly: 20 January of the next year
        ("2017", "2018-01-20"),
    ])
    func standardDeadlines(period: String, deadline: String) {
        let rule = DeadlineRule.standard[p(period).collectionPeriod]!
        #expect(rule.deadline(for: p(period)) == d(deadline))
    }

    @Test("a deadline day past the month's end falls on its last day")
    func clampedDay() {
        let rule = DeadlineRule(monthsAfterPeriodEnd: 1, day: 31)
        #expect(rule.deadline(for: p("2024-03")) == d("2024-04-30"))
        #expect(rule.deadline(for: p("2024-01")) == d("2024-02-29"))
        #expect(rule.deadline(for: p("2023-01")) == d("2023-02-28"))
        #expect(DeadlineRule(monthsAfterPeriodEnd: 2, day: 10).deadline(for: p("2024Q4")) == d("2025-02-10"))
    }

    @Test("the catalog's deadlines are read, and the policy's fill in what it leaves out")
    func catalogDeadlines() throws {
        #expect(Self.catalog.deadlineRule(for: .monthly) == DeadlineRule.standard[.monthly])
        var c = Self.catalog
        c.deadlines[.quarterly] = DeadlineRule(monthsAfterPeriodEnd: 1, day: 15)
        #expect(ReportingCalendar(catalog: c).task(for: Self.quarterly, period: p("2024Q2"))?.deadline == d("2024-07-15"))
    }

    // MARK: tasks within a period

    static let monthly = Indicator(code: "T-M", unit: "alpha", name: "月报", period: .monthly, subject: "mixed",
                                   sharing: .registered, fields: [])
    static let quarterly = Indicator(code: "T-Q", unit: "alpha", name: "季报", period: .quarterly, subject: "mixed",
                                     sharing: .registered, fields: [])
    static let yearly = Indicator(code: "T-Y", unit: "beta", name: "年报", period: .yearly, subject: "mixed",
                                  sharing: .registered, fields: [])
    static let catalog = Catalog(catalog: .init(version: "t", effective: "2017-09-01"),
                                 units: [MemberUnit(code: "alpha", name: "甲局"), MemberUnit(code: "beta", name: "乙局")],
                                 indicators: [monthly, quarterly, yearly])

    @Test("a month holds its monthly tasks, a quarter also its quarterly ones, a year also its yearly ones")
    func tasksWithin() {
        let calendar = ReportingCalendar(catalog: Self.catalog)
        #expect(calendar.tasks(within: p("2024-03")).map { "\($0.indicator) \($0.period)" } == ["T-M 2024-03"])
        #expect(calendar.tasks(within: p("2024Q1")).map { "\($0.indicator) \($0.period)" }
                == ["T-M 2024-01", "T-M 2024-02", "T-M 2024-03", "T-Q 2024Q1"])
        let year = calendar.tasks(within: p("2024"))
        #expect(year.count == 12 + 4 + 1)
        #expect(year.last == ReportingTask(unit: "beta", indicator: "T-Y", period: p("2024"), deadline: d("2025-01-20")))
        #expect(calendar.tasks(within: p("2024"), unit: "beta").count == 1)
        #expect(calendar.tasks(within: p("2024"), collections: [.quarterly]).map(\.period.description)
                == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"])
        #expect(calendar.tasks(from: p("2023-11"), to: p("2024-02"), collections: [.monthly]).map(\.period.description)
                == ["2023-11", "2023-12", "2024-01", "2024-02"])
        #expect(calendar.tasks(from: p("2024-02"), to: p("2024-01")).isEmpty)
        #expect(calendar.task(for: Self.monthly, period: p("2024Q1")) == nil)
    }

    // MARK: statuses

    static func filing(_ on: String, _ kind: TaskFiling.Kind = .data, _ state: SubmissionState = .accepted,
                       explanation: String? = nil) -> TaskFiling {
        TaskFiling(receivedOn: d(on), kind: kind, state: state, explanation: explanation)
    }

    @Test("late days are calendar days after the deadline; the deadline day is on time", arguments: [
        ("2024-04-19", TaskStatus.onTime),
        ("2024-04-20", .onTime),
        ("2024-04-21", .late(days: 1)),
        ("2024-04-30", .late(days: 10)),
        ("2024-05-01", .late(days: 11)),  // April has 30 days
        ("2024-07-20", .late(days: 91)),
    ])
    func lateDays(received: String, expected: TaskStatus) {
        #expect(TaskStatus.evaluate(deadline: d("2024-04-20"), filings: [Self.filing(received)], asOf: d("2024-12-31")) == expected)
    }

    @Test("late days across a year end and a leap day")
    func lateAcrossYear() {
        #expect(TaskStatus.evaluate(deadline: d("2025-01-20"), filings: [Self.filing("2025-03-01")], asOf: d("2025-06-01"))
                == .late(days: 40))
        #expect(TaskStatus.evaluate(deadline: d("2024-02-20"), filings: [Self.filing("2024-03-01")], asOf: d("2024-06-01"))
                == .late(days: 10))
    }

    @Test("nothing filed: open up to the deadline day, missed the day after")
    func openAndMissed() {
        #expect(TaskStatus.evaluate(deadline: d("2024-04-20"), filings: [], asOf: d("2024-04-01")) == .open)
        #expect(TaskStatus.evaluate(deadline: d("2024-04-20"), filings: [], asOf: d("2024-04-20")) == .open)
        #expect(TaskStatus.evaluate(deadline: d("2024-04-20"), filings: [], asOf: d("2024-04-21")) == .missed)
    }

    @Test("filings after the as-of day are not seen")
    func asOf() {
        let filings = [Self.filing("2024-05-02")]
        #expect(TaskStatus.evaluate(deadline: d("2024-04-20"), filings: filings, asOf: d("2024-05-01")) == .missed)
        #expect(TaskStatus.evaluate(deadline: d("2024-04-20"), filings: filings, asOf: d("2024-05-02")) == .late(days: 12))
    }

    @Test("a refused file does not count; the accepted one after it decides")
    func refusedThenAccepted() {
        let filings = [Self.filing("2024-04-18", .data, .refused), Self.filing("2024-04-23")]
        #expect(TaskStatus.evaluate(deadline: d("2024-04-20"), filings: filings, asOf: d("2024-05-01")) == .late(days: 3))
        #expect(TaskStatus.evaluate(deadline: d("2024-04-20"), filings: [filings[0]], asOf: d("2024-05-01")) == .missed)
    }

    @Test("a late correction of an on-time submission keeps the task on time")
    func supersededCorrection() {
        let filings = [Self.filing("2024-04-10", .data, .superseded), Self.filing("2024-05-10", .data, .partiallyAccepted)]
        #expect(TaskStatus.evaluate(deadline: d("2024-04-20"), filings: filings, asOf: d("2024-06-01")) == .onTime)
    }

    @Test("zero data counts only with an explanation, and can be late")
    func zeroData() {
        let deadline = d("2024-04-20"), asOf = d("2024-06-01")
        let explained = "本季度无新增施工许可，已由分管领导确认。"
        #expect(TaskStatus.evaluate(deadline: deadline, filings: [Self.filing("2024-04-15", .zeroData, explanation: explained)], asOf: asOf)
                == .zeroData(daysLate: 0))
        #expect(TaskStatus.evaluate(deadline: deadline, filings: [Self.filing("2024-04-23", .zeroData, explanation: explained)], asOf: asOf)
                == .zeroData(daysLate: 3))
        for blank in [nil, "", "   ", "无", "没有数据", "。。。。。", "- - - - - -"] {
            #expect(TaskStatus.evaluate(deadline: deadline, filings: [Self.filing("2024-04-15", .zeroData, explanation: blank)], asOf: asOf)
                    == .missed, "explanation \(String(describing: blank))")
        }
        #expect(!ZeroDataRule.isExplained("  无 ") && ZeroDataRule.isExplained("本月无此类业务") && ZeroDataRule.isExplained("no data 2024"))
        // data first, then an explained zero-data filing takes its place: the task stands as zero data
        let replaced = [Self.filing("2024-04-10", .data, .superseded), Self.filing("2024-04-12", .zeroData, explanation: explained)]
        #expect(TaskStatus.evaluate(deadline: deadline, filings: replaced, asOf: asOf) == .zeroData(daysLate: 0))
    }

    @Test("status codes and labels")
    func codes() {
        #expect([TaskStatus.open, .onTime, .late(days: 3), .missed, .zeroData(daysLate: 0)].map(\.code)
                == ["open", "on_time", "late", "missed", "zero_data"])
        #expect(TaskStatus.late(days: 3).chineseName == "缓报3天")
        #expect(TaskStatus.late(days: 3).daysLate == 3 && TaskStatus.missed.daysLate == 0)
        #expect(TaskStatus.zeroData(daysLate: 2).isDischarged && !TaskStatus.missed.isDischarged)
    }

    // MARK: lifecycle

    @Test("the lifecycle allows exactly its transitions")
    func lifecycle() throws {
        #expect(try SubmissionLifecycle.apply(.validated, to: .received) == .validated)
        #expect(try SubmissionLifecycle.apply(.concluded(.accepted), to: .validated) == .accepted)
        #expect(try SubmissionLifecycle.apply(.concluded(.partiallyAccepted), to: .validated) == .partiallyAccepted)
        #expect(try SubmissionLifecycle.apply(.concluded(.refused), to: .validated) == .refused)
        #expect(try SubmissionLifecycle.apply(.supersededBy("b"), to: .accepted) == .superseded)
        #expect(try SubmissionLifecycle.apply(.supersededBy("b"), to: .partiallyAccepted) == .superseded)
        let refused: [(SubmissionEvent, SubmissionState)] = [
            (.concluded(.accepted), .received),   // never concluded before validation
            (.validated, .validated),
            (.validated, .accepted),
            (.concluded(.accepted), .accepted),   // nothing concludes twice
            (.supersededBy("b"), .refused),       // a refused file was never current
            (.supersededBy("b"), .superseded),    // superseded once and for all
            (.supersededBy("b"), .received),
        ]
        for (event, state) in refused {
            #expect(throws: SubmissionLifecycleError(from: state, event: event)) {
                try SubmissionLifecycle.apply(event, to: state)
            }
        }
        #expect(SubmissionState.allCases.filter(\.isCurrent) == [.accepted, .partiallyAccepted])
        #expect(SubmissionState.allCases.filter(\.wasAccepted) == [.accepted, .partiallyAccepted, .superseded])
    }

    // MARK: contacts

    @Test("contact entries are checked and the holder on a day is the latest effective one")
    func contacts() throws {
        let today = d("2024-05-01")
        let first = UnitContact(unit: "alpha", role: .reporter, name: " 李娜 ", mobile: "１３８ １２３４ ５６７８",
                                effectiveFrom: d("2023-01-01"), notifiedOn: d("2023-01-01"))
        let checked = try ContactRules.checked(first, today: today)
        #expect(checked.name == "李娜" && checked.mobile == "13812345678" && !checked.wasNotifiedLate)
        var bad = first
        bad.mobile = "0514-8765432"
        #expect(throws: ContactError.badMobile("0514-8765432")) { try ContactRules.checked(bad, today: today) }
        bad.mobile = nil
        #expect(throws: ContactError.badMobile("")) { try ContactRules.checked(bad, today: today) }
        bad = first
        bad.name = "  "
        #expect(throws: ContactError.missingName) { try ContactRules.checked(bad, today: today) }
        bad = first
        bad.notifiedOn = d("2024-05-02")
        #expect(throws: ContactError.notifiedInFuture(d("2024-05-02"))) { try ContactRules.checked(bad, today: today) }
        let head = UnitContact(unit: "alpha", role: .head, name: "张伟", mobile: nil, effectiveFrom: d("2023-01-01"),
                               notifiedOn: d("2023-01-01"))
        #expect(try ContactRules.checked(head, today: today).mobile == nil)

        let second = UnitContact(unit: "alpha", role: .reporter, name: "王敏", mobile: "13900001111",
                                 effectiveFrom: d("2024-03-01"), notifiedOn: d("2024-04-10"))
        #expect(second.wasNotifiedLate)
        let history = [checked, head, second]
        #expect(ContactRules.holder(of: .reporter, on: d("2024-02-29"), in: history)?.name == "李娜")
        #expect(ContactRules.holder(of: .reporter, on: d("2024-03-01"), in: history)?.name == "王敏")
        #expect(ContactRules.holder(of: .head, on: d("2024-03-01"), in: history)?.name == "张伟")
        #expect(ContactRules.holder(of: .head, on: d("2022-12-31"), in: history) == nil)
    }
}
