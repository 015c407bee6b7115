import Foundation

/// What validating one cell against its field gave.
public enum CellOutcome: Sendable, Equatable {
    /// Nothing in the cell (or only white space: `raw` then keeps it for the report).
    case empty(raw: String?)
    /// A valid value. `normalizedFrom` is the raw text when reading it was a normalisation that the report
    /// lists (trimming, width folding, upper-casing, other date spellings, thousands separators), else `nil`.
    case value(FieldValue, normalizedFrom: String?)
    /// The cell cannot be collected.
    case failure(ImportErrorCode, message: String)
}

/// Normalises and validates single cells against catalog fields (附件1 第八条; samples/README.md).
///
/// Pure and reusable across rows: holds the identifier rules, the workbook's date system and compiled
/// `pattern`s. Row-level rules (required, `one_of`, duplicates, `unique`) are ``RecordValidator``'s.
public struct FieldValidator: Sendable {
    public let identifiers: IdentifierValidator
    /// Whether xlsx serials count from 1904 (`workbookPr date1904`).
    public var date1904: Bool
    private let patterns: [String: NSRegularExpressionBox]

    /// - Parameters:
    ///   - identifiers: the identifier rules with their division list and "today".
    ///   - indicator: the indicator whose `pattern`s are compiled once here.
    public init(identifiers: IdentifierValidator, indicator: Indicator, date1904: Bool = false) {
        self.identifiers = identifiers
        self.date1904 = date1904
        var patterns: [String: NSRegularExpressionBox] = [:]
        for field in indicator.fields {
            if let p = field.pattern, let regex = try? NSRegularExpression(pattern: p) {
                patterns[field.key] = NSRegularExpressionBox(regex: regex)
            }
        }
        self.patterns = patterns
    }

    /// Validates `cell` as `field`. `passport` says the sibling id-type field reads 护照 (person_id only).
    public func validate(_ cell: RawCell, as field: Field, passport: Bool = false) -> CellOutcome {
        switch cell {
        case .empty:
            return .empty(raw: nil)
        case .text(let raw):
            let trimmed = TextNormalization.trim(raw)
            if trimmed.isEmpty { return .empty(raw: raw) }
            return validateText(raw: raw, trimmed: trimmed, field: field, passport: passport)
        case .number(let xml, let format):
            return validateNumber(xml: xml, format: format, field: field, passport: passport)
        case .boolean(let b):
            if field.type == .boolean { return .value(.boolean(b), normalizedFrom: nil) }
            return validateText(raw: b ? "TRUE" : "FALSE", trimmed: b ? "TRUE" : "FALSE", field: field, passport: passport)
        case .formula(let f):
            return .failure(.badFormat, message: "单元格是没有计算结果的公式（\(f)）：请在 Excel 中重新计算，或复制后“选择性粘贴为数值”再上传。")
        case .error(let e):
            return .failure(unreadableCode(field), message: "单元格是 Excel 错误值 \(e)：请改为实际的\(field.type.chineseName)。")
        }
    }

    private func unreadableCode(_ field: Field) -> ImportErrorCode {
        switch field.type {
        case .integer, .decimal: .notANumber
        case .date, .datetime: .badDate
        default: .badFormat
        }
    }

    // MARK: Text cells

    /// Validates text as `field`. A value whose canonical text differs from `raw` is reported as a
    /// normalisation unless reading it was `plain` (a date spelled `yyyy-mm-dd`, 是/否…).
    private func validateText(raw: String, trimmed: String, field: Field, passport: Bool) -> CellOutcome {
        func value(_ v: FieldValue, plain: Bool = false) -> CellOutcome {
            .value(v, normalizedFrom: !plain && raw != v.canonicalText ? raw : nil)
        }
        switch field.type {
        case .text:
            // A string has no more characters than UTF-8 bytes: count characters only when it might matter.
            if let max = field.maxLength, trimmed.utf8.count > max, trimmed.count > max {
                return .failure(.badFormat, message: "内容长度 \(trimmed.count) 字，超过上限 \(max) 字：请精简后重新填写。")
            }
            if !patterns.isEmpty, let regex = patterns[field.key] {
                // A text field with a pattern holds a code: width differences are folded like any code's.
                if regex.matchesWhole(trimmed) { return value(.text(trimmed)) }
                let folded = TextNormalization.foldWidth(trimmed)
                if folded != trimmed, regex.matchesWhole(folded) { return value(.text(folded)) }
                return .failure(.badFormat, message: "格式不符合要求（应匹配 \(field.pattern ?? "")）：请按模板说明填写。")
            }
            return value(.text(trimmed))
        case .enum:
            let allowed = field.values ?? []
            guard allowed.contains(trimmed) else {
                return .failure(.notInEnum, message: "“\(trimmed)”不是可选值：只能填写 \(allowed.joined(separator: "、")) 之一。")
            }
            return value(.text(trimmed))
        case .integer:
            let folded = TextNormalization.foldWidth(trimmed)
            guard let decimal = DecimalText.parseWritten(folded) else {
                return .failure(.notANumber, message: "“\(trimmed)”不是数字：请只填写阿拉伯数字（整数），不要带文字或单位。")
            }
            guard let integer = DecimalText.integerForm(decimal) else {
                return .failure(.notANumber, message: "“\(trimmed)”不是整数：本列只能填写整数。")
            }
            return value(.integer(integer))
        case .decimal:
            let folded = TextNormalization.foldWidth(trimmed)
            guard let decimal = DecimalText.parseWritten(folded) else {
                return .failure(.notANumber, message: numberMessage(trimmed, field: field))
            }
            return value(.decimal(decimal))
        case .date:
            let folded = TextNormalization.foldWidth(trimmed)
            guard let parts = DateText.parts(folded) else {
                return .failure(.badDate, message: "“\(trimmed)”不是日期：请按 yyyy-mm-dd 填写，例如 2024-03-05。")
            }
            if let h = parts.hour, h != 0 || parts.minute != 0 || parts.second != 0 {
                return .failure(.badDate, message: "“\(trimmed)”带有时间：本列只填写日期（yyyy-mm-dd）。")
            }
            guard let date = CalendarDate(year: parts.year, month: parts.month, day: parts.day) else {
                return .failure(.badDate, message: "日期“\(trimmed)”不存在：请核对年、月、日（如 2 月没有 30 日，平年 2 月只有 28 日）。")
            }
            return value(.date(date), plain: parts.isPlain && parts.hour == nil && raw == trimmed && folded == trimmed)
        case .datetime:
            let folded = TextNormalization.foldWidth(trimmed)
            guard let parts = DateText.parts(folded) else {
                return .failure(.badDate, message: "“\(trimmed)”不是日期时间：请按 yyyy-mm-dd hh:mm:ss 填写。")
            }
            guard let date = CalendarDate(year: parts.year, month: parts.month, day: parts.day),
                  let dateTime = CalendarDateTime(date: date, hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0)
            else {
                return .failure(.badDate, message: "日期时间“\(trimmed)”不存在：请核对年、月、日和时、分、秒。")
            }
            return value(.dateTime(dateTime), plain: parts.isPlain && parts.hour != nil && raw == trimmed && folded == trimmed)
        case .boolean:
            let folded = TextNormalization.upperASCII(TextNormalization.foldWidth(trimmed))
            switch folded {
            case "是": return value(.boolean(true), plain: raw == trimmed)
            case "否": return value(.boolean(false), plain: raw == trimmed)
            case "TRUE", "Y", "YES", "1": return value(.boolean(true))
            case "FALSE", "N", "NO", "0": return value(.boolean(false))
            default:
                return .failure(.badFormat, message: "“\(trimmed)”不是是/否：请填写“是”或“否”。")
            }
        case .uscc, .orgID, .personID, .projectCode, .powerCode, .divisionCode, .phone:
            switch identifiers.validate(raw, as: identifierKind(field, passport: passport)) {
            case .success(let canonical):
                return value(.text(canonical))
            case .failure(let issue):
                return .failure(errorCode(issue), message: issue.message)
            }
        }
    }

    private func numberMessage(_ text: String, field: Field) -> String {
        let unit = field.unit.map { "（单位：\($0)，单位不要写在单元格里）" } ?? ""
        return "“\(text)”不是数值：请只填写阿拉伯数字\(unit)，千位分隔符只能用英文逗号且每三位一组，小数点用英文句点。"
    }

    // MARK: Number cells (xlsx)

    private func validateNumber(xml: String, format: NumberFormat, field: Field, passport: Bool) -> CellOutcome {
        switch field.type {
        case .integer:
            guard let decimal = DecimalText.fromExcelNumber(xml) else {
                return .failure(.notANumber, message: "单元格数值“\(xml)”无法读取。")
            }
            guard let integer = DecimalText.integerForm(decimal) else {
                return .failure(.notANumber, message: "\(decimal) 不是整数：本列只能填写整数。")
            }
            return .value(.integer(integer), normalizedFrom: nil)
        case .decimal:
            guard let decimal = DecimalText.fromExcelNumber(xml) else {
                return .failure(.notANumber, message: "单元格数值“\(xml)”无法读取。")
            }
            return .value(.decimal(decimal), normalizedFrom: nil)
        case .date, .datetime:
            guard let dateTime = ExcelSerial.dateTime(fromSerial: xml, date1904: date1904) else {
                return .failure(.badDate, message: "数值 \(xml) 不是有效的 Excel 日期：请按 yyyy-mm-dd 填写日期。")
            }
            if field.type == .date { return .value(.date(dateTime.date), normalizedFrom: nil) }
            return .value(.dateTime(dateTime), normalizedFrom: nil)
        case .boolean:
            switch DecimalText.fromExcelNumber(xml) {
            case "1": return .value(.boolean(true), normalizedFrom: nil)
            case "0": return .value(.boolean(false), normalizedFrom: nil)
            default: return .failure(.badFormat, message: "“\(xml)”不是是/否：请填写“是”或“否”。")
            }
        case .uscc, .orgID, .personID, .projectCode, .powerCode, .divisionCode, .phone:
            if Self.lostPrecision(xml) {
                return .failure(.precisionLost, message: "证件号码被存成了数值（\(xml)），超过 15 位的数字已被 Excel 截断、末几位丢失，无法恢复：请把该列设置为“文本”格式，重新录入完整号码后上传。")
            }
            let shown = format.isDateTime ? xml : format.display(xml)
            return validateText(raw: shown, trimmed: shown, field: field, passport: passport)
        case .text, .enum:
            let shown: String
            if format.isDateTime, let dt = ExcelSerial.dateTime(fromSerial: xml, date1904: date1904) {
                shown = dt.secondOfDay == 0 ? dt.date.isoString : dt.isoString
            } else {
                shown = format.display(xml)
            }
            return validateText(raw: shown, trimmed: shown, field: field, passport: passport)
        }
    }

    /// A number cell that held more than 15 significant digits or was written in scientific notation has
    /// lost digits (Excel keeps 15).
    static func lostPrecision(_ xml: String) -> Bool {
        if xml.contains("e") || xml.contains("E") { return true }
        let significant = xml.utf8.filter { $0 >= 48 && $0 <= 57 }.drop { $0 == 48 }.count
        return significant > 15
    }

    private func identifierKind(_ field: Field, passport: Bool) -> IdentifierKind {
        switch field.type {
        case .uscc: .uscc
        case .orgID: .organizationIdentifier
        case .personID: passport ? .passport : .residentIdentityNumber
        case .projectCode: .projectCode
        case .powerCode: .powerCode
        case .divisionCode: .divisionCode
        default: .phone
        }
    }

    private func errorCode(_ issue: IdentifierIssue) -> ImportErrorCode {
        switch issue.reason {
        case .checkCharacter: .badCheckDigit
        case .precisionLost: .precisionLost
        default: .badFormat
        }
    }
}

/// `NSRegularExpression` is immutable after creation and safe to share; this box states that to Swift 6.
struct NSRegularExpressionBox: @unchecked Sendable {
    let regex: NSRegularExpression

    func matchesWhole(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = regex.firstMatch(in: text, options: [.anchored], range: range) else { return false }
        return match.range == range
    }
}
