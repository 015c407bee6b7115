import FluentKit
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore

/// Annual effectiveness reports (应用成效报告) and the suspension of sharing (issue 13 §3, 附件1 第十二条):
/// a consuming unit files its report for a year just ended, with attachments kept in the ``FileStore``; the
/// 综合治税办 grades it 0–5 and the grade becomes the assessment's 数据应用成效 (an assessor entry of the
/// report year's fourth quarter); the daily check (``check(asOf:by:)``) suspends a unit with no report for the
/// two latest years due (``SharingSuspensionRule``) and reinstates one that filed. ``SharingService`` refuses a
/// suspended unit's queries, downloads and requests.
public struct EffectivenessService: Sendable {
    public let database: any Database
    public let clock: PlatformClock
    public let files: FileStore
    public let schedule: EffectivenessSchedule

    public init(database: any Database, clock: PlatformClock, files: FileStore, schedule: EffectivenessSchedule) {
        self.database = database
        self.clock = clock
        self.files = files
        self.schedule = schedule
    }

    /// One attachment as uploaded.
    public struct Attachment: Sendable {
        public var name: String
        public var data: Data

        public init(name: String, data: Data) {
            self.name = name
            self.data = data
        }
    }

    /// Files `unit`'s report from what was typed, with `attachments`, by `actor`; when the unit stands suspended
    /// and the report lifts the rule's finding, reinstates it in the same transaction (audit-logged).
    /// - Throws: ``EffectivenessFiling/Problem`` (a year not yet ended, no text, a bad amount, already filed).
    public func file(unit: String, year: Int, text: String, taxRecovered: String, cases: String, otherResults: String,
                     attachments: [Attachment], by actor: AuditActor) async throws -> EffectivenessReportRecord {
        let today = clock.today(), now = clock.now()
        let filing = try EffectivenessFiling.checked(year: year, text: text, taxRecovered: taxRecovered, cases: cases,
                                                     otherResults: otherResults, today: today)
        let repository = EffectivenessRepository(database: database)
        if try await repository.reports(unit: unit).contains(where: { $0.year == year }) { throw EffectivenessFiling.Problem.alreadyFiled(year) }
        var kept: [JSONValue] = []
        for attachment in attachments where !attachment.data.isEmpty {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-effectiveness-\(UUID().uuidString)")
            try attachment.data.write(to: temporary)
            defer { try? FileManager.default.removeItem(at: temporary) }
            let sha256 = try FileDigest.sha256(of: temporary)
            _ = try files.keep(temporary, sha256: sha256)
            kept.append(.object([("name", .string(attachment.name.isEmpty ? "附件" : attachment.name)), ("sha256", .string(sha256))]))
        }
        let record = EffectivenessReportRecord()
        record.id = UUID()
        record.unitCode = unit
        record.year = filing.year
        record.body = filing.text
        record.taxRecovered = filing.taxRecovered
        record.cases = filing.cases
        record.otherResults = filing.otherResults
        record.attachments = JSONValue.array(kept).serialized()
        record.filedBy = actor.user
        record.filedAt = now
        let audit = actor.event(.report, AuditTarget(detail: "effectiveness_report=\(record.id!.uuidString.lowercased()); event=report_filed; unit=\(unit); year=\(year); "
                                                     + "tax_recovered=\(filing.taxRecovered); cases=\(filing.cases); attachments=\(kept.count)"), at: now)
        // Filing reinstates: the rule is judged again with this report counted.
        var reinstating: SharingSuspensionRecord?, reinstatement: AuditEvent?
        if let active = try await repository.activeSuspension(of: unit) {
            var filed = (try await repository.filedYears())[unit]?.mapValues(PlatformClock.day(of:)) ?? [:]
            filed[year] = today
            let firstYear = (try await repository.firstGrantYears())[unit]
            if SharingSuspensionRule.missedYears(firstYear: firstYear, filed: filed, asOf: today, schedule: schedule).isEmpty {
                active.reinstatedAt = now
                active.reinstatedReason = "已报送 \(year) 年度应用成效报告"
                reinstating = active
                reinstatement = actor.event(.suspension, AuditTarget(detail: "event=reinstate; unit=\(unit); missed=\(active.missedYears); by_report=\(year)"), at: now)
            }
        }
        try await repository.file(record, audit: audit, reinstating: reinstating, reinstatement: reinstatement)
        return record
    }

    /// Grades report `id` 0–5 (the 综合治税办), and records the grade as the assessor entry 数据应用成效 of the
    /// report year's fourth quarter, so the quarterly and annual assessments take it like any assessor entry.
    /// - Throws: ``EffectivenessFiling/Problem`` (bad grade, unknown report); ``AssessorEntry/Problem`` for a
    ///   missing reason.
    public func grade(_ id: UUID, gradeText: String, reason: String, by actor: AuditActor) async throws -> EffectivenessReportRecord {
        let repository = EffectivenessRepository(database: database)
        guard let record = try await repository.report(id) else { throw EffectivenessFiling.Problem.notFound }
        let grade = try EffectivenessFiling.grade(gradeText)
        let quarter = EffectivenessFiling.assessmentQuarter(of: record.year)
        let why = TextNormalization.trim(reason).isEmpty ? "\(record.year) 年度应用成效报告评分" : TextNormalization.trim(reason)
        let entry = try AssessorEntry.checked(unit: record.unitCode, quarter: quarter, kind: .applicationEffect, valueText: String(grade),
                                              reason: why, detail: "effectiveness_report=\(id.uuidString.lowercased())")
        let now = clock.now()
        record.grade = grade
        record.gradeReason = why
        record.gradedBy = actor.user
        record.gradedAt = now
        let audit = actor.event(.assessment, AuditTarget(
            detail: "entry unit=\(record.unitCode);quarter=\(quarter);application_effect=\(grade);effectiveness_report=\(id.uuidString.lowercased())"), at: now)
        try await repository.grade(record, entry: entry, audit: audit)
        return record
    }

    /// One unit's finding of a check.
    public struct Finding: Sendable, Equatable {
        public var unit: String
        public var change: SharingSuspensionRule.Change
    }

    /// A finding as JSON: `{"unit", "change": "suspend" | "reinstate", "missed_years"}`.
    public static func json(_ f: Finding) -> JSONValue {
        switch f.change {
        case .suspend(let years): .object([("unit", .string(f.unit)), ("change", .string("suspend")), ("missed_years", .array(years.map { .number(String($0)) }))])
        case .reinstate: .object([("unit", .string(f.unit)), ("change", .string("reinstate"))])
        case .none: .object([("unit", .string(f.unit)), ("change", .string("none"))])
        }
    }

    /// Brings every consuming unit's suspension in line with ``SharingSuspensionRule`` on `asOf` (default
    /// today): suspends the units with two years missed, reinstates those whose finding is lifted, each with its
    /// audit entry. Returns the changes made, in unit order.
    public func check(asOf: CalendarDate? = nil, by actor: AuditActor) async throws -> [Finding] {
        let asOf = asOf ?? clock.today(), now = clock.now()
        let repository = EffectivenessRepository(database: database)
        let first = try await repository.firstGrantYears()
        let filed = try await repository.filedYears()
        let active = Dictionary(try await repository.activeSuspensions().map { ($0.unitCode, $0) }, uniquingKeysWith: { a, _ in a })
        var findings: [Finding] = []
        for unit in Set(first.keys).union(active.keys).sorted() {
            let change = SharingSuspensionRule.change(suspended: active[unit] != nil, firstYear: first[unit],
                                                      filed: filed[unit]?.mapValues(PlatformClock.day(of:)) ?? [:], asOf: asOf, schedule: schedule)
            switch change {
            case .suspend(let years):
                let text = years.map(String.init).joined(separator: ",")
                let event = actor.event(.suspension, AuditTarget(detail: "event=suspend; unit=\(unit); missed=\(text); as_of=\(asOf)"), at: now)
                if try await repository.suspend(unit: unit, missedYears: years, at: now, audit: event) { findings.append(Finding(unit: unit, change: change)) }
            case .reinstate:
                guard let record = active[unit] else { continue }
                let event = actor.event(.suspension, AuditTarget(detail: "event=reinstate; unit=\(unit); missed=\(record.missedYears); as_of=\(asOf)"), at: now)
                try await repository.reinstate(record, at: now, reason: "截至 \(asOf) 已不再连续两年缺报", audit: event)
                findings.append(Finding(unit: unit, change: change))
            case .none:
                continue
            }
        }
        return findings
    }

    /// The years `unit` owes a report for on `today` (from its first grant's year through the year just ended,
    /// not yet filed), with each year's deadline, oldest first.
    public func due(unit: String, today: CalendarDate) async throws -> [(year: Int, deadline: CalendarDate)] {
        let repository = EffectivenessRepository(database: database)
        guard let first = (try await repository.firstGrantYears())[unit] else { return [] }
        let last = EffectivenessSchedule.latestReportableYear(today: today)
        guard last >= first else { return [] }
        let filed = Set(try await repository.reports(unit: unit).map(\.year))
        return (max(first, last - 2)...last).filter { !filed.contains($0) }.map { ($0, schedule.deadline(for: $0)) }
    }
}
