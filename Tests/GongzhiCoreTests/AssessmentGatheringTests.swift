import Testing
@testable import GongzhiCore

private func d(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
private func p(_ text: String) -> ReportingPeriod { ReportingPeriod(text)! }

@Suite("Assessment facts from the reporting calendar (issue 11 §2)")
struct AssessmentGatheringTests {
    static let calendar = ReportingCalendar(catalog: ReportingCalendarTests.catalog)

    static func names(_ tasks: [ReportingTask]) -> [String] { tasks.map { "\($0.indicator) \($0.period)" } }

    @Test("scope per 附注1: three monthly tasks and one quarterly; the yearly task only in Q4")
    func scope() {
        #expect(Self.names(AssessmentGathering.tasks(calendar: Self.calendar, quarter: p("2024Q1"), unit: "alpha"))
                == ["T-M 2024-01", "T-M 2024-02", "T-M 2024-03", "T-Q 2024Q1"])
        #expect(AssessmentGathering.tasks(calendar: Self.calendar, quarter: p("2024Q3"), unit: "beta").isEmpty)
        let q4 = AssessmentGathering.tasks(calendar: Self.calendar, quarter: p("2024Q4"), unit: "beta")
        #expect(Self.names(q4) == ["T-Y 2024"])
        #expect(q4.first?.deadline == d("2025-01-20"))
    }

    @Test("no task for a period that begins before the catalog took effect (2017-09-01)")
    func effectiveDate() {
        #expect(Self.names(AssessmentGathering.tasks(calendar: Self.calendar, quarter: p("2017Q3"), unit: "alpha")) == ["T-M 2017-09"])
        #expect(AssessmentGathering.tasks(calendar: Self.calendar, quarter: p("2017Q2"), unit: "alpha").isEmpty)
        #expect(AssessmentGathering.tasks(calendar: Self.calendar, quarter: p("2017Q4"), unit: "alpha").count == 4)
    }

    static let task = ReportingTask(unit: "alpha", indicator: "T-M", period: p("2024-02"), deadline: d("2024-03-20"))

    static func filing(_ day: String, _ state: SubmissionState, kind: TaskFiling.Kind = .data, explanation: String? = nil,
                       proxy: Bool = false, wholeFile: Bool = false, read: Int = 0, rejected: Int = 0, duplicates: Int = 0) -> AssessmentFiling {
        AssessmentFiling(filing: TaskFiling(receivedOn: d(day), kind: kind, state: state, explanation: explanation), proxy: proxy,
                         refusedWholeFile: wholeFile, rowsRead: read, rowsRejected: rejected, duplicateRows: duplicates)
    }

    @Test("first discharging day, its proxy; the figures of the filing in force; a whole-file refusal before discharge")
    func taskFacts() {
        // given: a wrong template, a proxy file that discharges late, then a correction
        let filings = [
            Self.filing("2024-03-18", .refused, wholeFile: true),
            Self.filing("2024-03-19", .refused, read: 10, rejected: 10),
            Self.filing("2024-03-22", .superseded, proxy: true, read: 100, rejected: 40),
            Self.filing("2024-03-25", .accepted, read: 120, rejected: 12, duplicates: 3),
        ]
        // when
        let facts = AssessmentGathering.task(Self.task, collection: .monthly, filings: filings, asOf: d("2024-04-30"))
        // then
        #expect(facts == AssessmentFacts.Task(indicator: "T-M", collection: .monthly, period: p("2024-02"), deadline: d("2024-03-20"),
                                              submittedOn: d("2024-03-22"), proxy: true, formatOK: false, records: 120,
                                              erroneous: 12, duplicateRows: 3))
        // as of the day before the correction, the proxy file is in force
        let earlier = AssessmentGathering.task(Self.task, collection: .monthly, filings: filings, asOf: d("2024-03-23"))
        #expect(earlier.records == 100 && earlier.erroneous == 40)
        // a refused file after the discharge does not make the format wrong
        let after = AssessmentGathering.task(Self.task, collection: .monthly,
                                             filings: [Self.filing("2024-03-10", .accepted, read: 5), Self.filing("2024-03-11", .refused, wholeFile: true)],
                                             asOf: d("2024-04-30"))
        #expect(after.formatOK && after.submittedOn == d("2024-03-10"))
    }

    @Test("never discharged: submitted_on null; explained zero data in force: zero_data with no rows")
    func missedAndZeroData() throws {
        let none = AssessmentGathering.task(Self.task, collection: .monthly, filings: [Self.filing("2024-03-19", .refused, read: 3, rejected: 3)],
                                            asOf: d("2024-04-30"))
        #expect(none.submittedOn == nil && none.records == 0)
        let zero = AssessmentGathering.task(Self.task, collection: .monthly,
                                            filings: [Self.filing("2024-03-21", .accepted, kind: .zeroData, explanation: "本月无交易数据，情况属实")],
                                            asOf: d("2024-04-30"))
        #expect(zero.submittedOn == d("2024-03-21") && zero.zeroData && zero.zeroDataExplained && zero.records == 0)
        let card = try AssessmentScoring.score(AssessmentFacts(unit: "alpha", quarter: p("2024Q1"), tasks: [zero]))
        #expect(card.missedTasks == 0 && card.lateDays == 1)
    }
}

@Suite("Assessor entries (issue 11 §3)")
struct AssessorEntryTests {
    static let q1 = ReportingPeriod("2024Q1")!

    @Test("values are checked as the facts schema checks them; a reason is required, and for a leak what leaked")
    func checked() throws {
        #expect(try AssessorEntry.checked(unit: "u", quarter: Self.q1, kind: .applicationEffect, valueText: "３", reason: "年度报告").value == 3)
        #expect(try AssessorEntry.checked(unit: "u", quarter: Self.q1, kind: .specialContributionRank, valueText: " ", reason: "撤销").value == nil)
        for (kind, text) in [(AssessorEntry.Kind.applicationEffect, "6"), (.adoptedLeads, "-1"), (.specialContributionRank, "0"),
                             (.leakPenalty, "3"), (.leakPenalty, "7.5"), (.adoptedLeads, ""),
                             (.identifierCompleteIndicators, "-2")] {
            #expect(throws: AssessorEntry.Problem.badValue(kind, text)) {
                try AssessorEntry.checked(unit: "u", quarter: Self.q1, kind: kind, valueText: text, reason: "依据")
            }
        }
        #expect(throws: AssessorEntry.Problem.missingReason) {
            try AssessorEntry.checked(unit: "u", quarter: Self.q1, kind: .adoptedLeads, valueText: "2", reason: "  ")
        }
        #expect(throws: AssessorEntry.Problem.missingLeakDetail) {
            try AssessorEntry.checked(unit: "u", quarter: Self.q1, kind: .leakPenalty, valueText: "8", reason: "通报")
        }
        #expect(try AssessorEntry.checked(unit: "u", quarter: Self.q1, kind: .leakPenalty, valueText: "0", reason: "撤销").value == 0)
    }

    @Test("the latest entry of each kind for the unit and quarter sets its key")
    func applying() {
        let facts = AssessmentFacts(unit: "u", quarter: Self.q1, tasks: [])
        let entries = [
            AssessorEntry(unit: "u", quarter: Self.q1, kind: .adoptedLeads, value: 2, reason: "a"),
            AssessorEntry(unit: "u", quarter: Self.q1, kind: .adoptedLeads, value: 3, reason: "b"),
            AssessorEntry(unit: "u", quarter: Self.q1, kind: .specialContributionRank, value: 2, reason: "c"),
            AssessorEntry(unit: "u", quarter: Self.q1, kind: .leakPenalty, value: 8, reason: "d", detail: "2024-02-03 名单外泄"),
            AssessorEntry(unit: "u", quarter: Self.q1, kind: .identifierCompleteIndicators, value: 2, reason: "e", detail: "HOU-001、HOU-002"),
            AssessorEntry(unit: "v", quarter: Self.q1, kind: .applicationEffect, value: 5, reason: "other unit"),
            AssessorEntry(unit: "u", quarter: ReportingPeriod("2024Q2")!, kind: .applicationEffect, value: 5, reason: "other quarter"),
        ]
        let applied = facts.applying(entries)
        #expect(applied.adoptedLeads == 3 && applied.specialContributionRank == 2 && applied.leakPenalty == 8)
        #expect(applied.identifierCompleteIndicators == 2)
        #expect(applied.applicationEffect == 0)
    }

    @Test("an off-format mark names one task; the latest mark per task sets format_ok false, a withdrawal restores it")
    func offFormat() throws {
        let entry = try AssessorEntry.checked(unit: "u", quarter: Self.q1, kind: .offFormat, valueText: "1", reason: "字段顺序与标准不符",
                                              detail: " hou-001  2024-02 ")
        #expect(entry.detail == "HOU-001 2024-02")
        #expect(throws: AssessorEntry.Problem.badTask("HOU-001")) {
            try AssessorEntry.checked(unit: "u", quarter: Self.q1, kind: .offFormat, valueText: "1", reason: "x", detail: "HOU-001")
        }
        let task = { (month: Int) in
            AssessmentFacts.Task(indicator: "HOU-001", collection: .monthly, period: .month(year: 2024, month: month),
                                 deadline: CalendarDate(iso: "2024-03-20")!, submittedOn: CalendarDate(iso: "2024-03-19")!)
        }
        let facts = AssessmentFacts(unit: "u", quarter: Self.q1, tasks: [task(1), task(2), task(3)])
        let withdrawn = AssessorEntry(unit: "u", quarter: Self.q1, kind: .offFormat, value: 0, reason: "核实无误", detail: "HOU-001 2024-03")
        let marked3 = AssessorEntry(unit: "u", quarter: Self.q1, kind: .offFormat, value: 1, reason: "x", detail: "HOU-001 2024-03")
        let applied = facts.applying([entry, marked3, withdrawn])
        #expect(applied.tasks.map(\.formatOK) == [true, false, true])
        #expect(try AssessmentScoring.score(applied).items.format == Rational(20) - Rational(10, 3))
    }
}

@Suite("Meetings and survey forms in the facts (附件2 其他)")
struct MeetingsAndSurveysTests {
    static let q1 = ReportingPeriod("2024Q1")!
    static func d(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

    @Test("meetings of the quarter held by the day count: absent, late or left early once each; excused and unrecorded nothing")
    func meetings() {
        let records: [MeetingsAndSurveys.MeetingRecord] = [
            .init(heldOn: Self.d("2024-01-10"), attendance: .absent), .init(heldOn: Self.d("2024-02-10"), attendance: .late),
            .init(heldOn: Self.d("2024-03-10"), attendance: .leftEarly), .init(heldOn: Self.d("2024-03-11"), attendance: .excused),
            .init(heldOn: Self.d("2024-03-12"), attendance: nil), .init(heldOn: Self.d("2024-04-01"), attendance: .absent),
            .init(heldOn: Self.d("2024-03-31"), attendance: .absent),
        ]
        #expect(MeetingsAndSurveys.meetings(records, quarter: Self.q1, asOf: Self.d("2024-04-30")) == (2, 2))
        #expect(MeetingsAndSurveys.meetings(records, quarter: Self.q1, asOf: Self.d("2024-03-10")) == (1, 2))
    }

    @Test("survey forms due in the quarter: late after the due day, missing once the due day has passed unanswered")
    func surveys() {
        let records: [MeetingsAndSurveys.SurveyRecord] = [
            .init(dueOn: Self.d("2024-03-25"), returnedOn: Self.d("2024-03-25")), .init(dueOn: Self.d("2024-03-25"), returnedOn: Self.d("2024-03-28")),
            .init(dueOn: Self.d("2024-03-25"), returnedOn: nil), .init(dueOn: Self.d("2024-04-05"), returnedOn: nil),
        ]
        #expect(MeetingsAndSurveys.surveys(records, quarter: Self.q1, asOf: Self.d("2024-04-30")) == (1, 1))
        #expect(MeetingsAndSurveys.surveys(records, quarter: Self.q1, asOf: Self.d("2024-03-25")) == (0, 0))
        #expect(MeetingsAndSurveys.surveys(records, quarter: Self.q1, asOf: Self.d("2024-03-27")) == (2, 0), "not returned by the day: missing")
    }
}
