import FluentKit
import Foundation

/// A posted notice (table `notices`). Its recipients are every member unit (`to_all`) or the units in
/// `notice_recipients`.
public final class NoticeRecord: Model, @unchecked Sendable {
    public static let schema = "notices"

    @ID(key: .id) public var id: UUID?
    @Field(key: "title") public var title: String
    @Field(key: "body") public var body: String
    /// ``Notice/Category`` raw value.
    @Field(key: "category") public var category: String
    @Field(key: "to_all") public var toAll: Bool
    /// The publisher's username and unit.
    @Field(key: "posted_by") public var postedBy: String
    @Field(key: "posted_by_unit") public var postedByUnit: String
    @Field(key: "posted_at") public var postedAt: Date

    public init() {}
}

/// One chosen recipient unit of a notice not sent to all.
public final class NoticeRecipientRecord: Model, @unchecked Sendable {
    public static let schema = "notice_recipients"

    @ID(key: .id) public var id: UUID?
    @Field(key: "notice_id") public var noticeID: UUID
    @Field(key: "unit_code") public var unitCode: String

    public init() {}
}

/// A user's first reading of a notice.
public final class NoticeReadRecord: Model, @unchecked Sendable {
    public static let schema = "notice_reads"

    @ID(key: .id) public var id: UUID?
    @Field(key: "notice_id") public var noticeID: UUID
    @Field(key: "user_id") public var userID: String
    @Field(key: "read_at") public var readAt: Date

    public init() {}
}

/// A reminder text message waiting for a deployment's SMS gateway (短信提醒); the platform itself sends
/// nothing outside. `handed_over_at` is set when a gateway took it.
public final class ReminderRecord: Model, @unchecked Sendable {
    public static let schema = "reminder_outbox"

    @ID(key: .id) public var id: UUID?
    @Field(key: "unit_code") public var unitCode: String
    @Field(key: "mobile") public var mobile: String
    @Field(key: "text") public var text: String
    /// What caused it, e.g. `notice=<id>`.
    @Field(key: "reason") public var reason: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "handed_over_at") public var handedOverAt: Date?

    public init() {}
}
