/// A notice to the member units (信息发布, 三(四)): deadline changes, catalog revisions, meeting notices,
/// posted by the info center or the 综合治税办 to every unit or to chosen ones.
public struct Notice: Sendable, Equatable {
    /// What a notice is about; the home page and the list show it as a tag.
    public enum Category: String, Sendable, CaseIterable {
        case deadline
        case catalog
        case meeting
        case general

        public var chineseName: String {
            switch self {
            case .deadline: "报送期限"
            case .catalog: "目录调整"
            case .meeting: "会议通知"
            case .general: "一般通知"
            }
        }
    }

    /// Who receives it.
    public enum Audience: Sendable, Equatable {
        /// Every member unit.
        case all
        /// These units (codes, sorted, no duplicates).
        case units([String])

        /// Whether `unit` receives it.
        public func includes(_ unit: String) -> Bool {
            switch self {
            case .all: true
            case .units(let codes): codes.contains(unit)
            }
        }
    }

    /// Most characters of a title (it is also the reminder text message).
    public static let maxTitleLength = 60
    /// Most characters of a body.
    public static let maxBodyLength = 5_000

    public var title: String
    public var body: String
    public var category: Category
    public var audience: Audience

    /// A checked notice: title and body trimmed and within their lengths, chosen units not empty.
    /// `knownUnits` are the member units' codes; a chosen unit outside them is refused.
    /// - Throws: ``NoticeError``.
    public init(title: String, body: String, category: Category, audience: Audience, knownUnits: Set<String>) throws(NoticeError) {
        let title = TextNormalization.trim(title), body = TextNormalization.trim(body)
        guard !title.isEmpty else { throw .missingTitle }
        guard title.count <= Self.maxTitleLength else { throw .titleTooLong(title.count) }
        guard !body.isEmpty else { throw .missingBody }
        guard body.count <= Self.maxBodyLength else { throw .bodyTooLong(body.count) }
        var audience = audience
        if case .units(let codes) = audience {
            let chosen = Array(Set(codes.map(TextNormalization.trim).filter { !$0.isEmpty })).sorted()
            guard !chosen.isEmpty else { throw .noUnitChosen }
            if let unknown = chosen.first(where: { !knownUnits.contains($0) }) { throw .unknownUnit(unknown) }
            audience = .units(chosen)
        }
        self.title = title
        self.body = body
        self.category = category
        self.audience = audience
    }

    /// The reminder text message for a unit's 数据报送员 (短信): the platform's name, the category and the title.
    public var reminderText: String {
        "【社会综合治税共享平台】\(category.chineseName)：\(title)。详情请登录平台查看。"
    }
}

/// Why a notice cannot be posted; messages in Chinese for the publisher.
public enum NoticeError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingTitle
    case titleTooLong(Int)
    case missingBody
    case bodyTooLong(Int)
    case noUnitChosen
    case unknownUnit(String)
    case unknownCategory(String)

    /// A stable code for the API.
    public var code: String {
        switch self {
        case .missingTitle: "missing_title"
        case .titleTooLong: "title_too_long"
        case .missingBody: "missing_body"
        case .bodyTooLong: "body_too_long"
        case .noUnitChosen: "no_unit_chosen"
        case .unknownUnit: "unknown_unit"
        case .unknownCategory: "unknown_category"
        }
    }

    public var description: String {
        switch self {
        case .missingTitle: "请填写通知标题。"
        case .titleTooLong(let n): "通知标题不能超过 \(Notice.maxTitleLength) 个字（现为 \(n) 个字）：标题也是发给报送员的短信内容。"
        case .missingBody: "请填写通知正文。"
        case .bodyTooLong(let n): "通知正文不能超过 \(Notice.maxBodyLength) 个字（现为 \(n) 个字）：较长的材料请作为附件另行下发。"
        case .noUnitChosen: "请选择接收通知的单位，或选择发给全部成员单位。"
        case .unknownUnit(let code): "接收单位 \(code) 不是成员单位。"
        case .unknownCategory(let text): "通知类别「\(text)」无效：可选报送期限、目录调整、会议通知、一般通知。"
        }
    }
}
