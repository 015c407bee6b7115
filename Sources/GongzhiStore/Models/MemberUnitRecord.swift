import FluentKit
import Foundation

/// 成员单位 (and platform operators) as of the latest catalog load.
public final class MemberUnitRecord: Model, @unchecked Sendable {
    public static let schema = "member_units"

    @ID(key: .id) public var id: UUID?
    /// Stable code, e.g. `housing`.
    @Field(key: "code") public var code: String
    @Field(key: "name") public var name: String
    @OptionalField(key: "short_name") public var shortName: String?
    @OptionalField(key: "prefix") public var prefix: String?
    @OptionalField(key: "kind") public var kind: String?
    /// Item number in section 四(二) (nil for operators).
    @OptionalField(key: "item") public var item: Int?
    @Field(key: "is_operator") public var isOperator: Bool

    public init() {}

    public init(code: String, name: String, shortName: String?, prefix: String?, kind: String?, item: Int?, isOperator: Bool) {
        self.code = code
        self.name = name
        self.shortName = shortName
        self.prefix = prefix
        self.kind = kind
        self.item = item
        self.isOperator = isOperator
    }
}
