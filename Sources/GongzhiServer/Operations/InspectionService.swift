import Fluent
import Foundation
import GongzhiCore
import GongzhiStore
import SQLKit

/// Gathers the facts of a monthly inspection (每月巡检, 附件1 第十四条; issue 14 §2) from what the platform
/// keeps, and judges them with ``MonthlyInspection``:
/// - the audit chain, walked whole (its head printed for noting elsewhere);
/// - backups: the `backup_runs` table that `gongzhi backup` writes (each run, successful or not);
/// - failed sign-ins and lock-outs: `login_failed` audit entries of the month (a lock-out is one whose
///   reason says the account was locked);
/// - accounts unused for 90 days: the newest audited act of each active user, its newest token use, or its
///   creation;
/// - API tokens not revoked, never used or older than a year; grants not revoked past their `expires_on`;
/// - downloads per unit: `download` and `export` audit entries of the month and of the six before;
/// - imports of the month refused whole or interrupted; the file store's size on disk.
public struct InspectionService: Sendable {
    public let database: any Database
    public let clock: PlatformClock
    public let files: FileStore

    public init(database: any Database, clock: PlatformClock, files: FileStore) {
        self.database = database
        self.clock = clock
        self.files = files
    }

    /// Why an inspection cannot run.
    public enum InspectionError: Error, CustomStringConvertible, Equatable {
        /// The month is not written `yyyy-mm`.
        case badMonth(String)
        public var description: String {
            switch self {
            case .badMonth(let text): "月份应写成 2024-03 的形式，收到“\(text)”。"
            }
        }
    }

    /// The start of `month` (`yyyy-mm`) in China Standard Time, as a `Date`.
    static func start(of year: Int, _ month: Int) -> Date {
        let day = CalendarDate(year: year, month: month, day: 1)!
        return Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch * 86_400 - 8 * 3600))
    }

    /// The months `(year, month)` from `count` before `year-month` up to it, oldest first.
    static func months(endingAt year: Int, _ month: Int, count: Int) -> [(Int, Int)] {
        (0...count).reversed().map { back in
            let index = year * 12 + (month - 1) - back
            return (index / 12, index % 12 + 1)
        }
    }

    /// Gathers and judges the inspection of `monthText` (`2024-03`).
    /// - Throws: ``InspectionError/badMonth(_:)``; database errors.
    public func inspect(month monthText: String, rules: InspectionRules = .standard) async throws -> (facts: InspectionFacts, report: InspectionReport) {
        guard case .month(let year, let month)? = ReportingPeriod(monthText) else { throw InspectionError.badMonth(monthText) }
        let months = Self.months(endingAt: year, month, count: rules.baselineMonths)
        let monthStart = Self.start(of: year, month)
        let monthEnd = Self.start(of: month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1)
        let startMs = Int64(monthStart.timeIntervalSince1970 * 1000), endMs = Int64(monthEnd.timeIntervalSince1970 * 1000)
        let now = clock.now()

        // The audit chain.
        let verification = try await AuditLog(database: database).verify()
        var auditProblem: String? = nil
        var auditEntries = 0
        switch verification.result {
        case .intact(let count): auditEntries = count
        case .broken(let failure): auditProblem = failure.message
        }

        // Backups.
        let runs = try await BackupRunRecord.query(on: database).sort(\.$finishedAt).all()
        let backups = runs.filter { $0.finishedAt >= monthStart && $0.finishedAt < monthEnd }
            .map { InspectionFacts.Backup(finishedAt: $0.finishedAt, succeeded: $0.succeeded, auditHead: $0.auditHead) }
        let lastBackup = runs.filter { $0.succeeded && $0.finishedAt <= now }.map(\.finishedAt).max()

        // Sign-ins.
        let failed = try await AuditEntryRecord.query(on: database).filter(\.$action == AuditAction.loginFailed.rawValue)
            .filter(\.$timeMilliseconds >= startMs).filter(\.$timeMilliseconds < endMs).all()
        let lockouts = failed.filter { ($0.detail ?? "").contains("account_locked_until") }.count

        // Accounts and tokens.
        guard let sql = database as? any SQLDatabase else { throw InspectionError.badMonth(monthText) }
        struct LastAct: Decodable { var user_id: String; var last: Int64 }
        let lastActs = try await sql.raw("SELECT user_id, MAX(time_ms) AS last FROM audit_log GROUP BY user_id").all(decoding: LastAct.self)
        let lastByUser = Dictionary(lastActs.map { ($0.user_id, Date(timeIntervalSince1970: TimeInterval($0.last) / 1000)) },
                                    uniquingKeysWith: max)
        let users = try await UserRecord.query(on: database).filter(\.$disabled == false).all()
        let tokens = try await ApiTokenRecord.query(on: database).filter(\.$revokedAt == nil).with(\.$user).all()
        var tokenUse: [String: Date] = [:]
        for t in tokens { if let used = t.lastUsedAt { tokenUse[t.user.username] = max(tokenUse[t.user.username] ?? used, used) } }
        let accounts = users.map { u in
            let acts = [lastByUser[u.username], tokenUse[u.username]].compactMap { $0 }
            return InspectionFacts.Account(username: u.username, unitCode: u.unitCode, createdAt: u.createdAt, lastActivity: acts.max())
        }
        let tokenFacts = tokens.filter { !$0.user.disabled }.map {
            InspectionFacts.Token(name: $0.name, username: $0.user.username, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt)
        }

        // Grants.
        let grants = try await GrantRecord.query(on: database).filter(\.$revokedBy == nil).all().compactMap { g -> InspectionFacts.Grant? in
            guard let expires = CalendarDate(iso: g.expiresOn) else { return nil }
            return InspectionFacts.Grant(id: g.id?.uuidString.lowercased() ?? "", granteeUnit: g.granteeUnit, indicatorCode: g.indicatorCode,
                                         expiresOn: expires)
        }

        // Downloads per unit per month.
        let firstMs = Int64(Self.start(of: months[0].0, months[0].1).timeIntervalSince1970 * 1000)
        struct Download: Decodable { var unit: String; var time_ms: Int64 }
        let downloadRows = try await sql.raw("""
            SELECT unit, time_ms FROM audit_log WHERE action IN (\(bind: AuditAction.download.rawValue), \(bind: AuditAction.export.rawValue))
            AND time_ms >= \(bind: firstMs) AND time_ms < \(bind: endMs) AND unit <> ''
            """).all(decoding: Download.self)
        var perUnit: [String: [Int]] = [:]
        let monthIndex = Dictionary(uniqueKeysWithValues: months.enumerated().map { ("\($1.0)-\($1.1)", $0) })
        for row in downloadRows {
            let local = PlatformClock.day(of: Date(timeIntervalSince1970: TimeInterval(row.time_ms) / 1000))
            guard let index = monthIndex["\(local.year)-\(local.month)"] else { continue }
            perUnit[row.unit, default: Array(repeating: 0, count: months.count)][index] += 1
        }
        let downloads = perUnit.mapValues { counts in (month: counts[counts.count - 1], previous: Array(counts.dropLast())) }

        // Imports.
        let imports = try await SubmissionRecord.query(on: database).filter(\.$kind == "data")
            .filter(\.$receivedAt >= monthStart).filter(\.$receivedAt < monthEnd).all()
        let importsFailed = imports.filter { [SubmissionState.refused.rawValue, SubmissionState.interrupted.rawValue].contains($0.state) }.count

        // The file store.
        var bytes: Int64 = 0, count = 0
        if let walker = FileManager.default.enumerator(at: files.root, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) {
            for case let url as URL in walker {
                guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true else { continue }
                bytes += Int64(values.fileSize ?? 0)
                count += 1
            }
        }

        let facts = InspectionFacts(month: monthText, now: now, today: PlatformClock.day(of: now), auditIntact: auditProblem == nil,
                                    auditHead: verification.head.text, auditEntries: auditEntries, auditProblem: auditProblem,
                                    backups: backups, lastSuccessfulBackup: lastBackup, failedLogins: failed.count, lockouts: lockouts,
                                    accounts: accounts, tokens: tokenFacts, grants: grants, downloads: downloads,
                                    importsTotal: imports.count, importsFailed: importsFailed, fileStoreBytes: bytes, fileStoreFiles: count)
        return (facts, MonthlyInspection.inspect(facts, rules: rules))
    }

    /// The report as one JSON object: `{month, all_clear, newest_backup_age_days, items: [{key, title, ok,
    /// summary}], unused_accounts: [{username, unit}], stale_tokens: [{username, name, never_used, too_old}],
    /// expired_grants: [{id, grantee_unit, indicator, expires_on}], download_spikes: [{unit, count, median}]}`.
    public static func jsonData(_ report: InspectionReport) throws -> Data {
        var object: [String: Any] = [
            "month": report.month, "all_clear": report.allClear, "backups_in_month": report.backupsInMonth,
            "items": report.items.map { ["key": $0.key, "title": $0.title, "ok": $0.ok, "summary": $0.summary] },
            "unused_accounts": report.unusedAccounts.map { ["username": $0.username, "unit": $0.unitCode] },
            "stale_tokens": report.staleTokens.map { ["username": $0.token.username, "name": $0.token.name,
                                                     "never_used": $0.neverUsed, "too_old": $0.tooOld] },
            "expired_grants": report.expiredGrants.map { ["id": $0.id, "grantee_unit": $0.granteeUnit, "indicator": $0.indicatorCode,
                                                         "expires_on": $0.expiresOn.description] },
            "download_spikes": report.spikes.map { ["unit": $0.unitCode, "count": $0.count, "median": $0.median] },
        ]
        object["newest_backup_age_days"] = report.newestBackupAgeDays ?? NSNull() as Any
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
