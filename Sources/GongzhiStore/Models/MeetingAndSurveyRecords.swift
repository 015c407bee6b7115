import FluentKit
import Foundation

/// A joint meeting (联席会议) or training (业务培训) the 综合治税办 schedules.
public final class JointMeetingRecord: Model, @unchecked Sendable {
    public static let schema = "joint_meetings"

    @ID(key: .id) public var id: UUID?
    /// `meeting` or `training`.
    @Field(key: "kind") public var kind: String
    /// `yyyy-mm-dd`.
    @Field(key: "held_on") public var heldOn: String
    /// As written, e.g. `09:30`.
    @Field(key: "time") public var time: String
    @Field(key: "place") public var place: String
    @Field(key: "topic") public var topic: String
    /// The minutes (会议纪要); empty until recorded.
    @Field(key: "minutes") public var minutes: String
    @Field(key: "created_by") public var createdBy: String
    @Field(key: "created_at") public var createdAt: Date
    @Children(for: \.$meeting) public var invitations: [MeetingInvitationRecord]

    public init() {}

    public init(id: UUID? = nil, kind: String, heldOn: String, time: String, place: String, topic: String, createdBy: String, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.heldOn = heldOn
        self.time = time
        self.place = place
        self.topic = topic
        self.minutes = ""
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// One invited unit of a meeting and, once recorded, its attendance (`Attendance` raw value).
public final class MeetingInvitationRecord: Model, @unchecked Sendable {
    public static let schema = "meeting_invitations"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "meeting_id") public var meeting: JointMeetingRecord
    @Field(key: "unit_code") public var unitCode: String
    @OptionalField(key: "attendance") public var attendance: String?
    @OptionalField(key: "recorded_by") public var recordedBy: String?
    @OptionalField(key: "recorded_at") public var recordedAt: Date?

    public init() {}

    public init(meetingID: UUID, unitCode: String) {
        self.$meeting.id = meetingID
        self.unitCode = unitCode
    }
}

/// A survey form (调研反馈表) issued to units with a due day.
public final class SurveyFormRecord: Model, @unchecked Sendable {
    public static let schema = "survey_forms"

    @ID(key: .id) public var id: UUID?
    @Field(key: "title") public var title: String
    /// What the units are asked, and how to answer.
    @Field(key: "instructions") public var instructions: String
    @Field(key: "issued_on") public var issuedOn: String
    /// Last day on which a return is on time (`yyyy-mm-dd`).
    @Field(key: "due_on") public var dueOn: String
    @Field(key: "created_by") public var createdBy: String
    @Field(key: "created_at") public var createdAt: Date
    @Children(for: \.$survey) public var recipients: [SurveyRecipientRecord]

    public init() {}

    public init(id: UUID? = nil, title: String, instructions: String, issuedOn: String, dueOn: String, createdBy: String, createdAt: Date) {
        self.id = id
        self.title = title
        self.instructions = instructions
        self.issuedOn = issuedOn
        self.dueOn = dueOn
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// One unit a survey form went to and, once it answered, its returned file (kept in the file store by SHA-256).
public final class SurveyRecipientRecord: Model, @unchecked Sendable {
    public static let schema = "survey_recipients"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "survey_id") public var survey: SurveyFormRecord
    @Field(key: "unit_code") public var unitCode: String
    @OptionalField(key: "returned_at") public var returnedAt: Date?
    @OptionalField(key: "return_file_name") public var returnFileName: String?
    @OptionalField(key: "return_sha256") public var returnSHA256: String?
    @OptionalField(key: "returned_by") public var returnedBy: String?

    public init() {}

    public init(surveyID: UUID, unitCode: String) {
        self.$survey.id = surveyID
        self.unitCode = unitCode
    }
}
