import ArgumentParser
import Foundation
import GongzhiIngest
import GongzhiServer
import GongzhiStore

/// `gongzhi catalog …`: catalog versions.
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "catalog", abstract: "Manage the data-item catalog.",
                                                    subcommands: [Load.self])

    /// `gongzhi catalog load FILE`.
    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load",
            abstract: "Load a catalog version (catalog.yaml schema). Earlier versions and their submissions are kept as they were.")

        @Argument(help: "The catalog YAML file.")
        var file: String

        func run() async throws {
            AppRunner.bootstrapLogging(level: .warning)
            guard let yaml = try? String(contentsOfFile: file, encoding: .utf8) else {
                printError("无法读取目录文件：\(file)（不存在、不是文件或不是 UTF-8 文本）")
                throw ExitStatus.failure
            }
            do {
                let outcome = try await AppRunner.withApp { app in
                    try await CatalogService(database: app.db, clock: app.gongzhi.clock).load(yaml: yaml, by: .commandLine())
                }
                switch outcome {
                case .unchanged(let version): print("目录 \(version) 与当前版本相同，未改动。")
                case .loaded(let version, let indicators, let units): print("已载入目录 \(version)：\(units) 个单位，\(indicators) 个数据项。")
                }
            } catch let error as CatalogError {
                printError(error.description)
                throw ExitStatus.failure
            }
        }
    }
}

/// `gongzhi migrate`: apply database migrations (the server also does this on start).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations and load the seed catalog if none is loaded.")

    func run() async throws {
        AppRunner.bootstrapLogging(level: .warning)
        try await AppRunner.withApp { _ in }
        print("数据库已是最新。")
    }
}
