import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore
import Vapor

/// `/`: a home that says what is due, for each role the user holds (a user with several roles sees each part).
///
/// - reporter and unit head: the unit's tasks due within 7 days, its overdue tasks grouped by indicator with
///   the days overdue, its recent submissions with their results, and a link to the catalog; the unit head
///   also sees the unit's row of the last quarter's board beside the city's totals;
/// - approver: requests waiting for a decision;
/// - admin (info center): the units most behind (most overdue tasks) and the recent proxy filings;
/// - auditor: the latest audit entries (reading them is itself recorded, as on `/audit`);
/// - analyst: the unit's grants and requests.
///
/// Every task status comes from ``ReportingService``, the one place that computes it.
struct HomeController: Sendable {
    /// Days ahead that count as "due soon" (the unit page uses the same).
    static let dueSoonDays = ReportingController.dueSoonDays
    /// Recent items shown per list.
    static let recentCount = 8

    struct DueItem: Encodable {
        var indicator: String
        var indicatorName: String
        var period: String
        var deadline: String
        var daysLeft: Int
    }

    struct SubmissionItem: Encodable {
        var id: String
        var indicatorName: String
        var period: String
        var receivedAt: String
        var result: String
        var resultClass: String
        var stateName: String
        var proxy: String?
    }

    struct BehindItem: Encodable {
        var unit: String
        var unitName: String
        var missed: Int
        var mostDaysOverdue: Int
    }

    struct ActivityItem: Encodable {
        var time: String
        var user: String
        var unit: String
        var action: String
        var detail: String
    }

    struct HomePage: Encodable {
        var title: String
        var today: String
        var userName: String
        var unit: String
        var unitName: String
        var roles: String
        var isUnitStaff: Bool
        /// Whether the user may upload (links to file a task are shown only then).
        var canUpload: Bool
        var dueSoon: [DueItem]
        var overdue: [ReportingController.OverdueGroup]
        var overdueTotal: Int
        var recent: [SubmissionItem]
        var comparison: ReportingController.Comparison?
        var isApprover: Bool
        var toDecide: [SharingController.RequestItem]
        var isAdmin: Bool
        var behind: [BehindItem]
        var behindChart: String
        var proxies: [SubmissionItem]
        var isAuditor: Bool
        var activity: [ActivityItem]
        var isAnalyst: Bool
        var grants: [SharingController.GrantItem]
        var requests: [SharingController.RequestItem]
        /// 综合治税办 staff: links to the assessment pages.
        var isCoordinator: Bool
        /// The latest published assessment bulletin as the user's unit sees it (附件2 简报).
        var bulletin: AssessmentController.BulletinNotice?
        /// The user's unread notices (信息发布), newest first.
        var notices: [NoticeController.NoticeItem]
        /// Survey forms (调研反馈表) the unit has not returned yet, soonest due first.
        var surveysDue: [SurveyDue] = []
        /// Objections to the unit's data waiting for its answer, and upheld ones waiting for its correction.
        var objectionsToAnswer = 0
        var objectionsToCorrect = 0
        var objectionsOverdue = 0
        /// Usage and effectiveness reports the unit owes (附件1 第十二条), soonest due first.
        var reportsDue: [ReportDue] = []
        /// The suspension of the unit's sharing in force, as a sentence.
        var suspension: String?
        /// Links to the report pages (数据使用报告, 应用成效报告) and to complaints, for the roles that use them.
        var showReports = false
        var showComplaints = false
    }

    struct ReportDue: Encodable {
        var title: String
        var link: String
        var deadline: String
        var overdue: Bool
    }

    struct SurveyDue: Encodable {
        var title: String
        var dueOn: String
        /// Days left (0 on the due day), and days overdue after it.
        var daysLeft: Int
        var daysOverdue: Int
    }

    /// `GET /`.
    func index(req: Request) async throws -> View {
        let actor = try req.actor
        let principal = actor.principal
        let names = try await DisplayNames.load(req)
        let today = req.gongzhi.clock.today()
        let unit = actor.unitCode
        var page = HomePage(
            title: "首页", today: today.isoString, userName: actor.displayName, unit: unit, unitName: names.unit(unit),
            roles: principal.roles.sorted().map(\.chineseName).joined(separator: "、"),
            isUnitStaff: principal.hasAny(of: [Role.reporter, .unitHead]), canUpload: principal.hasAny(of: RouteAccess.reporters), dueSoon: [], overdue: [], overdueTotal: 0, recent: [],
            comparison: nil, isApprover: principal.has(.approver), toDecide: [], isAdmin: principal.has(.admin), behind: [],
            behindChart: "", proxies: [], isAuditor: principal.has(.auditor), activity: [], isAnalyst: principal.has(.analyst),
            grants: [], requests: [], isCoordinator: principal.has(.coordinator),
            bulletin: try await AssessmentController.notice(req), notices: try await NoticeController.unread(req, names: names))

        if page.isUnitStaff, names.units[unit] != nil {
            let rows = try await req.reporting.tasks(from: .year(today.year - 1), to: .year(today.year), unit: unit, asOf: today)
            let soon = today.adding(days: Self.dueSoonDays)!
            page.dueSoon = rows.filter { $0.state.status == .open && $0.state.task.deadline >= today && $0.state.task.deadline <= soon }
                .sorted { $0.state.task.deadline < $1.state.task.deadline }
                .map { r in
                    DueItem(indicator: r.state.task.indicator, indicatorName: r.indicatorName, period: r.state.task.period.description,
                            deadline: r.state.task.deadline.isoString,
                            daysLeft: r.state.task.deadline.daysSinceEpoch - today.daysSinceEpoch)
                }
            let missed = rows.filter { $0.state.status == .missed }
            page.overdueTotal = missed.count
            page.overdue = ReportingController.overdueGroups(missed, today: today)
            page.recent = try await SubmissionRepository(database: req.db).list(unit: unit, limit: Self.recentCount)
                .map { Self.item($0, names: names) }
            let open = try await SurveyRecipientRecord.query(on: req.db).filter(\.$unitCode == unit).filter(\.$returnedAt == nil).all()
            if !open.isEmpty {
                page.surveysDue = try await SurveyFormRecord.query(on: req.db).filter(\.$id ~~ open.map { $0.$survey.id }).all()
                    .map { s in
                        let left = (CalendarDate(iso: s.dueOn)?.daysSinceEpoch ?? today.daysSinceEpoch) - today.daysSinceEpoch
                        return SurveyDue(title: s.title, dueOn: s.dueOn, daysLeft: max(left, 0), daysOverdue: max(-left, 0))
                    }
                    .sorted { ($0.dueOn, $0.title) < ($1.dueOn, $1.title) }
            }
            for o in try await ObjectionRepository(database: req.db).objections(involving: unit) where o.providerUnit == unit {
                switch ObjectionState(rawValue: o.state) {
                case .open?:
                    page.objectionsToAnswer += 1
                    if ObjectionWorkflow.isOverdue(state: .open, filed: PlatformClock.day(of: o.filedAt), today: today,
                                                   workingDays: ObjectionController.answerWorkingDays) { page.objectionsOverdue += 1 }
                case .upheld?: page.objectionsToCorrect += 1
                default: break
                }
            }
            if principal.has(.unitHead) {
                page.comparison = try await ReportingController.comparison(req, unit: unit, asOf: today, names: names)
            }
        }
        page.showReports = principal.hasAny(of: RouteAccess.reportReaders)
        page.showComplaints = principal.hasAny(of: RouteAccess.complaintReaders)
        if principal.hasAny(of: RouteAccess.reportFilers), names.units[unit] != nil {
            page.reportsDue = try await UsageReportController.service(req).owed(today: today, unit: unit).map {
                ReportDue(title: "\($0.quarter) 数据使用报告", link: "/reports/usage?quarter=\($0.quarter)", deadline: $0.deadline.isoString,
                          overdue: $0.deadline < today)
            }
            page.reportsDue += try await EffectivenessController.service(req).due(unit: unit, today: today).map {
                ReportDue(title: "\($0.year) 年度应用成效报告", link: "/reports/effectiveness", deadline: $0.deadline.isoString, overdue: $0.deadline < today)
            }
            page.reportsDue.sort { $0.deadline < $1.deadline }
            if let active = try await EffectivenessRepository(database: req.db).activeSuspension(of: unit) {
                page.suspension = SharingSuspensionRule.message(missedYears: active.years)
            }
        }
        let sharing = SharingRepository(database: req.db)
        if page.isApprover {
            page.toDecide = try await sharing.requests(states: [.pendingApproval]).filter { $0.requestingUnit != unit }
                .map { SharingController.item($0, names: names) }
        }
        if page.isAdmin {
            let missed = try await req.reporting.overdue(asOf: today)
            let byUnit = Dictionary(grouping: missed, by: \.state.task.unit)
            page.behind = byUnit.map { code, rows in
                BehindItem(unit: code, unitName: names.unit(code), missed: rows.count,
                           mostDaysOverdue: rows.map { today.daysSinceEpoch - $0.state.task.deadline.daysSinceEpoch }.max() ?? 0)
            }
            .sorted { ($0.missed, $0.mostDaysOverdue, $1.unit) > ($1.missed, $1.mostDaysOverdue, $0.unit) }
            .prefix(10).map { $0 }
            page.behindChart = SVGChart(
                title: "逾期未报最多的单位（项）",
                series: [.init("未报", color: SVGChart.Palette.red)],
                bars: page.behind.map { .init(label: $0.unitName, value: Double($0.missed), link: "/units/\($0.unit)") },
                unit: "项").svg()
            page.proxies = try await SubmissionRecord.query(on: req.db)
                .filter(\.$actingUnitCode == SubmissionService.proxyUnit).filter(\.$unitCode != SubmissionService.proxyUnit)
                .sort(\.$receivedAt, .descending).limit(Self.recentCount).all()
                .map { Self.item($0, names: names) }
        }
        if page.isAuditor {
            let (entries, _) = try await req.audit.log.entries(matching: AuditFilter(), page: 1, per: Self.recentCount * 2)
            try await req.audit.record(.auditView, by: req.auditActor,
                                       AuditTarget(query: req.auditQuery, rowCount: entries.count, detail: "home"))
            page.activity = entries.map { e in
                ActivityItem(time: DisplayNames.time(milliseconds: e.timeMilliseconds), user: names.user(e.userID),
                             unit: names.unit(e.unitCode), action: e.auditAction?.chineseName ?? e.action,
                             detail: AuditDetailText.chinese(e.detail ?? "", indicator: e.indicatorCode, names: names))
            }
        }
        if page.isAnalyst {
            page.grants = try await sharing.grants(of: unit).map { SharingController.item($0, today: today, names: names) }
            page.requests = try await sharing.requests(requesting: unit).prefix(Self.recentCount * 2)
                .map { SharingController.item($0, names: names) }
        }
        return try await req.view.render("home", page)
    }

    /// A submission as the home lists it: the indicator's name, the result in words and its colour.
    static func item(_ s: SubmissionRecord, names: DisplayNames) -> SubmissionItem {
        let outcome = ImportOutcome(rawValue: s.status)
        let isZero = s.kind == TaskFiling.Kind.zeroData.rawValue
        let result: String
        if isZero {
            result = "零数据（已说明）"
        } else {
            result = (outcome?.chineseName ?? s.status) + "：接收 \(s.rowsAccepted) 行" + (s.rowsRejected > 0 ? "，未通过 \(s.rowsRejected) 行" : "")
        }
        let resultClass = switch outcome {
        case .accepted?: "ok"
        case .partiallyAccepted?: "warn"
        case .refused?: "bad"
        case nil: ""
        }
        return SubmissionItem(
            id: s.id?.uuidString.lowercased() ?? "", indicatorName: names.indicator(s.indicatorCode), period: s.period,
            receivedAt: DisplayNames.time(s.receivedAt), result: result, resultClass: resultClass,
            stateName: s.lifecycleState.chineseName,
            proxy: s.isProxy ? "\(names.unit(s.unitCode))（代报人 \(s.proxyBy ?? "")：\(s.proxyReason ?? "")）" : nil)
    }
}
