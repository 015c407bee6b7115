import Foundation
import GongzhiCore

extension SubmissionRecord {
    /// The lifecycle state; `received` for a value this build does not know.
    public var lifecycleState: SubmissionState {
        SubmissionState(rawValue: state) ?? .received
    }

    /// Whether the info center submitted on the unit's behalf (代为报送).
    public var isProxy: Bool { actingUnitCode != unitCode }
}

extension UnitContactRecord {
    /// An entry for `contact`, recorded at `recordedAt` by the acting unit `recordedBy`.
    public convenience init(_ contact: UnitContact, recordedAt: Date, recordedBy: String) {
        self.init()
        unitCode = contact.unit
        role = contact.role.rawValue
        name = contact.name
        mobile = contact.mobile
        effectiveFrom = contact.effectiveFrom.isoString
        notifiedOn = contact.notifiedOn.isoString
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
    }

    /// The domain value; `nil` when a stored date or role is unreadable.
    public var contact: UnitContact? {
        guard let role = ContactRole(rawValue: role), let from = CalendarDate(iso: effectiveFrom),
              let told = CalendarDate(iso: notifiedOn) else { return nil }
        return UnitContact(unit: unitCode, role: role, name: name, mobile: mobile, effectiveFrom: from, notifiedOn: told)
    }
}

extension ContactIncidentRecord {
    /// An incident of `unitCode` on `occurredOn`.
    public convenience init(unitCode: String, occurredOn: CalendarDate, description: String, recordedAt: Date, recordedBy: String) {
        self.init()
        self.unitCode = unitCode
        self.occurredOn = occurredOn.isoString
        self.description = description
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
    }
}
