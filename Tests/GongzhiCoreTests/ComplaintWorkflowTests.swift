import GongzhiCore
import Testing

/// The complaint workflow (附件1 第二十条): filed → handling → upheld / not upheld, by the city office only.
@Suite("Complaint workflow")
struct ComplaintWorkflowTests {
    typealias W = ComplaintWorkflow

    @Test("every allowed transition")
    func allowed() throws {
        #expect(try W.apply(.handle(note: "约谈"), to: .filed, by: .cityOffice) == .handling)
        #expect(try W.apply(.decide(upheld: true, note: "属实"), to: .handling, by: .cityOffice) == .upheld)
        #expect(try W.apply(.decide(upheld: false, note: "不属实"), to: .handling, by: .cityOffice) == .notUpheld)
        #expect(try W.apply(.decide(upheld: true, note: "属实"), to: .filed, by: .cityOffice) == .upheld)
    }

    @Test("only the city office, only with a note, never after a decision")
    func refused() {
        #expect(throws: ComplaintError.notYourStep) { try W.apply(.handle(note: "x"), to: .filed, by: .other) }
        #expect(throws: ComplaintError.noteRequired) { try W.apply(.handle(note: " "), to: .filed, by: .cityOffice) }
        #expect(throws: ComplaintError.notAllowed(.handle(note: "x"), .handling)) { try W.apply(.handle(note: "x"), to: .handling, by: .cityOffice) }
        for final in [ComplaintState.upheld, .notUpheld] {
            #expect(throws: ComplaintError.self) { try W.apply(.decide(upheld: true, note: "x"), to: final, by: .cityOffice) }
        }
    }

    @Test("only an upheld leak carries a leak penalty, once")
    func carry() throws {
        try W.checkCarry(kind: .leak, state: .upheld, carried: false)
        #expect(throws: ComplaintError.alreadyCarried) { try W.checkCarry(kind: .leak, state: .upheld, carried: true) }
        #expect(throws: ComplaintError.notAnUpheldLeak) { try W.checkCarry(kind: .misuse, state: .upheld, carried: false) }
        #expect(throws: ComplaintError.notAnUpheldLeak) { try W.checkCarry(kind: .leak, state: .handling, carried: false) }
    }
}
