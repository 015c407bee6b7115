import Testing
import GongzhiCore

@Suite("DecimalText: numbers as clerks write them and as xlsx stores them")
struct DecimalTextTests {
    @Test("written numbers read to their canonical text", arguments: [
        ("256.95", "256.95"),
        ("4789548", "4789548"),
        ("1,234.50", "1234.50"),
        ("1,234,567.50", "1234567.50"),
        ("12,345", "12345"),
        ("007", "7"),
        ("0", "0"),
        ("-12.5", "-12.5"),
        ("+5", "5"),
        ("-0", "0"),
        (".5", "0.5"),
        ("256.90", "256.90"),
    ])
    func parseWritten(text: String, canonical: String) {
        // given a number as written
        // when
        let parsed = DecimalText.parseWritten(text)
        // then
        #expect(parsed == canonical)
    }

    @Test("text that is not a number reads as nil", arguments: [
        "", "-", ".", "5.", "待定", "面议", "约35万", "12O000", "N/A", "叁万元", "见附件",
        "1.234,50", "1,23,4.5", "1234,567", "12,3456", ",123", "1E5", "1 234", "12.3.4", "--5",
    ])
    func parseWrittenRejects(text: String) {
        // given text that is no number
        // when
        let parsed = DecimalText.parseWritten(text)
        // then
        #expect(parsed == nil)
    }

    @Test("xlsx number text reads exactly, rounded to 15 significant digits", arguments: [
        ("256.9", "256.9"),
        ("4789548", "4789548"),
        ("256.94999999999999", "256.95"),
        ("3.21002198001011e+17", "321002198001011000"),
        ("1.5E-3", "0.0015"),
        ("1E5", "100000"),
        ("100", "100"),
        ("0.1", "0.1"),
        ("0", "0"),
        ("-0.5", "-0.5"),
        ("9999999999999999", "10000000000000000"),
        ("2.50", "2.5"),
    ])
    func fromExcelNumber(xml: String, canonical: String) {
        // given the <v> text of a number cell
        // when
        let read = DecimalText.fromExcelNumber(xml)
        // then
        #expect(read == canonical)
    }

    @Test("xlsx text that is not a number reads as nil", arguments: ["", "abc", "12a", "1e", "-", "1E+"])
    func fromExcelNumberRejects(xml: String) {
        #expect(DecimalText.fromExcelNumber(xml) == nil)
    }

    @Test("comparison form makes equal decimals equal", arguments: [
        ("256.90", "256.9"),
        ("256.9", "256.9"),
        ("12.00", "12"),
        ("100", "100"),
        ("0.0", "0"),
        ("-0.0", "0"),
        ("-0", "0"),
        ("1234.50", "1234.5"),
    ])
    func comparisonForm(canonical: String, form: String) {
        #expect(DecimalText.comparisonForm(canonical) == form)
    }

    @Test("integer form only for whole numbers", arguments: [
        ("12.00", "12" as String?),
        ("12", "12"),
        ("-3.0", "-3"),
        ("12.5", nil),
        ("0.01", nil),
    ])
    func integerForm(canonical: String, integer: String?) {
        #expect(DecimalText.integerForm(canonical) == integer)
    }
}
