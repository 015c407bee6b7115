import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import GongzhiTestSupport
import Testing
import Vapor

private func d(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
private func p(_ text: String) -> ReportingPeriod { ReportingPeriod(text)! }

/// Facts gathered from a scripted quarter (the one of ``ReportingBoardTests``, plus a file of mostly duplicate
/// rows and contact incidents) against facts written by hand, and stored runs reproduced from their facts.
///
/// Added to the scripted quarter:
/// - industry-commerce AIC-001 2024-01: S07's rows three times over (one CSV) on 02-19 → in time, but
///   at least half the rows are duplicates, so the scorer counts it missed;
/// - contact incidents of industry-commerce on 2024-03-05 (in Q1) and 2024-04-02 (in Q2);
/// - a joint meeting on 2024-03-15: housing absent without leave, industry-commerce late, urban-construction
///   excused; a survey form due 2024-03-25 to housing (returned 03-28, late) and industry-commerce (never).
@Suite("Assessment facts and runs over a scripted quarter", .serialized)
struct AssessmentRunTests {
    /// S07 (AIC-001, GB18030 CSV) with its data rows written three times.
    static func tripledS07() throws -> URL {
        let (_, data, _) = try AppHarness.sampleData("S07")
        let bytes = [UInt8](data)
        let headerEnd = try #require(bytes.firstIndex(of: 0x0A))
        var body = Array(bytes[(headerEnd + 1)...])
        if body.last != 0x0A { body.append(0x0A) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-\(UUID().uuidString)-AIC-001_2024-01.csv")
        try Data(bytes[...headerEnd] + body + body + body).write(to: url)
        return url
    }

    /// The scripted quarter, as of 2024-05-06.
    static func script(_ app: Application, _ clock: TestClock) async throws {
        _ = try await ReportingBoardTests.fileQuarter(app, clock)
        clock.set("2024-02-19")
        let url = try tripledS07()
        defer { try? FileManager.default.removeItem(at: url) }
        _ = try await app.submissions.submit(file: url, fileName: url.lastPathComponent, indicatorCode: "AIC-001", period: "2024-01",
                                             by: .commandLine(unit: "industry-commerce"))
        let meetings = MeetingService(database: app.db, clock: app.gongzhi.clock, files: app.gongzhi.files)
        let office = AuditActor.commandLine(unit: "tax-office")
        clock.set("2024-03-10")
        let meeting = try await meetings.schedule(kind: "meeting", heldOn: "2024-03-15", time: "09:30", place: "市财政局三楼会议室",
                                                  topic: "一季度数据报送推进会", units: ["housing", "industry-commerce", "urban-construction"], by: office)
        let survey = try await meetings.issueSurvey(title: "涉税数据应用情况调研", instructions: "请填写附表并上传", dueOn: "2024-03-25",
                                                    units: ["housing", "industry-commerce"], by: office)
        clock.set("2024-03-15", hour: 12)
        try await meetings.recordAttendance(meeting: meeting, attendance: ["housing": .absent, "industry-commerce": .late,
                                                                           "urban-construction": .excused],
                                            minutes: "通报一季度报送进度。", by: office)
        clock.set("2024-03-28")
        try await meetings.returnSurvey(survey, unit: "housing", fileName: "调研反馈.docx", data: Data("反馈内容".utf8),
                                        by: .commandLine(unit: "housing"))
        clock.set("2024-05-06")
        let reporting = app.gongzhi.reporting(on: app.db)
        for day in ["2024-03-05", "2024-04-02"] {
            try await reporting.recordIncident(unit: "industry-commerce", occurredOn: d(day), description: "报送员调岗未告知，联系不上",
                                               actingUnit: SubmissionService.proxyUnit)
        }
    }

    typealias Task = AssessmentFacts.Task

    static func missed(_ indicator: String, _ period: String, _ deadline: String) -> Task {
        Task(indicator: indicator, collection: p(period).collectionPeriod, period: p(period), deadline: d(deadline), submittedOn: nil)
    }

    /// Monthly tasks of Q1 2024 in calendar order (month by month, indicators in catalog order), all missed
    /// unless replaced, then the quarterly ones.
    static func quarterTasks(monthly: [String], quarterly: [String], replacing: [Task]) -> [Task] {
        var tasks: [Task] = []
        for (month, deadline) in [("2024-01", "2024-02-20"), ("2024-02", "2024-03-20"), ("2024-03", "2024-04-20")] {
            tasks += monthly.map { missed($0, month, deadline) }
        }
        tasks += quarterly.map { missed($0, "2024Q1", "2024-04-20") }
        return tasks.map { t in replacing.first { $0.indicator == t.indicator && $0.period == t.period } ?? t }
    }

    @Test("facts gathered for the scripted quarter equal the facts written by hand")
    func gatheredFacts() async throws {
        let clock = TestClock()
        try await AppHarness.withApp(clock: clock.clock) { app, _ async throws in
            try await Self.script(app, clock)
            let service = AssessmentService(database: app.db, clock: app.gongzhi.clock)
            let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
            let asOf = d("2024-04-30")

            // industry-commerce: one in time but mostly duplicates, one on the deadline day, one 2 days late
            let aic = try await service.facts(unit: "industry-commerce", quarter: p("2024Q1"), asOf: asOf, catalog: catalog)
            let aicByHand = AssessmentFacts(unit: "industry-commerce", quarter: p("2024Q1"), tasks: Self.quarterTasks(
                monthly: ["AIC-001", "AIC-002", "AIC-003"], quarterly: [], replacing: [
                    Task(indicator: "AIC-001", collection: .monthly, period: p("2024-01"), deadline: d("2024-02-20"),
                         submittedOn: d("2024-02-19"), records: 240, erroneous: 168, duplicateRows: 144),
                    Task(indicator: "AIC-001", collection: .monthly, period: p("2024-02"), deadline: d("2024-03-20"),
                         submittedOn: d("2024-03-20"), records: 80, erroneous: 8, duplicateRows: 0),
                    Task(indicator: "AIC-001", collection: .monthly, period: p("2024-03"), deadline: d("2024-04-20"),
                         submittedOn: d("2024-04-22"), records: 222, erroneous: 19, duplicateRows: 2),
                ]), contactIncidents: 1, meetingsLateOrEarly: 1, surveysMissing: 1)
            #expect(aic == aicByHand)
            let aicCard = try AssessmentScoring.score(aic)
            #expect(aicCard.missedTasks == 7 && aicCard.lateDays == 2)
            #expect(aicCard.tasks[0].missed == .mostlyDuplicates)

            // urban-construction: the info center filed CON-003 2024-03 on the unit's behalf, 6 days late
            let con = try await service.facts(unit: "urban-construction", quarter: p("2024Q1"), asOf: asOf, catalog: catalog)
            #expect(con == AssessmentFacts(unit: "urban-construction", quarter: p("2024Q1"), tasks: Self.quarterTasks(
                monthly: ["CON-001", "CON-002", "CON-003", "CON-004"], quarterly: ["CON-005"], replacing: [
                    Task(indicator: "CON-003", collection: .monthly, period: p("2024-03"), deadline: d("2024-04-20"),
                         submittedOn: d("2024-04-26"), proxy: true, records: 60, erroneous: 0, duplicateRows: 0),
                ])))

            // local-tax: a wrong template refused on 04-10 before the good file on 04-28
            let lts = try await service.facts(unit: "local-tax", quarter: p("2024Q1"), asOf: asOf, catalog: catalog)
            #expect(lts.tasks.count == 9 * 3 + 1)
            #expect(lts.tasks.first { $0.indicator == "LTS-009" && $0.period == p("2024-03") }
                    == Task(indicator: "LTS-009", collection: .monthly, period: p("2024-03"), deadline: d("2024-04-20"),
                            submittedOn: d("2024-04-28"), formatOK: false, records: 172, erroneous: 16, duplicateRows: 2))

            // housing: explained zero data (one late), the correction in force, and no yearly task outside Q4
            let housing = try await service.facts(unit: "housing", quarter: p("2024Q1"), asOf: asOf, catalog: catalog)
            #expect(housing.tasks.count == 16)
            #expect([housing.meetingsAbsent, housing.meetingsLateOrEarly, housing.surveysMissing, housing.surveysLate] as [Int] == [1, 0, 0, 1])
            // as of the survey's due day, nothing is missing yet; the meeting already counts
            let early = try await service.facts(unit: "industry-commerce", quarter: p("2024Q1"), asOf: d("2024-03-25"), catalog: catalog)
            #expect([early.meetingsLateOrEarly, early.surveysMissing] as [Int] == [1, 0])
            #expect(housing.tasks.first { $0.indicator == "HOU-001" && $0.period == p("2024-01") }
                    == Task(indicator: "HOU-001", collection: .monthly, period: p("2024-01"), deadline: d("2024-02-20"),
                            submittedOn: d("2024-02-18"), zeroData: true, zeroDataExplained: true))
            #expect(housing.tasks.first { $0.indicator == "HOU-003" }
                    == Task(indicator: "HOU-003", collection: .quarterly, period: p("2024Q1"), deadline: d("2024-04-20"),
                            submittedOn: d("2024-04-21"), zeroData: true, zeroDataExplained: true))
            // HOU-001 2024-03: S01 on 04-19 discharged it; the S02 correction of 04-25 is in force
            #expect(housing.tasks.first { $0.indicator == "HOU-001" && $0.period == p("2024-03") }
                    == Task(indicator: "HOU-001", collection: .monthly, period: p("2024-03"), deadline: d("2024-04-20"),
                            submittedOn: d("2024-04-19"), records: 92, erroneous: 8, duplicateRows: 2))
            let q4 = try await service.facts(unit: "housing", quarter: p("2024Q4"), asOf: asOf, catalog: catalog)
            #expect(q4.tasks.map(\.indicator).contains("HOU-007"))
        }
    }

    @Test("a stored run's facts, fed back through the engine, give its stored scorecard; a re-run keeps the earlier run")
    func storedRunsReproduce() async throws {
        let clock = TestClock()
        try await AppHarness.withApp(clock: clock.clock) { app, _ async throws in
            try await Self.script(app, clock)
            let service = AssessmentService(database: app.db, clock: app.gongzhi.clock)
            let first = try await service.run(quarter: p("2024Q1"), asOf: d("2024-04-30"), ranBy: "tester")
            let catalog = try await app.gongzhi.reporting(on: app.db).catalog()
            #expect(first.scores.map(\.unit) == AssessmentService.assessedUnits(catalog))
            let repository = AssessmentRepository(database: app.db)
            let stored = try await repository.scores(of: first.id)
            #expect(stored.count == first.scores.count)
            for score in stored {
                let facts = try AssessmentFacts(jsonText: score.facts)
                let card = try AssessmentScoring.score(facts)
                #expect(card.json.serialized() == score.scorecard, Comment(rawValue: score.unitCode))
                #expect(card.total.roundedText() == score.total)
            }
            let aic = try #require(stored.first { $0.unitCode == "industry-commerce" })
            #expect(aic.scorecard.contains(#""missed_tasks":7"#))

            // a correction after the run, then a re-run: both runs are kept, the new one differs
            clock.set("2024-05-07")
            let url = try ReportingBoardTests.file("S04")
            defer { try? FileManager.default.removeItem(at: url) }
            _ = try await app.submissions.submit(file: url, fileName: url.lastPathComponent, indicatorCode: "CON-003", period: "2024-02",
                                                 by: .commandLine(unit: "urban-construction"),
                                                 confirmPeriod: true) // the file filed for 2024-03, now for 2024-02
            let second = try await service.run(quarter: p("2024Q1"), unit: "urban-construction", ranBy: "tester")
            #expect(second.asOf == d("2024-05-07"))
            let runs = try await repository.runs(quarter: "2024Q1")
            #expect(runs.map(\.id) == [second.id, first.id])
            #expect(runs.first?.ranBy == "tester")
            let before = try #require(first.scores.first { $0.unit == "urban-construction" }).scorecard
            let after = try #require(second.scores.first).scorecard
            #expect(after.missedTasks == before.missedTasks - 1)
            #expect(after.lateDays == before.lateDays + 48)

            // the JSON of a run: per unit the scorecard with its facts
            guard case .object(let members) = AssessmentService.json(second),
                  case .array(let cards)? = members.first(where: { $0.0 == "scorecards" })?.1,
                  case .object(let card)? = cards.first,
                  let facts = card.first(where: { $0.0 == "facts" })?.1 else {
                Issue.record("no scorecards with facts"); return
            }
            #expect(try AssessmentScoring.score(AssessmentFacts(json: facts)).json.serialized()
                    == JSONValue.object(card.filter { $0.0 != "facts" }).serialized())
        }
    }
}
