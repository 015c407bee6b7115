import Foundation
import GongzhiIngest
import Testing

/// The shared-string table keeps its first bytes in memory and the rest in an unlinked temporary file.
@Suite struct SharedStringsSpillTests {
    /// Strings of every length up to a few blocks, multi-byte text and empty strings among them.
    static let strings: [String] = (0..<3000).map { i in
        switch i % 7 {
        case 0: ""
        case 1: "住宅\(i)"
        case 2: String(repeating: "x", count: i % 150)
        case 3: "3210271987\(String(format: "%08d", i))"
        case 4: "江苏省扬州市邗江区文昌西路\(i)号 𠀋"
        default: "\(i)"
        }
    }

    @Test("spilled strings read back the same, in any order", arguments: [
        XlsxSharedStrings.Spill(memoryBytes: 0, blockSize: 1, cachedBlocks: 1),
        XlsxSharedStrings.Spill(memoryBytes: 1000, blockSize: 64, cachedBlocks: 3),
        XlsxSharedStrings.Spill(memoryBytes: 5000, blockSize: 4096, cachedBlocks: 2),
    ])
    func readsBack(_ spill: XlsxSharedStrings.Spill) throws {
        // given
        let table = XlsxSharedStrings(spill: spill)
        for s in Self.strings { try table.append(s) }
        // when
        try table.finish()
        // then
        #expect(table.isSpilled)
        #expect(table.count == Self.strings.count)
        for i in Self.strings.indices { #expect(try table.string(at: i) == Self.strings[i]) }
        for i in Self.strings.indices.reversed() { #expect(try table.string(at: i) == Self.strings[i]) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let i = Int.random(in: Self.strings.indices, using: &generator)
            #expect(try table.string(at: i) == Self.strings[i])
        }
    }

    @Test func stringsOfAnyLength() throws {
        // given: lengths around the 2-byte length field's limit, in memory and in the file
        let long = [70_000, 10, 65_535, 65_534, 0, 65_536, 200_000].enumerated().map { i, n in
            String(repeating: i % 2 == 0 ? "长" : "x", count: i % 2 == 0 ? n / 3 : n)
        }
        for spill in [XlsxSharedStrings.Spill.standard, .init(memoryBytes: 100_000, blockSize: 4096, cachedBlocks: 2)] {
            let table = XlsxSharedStrings(spill: spill)
            for s in long + Self.strings + long { try table.append(s) }
            try table.finish()
            // then
            for (i, s) in (long + Self.strings + long).enumerated() { #expect(try table.string(at: i) == s) }
        }
    }

    @Test func smallTablesStayInMemory() throws {
        let table = XlsxSharedStrings()
        for s in Self.strings { try table.append(s) }
        try table.finish()
        #expect(!table.isSpilled)
        #expect(try table.string(at: 4) == Self.strings[4])
    }
}
