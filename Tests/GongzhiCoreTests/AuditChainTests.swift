import Crypto
import Testing
import GongzhiCore

@Suite("Audit chain")
struct AuditChainTests {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    @Test("AuditChain.hex of SHA-256 gives the FIPS 180-4 vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256Vectors(input: String, hex: String) {
        #expect(AuditChain.hex(Self.sha256(Array(input.utf8))) == hex)
    }

    static func event(_ i: Int, _ action: AuditAction = .query) -> AuditEvent {
        AuditEvent(timeMilliseconds: 1_793_000_000_000 + Int64(i) * 1000,
                   by: AccessFixtures.analyst, action: action,
                   target: AuditTarget(indicatorCode: "PSB-001", recordIDs: i % 2 == 0 ? ["r\(i)"] : [],
                                       query: "period=2026-03 name=\"张三\"", rowCount: i),
                   clientAddress: "10.0.0.\(i)")
    }

    /// A chain of `n` entries, 1...n.
    static func chain(_ n: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for i in 1...n { entries.append(AuditChain.seal(event(i), after: entries.last, hash: sha256)) }
        return entries
    }

    @Test("sealing: sequence from 1, genesis of 64 zeros, each links to the previous hash")
    func sealing() {
        let entries = Self.chain(3)
        #expect(entries.map(\.sequence) == [1, 2, 3])
        #expect(entries[0].previousHash == String(repeating: "0", count: 64))
        #expect(entries[1].previousHash == entries[0].hash)
        #expect(entries[2].previousHash == entries[1].hash)
        #expect(entries.allSatisfy { $0.hash.count == 64 })
        #expect(AuditChain.verify(entries, hash: Self.sha256) == .intact(count: 3))
        #expect(AuditChain.verify([], hash: Self.sha256) == .intact(count: 0))
    }

    @Test("the canonical encoding is the documented JSON, keys in fixed order")
    func canonicalEncoding() {
        let entry = AuditEntry(
            sequence: 7,
            event: AuditEvent(timeMilliseconds: 1_709_280_000_123, userID: "u1", unitCode: "tax", action: .recordView,
                              target: AuditTarget(indicatorCode: "HOU-001", recordIDs: ["a", "b"], query: nil, rowCount: 2,
                                                  detail: "引号\"与\\反斜杠"),
                              clientAddress: "::1"),
            previousHash: "ab", hash: "")
        let text = String(decoding: entry.canonicalBytes, as: UTF8.self)
        #expect(text == #"{"v":1,"seq":7,"time_ms":1709280000123,"user":"u1","unit":"tax","action":"record_view","indicator":"HOU-001","records":["a","b"],"query":null,"rows":2,"detail":"引号\"与\\反斜杠","address":"::1","prev":"ab"}"#)
        #expect(entry.isoTime == "2024-03-01T08:00:00.123Z")
    }

    @Test("a known entry hashes to a fixed value (guards against encoding drift)")
    func fixedHash() {
        let entry = AuditChain.seal(AuditEvent(timeMilliseconds: 0, userID: "a", unitCode: "b", action: .login,
                                               clientAddress: "127.0.0.1"), after: nil, hash: Self.sha256)
        let text = #"{"v":1,"seq":1,"time_ms":0,"user":"a","unit":"b","action":"login","indicator":null,"records":[],"query":null,"rows":null,"detail":null,"address":"127.0.0.1","prev":"0000000000000000000000000000000000000000000000000000000000000000"}"#
        #expect(entry.hash == AuditChain.hex(Self.sha256(Array(text.utf8))))
        #expect(entry.isoTime == "1970-01-01T00:00:00.000Z")
    }

    @Test("an edited entry is named", arguments: [1, 4, 8])
    func edited(at sequence: Int) {
        var entries = Self.chain(8)
        entries[sequence - 1].event.target.rowCount = 9999
        #expect(AuditChain.verify(entries, hash: Self.sha256)
                == .broken(.init(position: sequence - 1, sequence: sequence, reason: .edited)))
    }

    @Test("editing any single part of an entry is detected")
    func everyPartCounts() {
        let base = Self.chain(3)
        let edits: [(inout AuditEntry) -> Void] = [
            { $0.event.userID = "someone" }, { $0.event.unitCode = "x" }, { $0.event.action = .download },
            { $0.event.timeMilliseconds += 1 }, { $0.event.clientAddress = "10.9.9.9" },
            { $0.event.target.indicatorCode = nil }, { $0.event.target.recordIDs = ["r9"] },
            { $0.event.target.query = "all" }, { $0.event.target.detail = "x" }, { $0.hash = String(repeating: "f", count: 64) },
        ]
        for edit in edits {
            var entries = base
            edit(&entries[1])
            #expect(AuditChain.verify(entries, hash: Self.sha256) == .broken(.init(position: 1, sequence: 2, reason: .edited)))
        }
    }

    @Test("an edited entry whose hash was recomputed breaks the next link")
    func rehashed() {
        var entries = Self.chain(5)
        entries[2].event.userID = "forger"
        entries[2] = AuditChain.seal(entries[2].event, after: entries[1], hash: Self.sha256)
        #expect(AuditChain.verify(entries, hash: Self.sha256) == .broken(.init(position: 3, sequence: 4, reason: .unlinked)))
    }

    @Test("a deleted entry is named by its missing sequence")
    func deleted() {
        var entries = Self.chain(6)
        entries.remove(at: 2)  // sequence 3
        #expect(AuditChain.verify(entries, hash: Self.sha256)
                == .broken(.init(position: 2, sequence: 4, reason: .deleted(from: 3, to: 3))))
        var two = Self.chain(6)
        two.removeSubrange(1...2)  // sequences 2 and 3
        #expect(AuditChain.verify(two, hash: Self.sha256)
                == .broken(.init(position: 1, sequence: 4, reason: .deleted(from: 2, to: 3))))
        var first = Self.chain(3)
        first.removeFirst()
        #expect(AuditChain.verify(first, hash: Self.sha256)
                == .broken(.init(position: 0, sequence: 2, reason: .deleted(from: 1, to: 1))))
    }

    @Test("reordered entries are named")
    func reordered() {
        var entries = Self.chain(6)
        entries.swapAt(2, 3)
        #expect(AuditChain.verify(entries, hash: Self.sha256)
                == .broken(.init(position: 2, sequence: 4, reason: .reordered(expected: 3, found: 4))))
        var moved = Self.chain(6)
        moved.append(moved.remove(at: 1))  // 1,3,4,5,6,2
        #expect(AuditChain.verify(moved, hash: Self.sha256)
                == .broken(.init(position: 1, sequence: 3, reason: .reordered(expected: 2, found: 3))))
    }

    @Test("an inserted entry is detected, whether it reuses a sequence number or renumbers")
    func inserted() {
        // a forged entry sealed after entry 3 and slipped in before the real entry 4
        let entries = Self.chain(6)
        let forged = AuditChain.seal(Self.event(99, .download), after: entries[2], hash: Self.sha256)
        var withCopy = entries
        withCopy.insert(forged, at: 3)  // 1,2,3,4*,4,5,6
        #expect(AuditChain.verify(withCopy, hash: Self.sha256)
                == .broken(.init(position: 4, sequence: 4, reason: .reordered(expected: 5, found: 4))))
        // a duplicate of an existing entry
        var duplicate = entries
        duplicate.insert(entries[1], at: 2)
        #expect(AuditChain.verify(duplicate, hash: Self.sha256)
                == .broken(.init(position: 2, sequence: 2, reason: .reordered(expected: 3, found: 2))))
        // renumbering the rest without rehashing: the first renumbered entry no longer matches its hash
        var renumbered = withCopy
        for i in 4..<renumbered.count { renumbered[i].sequence += 1 }
        #expect(AuditChain.verify(renumbered, hash: Self.sha256) == .broken(.init(position: 4, sequence: 5, reason: .edited)))
    }

    @Test("a dropped tail is only visible against a head kept elsewhere")
    func truncated() {
        let entries = Self.chain(5)
        let head = AuditChain.Anchor(sequence: 5, hash: entries[4].hash)
        #expect(AuditChain.verify(entries, head: head, hash: Self.sha256) == .intact(count: 5))
        let cut = Array(entries.prefix(3))
        #expect(AuditChain.verify(cut, hash: Self.sha256) == .intact(count: 3))
        #expect(AuditChain.verify(cut, head: head, hash: Self.sha256)
                == .broken(.init(position: 3, sequence: 3, reason: .truncated(expectedLast: 5, foundLast: 3))))
        #expect(AuditChain.verify([], head: head, hash: Self.sha256)
                == .broken(.init(position: 0, sequence: nil, reason: .truncated(expectedLast: 5, foundLast: 0))))
    }

    @Test("a long log verifies batch by batch from an anchor")
    func batches() {
        let entries = Self.chain(10)
        let anchor = AuditChain.Anchor(sequence: 4, hash: entries[3].hash)
        #expect(AuditChain.verify(Array(entries[4...]), after: anchor, hash: Self.sha256) == .intact(count: 6))
        let wrong = AuditChain.Anchor(sequence: 4, hash: entries[2].hash)
        #expect(AuditChain.verify(Array(entries[4...]), after: wrong, hash: Self.sha256)
                == .broken(.init(position: 0, sequence: 5, reason: .unlinked)))
        // a next entry sealed from an anchor continues the chain
        let next = AuditChain.seal(Self.event(11), after: AuditChain.Anchor(sequence: 10, hash: entries[9].hash), hash: Self.sha256)
        #expect(AuditChain.verify(entries + [next], hash: Self.sha256) == .intact(count: 11))
    }

    @Test("break messages are Chinese and name the entry")
    func messages() {
        let b = AuditChain.Break(position: 2, sequence: 4, reason: .deleted(from: 3, to: 3))
        #expect(b.message.contains("第 3 条"))
        #expect(AuditChain.Break(position: 1, sequence: 2, reason: .edited).message.contains("第 2 条"))
        #expect(AuditChain.Reason.reordered(expected: 1, found: 2).code == "reordered")
        #expect(Set(AuditAction.allCases.map(\.rawValue)).count == AuditAction.allCases.count)
    }
}
