import Foundation
import GongzhiCore

extension AuditEntryRecord {
    /// A row holding `entry`.
    public convenience init(_ entry: AuditEntry) {
        self.init()
        let event = entry.event, target = entry.event.target
        sequence = Int64(entry.sequence)
        timeMilliseconds = event.timeMilliseconds
        userID = event.userID
        unitCode = event.unitCode
        action = event.action.rawValue
        indicatorCode = target.indicatorCode
        recordIDsJSON = JSONValue.array(target.recordIDs.map(JSONValue.string)).serialized()
        query = target.query
        rowCount = target.rowCount.map(Int64.init)
        detail = target.detail
        address = event.clientAddress
        previousHash = entry.previousHash
        hash = entry.hash
    }

    /// The entry this row holds; `nil` when a stored part cannot be read back (an unknown action, record ids
    /// that are not a JSON array of strings, a number out of range) — which only an edit can cause.
    public var entry: AuditEntry? {
        guard let action = AuditAction(rawValue: action), let recordIDs,
              let sequence = Int(exactly: sequence) else { return nil }
        var rows: Int? = nil
        if let rowCount {
            guard let n = Int(exactly: rowCount) else { return nil }
            rows = n
        }
        let target = AuditTarget(indicatorCode: indicatorCode, recordIDs: recordIDs, query: query, rowCount: rows, detail: detail)
        let event = AuditEvent(timeMilliseconds: timeMilliseconds, userID: userID, unitCode: unitCode, action: action,
                               target: target, clientAddress: address)
        return AuditEntry(sequence: sequence, event: event, previousHash: previousHash, hash: hash)
    }

    /// The action, when this build knows it.
    public var auditAction: AuditAction? { AuditAction(rawValue: action) }
}
