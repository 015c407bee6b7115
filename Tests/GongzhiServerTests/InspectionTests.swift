import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import Testing
import Vapor
import VaporTesting

/// Issue 14 §2: the monthly inspection gathers what the platform knows (audit log, backup runs, users,
/// tokens, downloads, imports, the file store) and names what needs attention; page and JSON API.
@Suite("Monthly inspection (server)", .serialized)
struct InspectionTests {
    /// Milliseconds of `yyyy-mm-dd 12:00` Beijing time.
    static func ms(_ y: Int, _ m: Int, _ d: Int) -> Int64 {
        Int64(CalendarDate(year: y, month: m, day: d)!.daysSinceEpoch) * 86_400_000 + 4 * 3_600_000
    }

    @Test("names the unused account, the never-used token, the download spike and the lock-out; the backup keeps it in order")
    func gathers() async throws {
        try await AppHarness.withApp { app, directory async throws in
            // given an account idle since 2026-06, a token never used, tax downloads of 5/6/4 a month then 40 in
            // November, land's usual 8, two failed sign-ins (one locking), and a backup two days ago
            let now = AppHarness.fixedNow
            let idle = try await AppHarness.user(app, username: "idle-clerk", unit: "housing")
            idle.createdAt = now.addingTimeInterval(-200 * 86_400)
            try await idle.update(on: app.db)
            let owner = try await AppHarness.user(app, username: "token-owner", unit: "land-resources")
            _ = try await app.accounts.createToken(for: owner, name: "对接系统")
            var events: [AuditEvent] = []
            events.append(AuditEvent(timeMilliseconds: Self.ms(2026, 6, 1), userID: "idle-clerk", unitCode: "housing", action: .login, clientAddress: "10.0.0.1"))
            events.append(AuditEvent(timeMilliseconds: Self.ms(2026, 11, 20), userID: "token-owner", unitCode: "land-resources", action: .login, clientAddress: "10.0.0.2"))
            for (month, count) in [(8, 5), (9, 6), (10, 4), (11, 40)] {
                for i in 0..<count {
                    events.append(AuditEvent(timeMilliseconds: Self.ms(2026, month, 1 + i % 27), userID: "analyst", unitCode: "local-tax",
                                             action: .download, clientAddress: "10.0.0.3"))
                }
            }
            for month in [9, 10, 11] {
                for i in 0..<8 {
                    events.append(AuditEvent(timeMilliseconds: Self.ms(2026, month, 1 + i), userID: "l", unitCode: "land-resources", action: .download, clientAddress: "x"))
                }
            }
            events.append(AuditEvent(timeMilliseconds: Self.ms(2026, 11, 3), userID: "someone", unitCode: "", action: .loginFailed,
                                     target: AuditTarget(detail: "reason=wrong_password"), clientAddress: "10.9.9.9"))
            events.append(AuditEvent(timeMilliseconds: Self.ms(2026, 11, 3), userID: "someone", unitCode: "", action: .loginFailed,
                                     target: AuditTarget(detail: "reason=wrong_password; account_locked_until=2026-11-03T12:15:00+08:00"),
                                     clientAddress: "10.9.9.9"))
            events.append(AuditEvent(timeMilliseconds: Self.ms(2026, 10, 3), userID: "someone", unitCode: "", action: .loginFailed,
                                     target: AuditTarget(detail: "reason=wrong_password"), clientAddress: "10.9.9.9"))
            _ = try await AuditLog.append(events, on: app.db)
            try await BackupRunRecord(startedAt: now.addingTimeInterval(-2 * 86_400 - 60), finishedAt: now.addingTimeInterval(-2 * 86_400),
                                      succeeded: true, directory: "/backup/x", databaseKind: "sqlite", totalBytes: 10, fileCount: 1,
                                      auditHead: "1:" + String(repeating: "0", count: 64), catalogVersion: "2017.1", message: nil).create(on: app.db)

            // when November is inspected
            let (facts, report) = try await InspectionService(database: app.db, clock: app.gongzhi.clock, files: app.gongzhi.files)
                .inspect(month: "2026-11")

            // then
            #expect(facts.auditIntact)
            #expect(report.unusedAccounts.map(\.username) == ["idle-clerk"])
            #expect(report.staleTokens.map(\.token.name) == ["对接系统"])
            #expect(report.staleTokens.first?.neverUsed == true)
            #expect(report.spikes.map(\.unitCode) == ["local-tax"])
            #expect(report.spikes.first?.count == 40 && report.spikes.first?.median == 5)
            #expect(facts.failedLogins == 2 && facts.lockouts == 1)
            #expect(report.newestBackupAgeDays == 2 && report.backupsInMonth == 1)
            #expect(report.items.first { $0.key == "backups" }?.ok == true)
            #expect(report.items.first { $0.key == "logins" }?.ok == false)
            #expect(!report.allClear)

            // the page (info center) and the API (auditor) say the same; others are refused
            let admin = try await AppHarness.login(app)
            try await app.testing().test(.GET, "operations/inspection?month=2026-11", headers: admin.headers) { res async in
                #expect(res.status == .ok)
                let body = res.body.string
                #expect(body.contains("月度巡检") && body.contains("需处理") && body.contains("idle-clerk"))
                #expect(body.contains("对接系统") && body.contains("从未使用"))
                #expect(!body.contains("local-tax"), "unit codes are shown by name")
            }
            let auditor = try await AppHarness.token(app, unit: "tax-office", roles: [.auditor])
            try await app.testing().test(.GET, "api/v1/operations/inspection?month=2026-11", headers: auditor) { res async throws in
                #expect(res.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as? [String: Any])
                #expect(json["all_clear"] as? Bool == false)
                #expect((json["download_spikes"] as? [[String: Any]])?.first?["unit"] as? String == "local-tax")
            }
            try await app.testing().test(.GET, "api/v1/operations/inspection?month=2026-13", headers: auditor) { res async in
                #expect(res.status == .badRequest)
            }
            let viewings = try await AuditEntryRecord.query(on: app.db).filter(\.$detail == "inspection").count()
            #expect(viewings == 2)
        }
    }
}
