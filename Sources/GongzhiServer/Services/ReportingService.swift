import FluentKit
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore

/// Why a calendar question cannot be answered.
public enum ReportingError: Error, Sendable, Equatable {
    /// A period was not written `2024-03`, `2024Q1` or `2024`.
    case malformedPeriod(String)
    /// A date was not written `yyyy-mm-dd`.
    case malformedDate(String)
    /// A date written `yyyy-mm-dd` that does not exist (2024-02-30).
    case nonexistentDate(String)
    /// A required parameter is missing.
    case missing(String)
    /// A collection period other than monthly, quarterly or yearly.
    case unknownCollection(String)
    /// A range whose end lies before its start.
    case emptyRange(from: String, to: String)
    /// A range longer than the board shows at once.
    case rangeTooLong(years: Int)
    /// No unit with this code.
    case unknownUnit(String)
    /// No catalog has been loaded.
    case noCatalog
    /// Only the info center records incidents.
    case notPermitted(String)
    case contact(ContactError)

    public var code: String {
        switch self {
        case .malformedPeriod: "malformed_period"
        case .malformedDate: "malformed_date"
        case .nonexistentDate: "nonexistent_date"
        case .missing: "missing_parameter"
        case .unknownCollection: "unknown_collection"
        case .emptyRange: "empty_range"
        case .rangeTooLong: "range_too_long"
        case .unknownUnit: "unknown_unit"
        case .noCatalog: "no_catalog"
        case .notPermitted: "not_permitted"
        case .contact: "invalid_contact"
        }
    }

    /// Chinese message for the clerk.
    public var message: String {
        switch self {
        case .malformedPeriod(let p): "报送期“\(p)”格式不对：按月写 2024-03，按季写 2024Q1，按年写 2024。"
        case .malformedDate(let d): "日期“\(d)”格式不对：请写成 2024-05-20。"
        case .nonexistentDate(let d): "日期“\(d)”不存在：请核对月份的天数。"
        case .missing(let what): "请给出\(what)。"
        case .unknownCollection(let c): "归集周期“\(c)”不对：应为 monthly（按月）、quarterly（按季）或 yearly（按年）。"
        case .emptyRange(let from, let to): "起始期 \(from) 晚于截止期 \(to)：请调换或重新选择。"
        case .rangeTooLong(let years): "查询范围不能超过 \(years) 年：请缩小范围。"
        case .unknownUnit(let u): "单位“\(u)”不在目录中：请使用目录中的单位编码。"
        case .noCatalog: "尚未加载归集数据项目录：请先运行 gongzhi catalog load。"
        case .notPermitted(let what): what
        case .contact(let e): e.description
        }
    }
}

/// The reporting calendar over stored facts: tasks with their statuses, the status board, overdue lists,
/// contacts and incidents. Every answer is "as of" a day that the caller passes (the platform clock's
/// today by default), so a past day's board can be rebuilt.
public struct ReportingService: Sendable {
    public let database: any Database
    public let clock: PlatformClock

    public init(database: any Database, clock: PlatformClock) {
        self.database = database
        self.clock = clock
    }

    /// A task as pages and the API show it.
    public struct TaskRow: Sendable {
        public var state: TaskState
        public var unitName: String
        public var indicatorName: String
        /// The current submission, if any.
        public var current: SubmissionRecord?
        /// How many submissions were filed for the task (refused and superseded included).
        public var filings: Int

        /// The CLI/API object: `unit`, `indicator`, `period`, `deadline`, `status`, `days_late`, and more.
        public var json: JSONValue {
            .object([
                ("unit", .string(state.task.unit)), ("unit_name", .string(unitName)),
                ("indicator", .string(state.task.indicator)), ("indicator_name", .string(indicatorName)),
                ("period", .string(state.task.period.description)), ("deadline", .string(state.task.deadline.isoString)),
                ("status", .string(state.status.code)), ("days_late", .int(state.status.daysLate)),
                ("current_submission", .optional(current?.id?.uuidString.lowercased())),
                ("proxy", .bool(current?.isProxy ?? false)), ("filings", .int(filings)),
            ])
        }
    }

    /// The current catalog, parsed from the stored text of its version.
    /// - Throws: ``ReportingError/noCatalog``; ``CatalogError`` if the stored text no longer parses.
    public func catalog() async throws -> Catalog {
        let repository = CatalogRepository(database: database)
        guard let digest = try await repository.currentDigest() else { throw ReportingError.noCatalog }
        if let known = ParsedCatalogs.shared.cached(sha256: digest) { return known }
        guard let version = try await repository.currentVersion() else { throw ReportingError.noCatalog }
        return try ParsedCatalogs.shared.catalog(sha256: version.sha256) { try CatalogLoader.catalog(yaml: version.yaml) }
    }

    /// Parses a period argument.
    /// - Throws: ``ReportingError/malformedPeriod(_:)``.
    public static func period(_ text: String) throws(ReportingError) -> ReportingPeriod {
        guard let p = ReportingPeriod(text) else { throw .malformedPeriod(text) }
        return p
    }

    /// Parses a date argument (`yyyy-mm-dd`).
    /// - Throws: ``ReportingError/malformedDate(_:)``.
    public static func date(_ text: String) throws(ReportingError) -> CalendarDate {
        let t = TextNormalization.trim(text)
        guard let d = CalendarDate(iso: t) else {
            // Right shape, impossible day: say so rather than blame the format.
            let u = Array(t.utf8)
            if u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
               u.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (48...57).contains($0.element) }) {
                throw .nonexistentDate(text)
            }
            throw .malformedDate(text)
        }
        return d
    }

    /// Every task whose period lies within `from`...`to`, with its status as of `asOf`.
    /// - Throws: ``ReportingError`` for an unknown unit or an empty or too long range; database errors.
    public func tasks(from: ReportingPeriod, to: ReportingPeriod, unit: String? = nil,
                      collections: Set<CollectionPeriod> = Set(CollectionPeriod.allCases),
                      asOf: CalendarDate? = nil) async throws -> [TaskRow] {
        guard from.firstDay <= to.lastDay else { throw ReportingError.emptyRange(from: from.description, to: to.description) }
        guard to.lastDay.year - from.firstDay.year < Self.maxYears else { throw ReportingError.rangeTooLong(years: Self.maxYears) }
        let catalog = try await catalog()
        if let unit, catalog.unit(code: unit) == nil { throw ReportingError.unknownUnit(unit) }
        let asOf = asOf ?? clock.today()
        let tasks = ReportingCalendar(catalog: catalog).tasks(from: from, to: to, unit: unit, collections: collections)
        let filings = try await ReportingRepository(database: database).filings(periods: Array(Set(tasks.map(\.period))), unit: unit)
        let indicatorNames = Dictionary(catalog.indicators.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        return tasks.map { task in
            let filed = filings[.init(indicator: task.indicator, period: task.period.description)] ?? []
            let status = TaskStatus.evaluate(deadline: task.deadline, filings: filed.map(\.filing), asOf: asOf)
            let current = filed.last { $0.submission.lifecycleState.isCurrent && $0.filing.receivedOn <= asOf }?.submission
            return TaskRow(state: TaskState(task: task, status: status), unitName: catalog.unit(code: task.unit)?.name ?? task.unit,
                           indicatorName: indicatorNames[task.indicator] ?? task.indicator, current: current,
                           filings: filed.filter { $0.filing.receivedOn <= asOf }.count)
        }
    }

    /// The widest range one question may cover, in calendar years.
    public static let maxYears = 10

    /// Every task whose period lies inside `period` (a quarter holds its months and itself; a year also its
    /// quarters), as of `asOf`.
    public func tasks(within period: ReportingPeriod, unit: String? = nil, asOf: CalendarDate? = nil) async throws -> [TaskRow] {
        try await tasks(from: period, to: period, unit: unit, asOf: asOf)
    }

    /// Tasks missed as of `asOf` (deadline passed, nothing that counts filed), oldest first, from `since`
    /// (default: the first period of the year before `asOf`'s, so a year-end review sees the whole last year).
    public func overdue(asOf: CalendarDate? = nil, since: ReportingPeriod? = nil, unit: String? = nil) async throws -> [TaskRow] {
        let asOf = asOf ?? clock.today()
        let start = since ?? .year(asOf.year - 1)
        return try await tasks(from: start, to: .year(asOf.year), unit: unit, asOf: asOf).filter { $0.state.status == .missed }
    }

    /// The status board for `from`...`to` as of `asOf`.
    public func board(from: ReportingPeriod, to: ReportingPeriod, collections: Set<CollectionPeriod> = Set(CollectionPeriod.allCases),
                      asOf: CalendarDate? = nil) async throws -> StatusBoard {
        let rows = try await tasks(from: from, to: to, collections: collections, asOf: asOf)
        let catalog = try await catalog()
        return StatusBoard(states: rows.map(\.state), asOf: asOf ?? clock.today(), unitOrder: catalog.units.map(\.code),
                           unitNames: Dictionary(catalog.units.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }),
                           indicatorNames: Dictionary(rows.map { ($0.state.task.indicator, $0.indicatorName) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Records a contact change for `unit` (by the unit itself or the info center).
    /// - Throws: ``ReportingError`` for an unknown unit, an invalid entry, or a third unit acting.
    public func recordContact(_ contact: UnitContact, actingUnit: String) async throws {
        guard try await CatalogRepository(database: database).unit(code: contact.unit) != nil else {
            throw ReportingError.unknownUnit(contact.unit)
        }
        guard actingUnit == contact.unit || actingUnit == SubmissionService.proxyUnit else {
            throw ReportingError.notPermitted("只有本单位或信息中心可以登记本单位的联系人变更。")
        }
        let checked: UnitContact
        do { checked = try ContactRules.checked(contact, today: clock.today()) } catch { throw ReportingError.contact(error) }
        try await ReportingRepository(database: database).add(checked, recordedAt: clock.now(), recordedBy: actingUnit)
    }

    /// Records a contact incident (an unreported change, an unreachable reporter); info center only.
    /// - Throws: ``ReportingError``.
    public func recordIncident(unit: String, occurredOn: CalendarDate, description: String, actingUnit: String) async throws {
        guard actingUnit == SubmissionService.proxyUnit else {
            throw ReportingError.notPermitted("联系人事件由信息中心登记。")
        }
        guard try await CatalogRepository(database: database).unit(code: unit) != nil else { throw ReportingError.unknownUnit(unit) }
        let text = TextNormalization.trim(description)
        guard !text.isEmpty else { throw ReportingError.contact(.missingDescription) }
        guard occurredOn <= clock.today() else { throw ReportingError.contact(.notifiedInFuture(occurredOn)) }
        try await ReportingRepository(database: database).addIncident(unit: unit, occurredOn: occurredOn, description: text,
                                                                      recordedAt: clock.now(), recordedBy: actingUnit)
    }
}

/// Catalogs parsed from their stored text, by the text's SHA-256. A version's text never changes, so each is
/// parsed once per process instead of on every board, task list and sharing query.
final class ParsedCatalogs: @unchecked Sendable {
    static let shared = ParsedCatalogs()
    /// Versions kept; a process rarely sees more than one or two.
    static let capacity = 4

    private let lock = NSLock()
    private var byHash: [String: Catalog] = [:]

    /// The catalog of the text hashing to `sha256`, when already parsed.
    func cached(sha256: String) -> Catalog? {
        lock.withLock { byHash[sha256] }
    }

    /// The catalog of the text hashing to `sha256`, parsed with `parse` the first time.
    func catalog(sha256: String, parse: () throws -> Catalog) throws -> Catalog {
        if let known = lock.withLock({ byHash[sha256] }) { return known }
        let parsed = try parse()
        lock.withLock {
            if byHash.count >= Self.capacity { byHash.removeAll() }
            byHash[sha256] = parsed
        }
        return parsed
    }
}
