import FluentKit
import Foundation

/// One entry of a unit's contact history (领导重视): who holds a role from when, and when the platform was
/// told. Entries are only ever added.
public final class UnitContactRecord: Model, @unchecked Sendable {
    public static let schema = "unit_contacts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "unit_code") public var unitCode: String
    /// ``ContactRole`` raw value: `head` or `reporter`.
    @Field(key: "role") public var role: String
    @Field(key: "name") public var name: String
    @OptionalField(key: "mobile") public var mobile: String?
    /// ISO date (`yyyy-mm-dd`) the person took up the role.
    @Field(key: "effective_from") public var effectiveFrom: String
    /// ISO date the platform was told.
    @Field(key: "notified_on") public var notifiedOn: String
    @Field(key: "recorded_at") public var recordedAt: Date
    /// The acting unit that recorded the entry.
    @Field(key: "recorded_by") public var recordedBy: String

    public init() {}
}

/// A contact incident (领导重视 扣分): a responsible person missing, or changed without telling the platform,
/// as recorded by the info center.
public final class ContactIncidentRecord: Model, @unchecked Sendable {
    public static let schema = "contact_incidents"

    @ID(key: .id) public var id: UUID?
    @Field(key: "unit_code") public var unitCode: String
    /// ISO date of the incident.
    @Field(key: "occurred_on") public var occurredOn: String
    @Field(key: "description") public var description: String
    @Field(key: "recorded_at") public var recordedAt: Date
    @Field(key: "recorded_by") public var recordedBy: String

    public init() {}
}
