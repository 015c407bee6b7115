import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiServer
import GongzhiStore

/// `gongzhi import FILE --indicator CODE --period P`: validate a department's file and store it.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Validate a submission file (xlsx or CSV) and store its accepted records.",
        discussion: """
            Exit status: 0 when the file was read (even with rejected rows), 2 when it was refused whole (wrong template, \
            not xlsx or CSV, unreadable, empty or header-only, the same file again, too large), 1 on any other failure. \
            A refused file prints the same result object as any other (refused: true, counts 0, one error with its code) \
            and, unless --dry-run or --indicator-file, is stored as a refused submission.
            """
    )

    @Argument(help: "The file to import (.xlsx or .csv in UTF-8, UTF-8 with BOM or GB18030).")
    var file: String

    @Option(help: "Indicator code from the catalog, e.g. HOU-001.")
    var indicator: String?

    @Option(name: .customLong("indicator-file"), help: "Validate against one indicator definition in catalog YAML format instead (nothing is stored).")
    var indicatorFile: String?

    @Option(help: "Reporting period: 2024-03 (monthly), 2024Q1 (quarterly) or 2024 (yearly).")
    var period: String

    @Option(name: .customLong("acting-unit"), help: "The unit acting (default: the indicator's own unit; info-center for a proxy submission).")
    var actingUnit: String?

    @Option(name: .customLong("proxy-by"), help: "For a proxy submission (代为报送) by info-center: who acts.")
    var proxyBy: String?

    @Option(name: .customLong("proxy-reason"), help: "For a proxy submission: why the info center files for the unit.")
    var proxyReason: String?

    @Option(help: "When the period already holds accepted records: append (补报: add the corrected rows) or replace (更正: replace the whole submission).")
    var mode: String?

    @Flag(name: .customLong("confirm-period"), help: "File for --period although the file's title or dates name another period.")
    var confirmPeriod = false

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    @Flag(help: "With --json, also print the accepted records.")
    var records = false

    @Flag(name: .customLong("dry-run"), help: "Validate only; store nothing.")
    var dryRun = false

    func validate() throws {
        if (indicator == nil) == (indicatorFile == nil) {
            throw ValidationError("Give exactly one of --indicator CODE or --indicator-file PATH.")
        }
        if let mode, CorrectionMode(text: mode) == nil {
            throw ValidationError("--mode takes append (补报) or replace (更正), not \(mode).")
        }
    }

    func run() async throws {
        AppRunner.bootstrapLogging(level: .warning)
        let url = URL(fileURLWithPath: file)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            printError("找不到文件：\(file)")
            throw ExitStatus.failure
        }
        guard !isDirectory.boolValue else {
            printError("\(file) 是一个目录，不是文件：请给出要导入的 .xlsx 或 .csv 文件。")
            throw ExitStatus.failure
        }
        let collector = RecordCollector(enabled: records && json)
        let bar = TerminalProgress()
        defer { bar.finish() }
        let progress: @Sendable (Int) -> Void = { bar.update($0) }
        let report: ImportReport
        var extra: [(String, JSONValue)] = []
        var fields: [Field] = []
        var indicatorCode = indicator ?? ""
        do {
            if let indicatorFile {
                guard let yaml = try? String(contentsOfFile: indicatorFile, encoding: .utf8) else {
                    printError("无法读取数据项定义文件：\(indicatorFile)（不存在、不是文件或不是 UTF-8 文本）")
                    throw ExitStatus.failure
                }
                let definition = try CatalogLoader.indicator(yaml: yaml)
                fields = definition.fields
                indicatorCode = definition.code
                let config = try AppConfig.fromEnvironment()
                let validator = SubmissionValidator(divisions: try CatalogLoader.divisions(), clock: .system,
                                                    maxUploadBytes: config.maxUploadBytes, maxInflatedBytes: config.maxInflatedBytes)
                report = try await validator.validate(file: url, fileName: url.lastPathComponent, indicator: definition,
                                                      period: period, progress: progress, onRecords: collector.collect)
            } else {
                let code = indicator!
                (report, extra, fields) = try await AppRunner.withApp { app in
                    let service = app.submissions
                    guard let (_, definition) = try await CatalogRepository(database: app.db).currentIndicator(code: code) else {
                        throw SubmissionError.unknownIndicator(code)
                    }
                    if dryRun {
                        _ = try app.gongzhi.validator.checkPeriod(period, for: definition)
                        let report = try await app.gongzhi.validator.validate(file: url, fileName: url.lastPathComponent,
                                                                              indicator: definition, period: period,
                                                                              progress: progress, onRecords: collector.collect)
                        return (report, [], definition.fields)
                    }
                    let outcome = try await service.submit(file: url, fileName: url.lastPathComponent, indicatorCode: code,
                                                           period: period, by: .commandLine(unit: actingUnit ?? definition.unit),
                                                           proxy: proxyBy == nil && proxyReason == nil ? nil
                                                               : ProxyNote(actedBy: proxyBy ?? "", reason: proxyReason ?? ""),
                                                           mode: mode.flatMap(CorrectionMode.init(text:)), confirmPeriod: confirmPeriod,
                                                           progress: progress, onRecords: collector.collect)
                    return (outcome.report, SubmissionService.extraJSON(id: outcome.submissionID, status: outcome.report.outcome),
                            definition.fields)
                }
            }
        } catch let error as SubmissionError {
            bar.finish()
            if json, case .unreadable(let refusal) = error {
                // Too large or not openable: refused before it was read (nothing stored), the same result object.
                let report = ImportReport(refusing: refusal, indicator: indicatorCode, period: period, file: url.lastPathComponent)
                print(report.contractJSON().serialized(pretty: true))
            } else if json {
                let body = JSONValue.object([("refused", .bool(error.isRefusal)), ("error", .string(error.code)),
                                             ("message", .string(error.message))])
                print(body.serialized(pretty: true))
            } else {
                printError(error.message)
            }
            throw error.isRefusal ? ExitStatus.refused : ExitStatus.failure
        } catch let error as CatalogError {
            printError(error.description)
            throw ExitStatus.failure
        } catch let error as ExitCode {
            throw error
        } catch {
            // Storage and other failures: the detail is for the operator (the database's own words).
            printError("导入失败，未保存任何数据：\(String(reflecting: error))")
            throw ExitStatus.failure
        }

        bar.finish()
        if json {
            let recordsJSON: JSONValue? = collector.enabled ? .array(collector.records.map { $0.contractJSON(fields: fields) }) : nil
            print(report.contractJSON(extra: extra, records: recordsJSON).serialized(pretty: true))
        } else {
            print(Self.summary(report, stored: extra.first.flatMap { if case .string(let id) = $0.1 { id } else { nil } }))
        }
        if report.refused { throw ExitStatus.refused }
    }

    /// A readable summary for a terminal.
    static func summary(_ report: ImportReport, stored id: String?) -> String {
        var lines: [String] = []
        var place = report.file
        if let sheet = report.sheet { place += "，工作表「\(sheet)」" }
        if let encoding = report.encoding { place += "，编码 \(encoding)" }
        if let header = report.headerRow { place += "，表头在第 \(header) 行" }
        lines.append("\(report.indicator) \(report.period)：\(place)")
        if report.refused {
            lines.append("拒收（\(report.refusalCode?.chineseName ?? "")）：\(report.refusal ?? "")")
            if let id { lines.append("已记入报送记录，报送编号 \(id)") }
            return lines.joined(separator: "\n")
        }
        lines.append("共 \(report.rowsTotal) 行：接收 \(report.rowsAccepted) 行，退回 \(report.rowsRejected) 行；自动规范 \(report.normalized.count) 处。")
        if let id { lines.append("已保存，报送编号 \(id)") } else { lines.append("（仅校验，未保存）") }
        if !report.errors.isEmpty {
            lines.append("错误：")
            for issue in report.errors.prefix(200) {
                lines.append("  " + issue.locatedMessage + (issue.value.map { "〔\($0)〕" } ?? ""))
            }
            if report.errors.count > 200 { lines.append("  ……另有 \(report.errors.count - 200) 处，用 --json 查看全部") }
        }
        return lines.joined(separator: "\n")
    }
}

/// Keeps accepted records for `--records` output.
final class RecordCollector: @unchecked Sendable {
    let enabled: Bool
    private(set) var records: [AcceptedRecord] = []
    private let lock = NSLock()

    init(enabled: Bool) {
        self.enabled = enabled
    }

    @Sendable func collect(_ batch: RecordBatch) async throws {
        guard enabled else { return }
        lock.withLock { records.append(contentsOf: batch.records) }
    }
}
