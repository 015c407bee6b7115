@testable import GongzhiCore
import Testing

/// The hot path's fast forms must equal the plain forms they replace.
@Suite("Fast paths agree with the plain forms")
struct FastPathTests {
    static let fields: [Field] = [
        Field(key: "name", label: "名称", type: .text),
        Field(key: "count", label: "套数", type: .integer),
        Field(key: "amount", label: "金额", type: .decimal),
        Field(key: "day", label: "日期", type: .date),
        Field(key: "moment", label: "时间", type: .datetime),
        Field(key: "flag", label: "是否", type: .boolean),
        Field(key: "id_no", label: "证件号码", type: .personID),
    ]

    static let records: [AcceptedRecord] = [
        AcceptedRecord(row: 3, values: [.text("张三"), .integer("12"), .decimal("256.90"), .date(CalendarDate(year: 2024, month: 3, day: 5)!),
                                        .dateTime(CalendarDateTime(date: CalendarDate(year: 2020, month: 4, day: 21)!, hour: 23, minute: 10, second: 14)!),
                                        .boolean(true), .text("32100219900101123X")]),
        AcceptedRecord(row: 4, values: [.text("引号\"和\\反斜杠\n换行\t制表\u{1}"), nil, nil, nil, nil, .boolean(false), nil]),
        AcceptedRecord(row: 5, values: [nil, .integer("-7"), .decimal("0"), nil, nil, nil, .text("E12345678")]),
    ]

    @Test("record JSON written in one pass equals the JSONValue tree, byte for byte", arguments: records)
    func recordJSON(_ record: AcceptedRecord) {
        #expect(record.valuesJSONText(fields: Self.fields) == record.valuesJSON(fields: Self.fields).serialized())
    }

    @Test("the row fingerprint from values equals the fingerprint of their comparison keys")
    func fingerprints() {
        for record in Self.records {
            #expect(Fingerprint(values: record.values) == Fingerprint(record.values.map { $0?.comparisonKey }))
        }
        #expect(Fingerprint(values: [.decimal("256.9")]) == Fingerprint(values: [.decimal("256.90")]))
        #expect(Fingerprint(values: [.text("a"), nil]) != Fingerprint(values: [nil, .text("a")]))
    }

    @Test("the fingerprint table finds every row it was given among 300,000, and nothing else")
    func fingerprintTable() {
        var table = FingerprintTable()
        for row in 1...300_000 {
            table.insert(Fingerprint([String(row)]), row: row)
        }
        for row in stride(from: 1, through: 300_000, by: 997) {
            #expect(table[Fingerprint([String(row)])] == row)
        }
        #expect(table[Fingerprint(["not there"])] == nil)
        table.insert(Fingerprint(["7"]), row: 9)
        #expect(table[Fingerprint(["7"])] == 9)
    }
}
