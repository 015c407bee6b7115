/// 报送期: the period a submission covers, written `2024-03` (month), `2024Q1` (quarter) or `2024` (year)
/// (DESIGN.md "Contracts").
public enum ReportingPeriod: Hashable, Comparable, Sendable, CustomStringConvertible {
    case month(year: Int, month: Int)
    case quarter(year: Int, quarter: Int)
    case year(Int)

    /// The years a period may name: from 1900, and up to 9998, so that the day after any period — where its
    /// deadline and every "until the end of the period" range fall — is still a ``CalendarDate``.
    public static let years = 1900...9998

    /// Parses `yyyy-mm` (also `yyyy-m`), `yyyyQn` (also `yyyyqn`) or `yyyy`; `nil` for anything else, and for a
    /// year outside ``years``.
    public init?(_ text: String) {
        let t = TextNormalization.upperASCII(TextNormalization.foldWidth(TextNormalization.trim(text)))
        let u = Array(t.utf8)
        func num(_ s: ArraySlice<UInt8>) -> Int? { CalendarDate.digits(s) }
        switch u.count {
        case 4:
            guard let y = num(u[0..<4]), Self.years.contains(y) else { return nil }
            self = .year(y)
        case 6 where u[4] == UInt8(ascii: "Q"):
            guard let y = num(u[0..<4]), Self.years.contains(y), let q = num(u[5..<6]), (1...4).contains(q) else { return nil }
            self = .quarter(year: y, quarter: q)
        case 6 where u[4] == UInt8(ascii: "-"), 7 where u[4] == UInt8(ascii: "-"):
            guard let y = num(u[0..<4]), Self.years.contains(y), let m = num(u[5...]), (1...12).contains(m) else { return nil }
            self = .month(year: y, month: m)
        default:
            // 2024年3月, 2024年第1季度, 2024年度: as clerks write them.
            let named = PeriodSanity.periods(in: t)
            if u.count == 7, let y = num(u[0..<4]), Self.years.contains(y), t.hasSuffix("年") {
                self = .year(y)
                return
            }
            guard t.contains("年"), named.count == 1 else { return nil }
            self = named[0]
        }
    }

    /// The collection period this reporting period belongs to.
    public var collectionPeriod: CollectionPeriod {
        switch self {
        case .month: .monthly
        case .quarter: .quarterly
        case .year: .yearly
        }
    }

    /// The canonical spelling: `2024-03`, `2024Q1`, `2024`.
    public var description: String {
        switch self {
        case .month(let y, let m): pad(y, 4) + "-" + pad(m, 2)
        case .quarter(let y, let q): pad(y, 4) + "Q" + String(q)
        case .year(let y): pad(y, 4)
        }
    }

    /// Chinese label: `2024年3月`, `2024年第1季度`, `2024年`.
    public var chineseName: String {
        switch self {
        case .month(let y, let m): "\(y)年\(m)月"
        case .quarter(let y, let q): "\(y)年第\(q)季度"
        case .year(let y): "\(y)年"
        }
    }

    /// First day of the period.
    public var firstDay: CalendarDate {
        switch self {
        case .month(let y, let m): CalendarDate(year: y, month: m, day: 1)!
        case .quarter(let y, let q): CalendarDate(year: y, month: (q - 1) * 3 + 1, day: 1)!
        case .year(let y): CalendarDate(year: y, month: 1, day: 1)!
        }
    }

    /// Last day of the period.
    public var lastDay: CalendarDate {
        let (y, m): (Int, Int) = switch self {
        case .month(let y, let m): (y, m)
        case .quarter(let y, let q): (y, q * 3)
        case .year(let y): (y, 12)
        }
        return CalendarDate(year: y, month: m, day: CalendarDate.daysIn(month: m, year: y))!
    }

    /// Whether `other` lies inside this period (a period contains itself; a quarter its three months;
    /// a year its months and quarters).
    public func contains(_ other: ReportingPeriod) -> Bool {
        firstDay <= other.firstDay && other.lastDay <= lastDay
    }

    /// The reporting periods of `collection` that lie inside this period, in order: the months of a
    /// quarter, the quarters of a year; empty when `collection` is coarser than this period.
    public func periods(of collection: CollectionPeriod) -> [ReportingPeriod] {
        let y = firstDay.year
        let candidates: [ReportingPeriod] = switch collection {
        case .monthly: (1...12).map { .month(year: y, month: $0) }
        case .quarterly: (1...4).map { .quarter(year: y, quarter: $0) }
        case .yearly: [.year(y)]
        }
        return candidates.filter(contains)
    }

    /// The period of the same kind that follows this one (`2024-12` → `2025-01`, `2024Q4` → `2025Q1`).
    public var next: ReportingPeriod {
        switch self {
        case .month(let y, let m): m == 12 ? .month(year: y + 1, month: 1) : .month(year: y, month: m + 1)
        case .quarter(let y, let q): q == 4 ? .quarter(year: y + 1, quarter: 1) : .quarter(year: y, quarter: q + 1)
        case .year(let y): .year(y + 1)
        }
    }

    /// The period of `collection` that holds `date` (e.g. the quarter of 2024-05-06 is `2024Q2`).
    public static func containing(_ date: CalendarDate, collection: CollectionPeriod) -> ReportingPeriod {
        switch collection {
        case .monthly: .month(year: date.year, month: date.month)
        case .quarterly: .quarter(year: date.year, quarter: (date.month - 1) / 3 + 1)
        case .yearly: .year(date.year)
        }
    }

    public static func < (a: ReportingPeriod, b: ReportingPeriod) -> Bool {
        (a.firstDay, a.lastDay) < (b.firstDay, b.lastDay)
    }
}
