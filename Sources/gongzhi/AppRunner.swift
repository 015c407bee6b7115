import Foundation
import GongzhiServer
import Logging
import Vapor

/// Boots the application for command-line jobs (no HTTP server), runs `body`, shuts down.
enum AppRunner {
    /// - Parameter existingDatabase: for commands that only read: refuse to create (and seed) a new SQLite file
    ///   when the configured one is missing, which is nearly always a mistyped `GONGZHI_DB`.
    static func withApp<T>(clock: PlatformClock = .system, existingDatabase: Bool = false,
                           _ body: (Application) async throws -> T) async throws -> T {
        let config = try AppConfig.fromEnvironment()
        if existingDatabase, case .sqlite(let path) = config.database, path != ":memory:",
           !FileManager.default.fileExists(atPath: path) {
            printError("数据库文件不存在：\(path)（请检查 GONGZHI_DB）。")
            throw ExitStatus.failure
        }
        var environment = try Environment.detect(arguments: ["gongzhi"])
        environment.arguments = ["gongzhi"]
        let app = try await Application.make(environment)
        app.logger.logLevel = .warning
        do {
            try await configure(app, config: config, clock: clock)
            let result = try await body(app)
            try await app.asyncShutdown()
            return result
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// Sends library logs to standard error at `level`, so that standard output carries only the result.
    static func bootstrapLogging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Writes `text` and a newline to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
