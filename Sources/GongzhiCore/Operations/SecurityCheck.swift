import Foundation

/// The year-end security check of a unit's systems that use shared data (年底安全检查, 附件1 第十八条: “每年年底，
/// 对使用共享数据的信息系统进行全面安全检查，检查结果纳入考核”), recorded by the 综合治税办 (issue 14 §2).
///
/// The scoring table (附件2) has no item for it: its only penalty is 数据泄露 (5–10 points, entered by the
/// assessor with what leaked and when). A failed check is therefore shown beside the unit's scorecard, not
/// scored; a leak found by the check is entered as a leak penalty in the usual way.
public struct SecurityCheck: Sendable, Equatable {
    /// The checklist (检查项目).
    public enum Item: String, CaseIterable, Sendable {
        case agreement
        case accessControl = "access_control"
        case accounts
        case storage
        case logging
        case network
        case disposal
        case training

        /// The item as the form and the report name it.
        public var chineseName: String {
            switch self {
            case .agreement: "数据安全保障协议有效并落实"
            case .accessControl: "访问权限最小化，按授权范围使用数据"
            case .accounts: "账号、口令和 API 令牌管理"
            case .storage: "共享数据的存储、加密与备份"
            case .logging: "查询、下载日志留存并定期审查"
            case .network: "终端与网络安全防护"
            case .disposal: "数据使用后的删除、销毁"
            case .training: "人员保密和安全培训"
            }
        }
    }

    /// The check's result (检查结论).
    public enum Result: String, CaseIterable, Sendable {
        case pass
        case fail

        public var chineseName: String {
            switch self {
            case .pass: "通过"
            case .fail: "不通过"
            }
        }
    }

    /// Why a check cannot be recorded as given. Messages in Chinese, for the form.
    public enum Problem: Error, Equatable, Sendable {
        /// The year is not a plausible four-digit year.
        case badYear(String)
        /// An item was failed but no findings were written.
        case findingsMissing
        /// A result of pass with failed items.
        case passWithFailedItems([Item])
        /// A failed check without a deadline to fix, or with one not after the check day.
        case deadlineMissing
        case deadlineNotAfterCheck(deadline: CalendarDate, checked: CalendarDate)

        public var message: String {
            switch self {
            case .badYear(let text): "年度应为四位年份，如 2026，收到“\(text)”。"
            case .findingsMissing: "有未通过的检查项目，请写明发现的问题。"
            case .passWithFailedItems(let items):
                "以下项目未通过，结论不能为“通过”：" + items.map(\.chineseName).joined(separator: "、") + "。"
            case .deadlineMissing: "结论为“不通过”时，请填写整改期限。"
            case .deadlineNotAfterCheck(let deadline, let checked): "整改期限 \(deadline) 应晚于检查日期 \(checked)。"
            }
        }
    }

    public var unitCode: String
    /// The year checked (the check is made at its end).
    public var year: Int
    /// The items that were not in order; every other item of ``Item`` passed.
    public var failedItems: [Item]
    /// What was found (发现的问题), free text.
    public var findings: String
    /// The last day to fix what was found (整改期限); required when the result is fail.
    public var fixDeadline: CalendarDate?
    public var result: Result
    /// The day the check was recorded.
    public var checkedOn: CalendarDate

    /// A check, validated: a failed item needs findings, a pass allows no failed item, a fail needs a
    /// deadline after the check day.
    /// - Throws: ``Problem``.
    public init(unitCode: String, year: Int, failedItems: [Item], findings: String, fixDeadline: CalendarDate?, result: Result,
                checkedOn: CalendarDate) throws(Problem) {
        guard (2000...2100).contains(year) else { throw .badYear(String(year)) }
        let failed = Item.allCases.filter(failedItems.contains)
        let findings = findings.trimmingCharacters(in: .whitespacesAndNewlines)
        if !failed.isEmpty, findings.isEmpty { throw .findingsMissing }
        if result == .pass, !failed.isEmpty { throw .passWithFailedItems(failed) }
        if result == .fail {
            guard let fixDeadline else { throw .deadlineMissing }
            guard fixDeadline > checkedOn else { throw .deadlineNotAfterCheck(deadline: fixDeadline, checked: checkedOn) }
        }
        self.unitCode = unitCode
        self.year = year
        self.failedItems = failed
        self.findings = findings
        self.fixDeadline = result == .fail ? fixDeadline : nil
        self.result = result
        self.checkedOn = checkedOn
    }

    /// The stored form of ``failedItems``: codes joined by commas.
    public var failedItemCodes: String { failedItems.map(\.rawValue).joined(separator: ",") }

    /// The items of a stored ``failedItemCodes`` (unknown codes skipped).
    public static func items(fromCodes text: String) -> [Item] {
        text.split(separator: ",").compactMap { Item(rawValue: String($0)) }
    }
}
