import Foundation
import GongzhiServer
import Logging
import Vapor

/// Boots the application for command-line jobs (no HTTP server), runs `body`, shuts down.
enum AppRunner {
    static func withApp<T>(clock: PlatformClock = .system, _ body: (Application) async throws -> T) async throws -> T {
        let config = try AppConfig.fromEnvironment()
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
