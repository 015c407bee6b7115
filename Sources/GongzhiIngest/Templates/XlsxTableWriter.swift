import Foundation
import GongzhiCore

/// Writes a table (a title row, a header row, data rows) as a one-sheet xlsx workbook with inline strings:
/// what exports (the status board, downloads) hand to Excel.
public enum XlsxTableWriter {
    /// Background colours a cell may carry.
    public enum Fill: Int, Sendable {
        case none = 0, green, amber, red, blue, grey

        var argb: String? {
            switch self {
            case .none: nil
            case .green: "FFDAFBE1"
            case .amber: "FFFFF1C2"
            case .red: "FFFFD7D5"
            case .blue: "FFDDF4FF"
            case .grey: "FFEAEEF2"
            }
        }
    }

    /// One cell: text (written as an inline string, never interpreted), a number, or a date — typed, so that
    /// Excel sums amounts and sorts dates (issue 10, "downloads as Excel users expect").
    public struct Cell: Sendable {
        public var text: String
        /// The number the cell holds, as decimal text (`1234.5`), when it is a number cell.
        public var numeric: String?
        /// The Excel serial (days since 1899-12-30) when it is a date cell, shown `yyyy-mm-dd`.
        public var serial: Int?
        public var fill: Fill
        public var bold: Bool

        public init(_ text: String, fill: Fill = .none, bold: Bool = false) {
            self.text = text
            self.fill = fill
            self.bold = bold
        }

        public init(number: Int, fill: Fill = .none) {
            self.init(String(number), fill: fill)
            numeric = String(number)
        }

        /// A number cell from plain decimal text (`-12`, `1234.50`); a text cell for anything else.
        public init(decimal text: String, fill: Fill = .none, bold: Bool = false) {
            self.init(text, fill: fill, bold: bold)
            if Self.isPlainDecimal(text) { numeric = text }
        }

        /// A date cell.
        public init(date: CalendarDate, fill: Fill = .none) {
            self.init(date.isoString, fill: fill)
            serial = date.daysSinceEpoch + 25_569
        }

        /// The cell for a field value shown as `text`: numbers for integer and decimal fields, dates for date
        /// fields, text for everything else — identifiers and codes always text, and a masked or unreadable
        /// value stays as shown.
        public static func typed(_ text: String, as type: FieldType) -> Cell {
            switch type {
            case .integer, .decimal: return Cell(decimal: text)
            case .date: return CalendarDate(iso: text).map { Cell(date: $0) } ?? Cell(text)
            default: return Cell(text)
            }
        }

        static func isPlainDecimal(_ text: String) -> Bool {
            var digits = 0, dots = 0
            for (i, c) in text.utf8.enumerated() {
                switch c {
                case UInt8(ascii: "-") where i == 0: continue
                case UInt8(ascii: "."): dots += 1
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
                default: return false
                }
            }
            // At most 15 significant digits survive in Excel; longer numbers stay text rather than lose digits.
            return digits > 0 && digits <= 15 && dots <= 1 && !text.hasSuffix(".") && !text.hasPrefix(".")
        }

    }

    /// A title (row 1), a header (row 2) and rows (from row 3).
    public struct Table: Sendable {
        public var title: String
        public var header: [String]
        public var rows: [[Cell]]

        public init(title: String, header: [String], rows: [[Cell]]) {
            self.title = title
            self.header = header
            self.rows = rows
        }
    }

    /// The workbook bytes: one sheet named `sheet` (at most 31 characters), panes frozen below the header.
    /// - Throws: ``IngestError`` if the archive cannot be built.
    public static func workbook(sheet: String, table: Table) throws -> Data {
        let name = XlsxTemplateWriter.escape(String(sheet.prefix(31)))
        let parts: [(String, String)] = [
            ("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>
            """),
            ("_rels/.rels", XlsxTemplateWriter.Layout.rootRels),
            ("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <sheets><sheet name="\(name)" sheetId="1" r:id="rId1"/></sheets></workbook>
            """),
            ("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            </Relationships>
            """),
            ("xl/styles.xml", styles),
            ("xl/worksheets/sheet1.xml", sheetXML(table)),
        ]
        return try XlsxPackage.data(parts: parts, name: sheet)
    }

    /// Style index of a cell: 0 plain, 1 title, 2 header, then 3 + fill × 2 + bold, then the date styles.
    static func style(fill: Fill, bold: Bool) -> Int { 3 + fill.rawValue * 2 + (bold ? 1 : 0) }

    /// Style index of a date cell with `fill` (number format `yyyy-mm-dd`).
    static func dateStyle(fill: Fill) -> Int { 3 + 6 * 2 + fill.rawValue }

    static let styles: String = {
        let fills = [Fill.none, .green, .amber, .red, .blue, .grey]
        var xml = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>\
        <fonts count="3"><font><sz val="11"/><name val="宋体"/><charset val="134"/></font>\
        <font><b/><sz val="11"/><name val="宋体"/><charset val="134"/></font>\
        <font><b/><sz val="14"/><name val="宋体"/><charset val="134"/></font></fonts>
        """
        xml += "<fills count=\"\(fills.count + 1)\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>"
        for fill in fills.dropFirst() {
            xml += #"<fill><patternFill patternType="solid"><fgColor rgb="\#(fill.argb!)"/><bgColor indexed="64"/></patternFill></fill>"#
        }
        xml += "</fills>"
        xml += #"<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>"#
            + #"<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>"#
            + #"<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>"#
        xml += #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
        xml += "<cellXfs count=\"\(3 + fills.count * 3)\">"
        xml += #"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
        xml += #"<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
        xml += #"<xf numFmtId="0" fontId="1" fillId="6" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>"#
        for fill in fills {
            let fillID = fill == .none ? 0 : fill.rawValue + 1
            for bold in [false, true] {
                xml += #"<xf numFmtId="0" fontId="\#(bold ? 1 : 0)" fillId="\#(fillID)" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>"#
            }
        }
        for fill in fills {
            let fillID = fill == .none ? 0 : fill.rawValue + 1
            xml += #"<xf numFmtId="164" fontId="0" fillId="\#(fillID)" borderId="1" xfId="0" applyNumberFormat="1" applyFill="1" applyBorder="1"/>"#
        }
        xml += "</cellXfs>"
        xml += #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#
        return xml
    }()

    static func sheetXML(_ table: Table) -> String {
        let width = max(table.header.count, table.rows.map(\.count).max() ?? 0, 1)
        var xml = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <dimension ref="A1:\(XlsxTemplateWriter.columnName(width - 1))\(table.rows.count + 2)"/>\
        <sheetViews><sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>\
        <sheetData>
        """
        xml += #"<row r="1">"# + XlsxTemplateWriter.Layout.inlineCell("A1", table.title, style: 1) + "</row>"
        xml += #"<row r="2">"#
        for (i, text) in table.header.enumerated() {
            xml += XlsxTemplateWriter.Layout.inlineCell("\(XlsxTemplateWriter.columnName(i))2", text, style: 2)
        }
        xml += "</row>"
        for (r, row) in table.rows.enumerated() {
            xml += #"<row r="\#(r + 3)">"#
            for (i, cell) in row.enumerated() {
                let ref = "\(XlsxTemplateWriter.columnName(i))\(r + 3)"
                let style = style(fill: cell.fill, bold: cell.bold)
                if let serial = cell.serial {
                    xml += #"<c r="\#(ref)" s="\#(dateStyle(fill: cell.fill))"><v>\#(serial)</v></c>"#
                } else if let n = cell.numeric {
                    xml += #"<c r="\#(ref)" s="\#(style)"><v>\#(n)</v></c>"#
                } else {
                    xml += XlsxTemplateWriter.Layout.inlineCell(ref, cell.text, style: style)
                }
            }
            xml += "</row>"
        }
        return xml + "</sheetData></worksheet>"
    }
}
