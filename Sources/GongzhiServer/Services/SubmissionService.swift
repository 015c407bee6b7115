import FluentKit
import AsyncAlgorithms
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore

/// Why a file could not be submitted at all. Row errors are not failures: they are in the report.
public enum SubmissionError: Error, Sendable, Equatable {
    /// No indicator was named.
    case missingIndicator
    /// No indicator with this code in the current catalog.
    case unknownIndicator(String)
    /// No period was given.
    case missingPeriod
    /// The period is not written `2024-03`, `2024Q1` or `2024`.
    case malformedPeriod(String)
    /// The period has not begun yet.
    case futurePeriod(String)
    /// The period's kind does not match the indicator's collection period.
    case periodMismatch(period: String, expected: CollectionPeriod)
    /// The acting unit may not submit this indicator.
    /// (`unit` is the acting unit's name.)
    case notPermitted(unit: String, indicator: String)
    /// The acting unit is not a unit of the platform.
    case unknownUnit(String)
    /// The info center filed for a unit (代为报送) without saying who acted and why.
    /// (`unit` is the owning unit's name.)
    case proxyNoteRequired(unit: String)
    /// A zero-data filing without a real explanation (情况说明).
    case explanationRequired
    /// A zero-data explanation longer than ``ZeroDataRule/maximumLength``.
    case explanationTooLong
    /// Zero data for a period that has not ended.
    case periodNotOver(String)
    /// Zero data for a task whose current submission holds accepted records.
    case recordsAlreadyFiled(count: Int)
    /// The same file was already stored for the same indicator and period.
    case duplicateFile(submissionID: UUID, receivedAt: String)
    /// The file looks like another period's (its title or its dates, ``PeriodSanity``) and the clerk did not
    /// confirm the period; `message` says why.
    case periodContentMismatch(message: String)
    /// The same file is already stored for another period of the indicator.
    case duplicateFileOtherPeriod(period: String, receivedAt: String)
    /// The period already holds `count` accepted records and the file says neither 补报 nor 更正.
    case modeRequired(count: Int)
    /// 更正 chosen on the web without confirming that `count` accepted records will be replaced.
    case replaceNotConfirmed(count: Int)
    /// The API was sent a form instead of the file itself.
    case formInsteadOfFile
    /// The file is over the upload limit or could not be opened: refused before it is read, and not stored
    /// (every file that is read and refused is stored as a refused submission instead, see
    /// ``SubmissionService/submit(file:fileName:indicatorCode:period:by:proxy:mode:confirmPeriod:submissionID:progress:onRecords:)``).
    case unreadable(IngestError)

    /// Whether the file itself was refused (exit status 2 in the CLI, 422 on the web) rather than the request
    /// being wrong.
    public var isRefusal: Bool {
        if case .unreadable = self { return true }
        return false
    }

    /// Stable machine-readable code for API clients.
    public var code: String {
        switch self {
        case .missingIndicator: "missing_indicator"
        case .unknownIndicator: "unknown_indicator"
        case .missingPeriod: "missing_period"
        case .malformedPeriod: "malformed_period"
        case .futurePeriod: "future_period"
        case .periodMismatch: "period_mismatch"
        case .notPermitted: "not_permitted"
        case .unknownUnit: "unknown_unit"
        case .proxyNoteRequired: "proxy_note_required"
        case .explanationRequired: "explanation_required"
        case .explanationTooLong: "explanation_too_long"
        case .periodNotOver: "period_not_over"
        case .recordsAlreadyFiled: "records_already_filed"
        case .duplicateFile: "duplicate_file"
        case .modeRequired: "mode_required"
        case .periodContentMismatch: "period_mismatch"
        case .duplicateFileOtherPeriod: "duplicate_file"
        case .replaceNotConfirmed: "confirmation_required"
        case .formInsteadOfFile: "form_instead_of_file"
        case .unreadable: "unreadable_file"
        }
    }

    /// Chinese message for the clerk.
    public var message: String {
        switch self {
        case .missingIndicator: "请选择要报送的数据项。"
        case .unknownIndicator(let code): "数据项 \(code) 不在当前目录中：请从目录中选择数据项。"
        case .missingPeriod: "请填写报送期：按月写 2024-03，按季写 2024Q1，按年写 2024。"
        case .malformedPeriod(let p): "报送期“\(p)”格式不对：按月写 2024-03，按季写 2024Q1，按年写 2024。"
        case .futurePeriod(let p): "报送期“\(p)”还没有开始，不能报送：请核对年份和月份。"
        case .periodMismatch(let p, let expected):
            "报送期“\(p)”与数据项的归集周期（\(expected.chineseName)）不符：" + Self.example(expected)
        case .notPermitted(let unit, let indicator):
            "单位 \(unit) 不能报送数据项 \(indicator)：只有数据项所属单位自己报送，或由信息中心代为报送。"
        case .unknownUnit(let unit): "报送身份“\(unit)”不是平台上的单位：请使用目录中的单位编码。"
        case .proxyNoteRequired(let unit):
            "信息中心代 \(unit) 报送（代为报送）时，须填写经办人和代报原因。"
        case .explanationTooLong: "情况说明最多 \(ZeroDataRule.maximumLength) 个字：请精简后再报送。"
        case .periodNotOver(let p): "报送期 \(p) 还没有结束，不能报送零数据：期末之后再确认是否确无数据。"
        case .recordsAlreadyFiled(let count):
            "本期已报送 \(count) 条已接收的记录，不能改报零数据：如数据有误，请上传更正后的文件。"
        case .explanationRequired:
            "零数据报送须写明情况说明（至少 \(ZeroDataRule.minimumLength) 个字），说明本期为何没有数据；没有情况说明的零数据报送记为未报。"
        case .duplicateFile(let id, let at):
            "同一文件已于 \(at) 报送过（报送编号 \(id.uuidString.lowercased())），本次未重复保存：如需更正，请修改文件后重新上传。"
        case .periodContentMismatch(let message): message
        case .duplicateFileOtherPeriod(let period, let at):
            "同一文件已于 \(at) 作为“\(ReportingPeriod(period)?.chineseName ?? period)”的数据报送过：请核对报送期；如确实两期数据相同，请勾选确认后再上传（接口加参数 confirm=period）。"
        case .modeRequired(let count):
            "本报送期已接收 \(count) 条记录，请选择报送方式：补报（只上传改好或漏报的行，追加到已接收的记录中）或更正（用本文件整体替换已接收的 \(count) 条记录）。接口请加参数 mode=append 或 mode=replace。"
        case .replaceNotConfirmed(let count):
            "更正将用本文件替换本期已接收的 \(count) 条记录（原记录保留可查，但不再作为本期数据）：请勾选确认后再上传；如只需补上改好的行，请选择补报。"
        case .formInsteadOfFile:
            "请把文件本身作为请求体发送（如 curl --data-binary @文件名 -H 'Content-Type: application/octet-stream'），不要用 multipart/form-data 或表单编码。"
        case .unreadable(let e): e.message
        }
    }

    private static func example(_ period: CollectionPeriod) -> String {
        "\(period.chineseName)报送，请填写如 \(period.example)。"
    }
}

/// Reads and validates files without storing anything: the half of the main job that needs no database
/// (`--dry-run`, `--indicator-file`, and the first step of every submission).
public struct SubmissionValidator: Sendable {
    public let divisions: DivisionRegistry
    public let clock: PlatformClock
    public let maxUploadBytes: Int
    public let maxInflatedBytes: Int

    public init(divisions: DivisionRegistry, clock: PlatformClock, maxUploadBytes: Int = 200 << 20,
                maxInflatedBytes: Int = 2048 << 20) {
        self.divisions = divisions
        self.clock = clock
        self.maxUploadBytes = maxUploadBytes
        self.maxInflatedBytes = maxInflatedBytes
    }

    /// The import job for `indicator`, validating against today's date.
    public func job(indicator: Indicator, period: String, fileName: String, batchSize: Int = 1000,
                    progress: (@Sendable (Int) -> Void)? = nil) -> ImportJob {
        ImportJob(indicator: indicator, period: period, fileName: fileName,
                  identifiers: IdentifierValidator(divisions: divisions, today: clock.today()),
                  batchSize: batchSize, progress: progress)
    }

    /// Validates `file` against `indicator`; `onRecords` receives accepted rows in file order. A file that
    /// cannot be read gives a refused report (``ImportReport/init(refusing:indicator:period:file:)``), like a
    /// wrong template.
    /// - Throws: ``SubmissionError/unreadable(_:)`` for a file over the upload limit or that cannot be opened;
    ///   whatever `onRecords` throws.
    public func validate(file: URL, fileName: String, indicator: Indicator, period: String,
                         progress: (@Sendable (Int) -> Void)? = nil,
                         onRecords: (RecordBatch) async throws -> Void = { _ in }) async throws -> ImportReport {
        try checkSize(file)
        do {
            let job = job(indicator: indicator, period: period, fileName: fileName, progress: progress)
            return try await SubmissionImporter.run(file: file, job: job,
                                                    maxInflatedBytes: maxInflatedBytes, sink: onRecords)
        } catch let error as IngestError {
            return ImportReport(refusing: error, indicator: indicator.code, period: period, file: fileName)
        }
    }

    /// Checks that `period` is given, well formed, of the indicator's collection period and already begun.
    /// - Throws: ``SubmissionError``.
    public func checkPeriod(_ period: String, for indicator: Indicator) throws(SubmissionError) -> ReportingPeriod {
        if period.trimmingCharacters(in: .whitespaces).isEmpty { throw .missingPeriod }
        guard let parsed = ReportingPeriod(period) else { throw .malformedPeriod(period) }
        guard parsed.collectionPeriod == indicator.period else {
            throw .periodMismatch(period: period, expected: indicator.period)
        }
        if parsed.firstDay > clock.today() { throw .futurePeriod(period) }
        return parsed
    }

    /// The file's size in bytes, checked against the upload limit.
    /// - Throws: ``SubmissionError/unreadable(_:)`` when it is missing or too large.
    @discardableResult
    public func checkSize(_ file: URL) throws(SubmissionError) -> Int {
        let size: Int
        do {
            size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
        } catch {
            throw .unreadable(.cannotOpen(path: file.lastPathComponent, detail: String(describing: error)))
        }
        if size > maxUploadBytes { throw .unreadable(.fileTooLarge(bytes: size, limitBytes: maxUploadBytes)) }
        return size
    }
}

/// The main job: a department's file in, validated records stored with their lineage, a report out.
///
/// A submission is written in short transactions — the submission (`received`, seen by no query), its
/// records batch by batch, then its conclusion (errors, state, supersession, audit entry) — so that pages keep
/// answering during a large import. A failure anywhere removes what was written (and the kept file if this
/// upload brought it); an import that dies with its server is found by its stopped heartbeat and concluded
/// `interrupted` with its rows removed (``SubmissionRepository/recoverInterrupted(staleAfter:now:)``).
public struct SubmissionService: Sendable {
    public let database: any Database
    public let files: FileStore
    public let validator: SubmissionValidator
    public let writer: any RecordWriter
    /// Imports wait here for their turn to write.
    public let gate: ImportGate
    /// Where concluded imports and their wait for the gate are counted (`nil`: not counted, e.g. commands).
    public let metrics: GongzhiMetrics?

    public init(database: any Database, files: FileStore, validator: SubmissionValidator,
                writer: any RecordWriter, gate: ImportGate, metrics: GongzhiMetrics? = nil) {
        self.database = database
        self.files = files
        self.validator = validator
        self.writer = writer
        self.gate = gate
        self.metrics = metrics
    }

    /// A stored submission and its report.
    public struct Outcome: Sendable {
        public var submissionID: UUID
        public var report: ImportReport
    }

    /// The current definition of `indicatorCode`, after checking the period and that `actingUnit` may file
    /// it: what an upload form checks before it accepts a file for importing in the background.
    /// - Throws: ``SubmissionError``.
    /// - Throws: ``SubmissionError``; ``SubmissionError/modeRequired(count:)`` when the period holds accepted
    ///   records and `mode` is `nil`.
    public func prepare(indicatorCode: String, period: String, actingUnit: String, proxy: ProxyNote?,
                        mode: CorrectionMode? = nil) async throws -> Indicator {
        guard !indicatorCode.isEmpty else { throw SubmissionError.missingIndicator }
        guard let (_, indicator) = try await CatalogRepository(database: database).currentIndicator(code: indicatorCode) else {
            throw SubmissionError.unknownIndicator(indicatorCode)
        }
        _ = try validator.checkPeriod(period, for: indicator)
        _ = try await authorize(actingUnit: actingUnit, for: indicator, proxy: proxy)
        let canonical = try validator.checkPeriod(period, for: indicator).description
        let accepted = try await Self.acceptedRecords(indicator: indicator.code, period: canonical, on: database).count
        if CorrectionMode.isRequired(acceptedRecords: accepted), mode == nil { throw SubmissionError.modeRequired(count: accepted) }
        return indicator
    }

    /// The task's current data submissions and how many accepted records they hold together.
    static func acceptedRecords(indicator: String, period: String, on db: any Database) async throws -> (current: [SubmissionRecord], count: Int) {
        let current = try await ReportingRepository(database: db).currentSubmissions(indicator: indicator, period: period, on: db)
            .filter { $0.kind == TaskFiling.Kind.data.rawValue }
        return (current, current.reduce(0) { $0 + $1.rowsAccepted })
    }

    /// The unit that may file for any unit (代为报送): the info center that runs the platform.
    public static let proxyUnit = "info-center"

    /// Checks that `actingUnit` may file for `indicator`: the indicator's own unit, or the info center with a
    /// proxy note (who acted and why). Returns the note to store (`nil` for the unit's own filing).
    /// - Throws: ``SubmissionError/unknownUnit(_:)``, ``SubmissionError/notPermitted(unit:indicator:)``,
    ///   ``SubmissionError/proxyNoteRequired(unit:)``.
    public func authorize(actingUnit: String, for indicator: Indicator, proxy: ProxyNote?) async throws -> ProxyNote? {
        let catalog = CatalogRepository(database: database)
        guard let acting = try await catalog.unit(code: actingUnit) else {
            throw SubmissionError.unknownUnit(actingUnit)
        }
        if actingUnit == indicator.unit { return nil }
        // Messages name units as clerks know them (市住房保障和房产管理局), not by their codes.
        guard actingUnit == Self.proxyUnit else {
            throw SubmissionError.notPermitted(unit: acting.name, indicator: indicator.code)
        }
        let note = proxy.map { ProxyNote(actedBy: TextNormalization.trim($0.actedBy), reason: TextNormalization.trim($0.reason)) }
        guard let note, !note.actedBy.isEmpty, !note.reason.isEmpty else {
            throw SubmissionError.proxyNoteRequired(unit: try await catalog.unit(code: indicator.unit)?.name ?? indicator.unit)
        }
        return note
    }

    /// Imports `file` for the current definition of `indicatorCode` and stores the submission. When it is
    /// accepted (wholly or partly), it becomes the task's current submission and supersedes the earlier one.
    /// Its `submission` audit entry is written in the same transaction (see ``auditTarget(_:)``).
    ///
    /// - Parameters:
    ///   - actor: who acts; `actor.unit` is the unit on whose authority (the reporter's unit, or the info center).
    ///   - proxy: who acted and why, when the info center files for the unit (代为报送).
    ///   - mode: 补报 or 更正, required when the task's current submissions hold accepted records
    ///     (``CorrectionMode``): a file never silently replaces accepted records.
    ///   - confirmPeriod: the clerk confirmed the period although the file looks like another period's
    ///     (``PeriodSanity``, or the same file stored for another period).
    ///   - submissionID: the id to give the submission (a web upload announces it before the import ends).
    ///   - progress: told the number of data rows read so far.
    ///   - onRecords: also receives accepted rows (e.g. for `--records` output).
    /// - Throws: ``SubmissionError`` for requests and files that cannot be taken; database errors.
    public func submit(file: URL, fileName: String, indicatorCode: String, period: String, by actor: AuditActor,
                       proxy: ProxyNote? = nil, mode: CorrectionMode? = nil, confirmPeriod: Bool = false,
                       submissionID: UUID? = nil,
                       progress: (@Sendable (Int) -> Void)? = nil,
                       onRecords: @escaping @Sendable (RecordBatch) async throws -> Void = { _ in }) async throws -> Outcome {
        let actingUnit = actor.unit
        guard !indicatorCode.isEmpty else { throw SubmissionError.missingIndicator }
        guard let (indicatorRecord, indicator) = try await CatalogRepository(database: database).currentIndicator(code: indicatorCode) else {
            throw SubmissionError.unknownIndicator(indicatorCode)
        }
        let period = try validator.checkPeriod(period, for: indicator).description
        let proxy = try await authorize(actingUnit: actingUnit, for: indicator, proxy: proxy)
        let size = try validator.checkSize(file)
        let sha256 = try FileDigest.sha256(of: file)
        // What the file is, before anything is written: one that is no xlsx or CSV is refused whole (and stored so).
        let sniffed: Result<SubmissionFormat, IngestError>
        do {
            sniffed = .success(try SubmissionFormat.sniff(fileAt: file))
        } catch {
            sniffed = .failure(error)
        }
        let format = switch sniffed {
        case .success(let format): format.rawValue
        case .failure(.unsupportedFormat(let foreign)): foreign.rawValue
        case .failure: "unknown"
        }
        let broughtFile = try files.keep(file, sha256: sha256)
        let job = validator.job(indicator: indicator, period: period, fileName: fileName, batchSize: writer.batchSize,
                                progress: progress)
        let writer = self.writer
        let maxInflatedBytes = validator.maxInflatedBytes
        let now = validator.clock.now()
        let database = self.database
        let metrics = self.metrics, asked = ContinuousClock.now
        do {
            let outcome = try await gate.run {
                metrics?.recordImportWait(ContinuousClock.now - asked)
                // 1. The submission, in a short transaction: it is `received` — invisible to every query — until
                //    it concludes. A file refused before it is read (not xlsx or CSV; the same file again) is
                //    stored refused at once.
                let admission = try await Self.writeTransaction(writer, on: database) { db -> Admission in
                    let submission = SubmissionRecord(
                        id: submissionID, indicatorID: try indicatorRecord.requireID(), indicatorCode: indicator.code,
                        indicatorName: indicator.name, unitCode: indicator.unit, actingUnitCode: actingUnit, period: period,
                        fileName: fileName, fileSHA256: sha256, fileSize: Int64(size), format: format, receivedAt: now)
                    submission.proxyBy = proxy?.actedBy
                    submission.proxyReason = proxy?.reason
                    if case .failure(let error) = sniffed {
                        let report = ImportReport(refusing: error, indicator: indicator.code, period: period, file: fileName)
                        try await submission.create(on: db)
                        return .concluded(try await Self.storeRefused(submission, report: report, by: actor, at: now, on: db))
                    }
                    // The same file again for the same task is refused and stored so: it shows in 报送记录, while the
                    // task's data stay as they were (a repeated upload changes nothing).
                    if let earlier = try await SubmissionRecord.query(on: db)
                        .filter(\.$fileSHA256 == sha256).filter(\.$indicatorCode == indicator.code)
                        .filter(\.$period == period)
                        .filter(\.$status != ImportOutcome.refused.rawValue)
                        .filter(\.$state != SubmissionState.interrupted.rawValue).first() {
                        let duplicate = SubmissionError.duplicateFile(submissionID: try earlier.requireID(),
                                                                      receivedAt: PlatformClock.display(earlier.receivedAt))
                        try await submission.create(on: db)
                        let report = ImportReport.refusing(indicator: indicator.code, period: period, file: fileName,
                                                           code: .duplicateFile, message: duplicate.message)
                        return .concluded(try await Self.storeRefused(submission, report: report, by: actor, at: now, on: db))
                    }
                    if !confirmPeriod, let other = try await SubmissionRecord.query(on: db)
                        .filter(\.$fileSHA256 == sha256).filter(\.$indicatorCode == indicator.code)
                        .filter(\.$status != ImportOutcome.refused.rawValue)
                        .filter(\.$state != SubmissionState.interrupted.rawValue).first() {
                        throw SubmissionError.duplicateFileOtherPeriod(period: other.period,
                                                                       receivedAt: PlatformClock.display(other.receivedAt))
                    }
                    let (current, accepted) = try await Self.acceptedRecords(indicator: indicator.code, period: period, on: db)
                    if CorrectionMode.isRequired(acceptedRecords: accepted), mode == nil {
                        throw SubmissionError.modeRequired(count: accepted)
                    }
                    submission.importHeartbeatMilliseconds = SubmissionRepository.heartbeatNow()
                    if accepted > 0, let mode {
                        submission.correction = mode.rawValue
                        if mode == .append { submission.appendsTo = try current.first?.requireID() }
                    }
                    try await submission.create(on: db)
                    return .importing(submission)
                }
                let submission: SubmissionRecord
                switch admission {
                case .concluded(let outcome): return outcome
                case .importing(let received): submission = received
                }
                let id = try submission.requireID()
                // A 补报 joins the current submissions: the rows it corrects are recognised by their keys.
                let appendTargets = submission.appendsTo == nil ? [] : try await Self.acceptedRecords(
                    indicator: indicator.code, period: period, on: database).current.map { try $0.requireID() }
                let openKeys = try await SubmissionRepository(database: database).openCorrectionKeys(of: appendTargets)
                let corrections = CorrectionMatcher(openKeys: openKeys)
                do {
                    // 2. The records, batch by batch, each in a transaction of its own: other writers (a page
                    //    view's audit entry) get their turn between two batches. A file that turns out unreadable
                    //    is refused whole: its conclusion removes whatever rows were written.
                    let report: ImportReport
                    do {
                        report = try await Self.pipelined(file: file, job: job, maxInflatedBytes: maxInflatedBytes) { batch in
                            corrections.observe(batch.records)
                            try await Self.writeTransaction(writer, on: database) { db in
                                try await writer.write(batch.records, fields: indicator.fields,
                                                       lineage: RecordLineage(submissionID: id, indicatorCode: indicator.code,
                                                                              period: period, sheet: batch.sheet),
                                                       on: db)
                                try await SubmissionRepository.beat(id, on: db)
                            }
                            try await onRecords(batch)
                        }
                    } catch let error as IngestError {
                        report = ImportReport(refusing: error, indicator: indicator.code, period: period, file: fileName)
                    }
                    if !confirmPeriod, report.rowsAccepted > 0, let chosen = ReportingPeriod(period),
                       let finding = PeriodSanity.check(period: chosen, title: report.title, tallies: report.dateTallies) {
                        throw SubmissionError.periodContentMismatch(message: finding.message(chosen: chosen))
                    }
                    // 3. The conclusion: errors, state, supersession and the audit entry, in one transaction.
                    let outcome = try await Self.writeTransaction(writer, on: database) { db in
                        if report.refused {
                            return try await Self.storeRefused(submission, report: report, by: actor, at: now, on: db)
                        }
                        // A file without one accepted row discharges nothing and supersedes nothing: it concludes refused.
                        let state = try SubmissionLifecycle.apply(.concluded(report.rowsAccepted == 0 ? .refused : report.outcome),
                                                                  to: SubmissionLifecycle.apply(.validated, to: submission.lifecycleState))
                        if state.isCurrent {
                            if submission.appendsTo != nil {
                                try await SubmissionRepository(database: db).markCorrected(keys: corrections.matched, in: appendTargets,
                                                                                           by: id, on: db)
                            } else {
                                try await Self.supersedeCurrent(of: submission, at: now, on: db)
                            }
                        }
                        submission.state = state.rawValue
                        submission.importHeartbeatMilliseconds = nil
                        let json = report.contractJSON(extra: Self.extraJSON(id: id, status: report.outcome)).serialized()
                        try await SubmissionRepository(database: db).finish(submission, report: report, reportJSON: json, on: db)
                        try await AuditLog.append(actor.event(.submission, Self.auditTarget(submission), at: now), on: db)
                        return Outcome(submissionID: id, report: report)
                    }
                    await writer.settle(afterImporting: outcome.report.rowsAccepted, on: database)
                    return outcome
                } catch {
                    // Nothing of a failed import stays: its rows and the submission go (the kept file below).
                    try? await Self.writeTransaction(writer, on: database) { db in
                        try await SubmissionRepository(database: db).discard(id, on: db)
                    }
                    throw error
                }
            }
            metrics?.recordImport(outcome.report)
            return outcome
        } catch {
            if broughtFile { files.remove(sha256) }
            throw error
        }
    }

    /// How the first transaction of ``submit(file:fileName:indicatorCode:period:by:proxy:mode:confirmPeriod:submissionID:progress:onRecords:)``
    /// ends: the file is to be imported, or it was refused and stored at once.
    private enum Admission: Sendable {
        case importing(SubmissionRecord)
        case concluded(Outcome)
    }

    /// Concludes `submission` refused whole with `report` (``ImportReport/refused``, one file-level error), inside
    /// `db`'s transaction: the rows a read that failed half-way wrote are removed, its error and report stored, and its `submission` audit entry written. A refused submission is never
    /// current: it discharges no task and supersedes nothing, but it is listed (报送记录) with its reason.
    static func storeRefused(_ submission: SubmissionRecord, report: ImportReport, by actor: AuditActor, at now: Date,
                             on db: any Database) async throws -> Outcome {
        assert(report.refused, "only a refused report concludes a submission refused")
        let id = try submission.requireID()
        try await SubmissionRepository(database: db).removeRows(of: id, on: db)
        submission.state = try SubmissionLifecycle.apply(.concluded(.refused),
                                                         to: SubmissionLifecycle.apply(.validated, to: submission.lifecycleState)).rawValue
        submission.importHeartbeatMilliseconds = nil
        let json = report.contractJSON(extra: extraJSON(id: id, status: .refused)).serialized()
        try await SubmissionRepository(database: db).finish(submission, report: report, reportJSON: json, on: db)
        try await AuditLog.append(actor.event(.submission, auditTarget(submission), at: now), on: db)
        return Outcome(submissionID: id, report: report)
    }

    /// Runs `body` in one of the writer's transactions, behind ``SQLiteWriteGate`` on SQLite.
    static func writeTransaction<T: Sendable>(_ writer: any RecordWriter, on database: any Database,
                                              _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await SQLiteWriteGate.serialize(on: database) {
            try await writer.transaction(on: database, body)
        }
    }

    /// Files a zero-data submission (报送0数据) for a task: nothing to report this period, with the written
    /// explanation (情况说明) that makes it count. It becomes the task's current submission. `actor.unit` is
    /// the acting unit; the `submission` audit entry is written in the same transaction.
    /// - Returns: the new submission's id.
    /// - Throws: ``SubmissionError`` (e.g. ``SubmissionError/explanationRequired`` for a blank or token
    ///   explanation, see ``ZeroDataRule``); database errors.
    public func fileZeroData(indicatorCode: String, period: String, by actor: AuditActor, explanation: String,
                             proxy: ProxyNote? = nil) async throws -> UUID {
        let actingUnit = actor.unit
        guard !indicatorCode.isEmpty else { throw SubmissionError.missingIndicator }
        guard let (indicatorRecord, indicator) = try await CatalogRepository(database: database).currentIndicator(code: indicatorCode) else {
            throw SubmissionError.unknownIndicator(indicatorCode)
        }
        let reportingPeriod = try validator.checkPeriod(period, for: indicator)
        let period = reportingPeriod.description
        let proxy = try await authorize(actingUnit: actingUnit, for: indicator, proxy: proxy)
        // Nothing to report can only be known once the period is over.
        guard reportingPeriod.lastDay < validator.clock.today() else { throw SubmissionError.periodNotOver(period) }
        guard ZeroDataRule.isExplained(explanation) else { throw SubmissionError.explanationRequired }
        guard explanation.count <= ZeroDataRule.maximumLength else { throw SubmissionError.explanationTooLong }
        if let current = try await ReportingRepository(database: database).current(indicator: indicator.code, period: period),
           current.kind == TaskFiling.Kind.data.rawValue, current.rowsAccepted > 0 {
            throw SubmissionError.recordsAlreadyFiled(count: current.rowsAccepted)
        }
        let explanation = TextNormalization.trim(explanation)
        let now = validator.clock.now()
        return try await database.transaction { db in
            let submission = SubmissionRecord(
                indicatorID: try indicatorRecord.requireID(), indicatorCode: indicator.code, indicatorName: indicator.name,
                unitCode: indicator.unit, actingUnitCode: actingUnit, period: period, fileName: "", fileSHA256: "",
                fileSize: 0, format: "none", receivedAt: now)
            submission.kind = TaskFiling.Kind.zeroData.rawValue
            submission.explanation = explanation
            submission.proxyBy = proxy?.actedBy
            submission.proxyReason = proxy?.reason
            try await submission.create(on: db)
            let id = try submission.requireID()
            let state = try SubmissionLifecycle.apply(.concluded(.accepted),
                                                      to: SubmissionLifecycle.apply(.validated, to: submission.lifecycleState))
            try await Self.supersedeCurrent(of: submission, at: now, on: db)
            submission.state = state.rawValue
            submission.status = ImportOutcome.accepted.rawValue
            try await submission.update(on: db)
            try await SubmissionReportRecord(submissionID: id, report: JSONValue.object([
                ("indicator", .string(indicator.code)), ("period", .string(period)), ("kind", .string(submission.kind)),
                ("explanation", .string(explanation)), ("rows_total", .number("0")), ("rows_accepted", .number("0")),
                ("rows_rejected", .number("0")), ("errors", .array([])),
            ] + Self.extraJSON(id: id, status: .accepted)).serialized()).create(on: db)
            try await AuditLog.append(actor.event(.submission, Self.auditTarget(submission), at: now), on: db)
            return id
        }
    }

    /// Marks the current submission(s) of `submission`'s task superseded by it (the lifecycle's
    /// `supersededBy`); their records stay, but are no longer the ones consumers see.
    static func supersedeCurrent(of submission: SubmissionRecord, at now: Date, on db: any Database) async throws {
        let id = try submission.requireID()
        let current = try await ReportingRepository(database: db)
            .currentSubmissions(indicator: submission.indicatorCode, period: submission.period, on: db).filter { $0.id != id }
        for earlier in current {
            earlier.state = try SubmissionLifecycle.apply(.supersededBy(id.uuidString.lowercased()), to: earlier.lifecycleState).rawValue
            earlier.supersededBy = id
            earlier.supersededAt = now
            try await earlier.update(on: db)
        }
    }

    /// Reads and validates on one task while a second task writes the previous batch, so the two halves of
    /// the main job overlap on two cores. At most one batch waits between them (back-pressure); a failure on
    /// either side cancels the other and is rethrown.
    static func pipelined(file: URL, job: ImportJob, maxInflatedBytes: Int,
                          write: @escaping @Sendable (RecordBatch) async throws -> Void) async throws -> ImportReport {
        let channel = AsyncThrowingChannel<RecordBatch, any Error>()
        return try await withThrowingTaskGroup(of: ImportReport?.self) { group in
            group.addTask {
                for try await batch in channel { try await write(batch) }
                return nil
            }
            group.addTask {
                do {
                    let report = try await SubmissionImporter.run(file: file, job: job, maxInflatedBytes: maxInflatedBytes) { batch in
                        await channel.send(batch)
                        try Task.checkCancellation()
                    }
                    channel.finish()
                    return report
                } catch {
                    channel.fail(error)
                    throw error
                }
            }
            var report: ImportReport?
            do {
                while let result = try await group.next() {
                    if let result { report = result }
                }
            } catch {
                group.cancelAll()
                throw error
            }
            guard let report else { throw CancellationError() }
            return report
        }
    }

    /// How a submission's audit `detail` starts: `submission=<id>;` (lineage finds the entry by it).
    public static func auditDetailPrefix(_ id: String) -> String { "submission=\(id);" }

    /// The audit target of storing `s`: the indicator, the rows accepted, and as `detail`
    /// `submission=<id>; period=…; kind=…; outcome=…; rows_total=…; rows_rejected=…[; proxy_by=…; proxy_reason=…]
    /// [; file_sha256=…; file=…]` — the file name last, since it may hold any text.
    static func auditTarget(_ s: SubmissionRecord) throws -> AuditTarget {
        var detail = auditDetailPrefix(try s.requireID().uuidString.lowercased())
            + " period=\(s.period); kind=\(s.kind); outcome=\(s.status); rows_total=\(s.rowsTotal); rows_rejected=\(s.rowsRejected)"
        if s.isProxy { detail += "; proxy_by=\(s.proxyBy ?? ""); proxy_reason=\(s.proxyReason ?? "")" }
        if !s.fileSHA256.isEmpty { detail += "; file_sha256=\(s.fileSHA256); file=\(s.fileName)" }
        return AuditTarget(indicatorCode: s.indicatorCode, rowCount: s.rowsAccepted, detail: detail)
    }

    /// The members the stored and returned report carries beyond the contract: `submission_id`, `status`.
    public static func extraJSON(id: UUID, status: ImportOutcome) -> [(String, JSONValue)] {
        [("submission_id", .string(id.uuidString.lowercased())), ("status", .string(status.rawValue))]
    }
}

/// Which open rejected rows (by ``CorrectionKey``) the accepted rows of a 补报 correct, collected as its
/// batches are written. Keys are computed only for the field sets the open rows have.
final class CorrectionMatcher: @unchecked Sendable {
    private let lock = NSLock()
    private let openKeys: Set<String>
    private let patterns: [[Int]]
    private var found: Set<String> = []

    init(openKeys: Set<String>) {
        self.openKeys = openKeys
        patterns = Array(Set(openKeys.map(CorrectionKey.fields(of:))))
    }

    /// Notes the keys of `records` that match an open rejected row.
    func observe(_ records: [AcceptedRecord]) {
        guard !openKeys.isEmpty else { return }
        var hits: [String] = []
        for record in records {
            for pattern in patterns {
                let key = CorrectionKey.make(fields: pattern) { i in i < record.values.count ? record.values[i]?.canonicalText : nil }
                if openKeys.contains(key) { hits.append(key) }
            }
        }
        if !hits.isEmpty { lock.withLock { found.formUnion(hits) } }
    }

    /// The open keys matched so far.
    var matched: Set<String> { lock.withLock { found } }
}
