import Foundation
import GongzhiCore
import GongzhiStore
import Testing

@Suite("Audit entries as rows")
struct AuditEntryRecordTests {
    @Test("an entry survives the row's columns byte for byte, whatever its text",
          arguments: [
              AuditTarget(),
              AuditTarget(indicatorCode: "HOU-001", recordIDs: ["1", "2", "3"], query: "/records?page=2", rowCount: 3, detail: "第一页"),
              AuditTarget(indicatorCode: "", recordIDs: [""], query: "", rowCount: 0, detail: ""),
              AuditTarget(recordIDs: ["a,b", "\"q\"", "x\\y", "line\nbreak\u{1}"], query: "名称=\"张三\"\t", detail: "e\u{301} é 🀄"),
          ])
    func roundTrip(_ target: AuditTarget) throws {
        // given
        let event = AuditEvent(timeMilliseconds: 1_709_280_000_123, userID: "wang", unitCode: "tax", action: .recordView,
                               target: target, clientAddress: "2001:db8::1")
        let entry = AuditChain.seal(event, after: .genesis, hash: AuditLog.sha256)
        // when
        let back = try #require(AuditEntryRecord(entry).entry)
        // then
        #expect(back == entry)
        #expect(back.canonicalBytes == entry.canonicalBytes)
        #expect(AuditChain.verify([back], hash: AuditLog.sha256) == .intact(count: 1))
    }

    @Test("a row that cannot be read back (unknown action, record ids not a JSON array) gives no entry")
    func unreadableRows() {
        let entry = AuditChain.seal(AuditEvent(timeMilliseconds: 0, userID: "u", unitCode: "", action: .login, clientAddress: ""),
                                    after: .genesis, hash: AuditLog.sha256)
        let badAction = AuditEntryRecord(entry)
        badAction.action = "lgoin"
        #expect(badAction.entry == nil)
        let badRecords = AuditEntryRecord(entry)
        badRecords.recordIDsJSON = "1,2"
        #expect(badRecords.entry == nil)
    }
}
