import FluentKit
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore

/// Why a meeting or survey request cannot be done; `message` is for the clerk.
public enum MeetingError: Error, Sendable, Equatable {
    case missing(String)
    case badDate(String)
    case unknownUnit(String)
    case notFound
    case notInvited(String)
    case emptyFile
    case alreadyReturned(String)

    public var message: String {
        switch self {
        case .missing(let what): "请填写\(what)。"
        case .badDate(let text): "日期“\(text)”不对：请写成 2024-05-20 这样的真实日期。"
        case .unknownUnit(let unit): "单位“\(unit)”不在目录中。"
        case .notFound: "找不到这次会议或这份调研反馈表。"
        case .notInvited(let unit): "单位“\(unit)”不在本次会议或调研的范围内。"
        case .emptyFile: "请选择要上传的反馈文件（不能为空）。"
        case .alreadyReturned(let at): "本单位已于 \(at) 反馈，无需重复提交。"
        }
    }
}

/// Joint meetings and trainings (联席会议, 业务培训) and survey forms (调研反馈表): scheduled and issued by the
/// 综合治税办, attendance recorded, forms returned by units (issue 11 §3). Every change is audit-logged in its
/// transaction; the assessment counts them through ``MeetingsAndSurveys``.
public struct MeetingService: Sendable {
    public let database: any Database
    public let clock: PlatformClock
    public let files: FileStore

    public init(database: any Database, clock: PlatformClock, files: FileStore) {
        self.database = database
        self.clock = clock
        self.files = files
    }

    static func text(_ value: String, _ what: String) throws(MeetingError) -> String {
        let t = TextNormalization.trim(value)
        guard !t.isEmpty else { throw .missing(what) }
        return t
    }

    static func day(_ value: String) throws(MeetingError) -> CalendarDate {
        guard let d = CalendarDate(iso: TextNormalization.trim(value)) else { throw .badDate(value) }
        return d
    }

    func checkUnits(_ units: [String]) async throws -> [String] {
        let catalog = try await ReportingService(database: database, clock: clock).catalog()
        let known = Set(catalog.units.map(\.code))
        let chosen = Array(Set(units.map(TextNormalization.trim).filter { !$0.isEmpty })).sorted()
        guard !chosen.isEmpty else { throw MeetingError.missing("参加单位") }
        if let unknown = chosen.first(where: { !known.contains($0) }) { throw MeetingError.unknownUnit(unknown) }
        return chosen
    }

    /// Schedules a meeting (`kind` `meeting` or `training`) and invites `units`.
    public func schedule(kind: String, heldOn: String, time: String, place: String, topic: String, units: [String],
                         by actor: AuditActor) async throws -> UUID {
        let kind = kind == "training" ? "training" : "meeting"
        let day = try Self.day(heldOn)
        let place = try Self.text(place, "地点"), topic = try Self.text(topic, "议题")
        let units = try await checkUnits(units)
        let now = clock.now()
        return try await database.transaction { db in
            let meeting = JointMeetingRecord(kind: kind, heldOn: day.isoString, time: TextNormalization.trim(time), place: place,
                                             topic: topic, createdBy: actor.user, createdAt: now)
            try await meeting.create(on: db)
            let id = try meeting.requireID()
            for unit in units { try await MeetingInvitationRecord(meetingID: id, unitCode: unit).create(on: db) }
            _ = try await AuditLog.append(actor.event(.assessment, AuditTarget(rowCount: units.count,
                                                                               detail: "meeting=\(id.uuidString.lowercased());scheduled \(day)"), at: now), on: db)
            return id
        }
    }

    /// Records the attendance of invited units (units not in `attendance` keep what they had) and the minutes.
    public func recordAttendance(meeting id: UUID, attendance: [String: Attendance], minutes: String, by actor: AuditActor) async throws {
        guard let meeting = try await JointMeetingRecord.find(id, on: database) else { throw MeetingError.notFound }
        let invitations = try await MeetingInvitationRecord.query(on: database).filter(\.$meeting.$id == id).all()
        let invited = Set(invitations.map(\.unitCode))
        if let stranger = attendance.keys.sorted().first(where: { !invited.contains($0) }) { throw MeetingError.notInvited(stranger) }
        let now = clock.now()
        try await database.transaction { db in
            for invitation in invitations {
                guard let a = attendance[invitation.unitCode] else { continue }
                invitation.attendance = a.rawValue
                invitation.recordedBy = actor.user
                invitation.recordedAt = now
                try await invitation.update(on: db)
            }
            meeting.minutes = TextNormalization.trim(minutes)
            try await meeting.update(on: db)
            _ = try await AuditLog.append(actor.event(.assessment, AuditTarget(rowCount: attendance.count,
                                                                               detail: "meeting=\(id.uuidString.lowercased());attendance"), at: now), on: db)
        }
    }

    /// Issues a survey form to `units`, due on `dueOn`.
    public func issueSurvey(title: String, instructions: String, dueOn: String, units: [String], by actor: AuditActor) async throws -> UUID {
        let title = try Self.text(title, "调研反馈表标题")
        let due = try Self.day(dueOn)
        let units = try await checkUnits(units)
        let now = clock.now()
        return try await database.transaction { db in
            let survey = SurveyFormRecord(title: title, instructions: TextNormalization.trim(instructions),
                                          issuedOn: PlatformClock.day(of: now).isoString, dueOn: due.isoString, createdBy: actor.user, createdAt: now)
            try await survey.create(on: db)
            let id = try survey.requireID()
            for unit in units { try await SurveyRecipientRecord(surveyID: id, unitCode: unit).create(on: db) }
            _ = try await AuditLog.append(actor.event(.assessment, AuditTarget(rowCount: units.count,
                                                                               detail: "survey=\(id.uuidString.lowercased());issued due \(due)"), at: now), on: db)
            return id
        }
    }

    /// A unit returns its answer to a survey form as a file (kept in the file store).
    public func returnSurvey(_ id: UUID, unit: String, fileName: String, data: Data, by actor: AuditActor) async throws {
        guard !data.isEmpty else { throw MeetingError.emptyFile }
        guard try await SurveyFormRecord.find(id, on: database) != nil else { throw MeetingError.notFound }
        guard let recipient = try await SurveyRecipientRecord.query(on: database).filter(\.$survey.$id == id)
            .filter(\.$unitCode == unit).first() else { throw MeetingError.notInvited(unit) }
        if let at = recipient.returnedAt { throw MeetingError.alreadyReturned(PlatformClock.display(at)) }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("gongzhi-survey-\(UUID().uuidString)")
        try data.write(to: temporary)
        defer { try? FileManager.default.removeItem(at: temporary) }
        let sha256 = try FileDigest.sha256(of: temporary)
        try files.keep(temporary, sha256: sha256)
        let now = clock.now()
        try await database.transaction { db in
            recipient.returnedAt = now
            recipient.returnFileName = fileName
            recipient.returnSHA256 = sha256
            recipient.returnedBy = actor.user
            try await recipient.update(on: db)
            _ = try await AuditLog.append(actor.event(.assessment, AuditTarget(detail: "survey=\(id.uuidString.lowercased());returned by \(unit)"),
                                                      at: now), on: db)
        }
    }

    /// `unit`'s meeting records, for ``MeetingsAndSurveys/meetings(_:quarter:asOf:)``.
    public static func meetingRecords(unit: String, on database: any Database) async throws -> [MeetingsAndSurveys.MeetingRecord] {
        let invitations = try await MeetingInvitationRecord.query(on: database).filter(\.$unitCode == unit).with(\.$meeting).all()
        return invitations.compactMap { i in
            CalendarDate(iso: i.meeting.heldOn).map { .init(heldOn: $0, attendance: i.attendance.flatMap(Attendance.init(rawValue:))) }
        }
    }

    /// `unit`'s survey records, for ``MeetingsAndSurveys/surveys(_:quarter:asOf:)``.
    public static func surveyRecords(unit: String, on database: any Database) async throws -> [MeetingsAndSurveys.SurveyRecord] {
        let recipients = try await SurveyRecipientRecord.query(on: database).filter(\.$unitCode == unit).with(\.$survey).all()
        return recipients.compactMap { r in
            CalendarDate(iso: r.survey.dueOn).map { .init(dueOn: $0, returnedOn: r.returnedAt.map(PlatformClock.day(of:))) }
        }
    }
}
