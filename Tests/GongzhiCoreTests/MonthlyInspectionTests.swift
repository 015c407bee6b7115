import Foundation
import GongzhiCore
import Testing

/// 每月巡检 rules (issue 14 §2): thresholds and the download spike rule, without a database.
@Suite("Monthly inspection")
struct MonthlyInspectionTests {
    static let now = Date(timeIntervalSince1970: 1_711_929_600) // 2024-04-01T00:00:00Z
    static func daysAgo(_ n: Double) -> Date { now.addingTimeInterval(-n * 86_400) }

    static func facts(accounts: [InspectionFacts.Account] = [], tokens: [InspectionFacts.Token] = [],
                      grants: [InspectionFacts.Grant] = [], downloads: [String: (month: Int, previous: [Int])] = [:],
                      backups: [InspectionFacts.Backup] = [], lastBackup: Date? = nil, lockouts: Int = 0,
                      importsFailed: Int = 0, auditIntact: Bool = true) -> InspectionFacts {
        InspectionFacts(month: "2024-03", now: now, today: CalendarDate(year: 2024, month: 4, day: 1)!, auditIntact: auditIntact,
                        auditHead: "12:" + String(repeating: "a", count: 64), auditEntries: 12,
                        auditProblem: auditIntact ? nil : "第 5 条被改动", backups: backups, lastSuccessfulBackup: lastBackup,
                        failedLogins: 7, lockouts: lockouts, accounts: accounts, tokens: tokens, grants: grants,
                        downloads: downloads, importsTotal: 10, importsFailed: importsFailed, fileStoreBytes: 3 << 20,
                        fileStoreFiles: 4)
    }

    @Test("median of odd, even and empty lists")
    func median() {
        #expect(MonthlyInspection.median([5, 1, 3]) == 3)
        #expect(MonthlyInspection.median([4, 1, 3, 2]) == 2.5)
        #expect(MonthlyInspection.median([]) == 0)
    }

    @Test("a spike is more than 3× the median of the previous six months (from the first download) and at least 10 downloads",
          arguments: [
            (31, [10, 10, 10], true),      // 31 > 30
            (30, [10, 10, 10], false),     // exactly 3× is usual
            (9, [0, 0, 0], false),         // below the minimum
            (10, [], true),                // a unit that never downloaded reaches the minimum
            (100, [1000, 1000, 1000, 1000, 1000, 1000, 10, 10, 10, 10, 10, 10], true), // only the last 6 months count
            (45, [1, 2, 100, 20, 15], false), // median 15: 45 is not more than 45
            (46, [1, 2, 100, 20, 15], true),
            (31, [0, 0, 0, 10, 10, 10], true),  // the months before the unit's first download do not count
            (29, [0, 0, 10, 0, 10, 10], false),   // a quiet month after the first does: median 10 → 29 < 30
          ])
    func spikes(count: Int, previous: [Int], expected: Bool) {
        #expect(MonthlyInspection.isSpike(count: count, previous: previous) == expected)
    }

    @Test("accounts unused for 90 days, tokens never used or older than a year, grants past expiry are named")
    func named() {
        let report = MonthlyInspection.inspect(Self.facts(
            accounts: [.init(username: "old", unitCode: "housing", createdAt: Self.daysAgo(400), lastActivity: Self.daysAgo(90)),
                       .init(username: "recent", unitCode: "housing", createdAt: Self.daysAgo(400), lastActivity: Self.daysAgo(89)),
                       .init(username: "never", unitCode: "tax", createdAt: Self.daysAgo(91), lastActivity: nil),
                       .init(username: "new", unitCode: "tax", createdAt: Self.daysAgo(3), lastActivity: nil)],
            tokens: [.init(name: "a", username: "u", createdAt: Self.daysAgo(10), lastUsedAt: nil),
                     .init(name: "b", username: "u", createdAt: Self.daysAgo(366), lastUsedAt: Self.daysAgo(1)),
                     .init(name: "c", username: "u", createdAt: Self.daysAgo(100), lastUsedAt: Self.daysAgo(1))],
            grants: [.init(id: "g1", granteeUnit: "tax", indicatorCode: "HOU-001", expiresOn: CalendarDate(year: 2024, month: 3, day: 31)!),
                     .init(id: "g2", granteeUnit: "tax", indicatorCode: "HOU-002", expiresOn: CalendarDate(year: 2024, month: 4, day: 1)!)],
            downloads: ["tax": (40, [10, 12, 8]), "land": (20, [10, 10])],
            lastBackup: Self.daysAgo(2)))
        #expect(report.unusedAccounts.map(\.username) == ["old", "never"])
        #expect(report.staleTokens.map(\.token.name) == ["a", "b"])
        #expect(report.staleTokens[0].neverUsed && !report.staleTokens[0].tooOld)
        #expect(report.staleTokens[1].tooOld && !report.staleTokens[1].neverUsed)
        #expect(report.expiredGrants.map(\.id) == ["g1"])
        #expect(report.spikes == [.init(unitCode: "tax", count: 40, median: 10)])
        #expect(report.newestBackupAgeDays == 2)
        #expect(report.items.first { $0.key == "backups" }?.ok == true)
        #expect(!report.allClear)
    }

    @Test("no backup, an old backup, a failed run, a broken chain, lock-outs and failed imports need attention")
    func attention() {
        let none = MonthlyInspection.inspect(Self.facts())
        #expect(none.items.first { $0.key == "backups" }?.ok == false)
        #expect(none.items.first { $0.key == "backups" }?.summary.contains("从未成功备份") == true)
        let old = MonthlyInspection.inspect(Self.facts(lastBackup: Self.daysAgo(8)))
        #expect(old.items.first { $0.key == "backups" }?.ok == false)
        let failed = MonthlyInspection.inspect(Self.facts(backups: [.init(finishedAt: Self.daysAgo(1), succeeded: false, auditHead: nil)],
                                                          lastBackup: Self.daysAgo(1)))
        #expect(failed.items.first { $0.key == "backups" }?.ok == false)
        let broken = MonthlyInspection.inspect(Self.facts(lastBackup: Self.daysAgo(1), lockouts: 2, importsFailed: 1, auditIntact: false))
        #expect(broken.items.filter { !$0.ok }.map(\.key) == ["audit_chain", "logins", "imports"])
        let clear = MonthlyInspection.inspect(Self.facts(lastBackup: Self.daysAgo(1)))
        #expect(clear.allClear)
        #expect(clear.items.first { $0.key == "file_store" }?.summary == "4 个文件，共 3.0 MB")
    }
}
