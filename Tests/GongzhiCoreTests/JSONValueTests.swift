import Foundation
import Testing
import GongzhiCore

@Suite("JSONValue: hand-written JSON with ordered keys")
struct JSONValueTests {
    @Test("strings are escaped per RFC 8259, non-ASCII kept", arguments: [
        ("plain", #""plain""#),
        ("say \"hi\"", #""say \"hi\"""#),
        (#"C:\dir\file"#, #""C:\\dir\\file""#),
        ("a\nb\rc\td", #""a\nb\rc\td""#),
        ("\u{01}\u{08}\u{0C}\u{1F}", #""\u0001\u0008\u000c\u001f""#),
        ("张三；备注（一）", "\"张三；备注（一）\""),
        ("３２１００２", "\"３２１００２\""),
        ("\u{7F}/é😀", "\"\u{7F}/é😀\""),
        ("", #""""#),
    ])
    func strings(text: String, json: String) {
        // given / when
        let written = JSONValue.string(text).serialized()
        // then
        #expect(written == json)
    }

    @Test("compact output keeps key order and writes numbers verbatim")
    func compact() {
        // given members in a non-alphabetical order
        let value = JSONValue.object([
            ("zeta", .int(1)), ("alpha", .number("256.90")), ("mid", .array([.null, .bool(true), .bool(false)])),
            ("empty_array", .array([])), ("empty_object", .object([])), ("maybe", .optional(nil)), ("name", .optional("张")),
        ])
        // when
        let text = value.serialized()
        // then
        #expect(text == #"{"zeta":1,"alpha":256.90,"mid":[null,true,false],"empty_array":[],"empty_object":{},"maybe":null,"name":"张"}"#)
    }

    @Test("pretty output indents by two spaces")
    func prettyShape() {
        let value = JSONValue.object([("b", .array([.int(1), .int(2)])), ("a", .object([("x", .null)])), ("c", .array([]))])
        #expect(value.serialized(pretty: true) == """
        {
          "b": [
            1,
            2
          ],
          "a": {
            "x": null
          },
          "c": []
        }
        """)
    }

    @Test("pretty and compact output parse to the same value", arguments: [false, true])
    func parsesBack(pretty: Bool) throws {
        // given a value with every kind of member and awkward strings
        let value = JSONValue.object([
            ("indicator", .string("HOU-001")),
            ("refused", .bool(false)),
            ("rows_total", .int(182)),
            ("errors", .array([
                .object([("row", .int(6)), ("field", .string("buyer_id_no")), ("code", .string("bad_check_digit")),
                         ("value", .string("  \"x\"\\\t３２１\n"))]),
                .object([("row", .int(76)), ("field", .null)]),
            ])),
            ("control", .string("\u{00}\u{1B}")),
        ])
        // when
        let data = Data(value.serialized(pretty: pretty).utf8)
        let parsed = try #require(try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? NSDictionary)
        // then
        let expected: NSDictionary = [
            "indicator": "HOU-001",
            "refused": false,
            "rows_total": 182,
            "errors": [
                ["row": 6, "field": "buyer_id_no", "code": "bad_check_digit", "value": "  \"x\"\\\t３２１\n"],
                ["row": 76, "field": NSNull()],
            ],
            "control": "\u{00}\u{1B}",
        ]
        #expect(parsed == expected)
    }

    @Test("equality respects key order")
    func equality() {
        let ab = JSONValue.object([("a", .int(1)), ("b", .int(2))])
        let ba = JSONValue.object([("b", .int(2)), ("a", .int(1))])
        #expect(ab == JSONValue.object([("a", .int(1)), ("b", .int(2))]))
        #expect(ab != ba)
        #expect(JSONValue.number("1") != .string("1"))
    }

    @Test("contract error and normalisation objects have the contract's shape")
    func contractObjects() {
        // given
        let duplicate = ImportIssue(row: 76, field: nil, column: nil, code: .duplicateRow, value: nil, message: "重复", duplicateOfRow: 63)
        let checkDigit = ImportIssue(row: 6, field: "buyer_id_no", column: "买方证件号码", code: .badCheckDigit,
                                     value: "110101200208274581", message: "校验位错误")
        let normalization = Normalization(row: 22, field: "buyer_id_no", from: "３２１００２１９９５１１１９６１６４", to: "321002199511196164")
        // when / then
        #expect(duplicate.contractJSON.serialized() == #"{"row":76,"field":null,"code":"duplicate_row","value":null,"duplicate_of_row":63}"#)
        #expect(checkDigit.contractJSON.serialized() == #"{"row":6,"field":"buyer_id_no","code":"bad_check_digit","value":"110101200208274581"}"#)
        #expect(normalization.contractJSON.serialized() == #"{"row":22,"field":"buyer_id_no","from":"３２１００２１９９５１１１９６１６４","to":"321002199511196164"}"#)
    }
}
