import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// What a person reads instead of an internal code: unit names for unit codes (`housing` →
/// 市住房保障和房产管理局), users' display names for login names, field labels for field keys, Chinese names for
/// audit actions, workflow events and failure reasons, and times in Beijing time with the zone stated.
///
/// Built once per page from the current catalog and the user table (``load(_:)``); every lookup falls back to
/// the code itself when nothing better is known, so a page never shows less than before. API answers keep codes.
struct DisplayNames: Sendable {
    /// Unit code → unit name, from the current catalog (operators such as the info center included).
    var units: [String: String]
    /// Login name → display name.
    var users: [String: String]
    /// The current catalog, for indicator names and field labels; `nil` before a catalog is loaded.
    var catalog: Catalog?
    /// Administrative divisions, for 信息属地 names; `nil` shows codes.
    var divisions: DivisionRegistry? = nil

    /// Names from the request's database: the current catalog's units and indicators, and every user.
    static func load(_ req: Request) async throws -> DisplayNames {
        let units = try await CatalogRepository(database: req.db).units()
        let users = try await UserRecord.query(on: req.db).all()
        return DisplayNames(units: Dictionary(units.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a }),
                            users: Dictionary(users.map { ($0.username, $0.displayName) }, uniquingKeysWith: { a, _ in a }),
                            catalog: try? await req.reporting.catalog(), divisions: req.gongzhi.divisions)
    }

    /// The division's name with its code (`321002 广陵区`), or the code when unknown.
    func division(_ code: String) -> String {
        divisions?.name(of: code).map { "\($0)（\(code)）" } ?? code
    }

    /// The unit's name, or its code when unknown; empty stays empty.
    func unit(_ code: String) -> String {
        code.isEmpty ? "" : units[code] ?? code
    }

    /// The user's display name: `王敏`; `命令行（root）` for a command run on the server, `平台` for the platform
    /// itself, `未登录` for an anonymous request; a name that matches no user (a failed login's typed name) as typed.
    func user(_ id: String) -> String {
        if id == AuditActor.system.user { return "平台" }
        if id == AuditActor.anonymousUser { return "未登录" }
        if id.hasPrefix("cli:") { return "命令行（\(id.dropFirst(4))）" }
        return users[id] ?? id
    }

    /// `HOU-001 房产交易信息`, or the code alone when the catalog does not know it.
    func indicator(_ code: String) -> String {
        guard let name = catalog?.indicator(code: code)?.name else { return code }
        return "\(code) \(name)"
    }

    /// The label of field `key` of `indicator` (`landlord_id_type` → 出租人证件类型), or the key when unknown.
    func field(_ key: String, of indicator: String?) -> String {
        guard let indicator, let field = catalog?.indicator(code: indicator)?.field(key) else { return key }
        return field.label
    }

    /// Field keys joined as a list of labels: `出租人姓名、出租人证件类型`.
    func fields(_ keys: [String], of indicator: String?) -> String {
        keys.filter { !$0.isEmpty }.map { field($0, of: indicator) }.joined(separator: "、")
    }

    // MARK: Time

    /// `2024-03-05 14:03（北京时间）`: an instant as pages show it, in China Standard Time with the zone stated.
    static func time(_ date: Date) -> String {
        time(PlatformClock.localTime(of: date))
    }

    /// `2024-03-05 14:03（北京时间）` for a local time already in China Standard Time.
    static func time(_ local: CalendarDateTime) -> String {
        String(local.isoString.replacingOccurrences(of: "T", with: " ").prefix(16)) + "（北京时间）"
    }

    /// `2024-03-05 14:03（北京时间）` for milliseconds since 1970 (the audit log's times).
    static func time(milliseconds: Int64) -> String {
        time(Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000))
    }

    /// A stored local time text (`2024-03-05T14:03:07`, China Standard Time) as pages show it; other text as is.
    static func time(localText text: String) -> String {
        guard let local = CalendarDateTime(iso: text) else { return text.replacingOccurrences(of: "T", with: " ") }
        return time(local)
    }

    // MARK: Workflow words

    /// A request event's Chinese name (`approve` → 批准).
    static func requestEvent(_ name: String) -> String {
        switch name {
        case "submit": "提交申请"
        case "confirm_sharing_mode": "确认共享方式"
        case "approve": "批准"
        case "deny": "不批准"
        case "withdraw": "撤回"
        case "file": "提出疑义"
        case "uphold": "采纳"
        case "reject": "不予采纳"
        case "dispute": "申请裁定"
        case "arbitrate_uphold": "裁定采纳"
        case "arbitrate_dismiss": "裁定不予采纳"
        case "corrected": "已更正"
        case "suspend": "暂停共享"
        case "reinstate": "恢复共享"
        case "handle": "受理投诉"
        case "report_filed": "报送报告"
        case "complaint_filed": "提出投诉"
        default: name
        }
    }

    /// A request state's Chinese name (`pending_approval` → 待审批).
    static func requestState(_ raw: String) -> String {
        AccessRequest.State(rawValue: raw)?.chineseName ?? ObjectionState(rawValue: raw)?.chineseName ?? ComplaintState(rawValue: raw)?.chineseName ?? raw
    }
}

/// The audit log's `detail` (`key=value; key=value`, written for machines) in words a person reads: keys as
/// Chinese labels, unit codes as names, field keys as labels, reasons and states in Chinese, times in Beijing
/// time. Unknown keys keep their spelling so nothing is hidden.
enum AuditDetailText {
    /// `detail` of an entry about `indicator`, in Chinese.
    static func chinese(_ detail: String, indicator: String?, names: DisplayNames) -> String {
        parts(detail).map { key, value in
            guard let key else { return phrase(value) }
            return "\(label(key))：\(self.value(key, value, indicator: indicator, names: names))"
        }.joined(separator: "；")
    }

    /// The `key=value` parts of `detail`; a part without `=` has no key. `file=` is always last and may hold `; `.
    static func parts(_ detail: String) -> [(key: String?, value: String)] {
        var out: [(String?, String)] = []
        var rest = Substring(detail)
        while !rest.isEmpty {
            let trimmed = rest.drop { $0 == " " }
            if trimmed.hasPrefix("file=") {
                out.append(("file", String(trimmed.dropFirst(5))))
                break
            }
            let end = trimmed.range(of: ";")?.lowerBound ?? trimmed.endIndex
            let piece = trimmed[..<end]
            if let eq = piece.firstIndex(of: "=") {
                // `run quarter=2024Q1`: leading words are an act, the last word before `=` the key.
                let head = piece[..<eq]
                if let space = head.lastIndex(of: " ") {
                    out.append((nil, String(head[..<space])))
                    out.append((String(head[head.index(after: space)...]), String(piece[piece.index(after: eq)...])))
                } else {
                    out.append((String(head), String(piece[piece.index(after: eq)...])))
                }
            } else if !piece.isEmpty {
                out.append((nil, String(piece)))
            }
            rest = end < trimmed.endIndex ? trimmed[trimmed.index(after: end)...] : ""
        }
        return out
    }

    static func label(_ key: String) -> String {
        switch key {
        case "reason": "原因"
        case "request": "申请编号"
        case "event": "操作"
        case "state": "状态"
        case "fields": "字段"
        case "periods", "period": "报送期"
        case "grant": "授权编号"
        case "unit": "单位"
        case "clear": "明文字段"
        case "masked": "脱敏字段"
        case "note": "意见"
        case "refused": "拒绝原因"
        case "token": "令牌编号"
        case "name": "名称"
        case "export": "导出格式"
        case "submission": "报送编号"
        case "kind": "类别"
        case "outcome": "结果"
        case "rows_total": "总行数"
        case "rows_rejected": "未通过行数"
        case "proxy_by": "代报人"
        case "proxy_reason": "代报原因"
        case "file_sha256", "document_sha256", "sha256": "SHA-256"
        case "file": "文件"
        case "signed_on": "签署日期"
        case "signatory": "签署人"
        case "version": "目录版本"
        case "effective": "施行日期"
        case "units": "单位数"
        case "indicators": "数据项数"
        case "expires": "有效至"
        case "limits": "每人每日限额（查询/下载，条）"
        case "lineage record": "流转痕迹记录"
        case "user": "用户"
        case "roles": "角色"
        case "password": "密码"
        case "sessions_ended": "退出的登录"
        case "tokens_revoked": "撤销的令牌"
        case "address": "地址"
        case "failures": "失败次数"
        case "account_locked_until": "账户锁定至"
        case "objection": "疑义编号"
        case "notice": "通知编号"
        case "reminders": "短信提醒"
        case "as_of": "数据截至"
        case "quarter": "考核季度"
        case "run": "考核批次"
        case "meeting": "会议编号"
        case "survey": "调查表编号"
        case "record": "记录编号"
        case "seq": "审计序号"
        case "count": "数量"
        case "indicator": "数据项"
        case "from": "起始期"
        case "to": "截止期"
        case "identifier": "证件号码"
        case "division": "信息属地"
        case "page": "页码"
        case "rule": "比对规则"
        case "rule_version": "规则版本"
        case "rule_state": "规则状态"
        case "match_run": "比对批次"
        case "left_records": "比对记录数"
        case "lead": "线索编号"
        case "lead_state": "线索状态"
        case "dismissal": "排除原因"
        case "recovered": "追缴税款（元）"
        case "effectiveness_report": "成效报告编号"
        case "usage_report": "使用报告编号"
        case "complaint": "投诉编号"
        case "year": "年度"
        case "tax_recovered": "挽回税款（元）"
        case "cases": "案件数"
        case "attachments": "附件数"
        case "missed": "未报年度"
        case "by_report": "补报年度"
        case "ratings": "质量评分"
        case "against": "被投诉单位"
        default: AssessorEntry.Kind(rawValue: key)?.chineseName ?? key
        }
    }

    static func value(_ key: String, _ value: String, indicator: String?, names: DisplayNames) -> String {
        switch key {
        case "reason": loginFailure(value)
        case "event": DisplayNames.requestEvent(value)
        case "state": DisplayNames.requestState(value)
        case "unit", "against": names.unit(value)
        case "fields", "clear", "masked":
            value.isEmpty ? "无" : names.fields(value.split(separator: ",").map(String.init), of: indicator)
        case "kind": TaskFiling.Kind(rawValue: value) == .zeroData ? "零数据" : value == "data" ? "数据文件"
            : ObjectionKind(rawValue: value)?.chineseName ?? ComplaintKind(rawValue: value)?.chineseName ?? value
        case "outcome": ImportOutcome(rawValue: value)?.chineseName ?? value
        case "refused": value == "wrong_current_password" ? "当前密码不正确" : value
        case "user":
            names.user(value) == value ? value : "\(names.user(value))（\(value)）"
        case "roles":
            value.split(separator: ",").map { Role(rawValue: String($0))?.chineseName ?? String($0) }.joined(separator: "、")
        case "password": value == "generated" ? "平台生成的临时密码" : value == "set" ? "管理员设置的临时密码" : value
        case "sessions_ended", "tokens_revoked": "\(value) 个"
        case "export": value == "csv" ? "CSV" : value
        case "account_locked_until": DisplayNames.time(localText: String(value.prefix(19)))
        case "as_of": CalendarDate(iso: value).map { "\($0.year) 年 \($0.month) 月 \($0.day) 日" } ?? value
        case "indicator": names.indicator(value)
        case "division": names.division(value)
        case "quarter": ReportingPeriod(value).map(\.chineseName) ?? value
        case "rule": ShippedMatchRules.rule(code: value).map { "\($0.name)（\(value)）" } ?? value
        case "rule_state": MatchRuleState(rawValue: value)?.chineseName ?? value
        case "lead_state": TaxLeadState(rawValue: value)?.chineseName ?? value
        case "dismissal": DismissalReason(rawValue: value)?.chineseName ?? value
        default: value
        }
    }

    /// A bare word of a detail (`revoked`, `board.xlsx`, `errors.csv`) in Chinese where one is known.
    static func phrase(_ word: String) -> String {
        if word.hasPrefix("lineage record=") { return "查看记录 \(word.dropFirst("lineage record=".count)) 的流转痕迹" }
        switch word {
        case "revoked": return "已撤销"
        case "created": return "已新建"
        case "issued": return "已签发"
        case "home": return "首页"
        case "board.xlsx": return "导出报送情况看板（Excel）"
        case "errors.csv": return "下载错误行清单（CSV）"
        case "must_change_password": return "须在首次登录时修改密码"
        case "account unlocked": return "已解除账户锁定"
        case "throttling cleared": return "已解除地址的登录限制"
        case "run": return "运行考核"
        case "entry": return "录入考核事项"
        case "bulletin": return "发布考核通报"
        case "attendance": return "登记出席情况"
        case "match": return "运行信息比对"
        case "match_rule": return "登记比对规则"
        case "rule_change": return "变更比对规则状态"
        case "reported_to_provider": return "源数据错误已转告数据提供单位"
        default:
            for (prefix, chinese) in [("scheduled ", "安排于 "), ("issued due ", "下发，交回期限 "), ("returned by ", "交回单位：")]
            where word.hasPrefix(prefix) {
                return chinese + word.dropFirst(prefix.count)
            }
            return loginFailure(word)
        }
    }

    /// A failed sign-in's reason as ``AuthError`` described it (`badCredentials`, `locked(until: 2026-11-29
    /// 02:00:00 +0000)`, `disabled`) in Chinese, the lock's end in Beijing time.
    static func loginFailure(_ reason: String) -> String {
        if reason.hasPrefix("locked") {
            if let r = reason.range(of: #"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000"#, options: .regularExpression),
               let date = utcDate(String(reason[r])) {
                return "连续登录失败，账户锁定至 \(DisplayNames.time(date))"
            }
            return "连续登录失败，账户已锁定"
        }
        switch reason {
        case "badCredentials": return "用户名或密码不对"
        case "disabled", "account_disabled": return "账户已停用"
        case "unknown_user": return "用户名不存在"
        case "wrong_password": return "密码不正确"
        case "address_throttled": return "该地址失败次数过多，暂停登录"
        case "invalidToken": return "API 令牌无效"
        default: return reason
        }
    }

    /// `2026-11-29 02:00:00 +0000` as a date.
    static func utcDate(_ text: String) -> Date? {
        guard let local = CalendarDateTime(iso: text.prefix(19).replacingOccurrences(of: " ", with: "T")) else { return nil }
        // `CalendarDateTime(iso:)` reads a wall-clock time; this one is UTC.
        return Date(timeIntervalSince1970: TimeInterval(local.date.daysSinceEpoch * 86_400 + local.secondOfDay))
    }
}
