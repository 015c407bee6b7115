import GongzhiCore
import Testing

/// `ExcelSerial` and `NumberFormat` classification/display (GongzhiCore, used by the xlsx reader).
@Suite struct XlsxNumberFormatTests {
    // MARK: - ExcelSerial

    static func iso(_ serial: String, _ date1904: Bool = false) -> String? {
        ExcelSerial.dateTime(fromSerial: serial, date1904: date1904)?.isoString
    }

    @Test func serials1900AroundTheLeapYearBug() {
        #expect(Self.iso("1") == "1900-01-01T00:00:00")
        #expect(Self.iso("59") == "1900-02-28T00:00:00")
        #expect(Self.iso("60") == nil) // Excel's fictitious 1900-02-29
        #expect(Self.iso("61") == "1900-03-01T00:00:00")
        #expect(Self.iso("0") == nil)
        #expect(Self.iso("-1") == nil)
        #expect(Self.iso("25569") == "1970-01-01T00:00:00")
        #expect(Self.iso("36526") == "2000-01-01T00:00:00")
        #expect(Self.iso("44931") == "2023-01-05T00:00:00")
        #expect(Self.iso("45351") == "2024-02-29T00:00:00")
        #expect(Self.iso("2958465") == "9999-12-31T00:00:00")
        #expect(Self.iso("2958466") == nil)
        #expect(Self.iso("abc") == nil)
        #expect(Self.iso("") == nil)
    }

    @Test func fractionalSerialsRoundToTheSecond() {
        #expect(Self.iso("43942.9654398148") == "2020-04-21T23:10:14")
        #expect(Self.iso("43942.96543981481") == "2020-04-21T23:10:14")
        #expect(Self.iso("43942.33333333334") == "2020-04-21T08:00:00")
        #expect(Self.iso("44931.5") == "2023-01-05T12:00:00")
        #expect(Self.iso("44931.99999999") == "2023-01-06T00:00:00") // rounds up across midnight
        #expect(Self.iso("44931.000005") == "2023-01-05T00:00:00")
        #expect(Self.iso("4.4931E4") == "2023-01-05T00:00:00")
        #expect(Self.iso("4.49315e+4") == "2023-01-05T12:00:00")
        #expect(ExcelSerial.date(fromSerial: "45376", date1904: false)?.isoString == "2024-03-25")
    }

    @Test func serials1904() {
        #expect(Self.iso("0", true) == "1904-01-01T00:00:00")
        #expect(Self.iso("1", true) == "1904-01-02T00:00:00")
        #expect(Self.iso("43469", true) == "2023-01-05T00:00:00") // 44931 - 1462
        #expect(Self.iso("43469.75", true) == "2023-01-05T18:00:00")
    }

    // MARK: - Classification

    @Test func builtInFormats() {
        for id in [14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 31, 36, 45, 46, 47, 50, 55, 58] {
            #expect(NumberFormat(id: id, code: nil).isDateTime, "id \(id)")
        }
        for id in [0, 1, 2, 3, 4, 9, 10, 11, 12, 23, 26, 37, 40, 44, 48, 49, 59, 164] {
            #expect(!NumberFormat(id: id, code: nil).isDateTime, "id \(id)")
        }
        #expect(NumberFormat(id: 0, code: nil) == .general)
        #expect(NumberFormat(id: 1, code: nil).code == "0")
        #expect(NumberFormat(id: 49, code: nil).code == "@")
        #expect(NumberFormat(id: 500, code: nil).code == "General")
    }

    @Test func customFormats() {
        let dates = ["yyyy\"年\"m\"月\"d\"日\"", "yyyy/m/d", "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "[$-F800]dddd, mmmm dd, yyyy",
                     "[$-804]yyyy\"年\"m\"月\"", "m/d/yy;@", "h:mm", "[h]:mm:ss", "mm:ss.0", "[Red]yyyy/m/d", "d-mmm", "YYYY/MM/DD"]
        for code in dates { #expect(NumberFormat(id: 170, code: code).isDateTime, "\(code)") }
        let numbers = ["General", "0", "000000", "0.00", "#,##0", "#,##0.00\"元\"", "0.00%", "0.00E+00", "@", "\"年度\"0",
                       "[Red]0.00", "[$¥-804]#,##0.00", "0.00_);[Red](0.00)", "\\y0", "0 \"m²\"", "#,##0;[Red]-#,##0"]
        for code in numbers { #expect(!NumberFormat(id: 170, code: code).isDateTime, "\(code)") }
        // A built-in date id stays a date whatever code the file gives.
        #expect(NumberFormat(id: 14, code: "m/d/yyyy").isDateTime)
    }

    // MARK: - Display

    @Test func generalDisplay() {
        let g = NumberFormat.general
        #expect(g.display("1") == "1")
        #expect(g.display("10010") == "10010")
        #expect(g.display("256.9") == "256.9")
        #expect(g.display("256.90") == "256.9")
        #expect(g.display("-3.5") == "-3.5")
        #expect(g.display("0") == "0")
        #expect(g.display("-0") == "0")
        #expect(g.display("0.30000000000000004") == "0.3")
        #expect(g.display("43942.96543981481") == "43942.9654398148")
        #expect(g.display("123456789012345678") == "123456789012345678") // integers exact, never through Double
        #expect(g.display("9223372036854775807") == "9223372036854775807")
        #expect(g.display("1E-3") == "0.001")
        #expect(g.display("1.5E+3") == "1500")
        #expect(g.display("3.2102719850907e+17") == "3.2102719850907e+17") // too large for a plain form: as stored
        #expect(g.display("not a number") == "not a number")
    }

    @Test func customDisplay() {
        func show(_ code: String, _ v: String) -> String { NumberFormat(id: 170, code: code).display(v) }
        #expect(show("000000", "10010") == "010010")
        #expect(show("000000", "1234567") == "1234567")
        #expect(show("000000", "10010.6") == "010011")
        #expect(show("0", "1") == "1")
        #expect(show("0", "2.5") == "3")
        #expect(show("0", "-2.5") == "-3")
        #expect(show("0", "0.4") == "0")
        #expect(show("0.00", "256.9") == "256.90")
        #expect(show("0.00", "256.955") == "256.96")
        #expect(show("0.00", "-0.001") == "0.00")
        #expect(show("0.00", "9.999") == "10.00")
        #expect(show("#,##0", "1234567") == "1,234,567")
        #expect(show("#,##0", "123") == "123")
        #expect(show("#,##0", "0") == "0")
        #expect(show("#,##0.00", "1234567.891") == "1,234,567.89")
        #expect(show("#,##0.00", "-1234.5") == "-1,234.50")
        #expect(show("#,##0;[Red](#,##0)", "-1234") == "(1,234)")
        #expect(show("0.0#", "1.5") == "1.5")
        #expect(show("0.0#", "1.25") == "1.25")
        #expect(show("#.##", "0.5") == ".5")
        #expect(show("0%", "0.256") == "26%")
        #expect(show("0.00%", "0.256") == "25.60%")
        #expect(show("\"年度\"0", "5") == "年度5")
        #expect(show("0\"元\"", "12") == "12元")
        #expect(show("[$¥-804]#,##0.00", "1234.5") == "¥1,234.50")
        #expect(show("000-0000", "1234567") == "123-4567")
        #expect(show("@", "10010") == "10010")
        #expect(show("0.00E+00", "12345") == "12345") // scientific: not handled → General
        #expect(show("#,##0,", "12345") == "12345")   // scaling: not handled → General
        #expect(show("[>100]0;0.0", "5") == "5")      // conditions → General
        #expect(show("yyyy-mm-dd", "44931") == "44931") // dates are not rendered here → General
        #expect(NumberFormat(id: 2, code: nil).display("3") == "3.00")
        #expect(NumberFormat(id: 3, code: nil).display("3.2102719850907e+17") == "321,027,198,509,070,000")
        #expect(NumberFormat(id: 1, code: nil).display("3.2102719850907e+17") == "321027198509070000")
    }
}
