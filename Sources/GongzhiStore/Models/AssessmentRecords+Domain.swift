import Foundation
import GongzhiCore

extension AssessorEntryRecord {
    /// A row for `entry`, entered by `enteredBy` at `enteredAt`.
    public convenience init(_ entry: AssessorEntry, enteredBy: String, enteredAt: Date) {
        self.init()
        unitCode = entry.unit
        quarter = entry.quarter.description
        kind = entry.kind.rawValue
        value = entry.value
        reason = entry.reason
        detail = entry.detail
        self.enteredBy = enteredBy
        self.enteredAt = enteredAt
    }

    /// The domain value; `nil` for a kind or quarter this build cannot read.
    public var entry: AssessorEntry? {
        guard let kind = AssessorEntry.Kind(rawValue: kind), let quarter = ReportingPeriod(quarter) else { return nil }
        return AssessorEntry(unit: unitCode, quarter: quarter, kind: kind, value: value, reason: reason, detail: detail)
    }
}
