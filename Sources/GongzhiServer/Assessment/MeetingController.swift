import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// Joint meetings, trainings and survey forms on the web (issue 11 §3): the 综合治税办's page to schedule,
/// record attendance and issue forms, and a unit's page to return its forms.
struct MeetingController: Sendable {
    static func service(_ req: Request) -> MeetingService {
        MeetingService(database: req.db, clock: req.gongzhi.clock, files: req.gongzhi.files)
    }

    struct InvitationView: Encodable {
        var unit: String
        var unitName: String
        var attendance: String
        var attendanceName: String
    }

    struct MeetingView: Encodable {
        var id: String
        var kind: String
        var heldOn: String
        var time: String
        var place: String
        var topic: String
        var minutes: String
        var invitations: [InvitationView]
    }

    struct RecipientView: Encodable {
        var unitName: String
        var returnedAt: String
        var fileName: String
        var late: Bool
    }

    struct SurveyView: Encodable {
        var id: String
        var title: String
        var instructions: String
        var issuedOn: String
        var dueOn: String
        var returned: Int
        var recipients: [RecipientView]
        /// For a unit's page: the unit's own return, if any.
        var ownReturnedAt: String
    }

    struct Option: Encodable {
        var code: String
        var name: String
    }

    struct MeetingsPage: Encodable {
        var title: String
        var meetings: [MeetingView]
        var surveys: [SurveyView]
        var canManage: Bool
        var attendanceOptions: [Option]
    }

    static func surveyView(_ s: SurveyFormRecord, names: [String: String], own unit: String? = nil) -> SurveyView {
        let recipients = s.recipients.sorted { $0.unitCode < $1.unitCode }
        let due = CalendarDate(iso: s.dueOn)
        return SurveyView(
            id: s.id?.uuidString.lowercased() ?? "", title: s.title, instructions: s.instructions, issuedOn: s.issuedOn, dueOn: s.dueOn,
            returned: recipients.filter { $0.returnedAt != nil }.count,
            recipients: recipients.map { r in
                RecipientView(unitName: names[r.unitCode] ?? r.unitCode, returnedAt: r.returnedAt.map(PlatformClock.display) ?? "",
                              fileName: r.returnFileName ?? "",
                              late: { () -> Bool in
                                  guard let at = r.returnedAt, let due else { return false }
                                  return PlatformClock.day(of: at) > due
                              }())
            },
            ownReturnedAt: recipients.first { $0.unitCode == unit }?.returnedAt.map(PlatformClock.display) ?? "")
    }

    /// `GET /assessment/meetings`: every meeting and survey form, newest first, with the forms to add them.
    func index(req: Request) async throws -> View {
        let names = try await AssessmentController.unitNames(req)
        let meetings = try await JointMeetingRecord.query(on: req.db).with(\.$invitations).sort(\.$heldOn, .descending).all()
        let surveys = try await SurveyFormRecord.query(on: req.db).with(\.$recipients).sort(\.$dueOn, .descending).all()
        return try await req.view.render("assessment-meetings", MeetingsPage(
            title: "联席会议与调研反馈",
            meetings: meetings.map { m in
                MeetingView(id: m.id?.uuidString.lowercased() ?? "", kind: m.kind == "training" ? "业务培训" : "联席会议", heldOn: m.heldOn,
                            time: m.time, place: m.place, topic: m.topic, minutes: m.minutes,
                            invitations: m.invitations.sorted { $0.unitCode < $1.unitCode }.map { i in
                                let a = i.attendance.flatMap(Attendance.init(rawValue:))
                                return InvitationView(unit: i.unitCode, unitName: names[i.unitCode] ?? i.unitCode, attendance: a?.rawValue ?? "",
                                                      attendanceName: a?.chineseName ?? "未登记")
                            })
            },
            surveys: surveys.map { Self.surveyView($0, names: names) },
            canManage: try req.actor.principal.hasAny(of: RouteAccess.assessmentRunners),
            attendanceOptions: Attendance.allCases.map { Option(code: $0.rawValue, name: $0.chineseName) }))
    }

    static func field(_ req: Request, _ key: String) -> String { (try? req.content.get(String.self, at: key)) ?? "" }

    /// Unit codes typed separated by spaces or commas; `all` for every assessed unit.
    static func units(_ req: Request, _ text: String) async throws -> [String] {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "，" || $0 == "、" || $0 == "\n" }).map(String.init)
        if parts == ["all"] { return AssessmentService.assessedUnits(try await req.reporting.catalog()) }
        return parts
    }

    static func failing<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as MeetingError { throw Abort(.badRequest, reason: error.message) }
    }

    /// `POST /assessment/meetings`: schedule a meeting or training.
    func schedule(req: Request) async throws -> Response {
        let units = try await Self.units(req, Self.field(req, "units"))
        _ = try await Self.failing {
            try await Self.service(req).schedule(kind: Self.field(req, "kind"), heldOn: Self.field(req, "held_on"), time: Self.field(req, "time"),
                                                 place: Self.field(req, "place"), topic: Self.field(req, "topic"), units: units, by: req.auditActor)
        }
        return req.redirect(to: "/assessment/meetings", redirectType: .normal)
    }

    /// `POST /assessment/meetings/:id/attendance`: fields `attendance_<unit>` and `minutes`.
    func attendance(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        var attendance: [String: Attendance] = [:]
        if let fields = try? req.content.decode([String: String].self) {
            for (key, value) in fields where key.hasPrefix("attendance_") {
                if let a = Attendance(rawValue: value) { attendance[String(key.dropFirst("attendance_".count))] = a }
            }
        }
        try await Self.failing {
            try await Self.service(req).recordAttendance(meeting: id, attendance: attendance, minutes: Self.field(req, "minutes"), by: req.auditActor)
        }
        return req.redirect(to: "/assessment/meetings", redirectType: .normal)
    }

    /// `POST /assessment/surveys`: issue a survey form.
    func issue(req: Request) async throws -> Response {
        let units = try await Self.units(req, Self.field(req, "units"))
        _ = try await Self.failing {
            try await Self.service(req).issueSurvey(title: Self.field(req, "title"), instructions: Self.field(req, "instructions"),
                                                    dueOn: Self.field(req, "due_on"), units: units, by: req.auditActor)
        }
        return req.redirect(to: "/assessment/meetings", redirectType: .normal)
    }

    struct UnitSurveysPage: Encodable {
        var title: String
        var surveys: [SurveyView]
    }

    /// `GET /surveys`: the survey forms sent to the user's unit, with a form to return each.
    func unitSurveys(req: Request) async throws -> View {
        let unit = try req.actor.unitCode
        let ids = try await SurveyRecipientRecord.query(on: req.db).filter(\.$unitCode == unit).all().map { $0.$survey.id }
        let surveys = ids.isEmpty ? [] : try await SurveyFormRecord.query(on: req.db).filter(\.$id ~~ ids).with(\.$recipients)
            .sort(\.$dueOn, .descending).all()
        let names = try await AssessmentController.unitNames(req)
        return try await req.view.render("surveys", UnitSurveysPage(title: "调研反馈表",
                                                                   surveys: surveys.map { Self.surveyView($0, names: names, own: unit) }))
    }

    /// `POST /surveys/:id/return` (multipart `file`): the user's unit returns its answer.
    func returnSurvey(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        guard let file = try? req.content.get(File.self, at: "file"), !file.filename.isEmpty else {
            throw Abort(.badRequest, reason: MeetingError.emptyFile.message)
        }
        let unit = try req.actor.unitCode
        try await Self.failing {
            try await Self.service(req).returnSurvey(id, unit: unit, fileName: file.filename, data: Data(buffer: file.data), by: req.auditActor)
        }
        return req.redirect(to: "/surveys", redirectType: .normal)
    }
}
