/// Whether a file belongs to the reporting period it is filed for (issue 10, "a wrong reporting period is
/// accepted silently"): the periods its title names, and where its dates fall.
///
/// A file is suspect when its title (the rows above the header, e.g. "房产交易信息 2024年3月") names a
/// period of the indicator's kind other than the chosen one, or when for every date field of the indicator
/// at least half of the file's dates fall outside the chosen period (a March file's contract dates, filed as
/// July) and at least half of them fall in one other period (a register of leases in force, whose start
/// dates spread over years, says nothing). The rule is for the clerk's eyes: it refuses until the clerk confirms, never silently.
public enum PeriodSanity {
    /// Where the dates of one date field fell, relative to the chosen period.
    public struct DateTally: Sendable, Equatable {
        /// The field's label (数据项名称).
        public var label: String
        public var inside: Int
        public var outside: Int
        /// How many dates fell in each period of the chosen period's kind (`2024-03` → count), for naming
        /// where most of them are.
        public var byPeriod: [String: Int]

        public init(label: String, inside: Int = 0, outside: Int = 0, byPeriod: [String: Int] = [:]) {
            self.label = label
            self.inside = inside
            self.outside = outside
            self.byPeriod = byPeriod
        }

        /// Counts `date` against `period`.
        public mutating func add(_ date: CalendarDate, period: ReportingPeriod) {
            if period.firstDay <= date && date <= period.lastDay { inside += 1 } else { outside += 1 }
            let containing: ReportingPeriod = switch period {
            case .month: .month(year: date.year, month: date.month)
            case .quarter: .quarter(year: date.year, quarter: (date.month - 1) / 3 + 1)
            case .year: .year(date.year)
            }
            byPeriod[containing.description, default: 0] += 1
        }

        /// The period most dates fell in, with how many.
        public var commonest: (period: String, count: Int)? {
            byPeriod.max { ($0.value, $1.key) < ($1.value, $0.key) }.map { ($0.key, $0.value) }
        }

        /// Whether most dates are outside the chosen period and at least half in one other period.
        var pointsElsewhere: Bool {
            let total = inside + outside
            guard total >= PeriodSanity.minimumDates, inside * 2 < total, let commonest else { return false }
            return commonest.count * 2 >= total
        }
    }

    /// Why a file looks like another period's.
    public enum Finding: Sendable, Equatable {
        /// The title names `named` (e.g. 2024年3月).
        case title(named: ReportingPeriod, text: String)
        /// For every date field most dates fall outside the period; the tally of the first such field.
        case dates(DateTally)

        /// The clerk's message, naming the chosen period.
        public func message(chosen: ReportingPeriod) -> String {
            switch self {
            case .title(let named, _):
                "文件标题写的是“\(named.chineseName)”，而本次选择的报送期是“\(chosen.chineseName)”：请核对报送期；如确属\(chosen.chineseName)的数据，请勾选确认后再上传（接口加参数 confirm=period）。"
            case .dates(let tally):
                "文件中“\(tally.label)”共 \(tally.inside + tally.outside) 个日期，只有 \(tally.inside) 个在\(chosen.chineseName)内"
                    + (tally.commonest.flatMap { ReportingPeriod($0.period) }.map { "，多数在\($0.chineseName)" } ?? "")
                    + "：请核对报送期；如确属\(chosen.chineseName)的数据，请勾选确认后再上传（接口加参数 confirm=period）。"
            }
        }
    }

    /// The least number of dates in a field for its tally to count.
    public static let minimumDates = 3

    /// The finding for a file filed for `period`, whose title rows read `title` and whose date fields fell as
    /// `tallies`; `nil` when nothing suggests another period.
    public static func check(period: ReportingPeriod, title: String, tallies: [DateTally]) -> Finding? {
        for named in periods(in: title) where named.collectionPeriod == period.collectionPeriod && named != period {
            return .title(named: named, text: title)
        }
        let counted = tallies.filter { $0.inside + $0.outside >= minimumDates }
        if !counted.isEmpty, counted.allSatisfy(\.pointsElsewhere) {
            return .dates(counted[0])
        }
        return nil
    }

    /// The periods a title names: `2024年3月`, `2024年第1季度` / `2024年1季度`, `2024年度`, and `2024-03`,
    /// `2024Q1`, in order of appearance.
    public static func periods(in text: String) -> [ReportingPeriod] {
        let chars = Array(TextNormalization.foldWidth(text))
        var found: [ReportingPeriod] = []
        var i = 0
        func digits(at start: Int, max: Int) -> (Int, Int)? {
            var j = start, value = 0
            while j < chars.count, j - start < max, let d = chars[j].wholeNumberValue, chars[j].isASCII {
                value = value * 10 + d
                j += 1
            }
            return j > start ? (value, j) : nil
        }
        while i < chars.count {
            // A year: four ASCII digits not preceded by a digit.
            guard let (year, afterYear) = digits(at: i, max: 4), afterYear - i == 4, year >= 1990, ReportingPeriod.years.contains(year),
                  i == 0 || !(chars[i - 1].isASCII && chars[i - 1].isNumber) else {
                i += 1
                continue
            }
            var j = afterYear
            if j < chars.count, chars[j] == "年" {
                j += 1
                if j < chars.count, chars[j] == "第" { j += 1 }
                if let (n, after) = digits(at: j, max: 2) {
                    if after < chars.count, chars[after] == "月", (1...12).contains(n),
                       !(after + 1 < chars.count && chars[after + 1] == "至") {
                        found.append(.month(year: year, month: n))
                        i = after + 1
                        continue
                    }
                    if after + 1 < chars.count, chars[after] == "季", chars[after + 1] == "度", (1...4).contains(n) {
                        found.append(.quarter(year: year, quarter: n))
                        i = after + 2
                        continue
                    }
                } else if j < chars.count, chars[j] == "度" {
                    found.append(.year(year))
                    i = j + 1
                    continue
                }
            } else if j < chars.count, chars[j] == "-" || chars[j] == "Q" || chars[j] == "q" {
                let quarter = chars[j] != "-"
                if let (n, after) = digits(at: j + 1, max: 2), !(after < chars.count && chars[after].isNumber) {
                    if quarter, (1...4).contains(n) { found.append(.quarter(year: year, quarter: n)) }
                    if !quarter, (1...12).contains(n), after - (j + 1) <= 2 { found.append(.month(year: year, month: n)) }
                    i = after
                    continue
                }
            }
            i = afterYear
        }
        return found
    }
}
