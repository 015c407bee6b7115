import Foundation
import GongzhiTestSupport
import Testing

/// Runs the built `gongzhi` binary as a clerk or a script would.
@Suite("gongzhi command line", .serialized)
struct CLITests {
    /// The executable beside the test bundle (`swift build --build-tests` builds both).
    static let binary: URL = {
        var dir = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("gongzhi").path), dir.pathComponents.count > 1 {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("gongzhi")
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary with `arguments`, the test's environment plus `environment` (without DATABASE_URL
    /// unless given), and `input` on standard input (none when `nil`).
    static func run(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func check(_ run: Run, against contract: ContractCase) throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout: \(run.stdout)")
        let differences = ContractComparison.differences(actual: json, expected: try contract.expectedJSON(), decimalFields: contract.decimalFields)
        #expect(differences.isEmpty, Comment(rawValue: contract.name + "\n" + differences.joined(separator: "\n")))
        let records = ContractComparison.recordDifferences(actual: json["records"] as? [[String: Any]] ?? [],
                                                           expected: try contract.expectedRecords(), decimalFields: contract.decimalFields)
        #expect(records.isEmpty, Comment(rawValue: contract.name + " records\n" + records.joined(separator: "\n")))
    }

    @Test("import --json --records stores each sample and reproduces its expected result; exit 0, or 2 when refused",
          arguments: ContractCase.samples())
    func samples(_ contract: ContractCase) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try Self.run(["import", contract.file.path, "--indicator", contract.indicator.code, "--period", contract.period,
                                "--json", "--records"],
                               environment: ["GONGZHI_DB": dir.appendingPathComponent("db.sqlite").path,
                                             "GONGZHI_FILES": dir.appendingPathComponent("files").path])
        let refused = (try contract.expectedJSON()["refused"] as? Bool) == true
        #expect(run.status == (refused ? 2 : 0), Comment(rawValue: run.stderr))
        try Self.check(run, against: contract)
        #expect(run.stdout.contains("\"submission_id\""))
    }

    @Test("import --indicator-file validates each real-world case without a database", arguments: ContractCase.realworld())
    func realworld(_ contract: ContractCase) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let indicatorFile = contract.expected.deletingLastPathComponent().appendingPathComponent("indicator.yaml")
        let run = try Self.run(["import", contract.file.path, "--indicator-file", indicatorFile.path, "--period", contract.period,
                                "--json", "--records"],
                               environment: ["GONGZHI_DB": dir.appendingPathComponent("db.sqlite").path])
        #expect(run.status == 0, Comment(rawValue: run.stderr))
        try Self.check(run, against: contract)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("db.sqlite").path))
    }

    @Test("the readable summary, --dry-run, and exit status 1 for requests that cannot run")
    func summaryAndFailures() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["GONGZHI_DB": dir.appendingPathComponent("db.sqlite").path, "GONGZHI_FILES": dir.appendingPathComponent("files").path]
        let s01 = try #require(ContractCase.samples().first { $0.name.hasPrefix("S01") })
        let dry = try Self.run(["import", s01.file.path, "--indicator", "HOU-001", "--period", "2024-03", "--dry-run"], environment: env)
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("共 182 行：接收 165 行，退回 17 行"))
        #expect(dry.stdout.contains("第6行「买方证件号码」"))
        #expect(dry.stdout.contains("仅校验，未保存"))
        #expect(try Self.run(["import", "/no/such/file.xlsx", "--indicator", "HOU-001", "--period", "2024-03"], environment: env).status == 1)
        let unknown = try Self.run(["import", s01.file.path, "--indicator", "NOPE-001", "--period", "2024-03"], environment: env)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("不在当前目录中"))
        let period = try Self.run(["import", s01.file.path, "--indicator", "HOU-001", "--period", "2024Q1"], environment: env)
        #expect(period.status == 1)
        #expect(period.stderr.contains("归集周期"))
        let garbage = dir.appendingPathComponent("garbage.xlsx")
        try Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3]).write(to: garbage)
        let refused = try Self.run(["import", garbage.path, "--indicator", "HOU-001", "--period", "2024-03", "--json"], environment: env)
        #expect(refused.status == 2)
        #expect(refused.stdout.contains("\"error\": \"unreadable_file\""))
    }

    @Test("catalog load keeps the earlier version; migrate is idempotent")
    func catalogLoad() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = ["GONGZHI_DB": dir.appendingPathComponent("db.sqlite").path]
        #expect(try Self.run(["migrate"], environment: env).status == 0)
        #expect(try Self.run(["migrate"], environment: env).status == 0)
        let same = try Self.run(["catalog", "load", SharedData.catalogFile.path], environment: env)
        #expect(same.status == 0)
        #expect(same.stdout.contains("与当前版本相同"))
        let revised = dir.appendingPathComponent("catalog-2019.yaml")
        try String(contentsOf: SharedData.catalogFile, encoding: .utf8)
            .replacingOccurrences(of: "version: \"2017.1\"", with: "version: \"2019.1\"").write(to: revised, atomically: true, encoding: .utf8)
        let loaded = try Self.run(["catalog", "load", revised.path], environment: env)
        #expect(loaded.status == 0)
        #expect(loaded.stdout.contains("已载入目录 2019.1"))
        let broken = dir.appendingPathComponent("broken.yaml")
        try "catalog: [".write(to: broken, atomically: true, encoding: .utf8)
        let failed = try Self.run(["catalog", "load", broken.path], environment: env)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("目录文件格式错误"))
    }
}
