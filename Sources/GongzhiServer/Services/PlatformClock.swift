import Foundation
import GongzhiCore

/// The one place the platform reads the time. Domain code is handed dates from here; tests inject a fixed clock.
public struct PlatformClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// The wall clock.
    public static let system = PlatformClock { Date() }

    /// A clock stopped at `date`.
    public static func fixed(_ date: Date) -> PlatformClock { PlatformClock { date } }

    /// Today's date in China Standard Time (UTC+8, no daylight saving), where every unit works.
    public func today() -> CalendarDate {
        Self.day(of: now())
    }

    /// The local date and time now, in China Standard Time.
    public func localNow() -> CalendarDateTime {
        Self.localTime(of: now())
    }

    /// The day `date` falls on in China Standard Time.
    public static func day(of date: Date) -> CalendarDate {
        localTime(of: date).date
    }

    /// The local date and time of `date` in China Standard Time, to the second.
    public static func localTime(of date: Date) -> CalendarDateTime {
        CalendarDateTime(epochSeconds: Int(date.timeIntervalSince1970.rounded(.down)))
    }
}

extension PlatformClock {
    /// `yyyy-mm-ddThh:mm:ss+08:00`: ISO 8601 in China Standard Time, for the API.
    public static func iso8601(_ date: Date) -> String {
        display(date).replacingOccurrences(of: " ", with: "T") + "+08:00"
    }

    /// `yyyy-mm-dd hh:mm:ss` in China Standard Time, for pages and listings.
    public static func display(_ date: Date) -> String {
        localTime(of: date).isoString.replacingOccurrences(of: "T", with: " ")
    }
}
