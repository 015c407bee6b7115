import GongzhiCore
import Testing

/// Corners of width folding and plain reading found while testing the validator.
@Suite("FieldValidator: width folding and plain reading")
struct FieldValidatorWidthTests {
    static let validator = FieldValidator(identifiers: ValidationFixtures.identifiers, indicator: FieldValidatorTests.indicator)

    static func outcome(_ key: String, _ cell: RawCell) -> CellOutcome {
        validator.validate(cell, as: FieldValidatorTests.field(key))
    }

    @Test func fullWidthDatesAreListedAsNormalised() {
        #expect(Self.outcome("day", .text("２０２４－０３－０５")) == .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), normalizedFrom: "２０２４－０３－０５"))
        let moment = CalendarDateTime(date: CalendarDate(year: 2024, month: 3, day: 5)!, hour: 10, minute: 20, second: 30)!
        #expect(Self.outcome("moment", .text("２０２４－０３－０５　１０：２０：３０")) == .value(.dateTime(moment), normalizedFrom: "２０２４－０３－０５　１０：２０：３０"))
        #expect(Self.outcome("day", .text("2024-03-05")) == .value(.date(CalendarDate(year: 2024, month: 3, day: 5)!), normalizedFrom: nil))
    }

    @Test func aPatternedTextFieldIsACodeAndFoldsWidth() {
        #expect(Self.outcome("code6", .text("３２１００２")) == .value(.text("321002"), normalizedFrom: "３２１００２"))
        if case .failure(.badFormat, _) = Self.outcome("code6", .text("32100")) {} else { Issue.record("32100 must be bad_format") }
    }

    @Test func wholeNumbersWrittenWithAZeroFractionAreIntegers() {
        #expect(Self.outcome("count", .text("12.0")) == .value(.integer("12"), normalizedFrom: "12.0"))
        if case .failure(.notANumber, _) = Self.outcome("count", .text("12.5")) {} else { Issue.record("12.5 must be not_a_number") }
    }

    @Test func aLegacyIDInANumberCellIsUpgradedAndListed() {
        #expect(Self.outcome("person", .number("321002800101001", format: .general))
                == .value(.text("321002198001010011"), normalizedFrom: "321002800101001"))
        #expect(Self.outcome("division", .number("321002", format: .general)) == .value(.text("321002"), normalizedFrom: nil))
    }
}

@Suite("ReportingPeriod spellings a clerk writes")
struct ReportingPeriodSpellingTests {
    @Test(arguments: [("2024-3", "2024-03"), ("2024-03", "2024-03"), ("2024q1", "2024Q1"), ("２０２４－０３", "2024-03")])
    func accepted(_ pair: (String, String)) {
        #expect(ReportingPeriod(pair.0)?.description == pair.1)
    }

    @Test(arguments: ["202401", "2024-", "2024-003", "2024Q", "2024/03", ""])
    func refused(_ text: String) {
        #expect(ReportingPeriod(text) == nil)
    }
}
