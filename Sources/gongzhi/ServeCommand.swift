import ArgumentParser
import Foundation
import GongzhiCore
import FluentKit
import GongzhiIngest
import GongzhiServer
import GongzhiStore
import Vapor

/// `gongzhi serve`: the web application and JSON API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Start the web server (pages in Chinese, JSON API under /api/v1).")

    @ArgumentParser.Option(help: "Address to listen on.")
    var hostname = "127.0.0.1"

    @ArgumentParser.Option(help: "Port to listen on.")
    var port = 8080

    @ArgumentParser.Option(help: "Import demo data first: a folder of sample folders, each with a <INDICATOR>_<PERIOD>.xlsx|csv file (e.g. ../shared/samples).")
    var demo: String?

    func run() async throws {
        AppRunner.bootstrapLogging(level: .info)
        let config = try AppConfig.fromEnvironment()
        let environment = Environment(name: "production", arguments: ["gongzhi", "serve", "--hostname", hostname, "--port", String(port)])
        let app = try await Application.make(environment)
        do {
            try await configure(app, config: config)
            if let demo {
                try await DemoData.load(folder: URL(fileURLWithPath: demo), into: app)
            }
            app.logger.notice("Gongzhi serving on http://\(hostname):\(port) (database: \(Self.describe(config.database)))")
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    static func describe(_ database: AppConfig.DatabaseChoice) -> String {
        switch database {
        case .sqlite(let path): "SQLite \(path)"
        case .postgres: "PostgreSQL"
        }
    }
}

/// Loads sample submissions as demo data, once each (a file already submitted is skipped).
enum DemoData {
    static func load(folder: URL, into app: Application) async throws {
        let fm = FileManager.default
        let service = app.submissions
        let existing = Set(try await SubmissionRecord.query(on: app.db).all().map(\.fileSHA256))
        var files: [URL] = []
        for name in (try fm.contentsOfDirectory(atPath: folder.path)).sorted() {
            let dir = folder.appendingPathComponent(name)
            for file in (try? fm.contentsOfDirectory(atPath: dir.path))?.sorted() ?? [] where file.hasSuffix(".xlsx") || file.hasSuffix(".csv") {
                files.append(dir.appendingPathComponent(file))
            }
        }
        for file in files {
            let stem = file.deletingPathExtension().lastPathComponent
            guard let split = stem.lastIndex(of: "_") else { continue }
            let indicator = String(stem[..<split]), period = String(stem[stem.index(after: split)...])
            if existing.contains(try FileDigest.sha256(of: file)) { continue }
            do {
                let outcome = try await service.submit(file: file, fileName: file.lastPathComponent, indicatorCode: indicator,
                                                       period: period, actingUnit: SubmissionService.proxyUnit,
                                                       proxy: ProxyNote(actedBy: "gongzhi serve --demo", reason: "演示数据：载入样例文件"))
                app.logger.notice("demo: \(file.lastPathComponent) → \(outcome.report.rowsAccepted)/\(outcome.report.rowsTotal) accepted")
            } catch {
                app.logger.warning("demo: \(file.lastPathComponent) skipped: \(error)")
            }
        }
    }
}
