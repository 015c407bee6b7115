import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import Testing
import Vapor

/// The demo city (issue 10 item 6): filed through the real submission path relative to the platform clock,
/// mostly on time, once.
@Suite("Demo city")
struct DemoCityTests {
    @Test("a unit's last four quarters are filed through the submission path: mostly on time, with lineage; a second run files nothing")
    func unitFiled() async throws {
        try await AppHarness.withApp { app, _ in
            // given the harness clock (2026-11-29): the demo city from 2025Q4 for the housing bureau
            #expect(DemoCity.firstPeriod(today: app.gongzhi.clock.today()) == .quarter(year: 2025, quarter: 4))
            // when
            let summary = try await DemoCity.file(into: app, only: ["housing"])
            // then
            #expect(summary.files > 0 && summary.accepted > 0 && !summary.alreadySeeded)
            let rows = try await app.gongzhi.reporting(on: app.db).tasks(from: .quarter(year: 2025, quarter: 4), to: .quarter(year: 2026, quarter: 3),
                                                                        unit: "housing")
            let onTime = rows.filter { $0.state.status == .onTime }.count
            #expect(rows.count > 0 && onTime * 10 >= rows.count * 7, "\(onTime) of \(rows.count) on time")
            let submissions = try await SubmissionRecord.query(on: app.db).filter(\.$unitCode == "housing").all()
            #expect(submissions.allSatisfy { $0.kind != "data" || ($0.fileSHA256.count == 64 && $0.rowsAccepted > 0) })
            #expect(submissions.contains { $0.rowsRejected > 0 })
            let records = try await AcceptedRowRecord.query(on: app.db).count()
            #expect(records == summary.accepted)
            // each filing is in the audit log, by the unit's clerk (or the info center's admin for a proxy filing)
            let filers = Set(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "submission").all().map(\.userID))
            #expect(filers.isSubset(of: ["housing.reporter", "admin"]) && filers.contains("housing.reporter"), "\(filers)")
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "submission").count() == submissions.count)
            let again = try await DemoCity.file(into: app, only: ["housing"])
            #expect(again.alreadySeeded && again.files == 0)
            #expect(try await SubmissionRecord.query(on: app.db).filter(\.$unitCode == "housing").count() == submissions.count)
        }
    }

    @Test("the demo's sharing: one grant at once, one approved, one waiting, one denied; made once")
    func sharing() async throws {
        try await AppHarness.withApp { app, _ in
            // given the tax bureau's signed agreement
            try await app.gongzhi.sharing(on: app.db).recordAgreement(
                unit: "local-tax", signedOn: app.gongzhi.clock.today(), signatory: "局长", documentName: "协议.txt",
                document: Data("协议".utf8), by: Principal(userID: "admin", unitCode: "info-center", roles: [.admin]))
            // when
            try await DemoCity.share(into: app)
            try await DemoCity.share(into: app)
            // then
            let states = try await AccessRequestRecord.query(on: app.db).all().map(\.state).sorted()
            #expect(states == ["approved", "denied", "granted", "pending_approval"], "\(states)")
            #expect(try await GrantRecord.query(on: app.db).count() == 2)
        }
    }
}
