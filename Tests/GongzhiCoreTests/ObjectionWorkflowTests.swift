import GongzhiCore
import Testing

/// The objection state machine (附件1 第十一条): every transition, who may take it, and the overdue rule.
@Suite("Objection workflow")
struct ObjectionWorkflowTests {
    typealias W = ObjectionWorkflow

    @Test("every allowed transition, by its party")
    func allowed() throws {
        #expect(try W.apply(.uphold, to: .open, by: .provider) == .upheld)
        #expect(try W.apply(.reject(reason: "数据核实无误"), to: .open, by: .provider) == .rejected)
        #expect(try W.apply(.dispute(reason: "税务登记显示已注销"), to: .rejected, by: .filer) == .disputed)
        #expect(try W.apply(.withdraw, to: .open, by: .filer) == .withdrawn)
        #expect(try W.apply(.withdraw, to: .rejected, by: .filer) == .withdrawn)
        #expect(try W.apply(.arbitrate(upheld: true, reason: "以登记为准"), to: .disputed, by: .infoCenter) == .upheld)
        #expect(try W.apply(.arbitrate(upheld: false, reason: "提供单位数据无误"), to: .disputed, by: .infoCenter) == .dismissed)
        #expect(try W.apply(.corrected, to: .upheld, by: .provider) == .corrected)
    }

    @Test("every other state refuses each step, and only its party may take it")
    func refused() {
        let events: [ObjectionEvent] = [.uphold, .reject(reason: "r"), .dispute(reason: "r"), .withdraw,
                                        .arbitrate(upheld: true, reason: "r"), .arbitrate(upheld: false, reason: "r"), .corrected]
        let parties: [ObjectionParty] = [.filer, .provider, .infoCenter, .other]
        var allowed = 0
        for event in events {
            for state in ObjectionState.allCases {
                for party in parties {
                    do {
                        _ = try W.apply(event, to: state, by: party)
                        allowed += 1
                    } catch {
                        #expect(error == .notYourStep(event) || error == .notAllowed(event, state))
                    }
                }
            }
        }
        // exactly the eight transitions above
        #expect(allowed == 8)
        #expect(throws: ObjectionError.notYourStep(.uphold)) { try W.apply(.uphold, to: .open, by: .filer) }
        #expect(throws: ObjectionError.notAllowed(.uphold, .rejected)) { try W.apply(.uphold, to: .rejected, by: .provider) }
        #expect(throws: ObjectionError.reasonRequired) { try W.apply(.reject(reason: " "), to: .open, by: .provider) }
        #expect(ObjectionError.notAllowed(.uphold, .rejected).description == "疑义当前为「不予采纳」，不能采纳。")
    }

    @Test("overdue after the set number of working days; weekends do not count; only unanswered ones")
    func overdue() throws {
        let friday = try #require(CalendarDate(iso: "2024-03-01"))   // a Friday
        #expect(W.workingDaysBetween(friday, try #require(CalendarDate(iso: "2024-03-03"))) == 0)   // Sunday
        #expect(W.workingDaysBetween(friday, try #require(CalendarDate(iso: "2024-03-08"))) == 5)   // next Friday
        #expect(!W.isOverdue(state: .open, filed: friday, today: try #require(CalendarDate(iso: "2024-03-08")), workingDays: 5))
        #expect(W.isOverdue(state: .open, filed: friday, today: try #require(CalendarDate(iso: "2024-03-11")), workingDays: 5))
        #expect(!W.isOverdue(state: .rejected, filed: friday, today: try #require(CalendarDate(iso: "2024-04-11")), workingDays: 5))
    }

    @Test("upheld objections count one record each, an omission its count; others none")
    func faultyRecords() {
        #expect(W.faultyRecords(kind: .erroneous, count: 0, state: .upheld) == 1)
        #expect(W.faultyRecords(kind: .duplicate, count: 0, state: .corrected) == 1)
        #expect(W.faultyRecords(kind: .omitted, count: 12, state: .upheld) == 12)
        #expect(W.faultyRecords(kind: .omitted, count: 12, state: .rejected) == 0)
        #expect(W.faultyRecords(kind: .erroneous, count: 0, state: .open) == 0)
    }
}
