import Foundation

/// Keeps uploaded files, content-addressed by SHA-256 under a root directory (`GONGZHI_FILES`):
/// `root/ab/abcdef….bin`. Storing the same content twice keeps one copy.
public struct FileStore: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    /// Where the file with `sha256` lives (whether or not it exists).
    public func url(for sha256: String) -> URL {
        root.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true).appendingPathComponent(sha256 + ".bin")
    }

    /// Copies `source` into the store under `sha256`. Returns `true` when a new copy was written.
    @discardableResult
    public func keep(_ source: URL, sha256: String) throws -> Bool {
        let target = url(for: sha256)
        let fm = FileManager.default
        if fm.fileExists(atPath: target.path) { return false }
        try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).part")
        try fm.copyItem(at: source, to: temporary)
        do {
            try fm.moveItem(at: temporary, to: target)
        } catch {
            try? fm.removeItem(at: temporary)
            if !fm.fileExists(atPath: target.path) { throw error }
            return false
        }
        return true
    }

    /// Removes the copy of `sha256` (used to undo a `keep` whose submission failed).
    public func remove(_ sha256: String) {
        try? FileManager.default.removeItem(at: url(for: sha256))
    }
}
