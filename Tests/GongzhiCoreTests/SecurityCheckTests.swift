import Foundation
import GongzhiCore
import Testing

/// The year-end security check's rules (附件1 第十八条; issue 14 §2).
@Suite("Year-end security check")
struct SecurityCheckTests {
    static let day = CalendarDate(year: 2026, month: 12, day: 20)!

    @Test("a pass with every item in order; a fail with items, findings and a later deadline")
    func valid() throws {
        let pass = try SecurityCheck(unitCode: "housing", year: 2026, failedItems: [], findings: "", fixDeadline: CalendarDate(year: 2027, month: 1, day: 1),
                                     result: .pass, checkedOn: Self.day)
        #expect(pass.fixDeadline == nil && pass.failedItemCodes == "")
        let fail = try SecurityCheck(unitCode: "housing", year: 2026, failedItems: [.training, .accounts], findings: " 口令未定期更换 ",
                                     fixDeadline: CalendarDate(year: 2027, month: 3, day: 31), result: .fail, checkedOn: Self.day)
        #expect(fail.failedItems == [.accounts, .training], "in checklist order")
        #expect(fail.findings == "口令未定期更换")
        #expect(SecurityCheck.items(fromCodes: fail.failedItemCodes) == [.accounts, .training])
        #expect(SecurityCheck.items(fromCodes: "accounts,unknown") == [.accounts])
    }

    @Test("refused: failed items without findings, a pass with failed items, a fail without a deadline or with one not after the check")
    func refused() {
        #expect(throws: SecurityCheck.Problem.findingsMissing) {
            try SecurityCheck(unitCode: "u", year: 2026, failedItems: [.storage], findings: "  ", fixDeadline: CalendarDate(year: 2027, month: 1, day: 1),
                              result: .fail, checkedOn: Self.day)
        }
        #expect(throws: SecurityCheck.Problem.passWithFailedItems([.storage])) {
            try SecurityCheck(unitCode: "u", year: 2026, failedItems: [.storage], findings: "未加密", fixDeadline: nil, result: .pass, checkedOn: Self.day)
        }
        #expect(throws: SecurityCheck.Problem.deadlineMissing) {
            try SecurityCheck(unitCode: "u", year: 2026, failedItems: [], findings: "", fixDeadline: nil, result: .fail, checkedOn: Self.day)
        }
        #expect(throws: SecurityCheck.Problem.deadlineNotAfterCheck(deadline: Self.day, checked: Self.day)) {
            try SecurityCheck(unitCode: "u", year: 2026, failedItems: [], findings: "", fixDeadline: Self.day, result: .fail, checkedOn: Self.day)
        }
        #expect(throws: SecurityCheck.Problem.badYear("26")) {
            try SecurityCheck(unitCode: "u", year: 26, failedItems: [], findings: "", fixDeadline: nil, result: .pass, checkedOn: Self.day)
        }
        #expect(SecurityCheck.Problem.deadlineMissing.message.contains("整改期限"))
    }
}
