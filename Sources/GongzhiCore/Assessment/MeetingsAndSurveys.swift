/// How a unit took part in a joint meeting or training (联席会议, 业务培训; 四(一)6), as the 综合治税办 records it.
public enum Attendance: String, Sendable, CaseIterable, Codable {
    case present
    /// Absent with leave: costs nothing ("不得无故缺席" counts only unexcused absences).
    case excused
    /// Unexcused absence (无故缺席): 2 points of 其他.
    case absent
    /// Arrived late (迟到): 1 point of 其他.
    case late
    /// Left early (早退): 1 point of 其他.
    case leftEarly = "left_early"

    /// 出席, 请假, 缺席, 迟到, 早退.
    public var chineseName: String {
        switch self {
        case .present: "出席"
        case .excused: "请假"
        case .absent: "无故缺席"
        case .late: "迟到"
        case .leftEarly: "早退"
        }
    }
}

/// The meetings and survey-form parts of the facts (附件2 其他: 无故缺席扣2分, 迟到早退扣1分; 调研反馈表未反馈扣2分,
/// 逾期反馈扣1分), counted from recorded meetings and survey forms. Pure: the caller reads the store.
public enum MeetingsAndSurveys {
    /// One invited unit's record of one meeting.
    public struct MeetingRecord: Sendable, Equatable {
        public var heldOn: CalendarDate
        /// `nil` while attendance is not recorded yet.
        public var attendance: Attendance?

        public init(heldOn: CalendarDate, attendance: Attendance?) {
            self.heldOn = heldOn
            self.attendance = attendance
        }
    }

    /// One survey form sent to a unit.
    public struct SurveyRecord: Sendable, Equatable {
        public var dueOn: CalendarDate
        /// Day the unit's answer arrived; `nil` when none.
        public var returnedOn: CalendarDate?

        public init(dueOn: CalendarDate, returnedOn: CalendarDate?) {
            self.dueOn = dueOn
            self.returnedOn = returnedOn
        }
    }

    /// `meetings.absent` and `meetings.late_or_early` for `quarter`, as of the end of `asOf`: meetings held in the
    /// quarter on or before `asOf`; each unexcused absence counts in `absent`, each late arrival or early
    /// departure once in `lateOrEarly` (one status per meeting, so a unit late and leaving early counts once).
    public static func meetings(_ records: [MeetingRecord], quarter: ReportingPeriod, asOf: CalendarDate) -> (absent: Int, lateOrEarly: Int) {
        var absent = 0, lateOrEarly = 0
        for r in records where quarter.firstDay <= r.heldOn && r.heldOn <= quarter.lastDay && r.heldOn <= asOf {
            switch r.attendance {
            case .absent?: absent += 1
            case .late?, .leftEarly?: lateOrEarly += 1
            case .present?, .excused?, nil: break
            }
        }
        return (absent, lateOrEarly)
    }

    /// `surveys.missing` and `surveys.late` for `quarter`, as of the end of `asOf`: forms due in the quarter
    /// whose due day has passed by `asOf`. A form answered after its due day (by `asOf`) is late; one not
    /// answered by `asOf` is missing. The due day itself is on time.
    public static func surveys(_ records: [SurveyRecord], quarter: ReportingPeriod, asOf: CalendarDate) -> (missing: Int, late: Int) {
        var missing = 0, late = 0
        for r in records where quarter.firstDay <= r.dueOn && r.dueOn <= quarter.lastDay {
            if let returned = r.returnedOn, returned <= asOf {
                if returned > r.dueOn { late += 1 }
            } else if r.dueOn < asOf {
                missing += 1
            }
        }
        return (missing, late)
    }
}
