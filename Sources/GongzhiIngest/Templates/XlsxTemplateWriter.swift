import Foundation
import GongzhiCore
import ZIPFoundation

/// Writes the downloadable Excel template (报送模板) of an indicator: a minimal Office Open XML workbook
/// ([Content_Types].xml, _rels/.rels, xl/workbook.xml, xl/_rels/workbook.xml.rels, xl/styles.xml,
/// xl/worksheets/sheet1.xml, plus xl/worksheets/sheet2.xml for a hidden list sheet when a drop-down list
/// cannot be written inline) with inline strings, so no sharedStrings part is needed.
public enum XlsxTemplateWriter {
    /// The first data row (row 1 is the title, row 2 the headers).
    public static let firstDataRow = 3
    /// The last row that carries drop-down lists and length checks.
    public static let lastValidatedRow = 10_002
    /// The name of the hidden sheet holding drop-down values that cannot be written inline.
    public static let listSheetName = "lists"

    /// The template for `indicator`: sheet named after the indicator code; row 1 a title merged across all columns
    /// ("<unitName> <indicator.name> 报送模板"), row 2 the headers (`field.header`, i.e. label + "（unit）"),
    /// data from row 3. Identifier columns (field.type.isIdentifier, and text fields) are formatted as text
    /// (numFmtId 49 "@", set as the column style via <cols><col ... style=N/>) so Excel never turns an ID into a number;
    /// date columns yyyy-mm-dd (numFmtId 14 or a custom "yyyy-mm-dd"), datetime "yyyy-mm-dd hh:mm:ss";
    /// enum fields get a drop-down list (<dataValidations><dataValidation type="list" allowBlank="1" sqref="C3:C10002"><formula1>"a,b,c"</formula1>…);
    /// required headers bold (or marked with a fill), a header comment is optional; reasonable column widths;
    /// freeze panes below the header row (pane ySplit=2).
    public static func template(for indicator: Indicator, unitName: String) throws -> Data {
        let layout = Layout(indicator: indicator, unitName: unitName)
        var parts: [(String, String)] = [
            ("[Content_Types].xml", layout.contentTypes()),
            ("_rels/.rels", Layout.rootRels),
            ("xl/workbook.xml", layout.workbook()),
            ("xl/_rels/workbook.xml.rels", layout.workbookRels()),
            ("xl/styles.xml", Layout.styles),
            ("xl/worksheets/sheet1.xml", layout.sheet()),
        ]
        if layout.needsListSheet {
            parts.append(("xl/worksheets/sheet2.xml", layout.listSheet()))
        }

        return try XlsxPackage.data(parts: parts, name: "template \(indicator.code)")
    }

    // MARK: - Styles

    /// Indexes into `cellXfs` of `Layout.styles`.
    enum Style {
        static let general = 0
        static let text = 1
        static let date = 2
        static let dateTime = 3
        static let header = 4
        static let requiredHeader = 5
        static let title = 6
        static let integer = 7
    }

    /// The column style of a field: text for identifiers and text, dates and date-times formatted, integers as "0".
    static func columnStyle(of field: Field) -> Int {
        if field.type.isIdentifier { return Style.text }
        switch field.type {
        case .text, .enum, .boolean: return Style.text
        case .date: return Style.date
        case .datetime: return Style.dateTime
        case .integer: return Style.integer
        default: return Style.general
        }
    }

    /// The drop-down values of a field: an enum's values, 是/否 for a boolean, or nil.
    static func listValues(of field: Field) -> [String]? {
        switch field.type {
        case .enum:
            guard let values = field.values, !values.isEmpty else { return nil }
            return values
        case .boolean:
            return ["是", "否"]
        default:
            return nil
        }
    }

    // MARK: - Helpers

    /// The column letters of a zero-based column index: 0 → A, 25 → Z, 26 → AA.
    public static func columnName(_ index: Int) -> String {
        var n = index + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }

    /// `text` escaped for XML character data and attribute values; characters XML 1.0 forbids are dropped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A sheet name Excel accepts: no `[]:*?/\`, not blank, at most 31 characters.
    static func sheetName(_ code: String) -> String {
        let forbidden: Set<Character> = ["[", "]", ":", "*", "?", "/", "\\"]
        var name = String(code.map { forbidden.contains($0) ? "_" : $0 })
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: "' "))
        if name.isEmpty { name = "Sheet1" }
        if name.count > 31 { name = String(name.prefix(31)) }
        if name.lowercased() == listSheetName { name += "_1" }
        return name
    }

    /// Display width of `text` in Excel character units (CJK and full-width count two).
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { sum, s in
            let v = s.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || v >= 0x20000
            return sum + (wide ? 2 : 1)
        }
    }

    /// A column width fitting the header and the kind of value the column holds.
    static func columnWidth(of field: Field) -> Int {
        var width = displayWidth(field.header) + 4
        switch field.type {
        case .personID, .uscc, .orgID, .projectCode: width = max(width, 24)
        case .powerCode, .divisionCode, .phone: width = max(width, 16)
        case .date: width = max(width, 12)
        case .datetime: width = max(width, 20)
        case .text:
            if let maxLength = field.maxLength { width = max(width, min(maxLength, 40) + 2) }
        case .enum:
            if let longest = field.values?.map(displayWidth).max() { width = max(width, longest + 4) }
        default: break
        }
        return min(max(width, 10), 60)
    }

    // MARK: - Parts

    struct Layout {
        let indicator: Indicator
        let unitName: String
        let sheetName: String
        /// Per field: the drop-down values and how `formula1` refers to them.
        let lists: [(column: Int, values: [String], inline: Bool)]
        /// Values written to the hidden list sheet, one column per field that needs it: (list-sheet column, values).
        let listColumns: [(sheetColumn: Int, values: [String])]

        var needsListSheet: Bool { !listColumns.isEmpty }
        var columnCount: Int { max(indicator.fields.count, 1) }
        var lastColumn: String { XlsxTemplateWriter.columnName(columnCount - 1) }

        init(indicator: Indicator, unitName: String) {
            self.indicator = indicator
            self.unitName = unitName
            self.sheetName = XlsxTemplateWriter.sheetName(indicator.code)
            var lists: [(column: Int, values: [String], inline: Bool)] = []
            var listColumns: [(sheetColumn: Int, values: [String])] = []
            for (i, field) in indicator.fields.enumerated() {
                guard let values = XlsxTemplateWriter.listValues(of: field) else { continue }
                let joined = values.joined(separator: ",")
                // An inline list is limited to 255 characters and cannot hold a comma or a quote inside a value.
                let inline = joined.count <= 250 && !values.contains { $0.contains(",") || $0.contains("\"") }
                if !inline { listColumns.append((i, values)) }
                lists.append((i, values, inline))
            }
            self.lists = lists
            self.listColumns = listColumns
        }

        func contentTypes() -> String {
            var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
            """
            if needsListSheet {
                xml += #"<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
            }
            return xml + "</Types>"
        }

        static let rootRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """

        func workbook() -> String {
            let quoted = "'" + XlsxTemplateWriter.escape(sheetName.replacingOccurrences(of: "'", with: "''")) + "'"
            var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <bookViews><workbookView activeTab="0"/></bookViews><sheets>\
            <sheet name="\(XlsxTemplateWriter.escape(sheetName))" sheetId="1" r:id="rId1"/>
            """
            if needsListSheet {
                xml += #"<sheet name="\#(listSheetName)" sheetId="2" state="hidden" r:id="rId3"/>"#
            }
            xml += "</sheets><definedNames>"
            xml += #"<definedName name="_xlnm.Print_Titles" localSheetId="0">\#(quoted)!$1:$2</definedName>"#
            xml += "</definedNames></workbook>"
            return xml
        }

        func workbookRels() -> String {
            var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
            """
            if needsListSheet {
                xml += #"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>"#
            }
            return xml + "</Relationships>"
        }

        /// numFmt 49 is the built-in "@"; 164/165 are custom date and date-time formats.
        /// Fonts: 0 regular, 1 bold, 2 bold title. Fills: 0 none, 1 gray125 (reserved), 2 grey header, 3 yellow required header.
        static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>\
        <numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>\
        <fonts count="3">\
        <font><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>\
        <font><b/><sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/></font>\
        <font><b/><sz val="14"/><name val="宋体"/><family val="3"/><charset val="134"/></font>\
        </fonts>\
        <fills count="4">\
        <fill><patternFill patternType="none"/></fill>\
        <fill><patternFill patternType="gray125"/></fill>\
        <fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/><bgColor indexed="64"/></patternFill></fill>\
        <fill><patternFill patternType="solid"><fgColor rgb="FFFFE699"/><bgColor indexed="64"/></patternFill></fill>\
        </fills>\
        <borders count="2">\
        <border><left/><right/><top/><bottom/><diagonal/></border>\
        <border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>\
        <top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>\
        </borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="8">\
        <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="49" fontId="0" fillId="2" borderId="1" xfId="0" applyNumberFormat="1" applyFill="1" applyBorder="1" applyAlignment="1">\
        <alignment horizontal="center" vertical="center" wrapText="1"/></xf>\
        <xf numFmtId="49" fontId="1" fillId="3" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">\
        <alignment horizontal="center" vertical="center" wrapText="1"/></xf>\
        <xf numFmtId="49" fontId="2" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyAlignment="1">\
        <alignment horizontal="center" vertical="center"/></xf>\
        <xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        </cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        <dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>\
        </styleSheet>
        """

        static func inlineCell(_ ref: String, _ text: String, style: Int) -> String {
            let space = text.first?.isWhitespace == true || text.last?.isWhitespace == true ? #" xml:space="preserve""# : ""
            return #"<c r="\#(ref)" s="\#(style)" t="inlineStr"><is><t\#(space)>\#(XlsxTemplateWriter.escape(text))</t></is></c>"#
        }

        func sheet() -> String {
            let fields = indicator.fields
            let title = "\(unitName) \(indicator.name) 报送模板"
            var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <dimension ref="A1:\(lastColumn)2"/>\
            <sheetViews><sheetView tabSelected="1" workbookViewId="0">\
            <pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>\
            <selection pane="bottomLeft" activeCell="A3" sqref="A3"/>\
            </sheetView></sheetViews>\
            <sheetFormatPr defaultRowHeight="15"/>
            """
            if !fields.isEmpty {
                xml += "<cols>"
                for (i, field) in fields.enumerated() {
                    let n = i + 1
                    let width = XlsxTemplateWriter.columnWidth(of: field)
                    let style = XlsxTemplateWriter.columnStyle(of: field)
                    xml += #"<col min="\#(n)" max="\#(n)" width="\#(width)" style="\#(style)" customWidth="1"/>"#
                }
                xml += "</cols>"
            }
            xml += "<sheetData>"
            xml += #"<row r="1" ht="28" customHeight="1">"#
            xml += Self.inlineCell("A1", title, style: Style.title)
            for i in 1..<columnCount {
                xml += #"<c r="\#(XlsxTemplateWriter.columnName(i))1" s="\#(Style.title)"/>"#
            }
            xml += "</row>"
            xml += #"<row r="2" ht="32" customHeight="1">"#
            for (i, field) in fields.enumerated() {
                let style = field.required ? Style.requiredHeader : Style.header
                xml += Self.inlineCell("\(XlsxTemplateWriter.columnName(i))2", field.header, style: style)
            }
            xml += "</row></sheetData>"
            if columnCount > 1 {
                xml += #"<mergeCells count="1"><mergeCell ref="A1:\#(lastColumn)1"/></mergeCells>"#
            }
            let validations = dataValidations()
            if !validations.isEmpty {
                xml += #"<dataValidations count="\#(validations.count)">"# + validations.joined() + "</dataValidations>"
            }
            xml += #"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#
            xml += "</worksheet>"
            return xml
        }

        func dataValidations() -> [String] {
            let first = XlsxTemplateWriter.firstDataRow
            let last = XlsxTemplateWriter.lastValidatedRow
            var out: [String] = []
            for list in lists {
                let column = XlsxTemplateWriter.columnName(list.column)
                let field = indicator.fields[list.column]
                let formula: String
                if list.inline {
                    formula = "\"" + list.values.joined(separator: ",") + "\""
                } else {
                    let index = listColumns.firstIndex { $0.sheetColumn == list.column } ?? 0
                    let c = XlsxTemplateWriter.columnName(index)
                    formula = "\(listSheetName)!$\(c)$1:$\(c)$\(list.values.count)"
                }
                let error = "请从下拉列表中选择" + field.label
                out.append(#"<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" "#
                    + #"errorTitle="取值无效" error="\#(XlsxTemplateWriter.escape(error))" sqref="\#(column)\#(first):\#(column)\#(last)">"#
                    + "<formula1>\(XlsxTemplateWriter.escape(formula))</formula1></dataValidation>")
            }
            for (i, field) in indicator.fields.enumerated() where field.type == .text {
                guard let maxLength = field.maxLength, maxLength > 0 else { continue }
                let column = XlsxTemplateWriter.columnName(i)
                let error = "\(field.label)最多 \(maxLength) 个字符"
                out.append(#"<dataValidation type="textLength" operator="lessThanOrEqual" allowBlank="1" showErrorMessage="1" "#
                    + #"errorTitle="长度超限" error="\#(XlsxTemplateWriter.escape(error))" sqref="\#(column)\#(first):\#(column)\#(last)">"#
                    + "<formula1>\(maxLength)</formula1></dataValidation>")
            }
            return out
        }

        func listSheet() -> String {
            let rows = listColumns.map(\.values.count).max() ?? 0
            var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
            """
            for r in 0..<rows {
                xml += #"<row r="\#(r + 1)">"#
                for (index, column) in listColumns.enumerated() where r < column.values.count {
                    let ref = "\(XlsxTemplateWriter.columnName(index))\(r + 1)"
                    xml += Self.inlineCell(ref, column.values[r], style: Style.text)
                }
                xml += "</row>"
            }
            xml += "</sheetData></worksheet>"
            return xml
        }
    }
}
