import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard error — rows read and rows per second — shown only when standard
/// error is a terminal and the import has run for more than a second.
final class TerminalProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let start = Date()
    private var lastPrint = Date.distantPast
    private var shown = false
    private let enabled: Bool
    private let total: Int?

    /// - Parameter estimatedRows: a row count to show a bar against, when known.
    init(estimatedRows: Int? = nil) {
        enabled = isatty(STDERR_FILENO) == 1
        total = estimatedRows
    }

    /// Reports `rows` data rows read so far.
    func update(_ rows: Int) {
        guard enabled else { return }
        lock.withLock {
            let now = Date()
            let elapsed = now.timeIntervalSince(start)
            guard elapsed > 1, now.timeIntervalSince(lastPrint) > 0.25 else { return }
            lastPrint = now
            shown = true
            let rate = Int(Double(rows) / max(elapsed, 0.001))
            var line = "\r已读取 \(Self.grouped(rows)) 行 · \(Self.grouped(rate)) 行/秒 · \(Int(elapsed)) 秒"
            if let total, total > 0 {
                let fraction = min(Double(rows) / Double(total), 1)
                let filled = Int(fraction * 30)
                line = "\r[" + String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled) + "] " + line.dropFirst()
            }
            FileHandle.standardError.write(Data((line + "   ").utf8))
        }
    }

    /// Ends the progress line, if one was shown.
    func finish() {
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\n".utf8)) }
            shown = false
        }
    }

    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }
}
