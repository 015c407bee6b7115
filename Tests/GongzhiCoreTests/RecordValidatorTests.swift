import Testing
import GongzhiCore

@Suite("RecordValidator: row rules")
struct RecordValidatorTests {
    /// Owner is a person (`buyer_id`, resident ID or passport per `id_type`) or an organisation (`buyer_uscc`).
    static let indicator = Indicator(
        code: "CASE-R01", unit: "case", name: "不动产登记信息", period: .monthly, subject: "mixed", sharing: .registered,
        oneOf: [["buyer_id", "buyer_uscc"]],
        fields: [
            Field(key: "contract_no", label: "合同编号", type: .text, required: true, unique: true),
            Field(key: "id_type", label: "证件类型", type: .enum, values: ["居民身份证", "护照"]),
            Field(key: "buyer_id", label: "买方证件号码", type: .personID, idTypeField: "id_type"),
            Field(key: "buyer_uscc", label: "买方统一社会信用代码", type: .uscc),
            Field(key: "area", label: "建筑面积", type: .decimal, required: true, unit: "平方米"),
            Field(key: "deal_date", label: "合同日期", type: .date, required: true),
            Field(key: "usage", label: "用途", type: .enum, values: ["住宅", "商业", "其他"]),
        ])

    static let personA = "321002198001010011"
    static let personB = "321002199002150029"
    static let company = "91321002MA1N2B3C44"

    static func makeValidator() -> RecordValidator {
        RecordValidator(indicator: indicator,
                        cells: FieldValidator(identifiers: ValidationFixtures.identifiers, indicator: indicator))
    }

    /// One raw row: `nil` is an empty cell, a string a text cell.
    static func row(_ contract: String?, _ idType: String? = "居民身份证", _ id: String? = personA, _ uscc: String? = nil,
                    _ area: String? = "256.95", _ date: String? = "2024-03-05", _ usage: String? = "住宅") -> [RawCell] {
        [contract, idType, id, uscc, area, date, usage].map { $0.map(RawCell.text) ?? .empty }
    }

    static func issues(_ outcome: RowOutcome) -> [ImportIssue] {
        if case .rejected(let issues) = outcome { return issues }
        Issue.record("expected a rejected row, got \(outcome)")
        return []
    }

    /// The contract-relevant facts of an issue: row, field, code, value, duplicate_of_row.
    struct Fact: Equatable, CustomStringConvertible {
        var row: Int?, field: String?, code: ImportErrorCode, value: String?, duplicateOf: Int?
        init(_ row: Int?, _ field: String?, _ code: ImportErrorCode, _ value: String?, duplicateOf: Int? = nil) {
            self.row = row; self.field = field; self.code = code; self.value = value; self.duplicateOf = duplicateOf
        }
        init(_ issue: ImportIssue) {
            self.init(issue.row, issue.field, issue.code, issue.value, duplicateOf: issue.duplicateOfRow)
        }
        var description: String { "\(row.map(String.init) ?? "null") \(field ?? "null") \(code.rawValue) \(value ?? "null") \(duplicateOf.map(String.init) ?? "")" }
    }

    static func facts(_ outcome: RowOutcome) -> [Fact] { issues(outcome).map(Fact.init) }

    @Test("a clean row is accepted with its values in field order and nothing to list")
    func accepted() {
        // given
        var validator = Self.makeValidator()
        // when
        let outcome = validator.validate(row: 3, cells: Self.row("YZ2024000001"))
        // then
        #expect(outcome == .accepted(values: [
            .text("YZ2024000001"), .text("居民身份证"), .text(Self.personA), nil, .decimal("256.95"),
            .date(CalendarDate(year: 2024, month: 3, day: 5)!), .text("住宅"),
        ], normalizations: []))
    }

    @Test("required fields: empty is missing_required with value null, white space keeps the raw cell", arguments: [
        (RawCell.empty, nil as String?),
        (.text("  "), "  "),
        (.text("\u{3000}"), "\u{3000}"),
    ])
    func required(cell: RawCell, value: String?) {
        // given a row whose required 建筑面积 is blank
        var validator = Self.makeValidator()
        var cells = Self.row("YZ2024000001")
        cells[4] = cell
        // when
        let outcome = validator.validate(row: 7, cells: cells)
        // then
        #expect(Self.facts(outcome) == [Fact(7, "area", .missingRequired, value)])
        #expect(Self.issues(outcome).first?.column == "建筑面积（平方米）")
    }

    @Test("an empty optional field is accepted as nil")
    func optionalEmpty() {
        var validator = Self.makeValidator()
        let outcome = validator.validate(row: 3, cells: Self.row("YZ1", "居民身份证", Self.personA, nil, "1", "2024-03-05", nil))
        guard case .accepted(let values, _) = outcome else {
            Issue.record("expected accepted, got \(outcome)")
            return
        }
        #expect(values[6] == nil && values[3] == nil)
    }

    @Test("one_of: either member filled is enough", arguments: [
        (personA as String?, nil as String?), (nil, company), (personA, company),
    ])
    func oneOfSatisfied(id: String?, uscc: String?) {
        var validator = Self.makeValidator()
        let outcome = validator.validate(row: 3, cells: Self.row("YZ1", nil, id, uscc))
        guard case .accepted = outcome else {
            Issue.record("expected accepted, got \(outcome)")
            return
        }
    }

    @Test("one_of: both empty is missing_required on the group's first key", arguments: [
        (RawCell.empty, RawCell.empty, nil as String?),
        (.text(" "), .empty, " "),
        (.empty, .text("\u{3000}"), nil),
    ])
    func oneOfMissing(id: RawCell, uscc: RawCell, value: String?) {
        // given a row with neither a person nor an organisation
        var validator = Self.makeValidator()
        var cells = Self.row("YZ1", nil, nil, nil)
        cells[2] = id
        cells[3] = uscc
        // when
        let outcome = validator.validate(row: 9, cells: cells)
        // then
        #expect(Self.facts(outcome) == [Fact(9, "buyer_id", .missingRequired, value)])
    }

    @Test("several errors in one row are all listed, sorted by field position")
    func severalErrors() {
        // given a row with errors in 合同编号, the owner group, 建筑面积, 合同日期 and 用途
        var validator = Self.makeValidator()
        let cells = Self.row(nil, nil, nil, nil, "待定", "2024-02-30", "其它")
        // when
        let outcome = validator.validate(row: 12, cells: cells)
        // then
        #expect(Self.facts(outcome) == [
            Fact(12, "contract_no", .missingRequired, nil),
            Fact(12, "buyer_id", .missingRequired, nil),
            Fact(12, "area", .notANumber, "待定"),
            Fact(12, "deal_date", .badDate, "2024-02-30"),
            Fact(12, "usage", .notInEnum, "其它"),
        ])
    }

    @Test("error values are the raw cells, spaces and full-width kept")
    func rawValues() {
        var validator = Self.makeValidator()
        let outcome = validator.validate(row: 4, cells: Self.row(" YZ1 ", "居民身份证", " 110101200208274581 ", nil, "１２O０００"))
        #expect(Self.facts(outcome) == [
            Fact(4, "buyer_id", .badCheckDigit, " 110101200208274581 "),
            Fact(4, "area", .notANumber, "１２O０００"),
        ])
    }

    @Test("the id_type sibling switches buyer_id to passport rules", arguments: [
        ("护照", true), ("居民身份证", false),
    ])
    func passportSibling(idType: String, accepted: Bool) {
        var validator = Self.makeValidator()
        let outcome = validator.validate(row: 3, cells: Self.row("YZ1", idType, "E12345678"))
        if accepted {
            #expect(outcome == .accepted(values: [
                .text("YZ1"), .text("护照"), .text("E12345678"), nil, .decimal("256.95"),
                .date(CalendarDate(year: 2024, month: 3, day: 5)!), .text("住宅"),
            ], normalizations: []))
        } else {
            #expect(Self.facts(outcome) == [Fact(3, "buyer_id", .badFormat, "E12345678")])
        }
    }

    @Test("a whole-row duplicate after normalisation points at the first accepted row")
    func wholeRowDuplicate() {
        // given an accepted row 3
        var validator = Self.makeValidator()
        _ = validator.validate(row: 3, cells: Self.row("YZ1", "居民身份证", "32100219880305004X", nil, "256.9"))
        _ = validator.validate(row: 4, cells: Self.row("YZ2"))
        // when rows 5 and 6 repeat it with other spellings
        let fifth = validator.validate(row: 5, cells: Self.row(" YZ1", "居民身份证", "32100219880305004x", nil, "256.90", "2024/3/5"))
        let sixth = validator.validate(row: 6, cells: Self.row("YZ1", "居民身份证", "32100219880305004X", nil, "256.9"))
        // then both are duplicate_row of row 3, field and value null
        #expect(Self.facts(fifth) == [Fact(5, nil, .duplicateRow, nil, duplicateOf: 3)])
        #expect(Self.facts(sixth) == [Fact(6, nil, .duplicateRow, nil, duplicateOf: 3)])
        #expect(Self.issues(sixth).first?.contractJSON.serialized()
                == #"{"row":6,"field":null,"code":"duplicate_row","value":null,"duplicate_of_row":3}"#)
    }

    @Test("a rejected row never becomes a duplicate target")
    func rejectedRowIsNoTarget() {
        // given row 3 rejected for its date
        var validator = Self.makeValidator()
        let third = validator.validate(row: 3, cells: Self.row("YZ1", "居民身份证", Self.personA, nil, "256.95", "2024-13-05"))
        #expect(Self.facts(third) == [Fact(3, "deal_date", .badDate, "2024-13-05")])
        // when row 4 repeats it exactly, and row 5 is the corrected row with the same 合同编号
        let fourth = validator.validate(row: 4, cells: Self.row("YZ1", "居民身份证", Self.personA, nil, "256.95", "2024-13-05"))
        let fifth = validator.validate(row: 5, cells: Self.row("YZ1"))
        let sixth = validator.validate(row: 6, cells: Self.row("YZ1"))
        // then row 4 has its own error, row 5 is accepted and becomes the target of row 6
        #expect(Self.facts(fourth) == [Fact(4, "deal_date", .badDate, "2024-13-05")])
        guard case .accepted = fifth else {
            Issue.record("row 5 should be accepted, got \(fifth)")
            return
        }
        #expect(Self.facts(sixth) == [Fact(6, nil, .duplicateRow, nil, duplicateOf: 5)])
    }

    @Test("a unique field repeated in a different row is duplicate_row on that field with its raw value")
    func uniqueField() {
        // given row 3 accepted with 合同编号 YZ1
        var validator = Self.makeValidator()
        _ = validator.validate(row: 3, cells: Self.row("YZ1"))
        // when row 4 repeats YZ1 (with spaces) for another buyer, and row 5 also has a bad date
        let fourth = validator.validate(row: 4, cells: Self.row(" YZ1 ", "居民身份证", Self.personB))
        let fifth = validator.validate(row: 5, cells: Self.row("YZ1", "居民身份证", Self.personB, nil, "100", "2023-02-29"))
        let sixth = validator.validate(row: 6, cells: Self.row("YZ2", "居民身份证", Self.personB))
        // then
        #expect(Self.facts(fourth) == [Fact(4, "contract_no", .duplicateRow, " YZ1 ", duplicateOf: 3)])
        #expect(Self.facts(fifth) == [
            Fact(5, "contract_no", .duplicateRow, "YZ1", duplicateOf: 3),
            Fact(5, "deal_date", .badDate, "2023-02-29"),
        ])
        guard case .accepted = sixth else {
            Issue.record("row 6 should be accepted, got \(sixth)")
            return
        }
    }

    @Test("a unique value from a rejected row does not block a later row")
    func uniqueFromRejectedRow() {
        var validator = Self.makeValidator()
        _ = validator.validate(row: 3, cells: Self.row("YZ1", "居民身份证", Self.personA, nil, "面议"))
        let fourth = validator.validate(row: 4, cells: Self.row("YZ1", "居民身份证", Self.personB))
        guard case .accepted = fourth else {
            Issue.record("row 4 should be accepted, got \(fourth)")
            return
        }
    }

    @Test("normalisations are listed for accepted rows in field order")
    func normalizations() {
        // given
        var validator = Self.makeValidator()
        // when
        let outcome = validator.validate(row: 8, cells: Self.row(" YZ9 ", "居民身份证", "３２１００２１９９５１１１９６１６４", nil,
                                                                  "1,234.50", "2024年3月5日", "住宅"))
        // then
        guard case .accepted(let values, let normalizations) = outcome else {
            Issue.record("expected accepted, got \(outcome)")
            return
        }
        #expect(values[2] == .text("321002199511196164"))
        #expect(normalizations == [
            Normalization(row: 8, field: "contract_no", from: " YZ9 ", to: "YZ9"),
            Normalization(row: 8, field: "buyer_id", from: "３２１００２１９９５１１１９６１６４", to: "321002199511196164"),
            Normalization(row: 8, field: "area", from: "1,234.50", to: "1234.50"),
            Normalization(row: 8, field: "deal_date", from: "2024年3月5日", to: "2024-03-05"),
        ])
    }

    @Test("a rejected row lists only its errors, none of its normalisable cells")
    func noNormalizationsInRejectedRows() {
        var validator = Self.makeValidator()
        let outcome = validator.validate(row: 8, cells: Self.row(" YZ9 ", "居民身份证", "３２１００２１９９５１１１９６１６４", nil,
                                                                  "1,234.50", "2024-02-30"))
        #expect(outcome == .rejected(Self.issues(outcome)))
        #expect(Self.facts(outcome) == [Fact(8, "deal_date", .badDate, "2024-02-30")])
    }
}
