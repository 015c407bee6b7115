import Foundation
import GongzhiCore

extension SecurityCheckRecord {
    /// `check` as stored, recorded by `recordedBy` (login name) at `recordedAt`.
    public convenience init(_ check: SecurityCheck, recordedBy: String, recordedAt: Date) {
        self.init()
        self.unitCode = check.unitCode
        self.year = check.year
        self.failedItems = check.failedItemCodes
        self.findings = check.findings
        self.fixDeadline = check.fixDeadline?.isoString
        self.result = check.result.rawValue
        self.checkedOn = check.checkedOn.isoString
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }

}
