import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore

/// The quarterly assessment over the platform's facts (issue 11): gathers each unit's facts for a quarter
/// from the reporting calendar and the stored submissions, scores them with ``AssessmentScoring``, and stores
/// the run with the exact facts used.
public struct AssessmentService: Sendable {
    public let database: any Database
    public let clock: PlatformClock

    public init(database: any Database, clock: PlatformClock) {
        self.database = database
        self.clock = clock
    }

    /// Parses `2024Q1` (a quarter, nothing else).
    /// - Throws: ``ReportingError/malformedPeriod(_:)``.
    public static func quarter(_ text: String) throws(ReportingError) -> ReportingPeriod {
        guard let p = ReportingPeriod(text), case .quarter = p else { throw .malformedPeriod(text) }
        return p
    }

    /// The units assessed: every member unit that owns at least one indicator of `catalog`, in catalog order.
    public static func assessedUnits(_ catalog: Catalog) -> [String] {
        catalog.units.map(\.code).filter { !catalog.indicators(of: $0).isEmpty }
    }

    /// `unit`'s facts for `quarter`, as of the end of `asOf` (issue 11 §2): tasks from the calendar and the
    /// submissions, contact incidents, meetings and survey forms recorded on the platform (``MeetingsAndSurveys``),
    /// the tax leads of cross-matching that `unit`'s records produced and a tax officer confirmed in the quarter
    /// (adopted leads, 信息报送; issue 12 §5), the unit's place in the year's 特别贡献 ranking by the tax recovered on
    /// those leads from 1 January to the quarter's end (``MatchingService/specialContributionRank(unit:through:)``),
    /// and the assessor's entries for the quarter (the latest of each kind; an `adopted_leads` or
    /// `special_contribution_rank` entry replaces the platform's value).
    public func facts(unit: String, quarter: ReportingPeriod, asOf: CalendarDate, catalog: Catalog) async throws -> AssessmentFacts {
        let tasks = AssessmentGathering.tasks(calendar: ReportingCalendar(catalog: catalog), quarter: quarter, unit: unit)
        let reporting = ReportingRepository(database: database)
        let stored = try await reporting.filings(periods: Array(Set(tasks.map(\.period))), unit: unit)
        var factsTasks: [AssessmentFacts.Task] = []
        for task in tasks {
            let filed = stored[.init(indicator: task.indicator, period: task.period.description)] ?? []
            var filings: [AssessmentFiling] = []
            for (submission, filing) in filed {
                filings.append(try await assessmentFiling(submission, filing))
            }
            factsTasks.append(AssessmentGathering.task(task, collection: task.period.collectionPeriod, filings: filings, asOf: asOf))
        }
        let incidents = try await reporting.incidents(of: unit, from: quarter.firstDay, to: min(quarter.lastDay, asOf))
        let entries = try await AssessmentRepository(database: database).entries(quarter: quarter.description, unit: unit)
            .filter { PlatformClock.day(of: $0.enteredAt) <= asOf }.compactMap(\.entry)
        let meetings = MeetingsAndSurveys.meetings(try await MeetingService.meetingRecords(unit: unit, on: database), quarter: quarter, asOf: asOf)
        let surveys = MeetingsAndSurveys.surveys(try await MeetingService.surveyRecords(unit: unit, on: database), quarter: quarter, asOf: asOf)
        let matching = MatchingService(database: database, clock: clock)
        let adopted = try await matching.adoptedLeads(unit: unit, from: quarter.firstDay, through: min(quarter.lastDay, asOf))
        let rank = try await matching.specialContributionRank(unit: unit, through: min(quarter.lastDay, asOf))
        return AssessmentFacts(unit: unit, quarter: quarter, tasks: factsTasks, contactIncidents: incidents.count,
                               meetingsAbsent: meetings.absent, meetingsLateOrEarly: meetings.lateOrEarly,
                               surveysMissing: surveys.missing, surveysLate: surveys.late,
                               adoptedLeads: adopted, specialContributionRank: rank).applying(entries)
    }

    /// What the assessment needs of a stored submission: whether the whole file was refused off-format (its
    /// report says `"refused": true` and its one error's code is ``ImportErrorCode/isOffFormat``: a wrong
    /// template, a file that is no readable xlsx or CSV — not an empty or header-only file, nor the same file
    /// again), rows read and rejected, its `duplicate_row` errors (counted only for accepted data filings,
    /// the only ones whose rows can be in force), and the records of objections upheld against it.
    func assessmentFiling(_ s: SubmissionRecord, _ filing: TaskFiling) async throws -> AssessmentFiling {
        var refusedWhole = false
        if s.lifecycleState == .refused, let id = s.id,
           case .object(let members)? = try? JSONValue.parse(try await SubmissionRepository(database: database).report(of: id)),
           members.contains(where: { $0.0 == "refused" && $0.1 == .bool(true) }),
           case .array(let errors)? = members.first(where: { $0.0 == "errors" })?.1,
           case .object(let error)? = errors.first, case .string(let code)? = error.first(where: { $0.0 == "code" })?.1 {
            refusedWhole = ImportErrorCode(rawValue: code)?.isOffFormat == true
        }
        var duplicates = 0
        if filing.counts, filing.kind == .data, let id = s.id {
            duplicates = try await SubmissionErrorRecord.query(on: database).filter(\.$submission.$id == id)
                .filter(\.$code == "duplicate_row").count()
        }
        var upheld = 0
        if let id = s.id {
            upheld = try await ObjectionRepository(database: database).upheld(against: [id]).reduce(0) { $0 + $1.faultyRecords }
        }
        return AssessmentFiling(filing: filing, proxy: s.isProxy, refusedWholeFile: refusedWhole, rowsRead: s.rowsTotal,
                                rowsRejected: s.rowsRejected, duplicateRows: duplicates, reference: s.id?.uuidString.lowercased() ?? "",
                                upheldObjectionRecords: upheld)
    }

    /// A stored run and its results.
    public struct Run: Sendable {
        public var id: UUID
        public var quarter: ReportingPeriod
        public var asOf: CalendarDate
        public var scores: [AssessmentRepository.Score]
    }

    /// Gathers, scores and stores `quarter` for `unit` (every assessed unit when `nil`), as of `asOf` (today
    /// by default). Earlier runs are kept. With `actor`, an `assessment` audit event is written with the run.
    /// - Throws: ``ReportingError`` (no catalog, unknown unit); ``AssessmentFactsError`` when a value is too
    ///   large to compute exactly; database errors.
    public func run(quarter: ReportingPeriod, unit: String? = nil, asOf: CalendarDate? = nil, ranBy: String,
                    actor: AuditActor? = nil) async throws -> Run {
        let catalog = try await ReportingService(database: database, clock: clock).catalog()
        let units: [String]
        if let unit {
            guard catalog.units.contains(where: { $0.code == unit }) else { throw ReportingError.unknownUnit(unit) }
            units = [unit]
        } else {
            units = Self.assessedUnits(catalog)
        }
        let asOf = asOf ?? clock.today()
        var scores: [AssessmentRepository.Score] = []
        for code in units {
            let facts = try await facts(unit: code, quarter: quarter, asOf: asOf, catalog: catalog)
            scores.append(.init(unit: code, facts: facts, scorecard: try AssessmentScoring.score(facts)))
        }
        let record = AssessmentRunRecord(quarter: quarter.description, asOf: asOf.isoString, ranAt: clock.now(), ranBy: ranBy,
                                         catalogVersion: catalog.catalog.version)
        let event = actor?.event(.assessment, AuditTarget(rowCount: scores.count,
                                                          detail: "run quarter=\(quarter);as_of=\(asOf.isoString)" + (unit.map { ";unit=\($0)" } ?? "")),
                                 at: record.ranAt)
        let id = try await AssessmentRepository(database: database).store(record, scores: scores, audit: event)
        return Run(id: id, quarter: quarter, asOf: asOf, scores: scores)
    }

    /// The JSON `gongzhi score --quarter --json` prints: the run, and per unit the scorecard with a `facts` key
    /// holding the facts object (the `--facts` schema) it was computed from.
    public static func json(_ run: Run) -> JSONValue {
        .object([
            ("run_id", .string(run.id.uuidString.lowercased())),
            ("quarter", .string(run.quarter.description)),
            ("as_of", .string(run.asOf.isoString)),
            ("scorecards", .array(run.scores.map { score in
                guard case .object(let members) = score.scorecard.json else { return score.scorecard.json }
                return .object(members + [("facts", score.facts.json)])
            })),
        ])
    }
}

extension AssessmentService {
    /// One unit's stored result, re-scored exactly from its stored facts.
    public struct Result: Sendable {
        public var unit: String
        public var facts: AssessmentFacts
        public var scorecard: Scorecard
    }

    /// A stored run's results, each scorecard recomputed from the stored facts (so ranking uses exact values,
    /// and a stored scorecard that its facts no longer reproduce cannot go unnoticed), ranked by total.
    /// - Throws: ``AssessmentFactsError`` for stored facts that no longer read; database errors.
    public func results(of runID: UUID, unit: String? = nil) async throws -> [Result] {
        var out: [Result] = []
        for score in try await AssessmentRepository(database: database).scores(of: runID, unit: unit) {
            let facts = try AssessmentFacts(jsonText: score.facts)
            out.append(Result(unit: score.unitCode, facts: facts, scorecard: try AssessmentScoring.score(facts)))
        }
        return out.sorted { ($0.scorecard.total, $1.unit) > ($1.scorecard.total, $0.unit) }
    }

    /// Competition ranks (1, 2, 2, 4) of results already sorted by total, highest first; equal totals share a
    /// rank (README open point 7: tied units get the points of their rank).
    public static func ranks(_ results: [Result]) -> [Int] {
        var ranks: [Int] = []
        for (i, r) in results.enumerated() {
            ranks.append(i > 0 && results[i - 1].scorecard.total == r.scorecard.total ? ranks[i - 1] : i + 1)
        }
        return ranks
    }

    /// The latest run of `quarter` that scored every assessed unit (a run of one unit, a 再次考核 after a
    /// correction, stays in that unit's history but does not make a bulletin of one); the latest run of any kind
    /// when none scored them all (the catalog changed since), `nil` when the quarter was never run.
    public func latestRun(quarter: ReportingPeriod) async throws -> AssessmentRunRecord? {
        let repository = AssessmentRepository(database: database)
        let runs = try await repository.runs(quarter: quarter.description)
        let assessed = Set(Self.assessedUnits(try await ReportingService(database: database, clock: clock).catalog()))
        for run in runs {
            guard let id = run.id else { continue }
            if assessed.isSubset(of: Set(try await repository.scores(of: id).map(\.unitCode))) { return run }
        }
        return runs.first
    }

    /// The run a quarter's bulletin shows and the year counts: the published bulletin's (frozen), else the
    /// latest full run (a draft); with the published bulletin when there is one.
    public func bulletinRun(quarter: ReportingPeriod) async throws -> (run: AssessmentRunRecord?, published: AssessmentBulletinRecord?) {
        let repository = AssessmentRepository(database: database)
        if let published = try await repository.bulletin(quarter: quarter.description) {
            return (try await repository.run(published.$run.id), published)
        }
        return (try await latestRun(quarter: quarter), nil)
    }
}

extension AssessmentService {
    /// One year's assessment (年终综合考核, issue 11 §6), ranked with its 第十九条 marks: for every assessed unit,
    /// the quarters of `year` that have a bulletin run (``bulletinRun(quarter:)``), its facts re-scored by
    /// ``AnnualAssessment``. Quarters not yet run are left out (the result is then incomplete and unmarked);
    /// `published` names the quarters whose bulletin is published.
    /// - Throws: ``AssessmentFactsError`` for stored facts that no longer read; database errors.
    public func annual(year: Int) async throws -> (ranked: [AnnualAssessment.Ranked], runs: [ReportingPeriod: AssessmentRunRecord],
                                                   published: Set<ReportingPeriod>) {
        let catalog = try await ReportingService(database: database, clock: clock).catalog()
        var facts: [String: [AssessmentFacts]] = [:]
        var runs: [ReportingPeriod: AssessmentRunRecord] = [:]
        var published: Set<ReportingPeriod> = []
        for q in 1...4 {
            let quarter = ReportingPeriod.quarter(year: year, quarter: q)
            let chosen = try await bulletinRun(quarter: quarter)
            guard let run = chosen.run, let id = run.id else { continue }
            runs[quarter] = run
            if chosen.published != nil { published.insert(quarter) }
            for result in try await results(of: id) { facts[result.unit, default: []].append(result.facts) }
        }
        var results: [AnnualAssessment.Result] = []
        for unit in Self.assessedUnits(catalog) {
            results.append(try AnnualAssessment.score(unit: unit, year: year, quarters: facts[unit] ?? []))
        }
        return (AnnualAssessment.ranked(results), runs, published)
    }
}

extension AssessmentService {
    /// Records an assessor's entry for `unit` and `quarter`, checked by ``AssessorEntry/checked(unit:quarter:kind:valueText:reason:detail:)``,
    /// with its `assessment` audit event in the same transaction. It counts from the next run on.
    /// - Throws: ``AssessorEntry/Problem``; ``ReportingError/unknownUnit(_:)``; database errors.
    public func recordEntry(unit: String, quarter: ReportingPeriod, kind: AssessorEntry.Kind, valueText: String, reason: String,
                            detail: String, by actor: AuditActor) async throws -> AssessorEntry {
        let catalog = try await ReportingService(database: database, clock: clock).catalog()
        guard catalog.units.contains(where: { $0.code == unit }) else { throw ReportingError.unknownUnit(unit) }
        let entry = try AssessorEntry.checked(unit: unit, quarter: quarter, kind: kind, valueText: valueText, reason: reason, detail: detail)
        let now = clock.now()
        let value = entry.value.map(String.init) ?? "none"
        let event = actor.event(.assessment, AuditTarget(detail: "entry unit=\(unit);quarter=\(quarter);\(kind.rawValue)=\(value)"), at: now)
        try await AssessmentRepository(database: database).add(entry, enteredBy: actor.user, at: now, audit: event)
        return entry
    }
}

/// Why a bulletin cannot be published.
public enum BulletinError: Error, Sendable, Equatable {
    case noRun(String)
    case alreadyPublished(String)

    public var message: String {
        switch self {
        case .noRun(let q): "\(q) 尚未考核，不能发布简报。"
        case .alreadyPublished(let at): "本季度简报已于 \(at) 发布，发布后不再修改。"
        }
    }
}

extension AssessmentService {
    /// Publishes `quarter`'s bulletin on its latest run, freezing it: later runs no longer change it.
    /// - Throws: ``BulletinError``; database errors.
    public func publishBulletin(quarter: ReportingPeriod, by actor: AuditActor) async throws -> UUID {
        let repository = AssessmentRepository(database: database)
        if let published = try await repository.bulletin(quarter: quarter.description) {
            throw BulletinError.alreadyPublished(PlatformClock.display(published.publishedAt))
        }
        guard let run = try await latestRun(quarter: quarter), let id = run.id else { throw BulletinError.noRun(quarter.chineseName) }
        let now = clock.now()
        try await repository.publish(quarter: quarter.description, runID: id, by: actor.user, at: now,
                                     audit: actor.event(.assessment, AuditTarget(detail: "bulletin quarter=\(quarter);run=\(id.uuidString.lowercased())"), at: now))
        return id
    }
}
