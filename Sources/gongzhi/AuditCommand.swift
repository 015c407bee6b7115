import ArgumentParser
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore

/// `gongzhi audit`: the audit log (第十四条–第十五条).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "The tamper-evident audit log.",
        subcommands: [AuditVerifyCommand.self]
    )
}

/// `gongzhi audit verify`: walks the hash chain and names the first entry that was edited, deleted or reordered.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the audit log's hash chain; exit 0 when intact, 1 naming the first broken entry.",
        discussion: """
        gongzhi audit verify [--head SEQ:HASH] [--json]
          Prints 审计日志完整：共 N 条 and the newest entry's SEQ:HASH. Note that head somewhere outside the
          database: a later run with --head SEQ:HASH also catches the newest entries being dropped, or the log
          being rewritten from some entry on with fresh hashes, which the chain alone cannot show.
        """)

    @Option(help: "A head noted earlier, SEQ:HASH: the log must still reach entry SEQ, and it must carry HASH.")
    var head: String?

    @Flag(help: "Print one JSON object: {intact, count | seq, position, reason, message, head: {seq, hash}}.")
    var json = false

    @Option(name: .customLong("batch-size"), help: "Entries read at a time.")
    var batchSize = 5000

    func validate() throws {
        if let head, Self.anchor(head) == nil {
            throw ValidationError("--head 应写成 序号:哈希，如 1024:3f5a…（64 位十六进制）。")
        }
    }

    static func anchor(_ text: String) -> AuditChain.Anchor? {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let seq = Int(parts[0]), seq >= 0, parts[1].count == 64,
              parts[1].allSatisfy(\.isHexDigit) else { return nil }
        return AuditChain.Anchor(sequence: seq, hash: parts[1].lowercased())
    }

    func run() async throws {
        AppRunner.bootstrapLogging(level: .warning)
        let noted = head.flatMap(Self.anchor)
        let outcome = try await AppRunner.withApp(existingDatabase: true) { app in
            let audit = app.gongzhi.audit(on: app.db)
            let outcome = try await audit.log.verify(batchSize: batchSize, head: noted)
            try await audit.record(.auditView, by: .commandLine(),
                                   AuditTarget(query: "gongzhi audit verify" + (head.map { " --head \($0)" } ?? ""),
                                               detail: "verify: " + Self.code(outcome.result)))
            return outcome
        }
        let headJSON = JSONValue.object([("seq", .int(outcome.head.sequence)), ("hash", .string(outcome.head.hash))])
        switch outcome.result {
        case .intact(let count):
            if json {
                print(JSONValue.object([("intact", .bool(true)), ("count", .int(count)), ("head", headJSON)]).serialized())
            } else {
                print("审计日志完整：共 \(count) 条")
                print("末条：\(outcome.head.sequence):\(outcome.head.hash)（请另处记下，日后用 --head 核对）")
            }
        case .broken(let failure):
            if json {
                print(JSONValue.object([
                    ("intact", .bool(false)), ("seq", failure.sequence.map(JSONValue.int) ?? .null),
                    ("position", .int(failure.position)), ("reason", .string(failure.reason.code)),
                    ("message", .string(failure.message)), ("head", headJSON),
                ]).serialized())
            } else {
                print("审计日志不完整：" + failure.message)
                let at = failure.sequence.map { "第 \($0) 条" } ?? "日志末尾"
                print("首个问题：\(at)（\(failure.reason.code)）；此前 \(failure.position) 条完好。")
            }
            throw ExitStatus.failure
        }
    }

    static func code(_ result: AuditChain.Verification) -> String {
        switch result {
        case .intact(let count): "intact count=\(count)"
        case .broken(let b): "\(b.reason.code) seq=\(b.sequence.map(String.init) ?? "-")"
        }
    }
}
