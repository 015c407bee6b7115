import Foundation

/// The rules of the monthly inspection (每月巡检, 附件1 第十四条 “定期备份……每月巡检”; issue 14 §2): what the
/// platform flags. Pure values; the server gathers the facts and passes the time in.
public struct InspectionRules: Sendable, Equatable {
    /// An active account with no sign-in or other act for this many days is named (90).
    public var unusedAccountDays: Int
    /// An API token older than this many days is named (365), as is one never used.
    public var tokenMaxAgeDays: Int
    /// The newest successful backup may be at most this many days old (7: a weekly backup at least).
    public var backupMaxAgeDays: Int
    /// A unit's downloads in the month are a spike when more than this many times the median of its
    /// previous months (3).
    public var spikeFactor: Int
    /// …and at least this many (10): a handful of downloads is never a spike.
    public var spikeMinimum: Int
    /// How many previous months make a unit's usual volume (6).
    public var baselineMonths: Int

    public init(unusedAccountDays: Int = 90, tokenMaxAgeDays: Int = 365, backupMaxAgeDays: Int = 7, spikeFactor: Int = 3,
                spikeMinimum: Int = 10, baselineMonths: Int = 6) {
        self.unusedAccountDays = unusedAccountDays
        self.tokenMaxAgeDays = tokenMaxAgeDays
        self.backupMaxAgeDays = backupMaxAgeDays
        self.spikeFactor = spikeFactor
        self.spikeMinimum = spikeMinimum
        self.baselineMonths = baselineMonths
    }

    /// The platform's rules.
    public static let standard = InspectionRules()
}

/// What the platform knows for one month's inspection (gathered by the server from the audit log, the
/// backup runs, users, tokens, grants, submissions and the file store).
public struct InspectionFacts: Sendable, Equatable {
    /// One account: its login name, unit, when it was created and when it last acted (sign-in, token use,
    /// any audited act), if ever.
    public struct Account: Sendable, Equatable {
        public var username: String
        public var unitCode: String
        public var createdAt: Date
        public var lastActivity: Date?
        public init(username: String, unitCode: String, createdAt: Date, lastActivity: Date?) {
            self.username = username
            self.unitCode = unitCode
            self.createdAt = createdAt
            self.lastActivity = lastActivity
        }
    }

    /// One API token not revoked.
    public struct Token: Sendable, Equatable {
        public var name: String
        public var username: String
        public var createdAt: Date
        public var lastUsedAt: Date?
        public init(name: String, username: String, createdAt: Date, lastUsedAt: Date?) {
            self.name = name
            self.username = username
            self.createdAt = createdAt
            self.lastUsedAt = lastUsedAt
        }
    }

    /// One grant not revoked, with its last day of validity (`expires_on`).
    public struct Grant: Sendable, Equatable {
        public var id: String
        public var granteeUnit: String
        public var indicatorCode: String
        public var expiresOn: CalendarDate
        public init(id: String, granteeUnit: String, indicatorCode: String, expiresOn: CalendarDate) {
            self.id = id
            self.granteeUnit = granteeUnit
            self.indicatorCode = indicatorCode
            self.expiresOn = expiresOn
        }
    }

    /// One run of `gongzhi backup`.
    public struct Backup: Sendable, Equatable {
        public var finishedAt: Date
        public var succeeded: Bool
        public var auditHead: String?
        public init(finishedAt: Date, succeeded: Bool, auditHead: String?) {
            self.finishedAt = finishedAt
            self.succeeded = succeeded
            self.auditHead = auditHead
        }
    }

    /// The month inspected, `2024-03`.
    public var month: String
    /// When the inspection runs (ages are measured to it).
    public var now: Date
    /// Today's date in the platform's time zone (grant expiry is by date).
    public var today: CalendarDate
    /// The audit chain walked whole: intact, the head (`SEQ:HASH`) and the entries, or the first break.
    public var auditIntact: Bool
    public var auditHead: String
    public var auditEntries: Int
    public var auditProblem: String?
    /// The backup runs finished in the month.
    public var backups: [Backup]
    /// When the newest successful backup finished (any month up to now), if ever.
    public var lastSuccessfulBackup: Date?
    /// Failed sign-ins in the month, and those that locked an account.
    public var failedLogins: Int
    public var lockouts: Int
    /// Active (not disabled) accounts.
    public var accounts: [Account]
    public var tokens: [Token]
    public var grants: [Grant]
    /// Downloads per unit code: the month's count and the counts of the previous months (oldest first).
    public var downloads: [String: (month: Int, previous: [Int])]
    /// Imports received in the month, and those that failed (refused whole or interrupted).
    public var importsTotal: Int
    public var importsFailed: Int
    /// The file store: bytes and files.
    public var fileStoreBytes: Int64
    public var fileStoreFiles: Int

    public init(month: String, now: Date, today: CalendarDate, auditIntact: Bool, auditHead: String, auditEntries: Int,
                auditProblem: String?, backups: [Backup], lastSuccessfulBackup: Date?, failedLogins: Int, lockouts: Int, accounts: [Account],
                tokens: [Token], grants: [Grant], downloads: [String: (month: Int, previous: [Int])], importsTotal: Int,
                importsFailed: Int, fileStoreBytes: Int64, fileStoreFiles: Int) {
        self.month = month
        self.now = now
        self.today = today
        self.auditIntact = auditIntact
        self.auditHead = auditHead
        self.auditEntries = auditEntries
        self.auditProblem = auditProblem
        self.backups = backups
        self.lastSuccessfulBackup = lastSuccessfulBackup
        self.failedLogins = failedLogins
        self.lockouts = lockouts
        self.accounts = accounts
        self.tokens = tokens
        self.grants = grants
        self.downloads = downloads
        self.importsTotal = importsTotal
        self.importsFailed = importsFailed
        self.fileStoreBytes = fileStoreBytes
        self.fileStoreFiles = fileStoreFiles
    }

    public static func == (a: InspectionFacts, b: InspectionFacts) -> Bool {
        a.month == b.month && a.now == b.now && a.auditHead == b.auditHead && a.accounts == b.accounts && a.tokens == b.tokens
            && a.grants == b.grants && a.backups == b.backups && a.lastSuccessfulBackup == b.lastSuccessfulBackup && a.downloads.keys == b.downloads.keys
            && a.downloads.allSatisfy { k, v in b.downloads[k].map { $0.month == v.month && $0.previous == v.previous } ?? false }
            && a.failedLogins == b.failedLogins && a.lockouts == b.lockouts && a.importsFailed == b.importsFailed
    }
}

/// The monthly inspection report (每月巡检): one line per item with whether it needs attention, and the
/// accounts, tokens, grants and units it names.
public struct InspectionReport: Sendable, Equatable {
    /// One checked item: its name, whether it is in order, and a sentence for the report (Chinese).
    public struct Item: Sendable, Equatable {
        public var key: String
        public var title: String
        public var ok: Bool
        public var summary: String

        public init(key: String, title: String, ok: Bool, summary: String) {
            self.key = key
            self.title = title
            self.ok = ok
            self.summary = summary
        }
    }

    /// A unit whose downloads in the month exceed ``InspectionRules/spikeFactor`` × the median of its
    /// previous months.
    public struct Spike: Sendable, Equatable {
        public var unitCode: String
        public var count: Int
        public var median: Double

        public init(unitCode: String, count: Int, median: Double) {
            self.unitCode = unitCode
            self.count = count
            self.median = median
        }
    }

    /// A token named, and why (`never_used`, `too_old`, or both).
    public struct StaleToken: Sendable, Equatable {
        public var token: InspectionFacts.Token
        public var neverUsed: Bool
        public var tooOld: Bool

        public init(token: InspectionFacts.Token, neverUsed: Bool, tooOld: Bool) {
            self.token = token
            self.neverUsed = neverUsed
            self.tooOld = tooOld
        }
    }

    public var month: String
    public var items: [Item]
    public var unusedAccounts: [InspectionFacts.Account]
    public var staleTokens: [StaleToken]
    public var expiredGrants: [InspectionFacts.Grant]
    public var spikes: [Spike]
    /// Whole days since the newest successful backup; `nil` when none was ever taken.
    public var newestBackupAgeDays: Int?
    /// Backup runs finished in the month.
    public var backupsInMonth: Int

    /// Whether every item is in order.
    public var allClear: Bool { items.allSatisfy(\.ok) }
}

/// The computation of the monthly inspection (附件1 第十四条): thresholds and the spike rule over
/// ``InspectionFacts``.
public enum MonthlyInspection {
    /// The median of `values` (0 for none).
    public static func median(_ values: [Int]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Whether `count` downloads in a month are a spike against the `previous` months: at least
    /// ``InspectionRules/spikeMinimum`` and more than ``InspectionRules/spikeFactor`` × ``usualVolume(_:rules:)``.
    /// A unit with no download before (usual volume 0) spikes as soon as it reaches the minimum.
    public static func isSpike(count: Int, previous: [Int], rules: InspectionRules = .standard) -> Bool {
        guard count >= rules.spikeMinimum else { return false }
        return Double(count) > Double(rules.spikeFactor) * usualVolume(previous, rules: rules)
    }

    /// A unit's usual monthly volume: the median of its last ``InspectionRules/baselineMonths`` months,
    /// counted from its first month with any download (the months before it did not use the platform yet).
    public static func usualVolume(_ previous: [Int], rules: InspectionRules = .standard) -> Double {
        median(Array(previous.drop(while: { $0 == 0 }).suffix(rules.baselineMonths)))
    }

    /// Judges `facts` by `rules`: each item in order or not, and what it names (unused accounts, stale
    /// tokens, expired grants still listed, download spikes).
    public static func inspect(_ facts: InspectionFacts, rules: InspectionRules = .standard) -> InspectionReport {
        let day: TimeInterval = 86_400
        func days(since date: Date) -> Int { Int((facts.now.timeIntervalSince(date) / day).rounded(.down)) }

        let unused = facts.accounts.filter { days(since: $0.lastActivity ?? $0.createdAt) >= rules.unusedAccountDays }
            .sorted { ($0.unitCode, $0.username) < ($1.unitCode, $1.username) }
        let stale = facts.tokens.compactMap { token -> InspectionReport.StaleToken? in
            let never = token.lastUsedAt == nil
            let old = days(since: token.createdAt) >= rules.tokenMaxAgeDays
            return never || old ? .init(token: token, neverUsed: never, tooOld: old) : nil
        }.sorted { ($0.token.username, $0.token.name) < ($1.token.username, $1.token.name) }
        let expired = facts.grants.filter { $0.expiresOn < facts.today }.sorted { ($0.granteeUnit, $0.indicatorCode) < ($1.granteeUnit, $1.indicatorCode) }
        let spikes = facts.downloads.compactMap { unit, counts -> InspectionReport.Spike? in
            isSpike(count: counts.month, previous: counts.previous, rules: rules)
                ? .init(unitCode: unit, count: counts.month, median: usualVolume(counts.previous, rules: rules)) : nil
        }.sorted { $0.unitCode < $1.unitCode }
        let newest = facts.lastSuccessfulBackup
        let age = newest.map { days(since: $0) }
        let failedBackups = facts.backups.filter { !$0.succeeded }.count

        var items: [InspectionReport.Item] = []
        items.append(.init(key: "audit_chain", title: "审计日志完整性", ok: facts.auditIntact,
                           summary: facts.auditIntact ? "完整，共 \(facts.auditEntries) 条；末条 \(facts.auditHead)"
                               : "不完整：\(facts.auditProblem ?? "")"))
        let backupOK = age.map { $0 <= rules.backupMaxAgeDays } ?? false
        items.append(.init(key: "backups", title: "备份", ok: backupOK && failedBackups == 0, summary: {
            guard let age else { return "从未成功备份" }
            var text = "最近一次成功备份在 \(age) 天前（要求不超过 \(rules.backupMaxAgeDays) 天）；本月备份 \(facts.backups.count) 次"
            if failedBackups > 0 { text += "，其中失败 \(failedBackups) 次" }
            return text
        }()))
        items.append(.init(key: "logins", title: "登录失败与锁定", ok: facts.lockouts == 0,
                           summary: "本月登录失败 \(facts.failedLogins) 次，账户被锁定 \(facts.lockouts) 次"))
        items.append(.init(key: "unused_accounts", title: "\(rules.unusedAccountDays) 天未使用的账户", ok: unused.isEmpty,
                           summary: unused.isEmpty ? "无" : "\(unused.count) 个，建议停用"))
        items.append(.init(key: "tokens", title: "API 令牌", ok: stale.isEmpty,
                           summary: stale.isEmpty ? "无从未使用或超过一年的令牌"
                               : "\(stale.filter(\.neverUsed).count) 个从未使用，\(stale.filter(\.tooOld).count) 个超过 \(rules.tokenMaxAgeDays) 天"))
        items.append(.init(key: "expired_grants", title: "已过期仍在列的授权", ok: expired.isEmpty,
                           summary: expired.isEmpty ? "无" : "\(expired.count) 项，应撤销或续期"))
        items.append(.init(key: "downloads", title: "各单位下载量", ok: spikes.isEmpty,
                           summary: spikes.isEmpty ? "无异常（超过前 \(rules.baselineMonths) 个月中位数 \(rules.spikeFactor) 倍为异常）"
                               : "\(spikes.count) 个单位下载量异常"))
        items.append(.init(key: "imports", title: "导入失败", ok: facts.importsFailed == 0,
                           summary: "本月导入 \(facts.importsTotal) 次，失败 \(facts.importsFailed) 次"))
        items.append(.init(key: "file_store", title: "文件存储占用", ok: true,
                           summary: "\(facts.fileStoreFiles) 个文件，共 \(byteText(facts.fileStoreBytes))"))
        return InspectionReport(month: facts.month, items: items, unusedAccounts: unused, staleTokens: stale, expiredGrants: expired,
                                spikes: spikes, newestBackupAgeDays: age, backupsInMonth: facts.backups.count)
    }

    /// `1.5 MB`-style text of a byte count.
    public static func byteText(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes), index = 0
        while value >= 1024, index < units.count - 1 { value /= 1024; index += 1 }
        return index == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[index])
    }
}
