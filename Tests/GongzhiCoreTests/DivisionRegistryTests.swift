import Foundation
import Testing
import GongzhiCore
import GongzhiTestSupport

@Suite("GB/T 2260 division registry")
struct DivisionRegistryTests {
    @Test("the shared divisions.csv loads: 6,885 codes")
    func sharedList() throws {
        let text = try String(contentsOf: SharedData.fixtures.appendingPathComponent("divisions.csv"), encoding: .utf8)
        let registry = try DivisionRegistry(csv: text)
        #expect(registry.count == 6885)
        #expect(registry.isCurrent("321000"))
        #expect(registry.name(of: "321002") == "广陵区")
        #expect(registry.name(of: "321088") == "江都市")
        #expect(registry.isKnown("321027") && !registry.isCurrent("321027"))
        #expect(registry.isKnown("321026") && !registry.isCurrent("321026"))
        #expect(!registry.isKnown("321099"))
        #expect(!registry.isKnown("990101"))
        #expect(registry.wasInForce("321088", in: 2000))
        #expect(!registry.wasInForce("321088", in: 2015))
        // The list has a few 1983 entries whose valid_to (1982) is before valid_from; they are kept.
        #expect(registry.isKnown("210311") && registry.isCurrent("210311"))
    }

    @Test("the Yangzhou list (code,name,level,parent) loads by its header")
    func yangzhou() throws {
        let text = try String(contentsOf: SharedData.fixtures.appendingPathComponent("divisions-yangzhou.csv"), encoding: .utf8)
        let registry = try DivisionRegistry(csv: text)
        #expect(registry.count == 20)
        #expect(registry.isCurrent("321012"))
        #expect(!registry.isKnown("321088"))
        #expect(registry.name(of: "321000") == "扬州市")
    }

    @Test("a code with several names: current name wins, else the last one")
    func names() throws {
        let csv = """
        code,name,valid_from,valid_to,level
        321011,郊区,1983,2001,county
        321011,维扬区,2002,2010,county
        999001,旧名,,1990,county
        999001,新名,1991,,county
        """
        let registry = try DivisionRegistry(csv: csv)
        #expect(registry.count == 2)
        #expect(registry.name(of: "321011") == "维扬区")
        #expect(!registry.isCurrent("321011"))
        #expect(registry.name(of: "999001") == "新名")
        #expect(registry.isCurrent("999001"))
        #expect(registry.entries(of: "321011").count == 2)
        #expect(registry.name(of: "000000") == nil)
    }

    @Test("BOM, CRLF, blank lines and quoted names are read")
    func lenientSyntax() throws {
        let csv = "\u{FEFF}code,name,valid_from,valid_to,level\r\n320000,\"江苏省\",,,province\r\n\r\n320100,\"南京,市\",,,prefecture\r\n"
        let registry = try DivisionRegistry(csv: csv)
        #expect(registry.count == 2)
        #expect(registry.name(of: "320100") == "南京,市")
        #expect(registry.isCurrent("320000"))
    }

    @Test("a malformed line throws with its line number", arguments: [
        ("code,name,valid_from,valid_to,level\n320000,江苏省,,,province\n32000,短,,,county\n", 3),
        ("code,name,valid_from,valid_to,level\n320000,江苏省,,province\n", 2),
        ("code,name,valid_from,valid_to,level\n320000,江苏省,19x0,,province\n", 2),
        ("code,name,valid_from,valid_to,level\n320000,,,,province\n", 2),
        ("code,name,valid_from,valid_to,level\n320000,\"江苏省,,,province\n", 2),
        ("320000,江苏省,,,province\n320100,南京市,,,\n321000,扬州市\n", 3),
    ])
    func malformed(_ csv: String, _ line: Int) {
        #expect {
            _ = try DivisionRegistry(csv: csv)
        } throws: { error in
            (error as? DivisionRegistryError)?.line == line
        }
    }
}
