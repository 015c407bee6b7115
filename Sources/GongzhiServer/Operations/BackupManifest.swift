import Foundation
import GongzhiCore
import GongzhiIngest

/// The manifest of a backup directory (issue 14 §1, 附件1 第十四条): `manifest.json` lists every file of the
/// backup with its size and SHA-256, the audit log head and the catalog version of the snapshot;
/// `manifest.json.sha256` holds the manifest's own SHA-256, so an edited manifest is noticed too.
///
/// Layout of a backup directory:
/// ```
/// DIR/manifest.json          this value, JSON (snake_case keys)
/// DIR/manifest.json.sha256   hex SHA-256 of manifest.json
/// DIR/database.sqlite        SQLite: a VACUUM INTO copy   | DIR/database.pgdump  PostgreSQL: pg_dump -Fc
/// DIR/files/ab/abcd….bin     the file store, content-addressed as FileStore keeps it
/// ```
public struct BackupManifest: Codable, Sendable, Equatable {
    /// One file of the backup: its path relative to the backup directory, bytes and lowercase hex SHA-256.
    public struct Entry: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int64
        public var sha256: String

        public init(path: String, bytes: Int64, sha256: String) {
            self.path = path
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    /// The manifest format; a restore refuses formats it does not know.
    public static let currentFormat = 1
    public static let fileName = "manifest.json"
    public static let digestFileName = "manifest.json.sha256"

    public var format: Int
    /// When the snapshot was taken, ISO 8601 UTC.
    public var createdAt: String
    /// `sqlite` or `postgres`: which restore path applies.
    public var database: String
    /// The database file within the backup (`database.sqlite` or `database.pgdump`).
    public var databaseFile: String
    /// The snapshot's audit log head, `SEQ:HASH` (as `gongzhi audit verify` prints it).
    public var auditHead: String
    public var auditEntries: Int
    public var catalogVersion: String?
    /// Rows per main table in the snapshot (see ``SnapshotFacts/countedTables``).
    public var counts: [String: Int]
    /// Every file of the backup but the manifest itself.
    public var files: [Entry]

    public init(format: Int = BackupManifest.currentFormat, createdAt: String, database: String, databaseFile: String,
                auditHead: String, auditEntries: Int, catalogVersion: String?, counts: [String: Int], files: [Entry]) {
        self.format = format
        self.createdAt = createdAt
        self.database = database
        self.databaseFile = databaseFile
        self.auditHead = auditHead
        self.auditEntries = auditEntries
        self.catalogVersion = catalogVersion
        self.counts = counts
        self.files = files
    }

    /// Total bytes of the listed files.
    public var totalBytes: Int64 { files.reduce(0) { $0 + $1.bytes } }

    /// The stored files (entries under `files/`).
    public var storedFiles: [Entry] { files.filter { $0.path.hasPrefix("files/") } }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()

    /// The manifest as `manifest.json` holds it.
    public static func jsonData(_ manifest: BackupManifest) throws -> Data {
        try encoder.encode(manifest)
    }

    /// Writes `manifest.json` and its digest file into `directory`.
    public func write(to directory: URL) throws {
        let data = try Self.encoder.encode(self)
        try data.write(to: directory.appendingPathComponent(Self.fileName), options: .atomic)
        try Data((FileDigest.sha256(of: data) + "\n").utf8)
            .write(to: directory.appendingPathComponent(Self.digestFileName), options: .atomic)
    }

    /// Reads the manifest of the backup in `directory` and checks it against its digest file.
    /// - Throws: ``BackupError/manifestMissing(_:)``, ``BackupError/manifestAltered``,
    ///   ``BackupError/manifestUnreadable(_:)``.
    public static func read(from directory: URL) throws -> BackupManifest {
        let url = directory.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url) else { throw BackupError.manifestMissing(url.path) }
        let noted = (try? String(contentsOf: directory.appendingPathComponent(digestFileName), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard noted == FileDigest.sha256(of: data) else { throw BackupError.manifestAltered }
        let manifest: BackupManifest
        do {
            manifest = try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError.manifestUnreadable(String(describing: error))
        }
        guard manifest.format == currentFormat else { throw BackupError.manifestUnreadable("格式版本 \(manifest.format)") }
        guard AuditChain.Anchor(text: manifest.auditHead) != nil else { throw BackupError.manifestUnreadable("审计日志末条 \(manifest.auditHead)") }
        return manifest
    }

    /// Every way the files in `directory` differ from this manifest (Chinese, one line each; empty when they
    /// match): a listed file missing, of another size or digest, a stored file whose name is not its digest,
    /// a file present but not listed.
    public func differences(in directory: URL) -> [String] {
        var problems: [String] = []
        var listed = Set<String>()
        for entry in files {
            listed.insert(entry.path)
            guard !entry.path.contains(".."), !entry.path.hasPrefix("/") else {
                problems.append("清单中的路径不合法：\(entry.path)")
                continue
            }
            let url = directory.appendingPathComponent(entry.path)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
                  let size = (attributes[.size] as? NSNumber)?.int64Value else {
                problems.append("缺少文件：\(entry.path)")
                continue
            }
            if size != entry.bytes {
                problems.append("文件大小不符：\(entry.path)（清单 \(entry.bytes) 字节，实际 \(size) 字节）")
                continue
            }
            if (try? FileDigest.sha256(of: url)) != entry.sha256.lowercased() {
                problems.append("文件内容与清单的 SHA-256 不符：\(entry.path)")
            }
            if entry.path.hasPrefix("files/"), !entry.path.hasSuffix("/\(entry.sha256).bin") {
                problems.append("存储文件名与其 SHA-256 不符：\(entry.path)")
            }
        }
        for path in Self.regularFiles(under: directory) where !listed.contains(path)
            && path != Self.fileName && path != Self.digestFileName {
            problems.append("清单未列出的文件：\(path)")
        }
        return problems
    }

    /// Paths (relative, `/`-separated) of the regular files under `directory`, sorted.
    static func regularFiles(under directory: URL) -> [String] {
        let base = directory.standardizedFileURL.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(at: directory.standardizedFileURL.resolvingSymlinksInPath(),
                                                          includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var paths: [String] = []
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard path.hasPrefix(base + "/") else { continue }
            paths.append(String(path.dropFirst(base.count + 1)))
        }
        return paths.sorted()
    }
}

extension AuditChain.Anchor {
    /// Parses `SEQ:HASH` (a 64-digit hex hash); `nil` when malformed.
    public init?(text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let seq = Int(parts[0]), seq >= 0, parts[1].count == 64,
              parts[1].allSatisfy(\.isHexDigit) else { return nil }
        self.init(sequence: seq, hash: parts[1].lowercased())
    }

    /// `SEQ:HASH`.
    public var text: String { "\(sequence):\(hash)" }
}

/// Why a backup or a restore was refused or failed (issue 14 §1). Messages are for the operator, in Chinese.
public enum BackupError: Error, Sendable, CustomStringConvertible, Equatable {
    /// `--to` names a directory that already holds files.
    case targetNotEmpty(String)
    /// `manifest.json` is missing from `--from`.
    case manifestMissing(String)
    /// `manifest.json` does not match `manifest.json.sha256`.
    case manifestAltered
    /// The manifest cannot be read (the reason).
    case manifestUnreadable(String)
    /// The backup's files do not match the manifest (each difference).
    case filesDoNotMatch([String])
    /// The restore target database already holds data (what was found).
    case databaseNotEmpty(String)
    /// The restore target file store already holds files.
    case fileStoreNotEmpty(String)
    /// The backup was taken from the other kind of database than the one configured.
    case wrongDatabaseKind(backup: String, configured: String)
    /// The database refers to stored files that are not in the store (their SHA-256s).
    case filesMissing([String])
    /// A stored file's content is not what its name says (corrupt file store).
    case storedFileCorrupt(String)
    /// `pg_dump` or `pg_restore` failed or is missing.
    case toolFailed(tool: String, detail: String)
    /// After the restore, the audit chain does not verify against the manifest's head.
    case auditBroken(String)

    public var description: String {
        switch self {
        case .targetNotEmpty(let path): "备份目录已有文件：\(path)。请指定一个新的或空的目录。"
        case .manifestMissing(let path): "找不到备份清单：\(path)。这不是一份完整的备份。"
        case .manifestAltered: "备份清单与其校验值（manifest.json.sha256）不符：清单已被改动，拒绝恢复。"
        case .manifestUnreadable(let reason): "备份清单无法读取：\(reason)。"
        case .filesDoNotMatch(let problems):
            "备份文件与清单不符，拒绝恢复（共 \(problems.count) 处）：" + problems.prefix(10).joined(separator: "；")
        case .databaseNotEmpty(let detail): "目标数据库不是空的（\(detail)），拒绝恢复。请恢复到一个新建的空数据库。"
        case .fileStoreNotEmpty(let path): "目标文件存储目录不是空的：\(path)，拒绝恢复。"
        case .wrongDatabaseKind(let backup, let configured):
            "这份备份来自 \(backup) 数据库，而当前配置的是 \(configured)，无法直接恢复。"
        case .filesMissing(let shas):
            "数据库引用的 \(shas.count) 个文件不在文件存储中：" + shas.prefix(5).joined(separator: "、")
        case .storedFileCorrupt(let path): "文件存储中的文件内容与其文件名（SHA-256）不符：\(path)。请先查明原因。"
        case .toolFailed(let tool, let detail): "\(tool) 执行失败：\(detail)"
        case .auditBroken(let message): "恢复后的审计日志未通过校验：\(message)"
        }
    }
}
