/// Seals audit events into the hash chain and verifies a stored chain (issue 5: append-only, hash-chained; the
/// verifier names the first entry that was edited, deleted or reordered).
///
/// Core imports no crypto: the hash function is a parameter, `([UInt8]) -> [UInt8]` returning the raw digest.
/// The app passes SHA-256 from swift-crypto: `{ Array(SHA256.hash(data: $0)) }`. Every entry of one chain must
/// be sealed and verified with the same function.
///
/// What the chain can and cannot show: an edit, a deletion, a move or an insertion inside the log breaks a hash,
/// a sequence number or a link. Dropping the newest entries, or rewriting the log from some entry to the end
/// with fresh hashes, is only visible against a head (sequence and hash) kept elsewhere: pass it as `head`.
public enum AuditChain {
    /// `previousHash` of entry 1: 64 zeros (the length of a SHA-256 hex digest).
    public static let genesisHash = String(repeating: "0", count: 64)

    /// A point of the chain: the entry with `sequence` had `hash`. ``genesis`` is the point before entry 1.
    public struct Anchor: Hashable, Sendable {
        public var sequence: Int
        public var hash: String

        public init(sequence: Int, hash: String) {
            self.sequence = sequence
            self.hash = hash
        }

        /// Before the first entry: sequence 0, ``AuditChain/genesisHash``.
        public static let genesis = Anchor(sequence: 0, hash: AuditChain.genesisHash)
    }

    /// The outcome of ``verify(_:after:head:hash:)``.
    public enum Verification: Hashable, Sendable {
        /// Every entry checks out; `count` entries were verified.
        case intact(count: Int)
        /// The first entry that does not check out.
        case broken(Break)
    }

    /// Where and why a chain is broken.
    public struct Break: Hashable, Sendable {
        /// 0-based position in the verified list.
        public var position: Int
        /// The sequence number the entry there carries (`nil` for ``Reason/truncated(expectedLast:foundLast:)``
        /// when the list is empty).
        public var sequence: Int?
        public var reason: Reason

        public init(position: Int, sequence: Int?, reason: Reason) {
            self.position = position
            self.sequence = sequence
            self.reason = reason
        }

        /// Chinese message for the auditor.
        public var message: String {
            let at = sequence.map { "第 \($0) 条" } ?? "日志"
            return switch reason {
            case .edited: "\(at)审计记录的内容与其哈希不符：该条记录被修改过。"
            case .deleted(let from, let to):
                from == to ? "缺少第 \(from) 条审计记录：该条被删除。" : "缺少第 \(from)–\(to) 条审计记录：这些记录被删除。"
            case .reordered(let expected, let found):
                "此处应为第 \(expected) 条，实为第 \(found) 条：审计记录的顺序被改动（移动、插入或重复）。"
            case .unlinked:
                "\(at)审计记录与前一条记录的哈希链接不符：前一条被改写后重新计算了哈希，或此条是插入的。"
            case .truncated(let expectedLast, let foundLast):
                "日志应截止于第 \(expectedLast) 条，实际截止于第 \(foundLast) 条：末尾的记录被删除或被改写。"
            }
        }
    }

    /// Why an entry does not check out.
    public enum Reason: Hashable, Sendable {
        /// The entry's content (or its stored hash) was changed: the hash of its canonical bytes differs.
        case edited
        /// Sequence numbers `from...to` are absent here and nowhere later in the list.
        case deleted(from: Int, to: Int)
        /// The entry carries `found` where `expected` was due, and the list is not simply missing entries: an
        /// entry was moved, inserted or duplicated.
        case reordered(expected: Int, found: Int)
        /// The sequence is right but `previousHash` is not the previous entry's hash.
        case unlinked
        /// The list ends at `foundLast` but the head kept elsewhere says `expectedLast` (or its hash differs).
        case truncated(expectedLast: Int, foundLast: Int)

        /// Stable code: `edited`, `deleted`, `reordered`, `unlinked`, `truncated`.
        public var code: String {
            switch self {
            case .edited: "edited"
            case .deleted: "deleted"
            case .reordered: "reordered"
            case .unlinked: "unlinked"
            case .truncated: "truncated"
            }
        }
    }

    /// The next entry of the chain: `event` after `previous` (`nil` for the first entry), hashed with `hash`.
    public static func seal(_ event: AuditEvent, after previous: AuditEntry?, hash: ([UInt8]) -> [UInt8]) -> AuditEntry {
        seal(event, after: previous.map { Anchor(sequence: $0.sequence, hash: $0.hash) } ?? .genesis, hash: hash)
    }

    /// The next entry after the chain point `anchor`.
    public static func seal(_ event: AuditEvent, after anchor: Anchor, hash: ([UInt8]) -> [UInt8]) -> AuditEntry {
        var entry = AuditEntry(sequence: anchor.sequence + 1, event: event, previousHash: anchor.hash, hash: "")
        entry.hash = hex(hash(entry.canonicalBytes))
        return entry
    }

    /// Walks `entries` (in stored order) from `anchor` and returns ``Verification/intact(count:)`` or the first
    /// break. Checks per entry, in this order: the sequence number is the next one (else `deleted` or
    /// `reordered`), the hash matches the canonical bytes (else `edited`), `previousHash` is the previous
    /// entry's hash (else `unlinked`). Then, when `head` is given, the last entry must be it (else `truncated`).
    ///
    /// - Parameters:
    ///   - anchor: the point the list continues from: ``Anchor/genesis`` for the whole log, or the last entry of
    ///     the previous batch when a long log is verified batch by batch.
    ///   - head: the newest entry's sequence and hash as kept outside the database, if any.
    ///   - hash: the chain's hash function (SHA-256).
    public static func verify(_ entries: [AuditEntry], after anchor: Anchor = .genesis, head: Anchor? = nil,
                              hash: ([UInt8]) -> [UInt8]) -> Verification {
        var previous = anchor
        for (position, entry) in entries.enumerated() {
            let expected = previous.sequence + 1
            if entry.sequence != expected {
                let later = entries[(position + 1)...]
                let reason: Reason
                if entry.sequence > expected, !later.contains(where: { $0.sequence < entry.sequence }) {
                    reason = .deleted(from: expected, to: entry.sequence - 1)
                } else {
                    reason = .reordered(expected: expected, found: entry.sequence)
                }
                return .broken(Break(position: position, sequence: entry.sequence, reason: reason))
            }
            if hex(hash(entry.canonicalBytes)) != entry.hash.lowercased() {
                return .broken(Break(position: position, sequence: entry.sequence, reason: .edited))
            }
            if entry.previousHash.lowercased() != previous.hash.lowercased() {
                return .broken(Break(position: position, sequence: entry.sequence, reason: .unlinked))
            }
            previous = Anchor(sequence: entry.sequence, hash: entry.hash)
        }
        if let head, head.sequence != previous.sequence || head.hash.lowercased() != previous.hash.lowercased() {
            return .broken(Break(position: entries.count, sequence: entries.last?.sequence,
                                 reason: .truncated(expectedLast: head.sequence, foundLast: previous.sequence)))
        }
        return .intact(count: entries.count)
    }

    /// Lowercase hexadecimal of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
