import GongzhiTestSupport
import Testing
@testable import GongzhiCore

private func d(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

/// A submitted monthly task of `records` rows, `erroneous` of them erroneous.
private func task(_ indicator: String = "HOU-001", month: Int = 4, collection: CollectionPeriod = .monthly, deadline: String = "2024-05-20",
                  submitted: String? = "2024-05-20", records: Int = 100, erroneous: Int = 0, proxy: Bool = false, formatOK: Bool = true,
                  zeroData: Bool = false, explained: Bool = false, duplicates: Int = 0) -> AssessmentFacts.Task {
    let period: ReportingPeriod = switch collection {
    case .monthly: .month(year: 2024, month: month)
    case .quarterly: .quarter(year: 2024, quarter: 2)
    case .yearly: .year(2024)
    }
    return AssessmentFacts.Task(indicator: indicator, collection: collection, period: period, deadline: d(deadline),
                                submittedOn: submitted.map(d), proxy: proxy, formatOK: formatOK, records: records, erroneous: erroneous,
                                zeroData: zeroData, zeroDataExplained: explained, duplicateRows: duplicates)
}

private func facts(_ tasks: [AssessmentFacts.Task]) -> AssessmentFacts {
    AssessmentFacts(unit: "housing", quarter: .quarter(year: 2024, quarter: 2), tasks: tasks)
}

@Suite("Assessment scoring (附件2 考核评分表, fixtures/scoring/README.md)")
struct AssessmentScoringTests {
    // MARK: the shared scenarios

    @Test("every shared scenario gives its expected result through the pure engine", arguments: ScoringScenario.all())
    func scenario(_ scenario: ScoringScenario) throws {
        // given
        let expected = try scenario.expectedJSON()
        let text = try scenario.factsText()
        // when
        let printed: JSONValue
        do {
            printed = try AssessmentScoring.score(try AssessmentFacts(jsonText: text)).json
        } catch {
            printed = error.json
        }
        // then
        let differences = JSONContract.differences(actual: printed, expected: expected)
        #expect(differences.isEmpty, Comment(rawValue: scenario.name + "\n" + differences.joined(separator: "\n")))
    }

    @Test("there are scenarios to run")
    func scenariosExist() {
        #expect(ScoringScenario.all().count >= 16)
    }

    @Test("the facts written back as JSON read back to the same facts and score")
    func factsRoundTrip() throws {
        for scenario in ScoringScenario.all() {
            guard let facts = try? AssessmentFacts(jsonText: try scenario.factsText()) else { continue }
            let again = try AssessmentFacts(json: facts.json)
            #expect(again == facts, Comment(rawValue: scenario.name))
            #expect(try AssessmentScoring.score(again).json == AssessmentScoring.score(facts).json)
        }
    }

    // MARK: rounding (half-up, only on output)

    @Test("half-up rounding to 2 decimals of exact fractions", arguments: [
        (19_125, 1000, "19.13"), (92_125, 1000, "92.13"), (-19_125, 1000, "-19.13"), (19_124, 1000, "19.12"),
        (100, 7, "14.29"), (477, 7, "68.14"), (16, 1, "16"), (1, 2, "0.5"), (1, 200, "0.01"), (1, 201, "0"),
        (-1, 201, "0"), (14_99, 100, "14.99"), (19_998, 1000, "20"), (0, 1, "0"), (1_005, 1000, "1.01"),
    ])
    func rounding(numerator: Int, denominator: Int, text: String) throws {
        #expect(try Rational(numerator, denominator).roundedText() == text)
    }

    @Test("exact arithmetic: 20/7 shares add up exactly; overflow is reported, never wrapped")
    func arithmetic() throws {
        let share = try Rational(20, 7)
        #expect(try share + share + share + share + share + share + share == Rational(20))
        #expect(try Rational(1, 3) < Rational(1, 2))
        #expect(try (Rational(7, 2)).floor == 3 && (Rational(-7, 2)).floor == -4)
        #expect(throws: Rational.Overflow.self) { try Rational(Int.max) + Rational(1) }
        #expect(throws: Rational.Overflow.self) { try Rational(Int.max / 2) * Rational(3) }
    }

    // MARK: error-rate steps (附注2)

    @Test("quality steps at 10 %, 14.99 %, 15 %, 19.99 %, 20 %, 25 % and 100 %", arguments: [
        (1000, 10000, 0, "40"), (1499, 10000, 0, "40"), (1500, 10000, 1, "39.5"), (1999, 10000, 1, "39.5"),
        (2000, 10000, 2, "39"), (2500, 10000, 3, "38.5"), (10000, 10000, 18, "31"), (19_998, 100_000, 1, "39.5"),
        (0, 0, 0, "40"),
    ])
    func steps(erroneous: Int, records: Int, steps: Int, quality: String) throws {
        #expect(AssessmentScoring.errorSteps(erroneous: erroneous, records: records) == steps)
        let card = try AssessmentScoring.score(facts([task(records: records, erroneous: erroneous, zeroData: records == 0, explained: true)]))
        #expect(card.errorSteps == steps)
        #expect(card.items.quality.roundedText() == quality)
    }

    @Test("a rate of 19.998 % prints as 20 but deducts only 0.5")
    func printedRateIsNotUsed() throws {
        let card = try AssessmentScoring.score(facts([task(records: 100_000, erroneous: 19_998)]))
        guard case .object(let members) = card.json, let rate = members.first(where: { $0.0 == "error_rate" })?.1 else {
            Issue.record("no error_rate"); return
        }
        #expect(rate == .number("20"))
        #expect(try card.items.quality == Rational(79, 2))
    }

    // MARK: workload tiers (数据归集工作量)

    @Test("workload tiers at their bounds (以上 includes, 超过 excludes, highest tier only)", arguments: [
        (0, 0, 0, 0), (0, 1, 2000, 0), (1, 0, 0, 1), (0, 2, 0, 1), (0, 0, 2001, 1), (0, 0, 2000, 0),
        (3, 1, 1999, 1), (4, 0, 0, 3), (0, 4, 0, 3), (0, 0, 5000, 1), (0, 0, 5001, 3), (5, 3, 0, 3), (6, 0, 0, 5),
        (0, 5, 0, 5), (0, 0, 10_000, 3), (0, 0, 10_001, 5), (6, 5, 10_001, 5),
    ])
    func workload(m: Int, q: Int, v: Int, points: Int) {
        #expect(AssessmentScoring.workloadPoints(monthly: m, quarterly: q, records: v) == points)
    }

    @Test("an indicator counts toward M only with data: all zero-data or all missed indicators earn nothing")
    func workloadCounting() throws {
        let card = try AssessmentScoring.score(facts([
            task("A", records: 10), task("A", month: 5, records: 0, zeroData: true, explained: true),
            task("B", records: 0, zeroData: true, explained: true), task("B", month: 5, records: 0, zeroData: true, explained: true),
            task("C", submitted: nil), task("D", collection: .quarterly, records: 5), task("E", collection: .yearly, records: 7),
        ]))
        #expect(card.monthlyIndicators == 1)
        #expect(card.quarterlyIndicators == 1)
        #expect(card.totalRecords == 22)
    }

    // MARK: missed tasks, lateness and format

    @Test("missed: not submitted, unexplained zero data, at least half duplicates; explained zero data is not missed")
    func missed() {
        #expect(AssessmentScoring.missedReason(task(submitted: nil)) == .notSubmitted)
        #expect(AssessmentScoring.missedReason(task(records: 0, zeroData: true)) == .zeroDataUnexplained)
        #expect(AssessmentScoring.missedReason(task(records: 0, zeroData: true, explained: true)) == nil)
        #expect(AssessmentScoring.missedReason(task(records: 4200, duplicates: 2100)) == .mostlyDuplicates)
        #expect(AssessmentScoring.missedReason(task(records: 1000, duplicates: 499)) == nil)
    }

    @Test("late days: the deadline day is on time; no per-task cap, only the item cap of 20")
    func lateness() throws {
        let card = try AssessmentScoring.score(facts([
            task(submitted: "2024-05-20"), task(month: 5, deadline: "2024-06-20", submitted: "2024-06-21"),
            task(month: 6, deadline: "2024-07-20", submitted: "2024-08-19"),
        ]))
        #expect(card.lateDays == 31)
        #expect(card.items.timeliness == .zero)
        #expect(card.tasks.map(\.lateDays) == [0, 1, 30])
    }

    @Test("format: proxy and off-template together take only the 50 %")
    func format() throws {
        let card = try AssessmentScoring.score(facts([task(proxy: true, formatOK: false), task(month: 5, proxy: true), task(month: 6)]))
        // share 1/3: 0.5 × 20/3 + 0.1 × 20/3 = 4
        #expect(card.items.format == Rational(16))
        #expect(card.tasks.map(\.formatFault) == [.offTemplate, .proxy, nil])
    }

    @Test("no tasks: no task-based deductions, error rate 0")
    func noTasks() throws {
        let card = try AssessmentScoring.score(facts([]))
        #expect(card.base == Rational(100))
        #expect(card.errorRate == .zero)
    }

    @Test("bonus: rank points, clamped grade, capped counts; the total is not clamped")
    func bonusAndPenalty() throws {
        #expect(AssessmentScoring.specialContributionPoints(rank: 1) == Rational(5))
        #expect(try AssessmentScoring.specialContributionPoints(rank: 10) == Rational(1, 2))
        #expect(AssessmentScoring.specialContributionPoints(rank: 11) == .zero)
        #expect(AssessmentScoring.specialContributionPoints(rank: nil) == .zero)
        var f = facts([task(submitted: nil)])
        f.contactIncidents = 12
        f.meetingsAbsent = 6
        f.applicationEffect = -1
        f.identifierCompleteIndicators = 9
        f.leakPenalty = 10
        let card = try AssessmentScoring.score(f)
        #expect(card.base == .zero)
        #expect(card.bonus.applicationEffect == 0)
        #expect(card.bonus.identifiers == 5)
        #expect(card.total == Rational(-5))
    }

    // MARK: validation order

    static let valid: String = """
    {"unit": "housing", "quarter": "2024Q2", "tasks": [
      {"indicator": "HOU-001", "collection": "monthly", "period": "2024-04", "deadline": "2024-05-20", "submitted_on": null,
       "proxy": false, "format_ok": true, "records": 10, "erroneous": 1, "zero_data": false, "zero_data_explained": false,
       "duplicate_rows": 0}],
     "contact_incidents": 0, "meetings": {"absent": 0, "late_or_early": 0}, "surveys": {"missing": 0, "late": 0},
     "identifier_complete_indicators": 0, "application_effect": 0, "adopted_leads": 0, "special_contribution_rank": null,
     "leak_penalty": 0}
    """

    /// `valid` with `from` replaced by `to` (each exactly once in `valid`).
    static func variant(_ pairs: [(String, String)]) -> String {
        pairs.reduce(valid) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    @Test("invalid facts name the first offending field's bare key", arguments: [
        ([("\"housing\"", "\" \"")], "unit"),
        ([("\"2024Q2\"", "\"2024Q5\"")], "quarter"),
        ([("\"2024Q2\"", "\"2024q2\"")], "quarter"),
        ([("\"tasks\": [", "\"tasks\": [1, ")], "tasks"),
        ([("\"monthly\"", "\"weekly\"")], "collection"),
        ([("\"2024-04\"", "\"2024Q2\"")], "period"),
        ([("\"2024-04\"", "\"2024-4\"")], "period"),
        ([("\"2024-05-20\"", "\"2024-06-31\"")], "deadline"),
        ([("\"submitted_on\": null", "\"submitted_on\": \"2024/07/20\"")], "submitted_on"),
        ([("\"submitted_on\": null", "\"submitted_on\": \"2024-7-20\"")], "submitted_on"),
        ([("\"submitted_on\": null,", "")], "submitted_on"),
        ([("\"proxy\": false", "\"proxy\": 0")], "proxy"),
        ([("\"records\": 10", "\"records\": true")], "records"),
        ([("\"records\": 10", "\"records\": 10.0")], "records"),
        ([("\"erroneous\": 1", "\"erroneous\": 11")], "erroneous"),
        ([("\"erroneous\": 1", "\"erroneous\": -1")], "erroneous"),
        ([("\"zero_data\": false", "\"zero_data\": true")], "zero_data"),
        ([("\"duplicate_rows\": 0", "\"duplicate_rows\": 11")], "duplicate_rows"),
        ([("\"contact_incidents\": 0", "\"contact_incidents\": \"0\"")], "contact_incidents"),
        ([("\"meetings\": {\"absent\": 0, \"late_or_early\": 0}", "\"meetings\": []")], "meetings"),
        ([("\"absent\": 0", "\"absent\": -2")], "absent"),
        ([("\"late_or_early\": 0", "\"late_or_early\": null")], "late_or_early"),
        ([("\"missing\": 0", "\"missing\": 1.5")], "missing"),
        ([("\"late\": 0", "\"late\": false")], "late"),
        ([("\"application_effect\": 0", "\"application_effect\": 2.5")], "application_effect"),
        ([("\"special_contribution_rank\": null", "\"special_contribution_rank\": 0")], "special_contribution_rank"),
        ([("\"leak_penalty\": 0", "\"leak_penalty\": 3")], "leak_penalty"),
        ([("\"leak_penalty\": 0", "\"leak_penalty\": 7.5")], "leak_penalty"),
        // two faults: the one earlier in schema order wins
        ([("\"2024Q2\"", "\"Q2\""), ("\"leak_penalty\": 0", "\"leak_penalty\": 3")], "quarter"),
        ([("\"erroneous\": 1", "\"erroneous\": 11"), ("\"records\": 10", "\"records\": -10")], "records"),
        ([("\"2024-04\"", "\"2024-13\""), ("\"monthly\"", "\"daily\"")], "collection"),
        ([("\"proxy\": false", "\"proxy\": null"), ("\"absent\": 0", "\"absent\": -2")], "proxy"),
    ] as [([(String, String)], String)])
    func invalid(_ pairs: [(String, String)], field: String) {
        let text = Self.variant(pairs)
        #expect(text != Self.valid)
        #expect(throws: AssessmentFactsError.self) { try AssessmentFacts(jsonText: text) }
        do {
            _ = try AssessmentFacts(jsonText: text)
        } catch {
            #expect(error.field == field, Comment(rawValue: error.description))
            #expect(!error.message.isEmpty)
        }
    }

    @Test("the valid base facts parse; unknown keys are ignored; clamping and large ranks are accepted")
    func validVariants() throws {
        #expect(try AssessmentFacts(jsonText: Self.valid).tasks.count == 1)
        let f = try AssessmentFacts(jsonText: Self.variant([("\"unit\": \"housing\"", "\"unit\": \"housing\", \"note\": [1]"),
                                                            ("\"application_effect\": 0", "\"application_effect\": 9"),
                                                            ("\"special_contribution_rank\": null", "\"special_contribution_rank\": 14")]))
        #expect(f.applicationEffect == 5)
        #expect(f.specialContributionRank == 14)
    }

    @Test("not a JSON object is reported as facts; a path locates the field")
    func wholeAndPath() {
        for text in ["[]", "12", "{", ""] {
            #expect(throws: AssessmentFactsError.self) { try AssessmentFacts(jsonText: text) }
            do { _ = try AssessmentFacts(jsonText: text) } catch { #expect(error.field == "facts") }
        }
        do {
            _ = try AssessmentFacts(jsonText: Self.variant([("\"absent\": 0", "\"absent\": -2")]))
        } catch {
            #expect(error.path == "meetings.absent")
        }
        do {
            _ = try AssessmentFacts(jsonText: Self.variant([("\"erroneous\": 1", "\"erroneous\": 11")]))
        } catch {
            #expect(error.path == "tasks[0].erroneous")
        }
    }

    @Test("the explanation names each deduction line by line")
    func explanation() throws {
        let f = facts([task("HOU-001", month: 2, deadline: "2024-03-20", submitted: "2024-03-23", proxy: true), task(submitted: nil)])
        let lines = AssessmentExplanation.lines(facts: f, card: try AssessmentScoring.score(f))
        #expect(lines.contains { $0.text == "缓报 3 天：HOU-001 2024-02 截止 03-20，03-23 报送" && $0.points == Rational(-3) })
        #expect(lines.filter { $0.text.hasPrefix("未报") }.count == 3)
        #expect(lines.contains { $0.item == "format" && $0.text.hasPrefix("代为报送") })
    }
}
