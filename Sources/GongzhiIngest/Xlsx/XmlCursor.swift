import Foundation

/// One attribute of the tag last read by ``XmlCursor``: byte ranges into the buffer.
struct XmlAttribute {
    var nameStart: Int
    var nameEnd: Int
    var valueStart: Int
    var valueEnd: Int
}

/// Thrown inside ``XmlCursor`` when a token runs past the bytes in view of a streamed part; the token is then read
/// again after a refill. Never escapes the cursor.
struct XmlNeedMore: Error {}

/// What ``XmlCursor/nextTag()`` found.
struct XmlTag {
    enum Kind { case start, end }
    var kind: Kind
    /// Whether a start tag closes itself (`<c r="A1"/>`).
    var selfClosing: Bool
    /// The local name (after any `prefix:`), as a byte range.
    var nameStart: Int
    var nameEnd: Int
}

/// A forward-only byte-level XML tokenizer over one part of the workbook.
///
/// It knows just enough XML for SpreadsheetML: start/end/empty tags with attributes, text, comments, CDATA and
/// processing instructions. It never processes DTDs or entities: any `<!` markup declaration (`<!DOCTYPE`,
/// `<!ENTITY`, `<!ELEMENT`, ...) throws ``IngestError/forbiddenXMLDeclaration(part:)``. Text and attribute values
/// are decoded for the five predefined entities and numeric character references only; any other `&name;` is
/// kept literally.
///
/// The cursor only ever moves forward and keeps no state besides `pos` and the attributes of the last tag,
/// so a later chunked version only needs to guarantee that the buffer holds the whole next token (a tag up to its
/// `>`, or a text run up to the next `<`) before each call, compacting consumed bytes away.
struct XmlCursor {
    /// The bytes in view: the whole part, or the current window of a streamed part.
    private(set) var buf: UnsafeBufferPointer<UInt8>
    var pos: Int
    /// The window a streamed part is read through (`nil`: `buf` is the whole part).
    let window: ByteWindow?
    /// Part name, for errors.
    let part: String
    /// Attributes of the last start tag.
    var attrs: [XmlAttribute] = []
    /// Scratch buffer for decoded text.
    private var scratch: [UInt8] = []

    init(buf: UnsafeBufferPointer<UInt8>, part: String) {
        self.buf = buf
        self.part = part
        self.pos = 0
        self.window = nil
        attrs.reserveCapacity(8)
        // UTF-8 byte-order mark.
        if buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { pos = 3 }
    }

    /// A cursor over a streamed part: the window is refilled as tokens are consumed.
    init(window: ByteWindow, part: String) throws {
        self.window = window
        self.part = part
        self.pos = 0
        try window.fill(atLeast: 3)
        self.buf = window.buffer
        attrs.reserveCapacity(8)
        if buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { pos = 3 }
    }

    /// Whether the bytes in view run to the end of the part.
    @inline(__always)
    var atEnd: Bool { window?.eof ?? true }

    /// Drops the bytes before `keep` and reads more; `false` when the part has no more bytes.
    private mutating func refill(keepingFrom keep: Int) throws -> Bool {
        guard let w = window, !w.eof else { return false }
        try w.refill(keepingFrom: keep)
        pos -= keep
        buf = w.buffer
        return true
    }

    /// The error for a token cut off by the end of the bytes in view: "read more" while the part goes on,
    /// else a corrupt-workbook error.
    @inline(__always)
    private func incomplete(_ what: StaticString) -> any Error {
        if let w = window, !w.eof { return XmlNeedMore() }
        return corrupt("\(what)")
    }

    var count: Int { buf.count }

    // MARK: - Tags

    /// Skips text up to the next tag and reads it. `nil` at the end of the buffer.
    mutating func nextTag() throws -> XmlTag? {
        while true {
            let n = buf.count
            // Find '<'; text before it is dropped.
            guard let base = buf.baseAddress, pos < n,
                  let hit = memchr(base + pos, 0x3C, n - pos) else {
                pos = n
                if try refill(keepingFrom: n) { continue }
                return nil
            }
            pos = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            let start = pos
            do {
                if let tag = try readMarkup() { return tag }
            } catch is XmlNeedMore {
                pos = start
                _ = try refill(keepingFrom: start)
            }
        }
    }

    /// Skips to each start tag with the local name `name` (comments, CDATA and processing instructions skipped,
    /// declarations refused) and hands it to `found` with its attributes readable; returns at the end of the part.
    /// Much cheaper than ``nextTag()``: other tags are not parsed.
    mutating func scanForStartTags(named name: StaticString, _ found: (inout XmlCursor, XmlTag) throws -> Void) throws {
        let len = name.utf8CodeUnitCount
        let p = name.utf8Start
        while true {
            let n = buf.count
            guard let base = buf.baseAddress, pos < n,
                  let hit = memchr(base + pos, 0x3C, n - pos) else {
                pos = n
                if try refill(keepingFrom: n) { continue }
                return
            }
            pos = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            let start = pos
            do {
                guard pos + 1 < n else { throw incomplete("unexpected end of XML") }
                let b = buf[pos + 1]
                if b == UInt8(ascii: "!") || b == UInt8(ascii: "?") {
                    _ = try readMarkup()
                    continue
                }
                if b == UInt8(ascii: "/") { pos += 2; continue }
                let (ns, ne, after) = readName(from: pos + 1)
                guard after < n else { throw incomplete("unterminated tag") }
                if ne - ns == len, (0..<len).allSatisfy({ buf[ns + $0] == p[$0] }) {
                    if let tag = try readMarkup() { try found(&self, tag) }
                } else {
                    pos = after
                }
            } catch is XmlNeedMore {
                pos = start
                _ = try refill(keepingFrom: start)
            }
        }
    }

    /// At a `<`: reads a tag and returns it, or skips a comment / PI / CDATA and returns `nil`.
    private mutating func readMarkup() throws -> XmlTag? {
        let n = buf.count
        var i = pos + 1
        guard i < n else { throw incomplete("unexpected end of XML") }
        let b = buf[i]
        if b == UInt8(ascii: "!") {
            try skipBang()
            return nil
        }
        if b == UInt8(ascii: "?") {
            pos = try find2(UInt8(ascii: "?"), UInt8(ascii: ">"), from: i + 1) + 2
            return nil
        }
        if b == UInt8(ascii: "/") {
            i += 1
            let (ns, ne, after) = readName(from: i)
            guard let close = findByte(UInt8(ascii: ">"), from: after) else { throw incomplete("unterminated end tag") }
            pos = close + 1
            return XmlTag(kind: .end, selfClosing: false, nameStart: ns, nameEnd: ne)
        }
        let (ns, ne, after) = readName(from: i)
        guard after < n else { throw incomplete("unterminated tag") }
        guard ne > ns else { throw corrupt("bad tag") }
        i = after
        attrs.removeAll(keepingCapacity: true)
        while true {
            while i < n, isSpace(buf[i]) { i += 1 }
            guard i < n else { throw incomplete("unterminated tag") }
            let c = buf[i]
            if c == UInt8(ascii: ">") {
                pos = i + 1
                return XmlTag(kind: .start, selfClosing: false, nameStart: ns, nameEnd: ne)
            }
            if c == UInt8(ascii: "/") {
                guard i + 1 < n else { throw incomplete("unterminated tag") }
                guard buf[i + 1] == UInt8(ascii: ">") else { throw corrupt("bad empty tag") }
                pos = i + 2
                return XmlTag(kind: .start, selfClosing: true, nameStart: ns, nameEnd: ne)
            }
            // Attribute name (qualified) up to '=' or space.
            let an = i
            while i < n, buf[i] != UInt8(ascii: "="), !isSpace(buf[i]), buf[i] != UInt8(ascii: ">"), buf[i] != UInt8(ascii: "/") { i += 1 }
            let ane = i
            while i < n, isSpace(buf[i]) { i += 1 }
            guard i < n else { throw incomplete("unterminated tag") }
            guard buf[i] == UInt8(ascii: "="), ane > an else { throw corrupt("bad attribute") }
            i += 1
            while i < n, isSpace(buf[i]) { i += 1 }
            guard i < n else { throw incomplete("unterminated tag") }
            guard buf[i] == 0x22 || buf[i] == 0x27 else { throw corrupt("unquoted attribute") }
            let q = buf[i]
            let vs = i + 1
            guard let ve = findByte(q, from: vs) else { throw incomplete("unterminated attribute") }
            attrs.append(XmlAttribute(nameStart: an, nameEnd: ane, valueStart: vs, valueEnd: ve))
            i = ve + 1
        }
    }

    /// At `<!`: a comment or CDATA section is skipped; anything else is a markup declaration and refused.
    private mutating func skipBang() throws {
        let n = buf.count
        let i = pos + 2
        // Enough bytes to tell a comment or CDATA from a declaration.
        if i + 7 > n, !atEnd { throw XmlNeedMore() }
        if i + 1 < n, buf[i] == UInt8(ascii: "-"), buf[i + 1] == UInt8(ascii: "-") {
            pos = try find3(UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: ">"), from: i + 2) + 3
            return
        }
        if matches("[CDATA[", at: i) {
            pos = try find3(UInt8(ascii: "]"), UInt8(ascii: "]"), UInt8(ascii: ">"), from: i + 7) + 3
            return
        }
        throw IngestError.forbiddenXMLDeclaration(part: part)
    }

    /// A qualified name from `i`; returns the local-name range and the index after the name.
    @inline(__always)
    private func readName(from start: Int) -> (Int, Int, Int) {
        let n = buf.count
        var i = start
        var local = start
        while i < n {
            let c = buf[i]
            if isSpace(c) || c == UInt8(ascii: ">") || c == UInt8(ascii: "/") { break }
            if c == UInt8(ascii: ":") { local = i + 1 }
            i += 1
        }
        return (local, i, i)
    }

    // MARK: - Names and attributes

    /// Whether the tag's local name is `name`.
    @inline(__always)
    func isNamed(_ tag: XmlTag, _ name: StaticString) -> Bool {
        let len = name.utf8CodeUnitCount
        guard tag.nameEnd - tag.nameStart == len else { return false }
        let p = name.utf8Start
        for k in 0..<len where buf[tag.nameStart + k] != p[k] { return false }
        return true
    }

    /// The value range of the attribute whose local name is `name` (any prefix when `prefixed`, none otherwise).
    @inline(__always)
    func attribute(_ name: StaticString, prefixed: Bool = false) -> XmlAttribute? {
        let len = name.utf8CodeUnitCount
        let p = name.utf8Start
        outer: for a in attrs {
            var local = a.nameStart
            if prefixed {
                var k = a.nameStart
                while k < a.nameEnd, buf[k] != UInt8(ascii: ":") { k += 1 }
                guard k < a.nameEnd else { continue }
                local = k + 1
            }
            guard a.nameEnd - local == len else { continue }
            for k in 0..<len where buf[local + k] != p[k] { continue outer }
            return a
        }
        return nil
    }

    /// The decoded value of the attribute `name`, or `nil`.
    mutating func attributeString(_ name: StaticString, prefixed: Bool = false) -> String? {
        guard let a = attribute(name, prefixed: prefixed) else { return nil }
        return decode(a.valueStart, a.valueEnd, ooxmlEscapes: false)
    }

    /// The attribute's value as a non-negative integer, or `nil`.
    func attributeInt(_ name: StaticString) -> Int? {
        guard let a = attribute(name) else { return nil }
        return parseInt(a.valueStart, a.valueEnd)
    }

    /// Whether the attribute's value equals `value` exactly (raw bytes).
    func attributeEquals(_ a: XmlAttribute, _ value: StaticString) -> Bool {
        let len = value.utf8CodeUnitCount
        guard a.valueEnd - a.valueStart == len else { return false }
        let p = value.utf8Start
        for k in 0..<len where buf[a.valueStart + k] != p[k] { return false }
        return true
    }

    func parseInt(_ s: Int, _ e: Int) -> Int? {
        guard e > s, e - s <= 18 else { return nil }
        var v = 0
        for k in s..<e {
            let b = buf[k]
            guard b >= 48, b <= 57 else { return nil }
            v = v * 10 + Int(b - 48)
        }
        return v
    }

    // MARK: - Text

    /// Reads the character content after a start tag up to the next element tag (comments and processing
    /// instructions skipped, CDATA taken literally), decoded. Leaves `pos` at that tag.
    /// `ooxmlEscapes`: also decode SpreadsheetML's `_xHHHH_` escapes (for `<t>` text).
    mutating func readText(ooxmlEscapes: Bool) throws -> String {
        while true {
            let start = pos
            do {
                return try readTextInView(ooxmlEscapes: ooxmlEscapes)
            } catch is XmlNeedMore {
                pos = start
                _ = try refill(keepingFrom: start)
            }
        }
    }

    /// ``readText(ooxmlEscapes:)`` within the bytes in view; throws ``XmlNeedMore`` when the text may go on past them.
    private mutating func readTextInView(ooxmlEscapes: Bool) throws -> String {
        let n = buf.count
        let start = pos
        var i = pos
        var special = false
        if ooxmlEscapes {
            while i < n {
                let b = buf[i]
                if b == 0x3C { break }
                if b == 0x26 || b == 0x0D || b == 0x5F { special = true }
                i += 1
            }
        } else {
            while i < n {
                let b = buf[i]
                if b == 0x3C { break }
                if b == 0x26 || b == 0x0D { special = true }
                i += 1
            }
        }
        // The text (or the tag after it) may go on past the bytes in view.
        if i + 1 >= n, !atEnd { throw XmlNeedMore() }
        if !special, i + 1 < n, buf[i + 1] != UInt8(ascii: "!"), buf[i + 1] != UInt8(ascii: "?") {
            pos = i
            return String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
        }
        if !special, i >= n {
            pos = n
            return String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
        }
        // Slow path: several runs, CDATA, comments, references.
        var out = scratch
        out.removeAll(keepingCapacity: true)
        defer { scratch = out }
        i = start
        while i < n {
            let b = buf[i]
            if b == 0x3C {
                if i + 1 >= n, !atEnd { throw XmlNeedMore() }
                if i + 1 < n, buf[i + 1] == UInt8(ascii: "!") {
                    if i + 9 > n, !atEnd { throw XmlNeedMore() }
                    if matches("[CDATA[", at: i + 2) {
                        let end = try find3(UInt8(ascii: "]"), UInt8(ascii: "]"), UInt8(ascii: ">"), from: i + 9)
                        appendNormalisingLineEnds(&out, i + 9, end)
                        i = end + 3
                        continue
                    }
                    pos = i
                    try skipBang() // comment, or throws on a declaration
                    i = pos
                    continue
                }
                if i + 1 < n, buf[i + 1] == UInt8(ascii: "?") {
                    i = try find2(UInt8(ascii: "?"), UInt8(ascii: ">"), from: i + 2) + 2
                    continue
                }
                break
            }
            let runStart = i
            while i < n, buf[i] != 0x3C { i += 1 }
            decodeRun(&out, runStart, i)
        }
        if i >= n, !atEnd { throw XmlNeedMore() }
        pos = i
        if ooxmlEscapes { decodeOoxmlEscapes(&out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `[s, e)` (entities, line ends) into a String.
    mutating func decode(_ s: Int, _ e: Int, ooxmlEscapes: Bool) -> String {
        var special = false
        for k in s..<e where buf[k] == 0x26 || buf[k] == 0x0D || (ooxmlEscapes && buf[k] == 0x5F) { special = true; break }
        if !special { return String(decoding: UnsafeBufferPointer(rebasing: buf[s..<e]), as: UTF8.self) }
        var out: [UInt8] = []
        decodeRun(&out, s, e)
        if ooxmlEscapes { decodeOoxmlEscapes(&out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `[s, e)` with predefined entities and character references decoded and CR LF / CR → LF.
    private func decodeRun(_ out: inout [UInt8], _ s: Int, _ e: Int) {
        var i = s
        while i < e {
            let b = buf[i]
            if b == 0x0D {
                out.append(0x0A)
                i += 1
                if i < e, buf[i] == 0x0A { i += 1 }
                continue
            }
            if b != 0x26 { out.append(b); i += 1; continue }
            // '&' ... ';'
            var j = i + 1
            while j < e, j - i <= 12, buf[j] != UInt8(ascii: ";") { j += 1 }
            guard j < e, buf[j] == UInt8(ascii: ";") else { out.append(b); i += 1; continue }
            let name = UnsafeBufferPointer(rebasing: buf[(i + 1)..<j])
            if let scalar = XmlCursor.reference(name) {
                appendUTF8(&out, scalar)
                i = j + 1
            } else {
                out.append(b) // unknown entity: kept literally, never resolved
                i += 1
            }
        }
    }

    private func appendNormalisingLineEnds(_ out: inout [UInt8], _ s: Int, _ e: Int) {
        var i = s
        while i < e {
            let b = buf[i]
            if b == 0x0D {
                out.append(0x0A)
                i += 1
                if i < e, buf[i] == 0x0A { i += 1 }
            } else {
                out.append(b)
                i += 1
            }
        }
    }

    /// The scalar for a predefined entity name or a character reference (`#20013`, `#x4E2D`).
    static func reference(_ name: UnsafeBufferPointer<UInt8>) -> UInt32? {
        guard let first = name.first else { return nil }
        if first == UInt8(ascii: "#") {
            var v: UInt32 = 0
            var any = false
            if name.count > 1, name[1] == UInt8(ascii: "x") || name[1] == UInt8(ascii: "X") {
                for b in name.dropFirst(2) {
                    let d: UInt32
                    switch b {
                    case 48...57: d = UInt32(b - 48)
                    case 65...70: d = UInt32(b - 55)
                    case 97...102: d = UInt32(b - 87)
                    default: return nil
                    }
                    v = v * 16 + d
                    any = true
                    if v > 0x10FFFF { return nil }
                }
            } else {
                for b in name.dropFirst() {
                    guard b >= 48, b <= 57 else { return nil }
                    v = v * 10 + UInt32(b - 48)
                    any = true
                    if v > 0x10FFFF { return nil }
                }
            }
            guard any, v != 0, !(0xD800...0xDFFF).contains(v) else { return nil }
            return v
        }
        switch Array(name) {
        case Array("lt".utf8): return 0x3C
        case Array("gt".utf8): return 0x3E
        case Array("amp".utf8): return 0x26
        case Array("quot".utf8): return 0x22
        case Array("apos".utf8): return 0x27
        default: return nil
        }
    }

    /// SpreadsheetML `_xHHHH_` escapes (ST_Xstring): `_x000D_` → CR; `_x005F_` → `_`.
    private func decodeOoxmlEscapes(_ out: inout [UInt8]) {
        guard out.count >= 7 else { return }
        var res: [UInt8] = []
        res.reserveCapacity(out.count)
        var i = 0
        var changed = false
        while i < out.count {
            if out[i] == 0x5F, i + 6 < out.count, out[i + 1] == UInt8(ascii: "x"), out[i + 6] == 0x5F {
                var v: UInt32 = 0
                var ok = true
                for k in (i + 2)...(i + 5) {
                    let b = out[k]
                    switch b {
                    case 48...57: v = v * 16 + UInt32(b - 48)
                    case 65...70: v = v * 16 + UInt32(b - 55)
                    case 97...102: v = v * 16 + UInt32(b - 87)
                    default: ok = false
                    }
                }
                if ok, !(0xD800...0xDFFF).contains(v) {
                    appendUTF8(&res, v)
                    i += 7
                    changed = true
                    continue
                }
            }
            res.append(out[i])
            i += 1
        }
        if changed { out = res }
    }

    private func appendUTF8(_ out: inout [UInt8], _ v: UInt32) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    // MARK: - Skipping

    /// Skips everything up to and including the end tag of the element whose start tag was just read
    /// (same local name, nesting counted).
    mutating func skipElement(_ start: XmlTag) throws {
        if start.selfClosing { return }
        let name = Array(UnsafeBufferPointer(rebasing: buf[start.nameStart..<start.nameEnd]))
        var depth = 1
        while let t = try nextTag() {
            guard t.nameEnd - t.nameStart == name.count,
                  name.withUnsafeBufferPointer({ nb in (0..<nb.count).allSatisfy { buf[t.nameStart + $0] == nb[$0] } })
            else { continue }
            if t.kind == .end { depth -= 1; if depth == 0 { return } } else if !t.selfClosing { depth += 1 }
        }
    }

    // MARK: - Helpers

    @inline(__always)
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    func matches(_ s: StaticString, at i: Int) -> Bool {
        let len = s.utf8CodeUnitCount
        guard i + len <= buf.count else { return false }
        let p = s.utf8Start
        for k in 0..<len where buf[i + k] != p[k] { return false }
        return true
    }

    @inline(__always)
    func findByte(_ b: UInt8, from i: Int) -> Int? {
        guard let base = buf.baseAddress, i < buf.count else { return nil }
        guard let hit = memchr(base + i, Int32(b), buf.count - i) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    private func find2(_ a: UInt8, _ b: UInt8, from start: Int) throws -> Int {
        var i = start
        while let k = findByte(a, from: i) {
            if k + 1 < buf.count, buf[k + 1] == b { return k }
            i = k + 1
        }
        throw incomplete("unterminated markup")
    }

    private func find3(_ a: UInt8, _ b: UInt8, _ c: UInt8, from start: Int) throws -> Int {
        var i = start
        while let k = findByte(a, from: i) {
            if k + 2 < buf.count, buf[k + 1] == b, buf[k + 2] == c { return k }
            i = k + 1
        }
        throw incomplete("unterminated markup")
    }

    func corrupt(_ what: String) -> IngestError {
        .corruptWorkbook(detail: "\(part): \(what) at byte \(pos)")
    }
}
