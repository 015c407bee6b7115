/// Per-user daily row limits of a ``Grant`` (issue 5: "per-user daily limits on rows queried and rows
/// downloaded"). A limit counts rows, not requests; `0` means the user may not query (or download) at all.
public struct QuotaLimits: Hashable, Sendable {
    /// Rows one user may see through queries and record views per calendar day.
    public var dailyQueryRows: Int
    /// Rows one user may download or export per calendar day.
    public var dailyDownloadRows: Int

    public init(dailyQueryRows: Int, dailyDownloadRows: Int) {
        self.dailyQueryRows = dailyQueryRows
        self.dailyDownloadRows = dailyDownloadRows
    }

    /// The limit for `kind`.
    public func limit(for kind: QuotaKind) -> Int {
        switch kind {
        case .query: dailyQueryRows
        case .download: dailyDownloadRows
        }
    }
}

/// What a quota counts.
public enum QuotaKind: String, Hashable, Sendable, CaseIterable {
    /// Rows returned by queries and record views. A query may be cut short to what is left.
    case query
    /// Rows downloaded or exported. All or nothing: a file is never silently cut short.
    case download

    public var chineseName: String {
        switch self {
        case .query: "查询"
        case .download: "下载"
        }
    }
}

/// Rows one user has used under one grant on one day: what storage keeps per (user, grant, day).
public struct QuotaUsage: Hashable, Sendable {
    /// The day the counts belong to (local calendar day).
    public var day: CalendarDate
    public var queriedRows: Int
    public var downloadedRows: Int

    public init(day: CalendarDate, queriedRows: Int = 0, downloadedRows: Int = 0) {
        self.day = day
        self.queriedRows = queriedRows
        self.downloadedRows = downloadedRows
    }

    /// The count for `kind` on `today`: `0` when these counts belong to another day (a new day starts afresh).
    public func used(_ kind: QuotaKind, on today: CalendarDate) -> Int {
        guard day == today else { return 0 }
        return switch kind {
        case .query: queriedRows
        case .download: downloadedRows
        }
    }

    /// The usage after `rows` more of `kind` on `today` (counts of another day are dropped first).
    public func adding(_ rows: Int, _ kind: QuotaKind, on today: CalendarDate) -> QuotaUsage {
        var next = day == today ? self : QuotaUsage(day: today)
        switch kind {
        case .query: next.queriedRows += rows
        case .download: next.downloadedRows += rows
        }
        return next
    }
}

/// The pure quota check (issue 5).
public enum Quota {
    /// How many of `requested` rows of `kind` the user may have now.
    ///
    /// - Returns: for `.query`, `min(requested, limit - used)` (a query is cut to what is left); for `.download`,
    ///   `requested` when it fits entirely.
    /// - Throws: ``QuotaError`` — `.exhausted` when nothing is left today, `.downloadTooLarge` when a download
    ///   would not fit, `.invalidCount` for a negative `requested`.
    public static func allowance(_ kind: QuotaKind, requested: Int, limits: QuotaLimits, usage: QuotaUsage,
                                 on today: CalendarDate) throws(QuotaError) -> Int {
        guard requested >= 0 else { throw .invalidCount(requested) }
        let limit = limits.limit(for: kind)
        let remaining = max(0, limit - usage.used(kind, on: today))
        if requested == 0 { return 0 }
        guard remaining > 0 else { throw .exhausted(kind, limit: limit) }
        switch kind {
        case .query:
            return min(requested, remaining)
        case .download:
            guard requested <= remaining else {
                throw .downloadTooLarge(requested: requested, remaining: remaining, limit: limit)
            }
            return requested
        }
    }
}

/// Why a quota check refused. `message` is Chinese for the clerk and names the limit.
public enum QuotaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing of `kind` is left today; `limit` rows a day.
    case exhausted(QuotaKind, limit: Int)
    /// A download of `requested` rows does not fit in the `remaining` rows of today's `limit`.
    case downloadTooLarge(requested: Int, remaining: Int, limit: Int)
    /// A negative row count.
    case invalidCount(Int)

    public var code: String {
        switch self {
        case .exhausted: "quota_exhausted"
        case .downloadTooLarge: "download_too_large"
        case .invalidCount: "invalid_count"
        }
    }

    /// Chinese message for the clerk.
    public var message: String {
        switch self {
        case .exhausted(let kind, let limit):
            "今日\(kind.chineseName)额度已用完（每人每日上限 \(limit) 条），请明日再试；如确有需要，请联系审批人调整授权。"
        case .downloadTooLarge(let requested, let remaining, let limit):
            "本次下载 \(requested) 条，超出今日剩余额度 \(remaining) 条（每人每日上限 \(limit) 条）：请缩小查询范围后再下载。"
        case .invalidCount(let n): "条数 \(n) 无效。"
        }
    }

    /// English detail for the log.
    public var description: String {
        switch self {
        case .exhausted(let kind, let limit): "\(kind.rawValue) quota exhausted (limit \(limit) rows/day)"
        case .downloadTooLarge(let r, let rem, let limit): "download of \(r) rows exceeds remaining \(rem) (limit \(limit))"
        case .invalidCount(let n): "invalid row count \(n)"
        }
    }
}
