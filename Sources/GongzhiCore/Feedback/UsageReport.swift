/// The quarterly usage report (数据使用报告; the tax bureaus' 数据使用质量报告), as 附件1 第十二条 sets it out:
/// each consuming unit reports every quarter how it used the shared data and how good the data was. The
/// platform pre-fills the figures from the audit log; the unit adds what it used the data for and a quality
/// rating per providing unit.
///
/// Pure: the due date, the pre-fill over audit entries and the check of what the unit typed.

/// One audited act the pre-fill reads: a query or download of a consuming unit's user (``AuditAction/query``,
/// ``AuditAction/download``), as the audit log stores it.
public struct UsageAuditFact: Sendable, Equatable {
    public var action: AuditAction
    /// The acting unit.
    public var unit: String
    public var indicator: String?
    /// Rows returned (a page's rows, a download's rows); 0 for a refused attempt.
    public var rows: Int
    /// The entry's detail; a refused attempt's starts with `refused=`.
    public var detail: String?
    /// The day it happened (China Standard Time).
    public var day: CalendarDate

    public init(action: AuditAction, unit: String, indicator: String?, rows: Int, detail: String?, day: CalendarDate) {
        self.action = action
        self.unit = unit
        self.indicator = indicator
        self.rows = rows
        self.detail = detail
        self.day = day
    }
}

/// The usage of one indicator in a quarter, as pre-filled.
public struct IndicatorUsage: Sendable, Equatable {
    public var indicator: String
    /// The unit providing the indicator.
    public var provider: String
    /// Queries answered (pages read), rows read over them, downloads and rows downloaded.
    public var queries: Int
    public var rowsRead: Int
    public var downloads: Int
    public var rowsDownloaded: Int
    /// Tax leads cross-matching produced from the indicator's records in the quarter, by the unit's runs.
    public var leads: Int

    public init(indicator: String, provider: String, queries: Int = 0, rowsRead: Int = 0, downloads: Int = 0, rowsDownloaded: Int = 0,
                leads: Int = 0) {
        self.indicator = indicator
        self.provider = provider
        self.queries = queries
        self.rowsRead = rowsRead
        self.downloads = downloads
        self.rowsDownloaded = rowsDownloaded
        self.leads = leads
    }
}

public enum UsageReportRule {
    /// The day `quarter`'s report is due: day `dueDay` of the month after the quarter (a setting; default the
    /// 20th, like the quarterly data's own deadline).
    public static func deadline(of quarter: ReportingPeriod, dueDay: Int = 20) -> CalendarDate {
        let next = quarter.lastDay.adding(days: 1)!
        return CalendarDate(year: next.year, month: next.month, day: min(max(dueDay, 1), 28))!
    }

    /// The quarters a unit consuming since `firstDay` owes a report for on `today` (their quarter ended; the
    /// latest `limit`), oldest first.
    public static func quarters(since firstDay: CalendarDate, today: CalendarDate, limit: Int = 4) -> [ReportingPeriod] {
        var out: [ReportingPeriod] = []
        var q = ReportingPeriod.containing(today, collection: .quarterly)
        for _ in 0..<limit {
            q = ReportingPeriod.containing(q.firstDay.adding(days: -1)!, collection: .quarterly)
            if q.lastDay < firstDay { break }
            out.append(q)
        }
        return out.reversed()
    }

    /// The pre-filled figures of `unit` for `quarter` from `facts` (audit entries) and `leads` (per indicator):
    /// per indicator of another unit (`provider` maps indicator → providing unit; the unit's own data and
    /// uncatalogued indicators are left out), the queries and downloads that returned data (refused attempts
    /// are not counted) and their rows, in indicator order. An indicator with leads but no reads is listed too.
    public static func prefill(unit: String, quarter: ReportingPeriod, facts: [UsageAuditFact], leads: [String: Int],
                               provider: [String: String]) -> [IndicatorUsage] {
        var usage: [String: IndicatorUsage] = [:]
        for fact in facts where fact.unit == unit && fact.day >= quarter.firstDay && fact.day <= quarter.lastDay {
            guard let indicator = fact.indicator, let owner = provider[indicator], owner != unit else { continue }
            if fact.detail?.hasPrefix("refused=") == true { continue }
            var u = usage[indicator] ?? IndicatorUsage(indicator: indicator, provider: owner)
            switch fact.action {
            case .query:
                u.queries += 1
                u.rowsRead += fact.rows
            case .download:
                u.downloads += 1
                u.rowsDownloaded += fact.rows
            default: continue
            }
            usage[indicator] = u
        }
        for (indicator, n) in leads where n > 0 {
            guard let owner = provider[indicator], owner != unit else { continue }
            usage[indicator, default: IndicatorUsage(indicator: indicator, provider: owner)].leads += n
        }
        return usage.values.sorted { $0.indicator < $1.indicator }
    }

    /// One providing unit's quality rating (数据使用质量): 1–5 with a comment.
    public struct Rating: Sendable, Equatable {
        public var provider: String
        public var score: Int
        public var comment: String

        public init(provider: String, score: Int, comment: String) {
            self.provider = provider
            self.score = score
            self.comment = comment
        }
    }

    /// Why a usage report cannot be filed.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// Only a quarter already ended.
        case badQuarter(String)
        case missingPurpose
        /// A rating is 1–5 (the text as typed), for a unit whose data the report lists.
        case badRating(provider: String, text: String)
        case alreadyFiled(String)

        public var code: String {
            switch self {
            case .badQuarter: "bad_quarter"
            case .missingPurpose: "missing_purpose"
            case .badRating: "bad_rating"
            case .alreadyFiled: "already_filed"
            }
        }

        public var description: String {
            switch self {
            case .badQuarter(let q): "只能报送已结束季度的数据使用报告，收到「\(q)」：请写成 2026Q3 的形式。"
            case .missingPurpose: "请填写数据用途：说明本季度共享数据用于哪些工作。"
            case .badRating(let p, let t): "对“\(p)”的质量评分应为 1–5 的整数，收到「\(t)」。"
            case .alreadyFiled(let q): "本单位 \(q) 的数据使用报告已经报送，每季度一份。"
            }
        }
    }

    /// Checks a filing: a quarter ended on `today`, a purpose, and each rating typed (`ratings`: provider →
    /// (score text, comment); a blank score is no rating) 1–5 for one of `providers` (the units the report lists).
    /// - Throws: ``Problem``.
    public static func checked(quarter text: String, purpose: String, ratings: [String: (score: String, comment: String)],
                               providers: Set<String>, today: CalendarDate) throws(Problem) -> (quarter: ReportingPeriod, purpose: String, ratings: [Rating]) {
        guard let quarter = ReportingPeriod(text), case .quarter = quarter, quarter.lastDay < today else { throw .badQuarter(text) }
        let purpose = TextNormalization.trim(purpose)
        guard !purpose.isEmpty else { throw .missingPurpose }
        var out: [Rating] = []
        for (provider, typed) in ratings.sorted(by: { $0.key < $1.key }) {
            let t = TextNormalization.trim(TextNormalization.foldWidth(typed.score))
            if t.isEmpty { continue }
            guard providers.contains(provider), let n = Int(t), (1...5).contains(n), t.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .badRating(provider: provider, text: typed.score)
            }
            out.append(Rating(provider: provider, score: n, comment: TextNormalization.trim(typed.comment)))
        }
        return (quarter, purpose, out)
    }
}
