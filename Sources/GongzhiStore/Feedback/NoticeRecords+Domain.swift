import Foundation
import GongzhiCore

extension NoticeRecord {
    /// The notice's category (``Notice/Category/general`` for a value this build does not know).
    public var noticeCategory: Notice.Category { Notice.Category(rawValue: category) ?? .general }
}
