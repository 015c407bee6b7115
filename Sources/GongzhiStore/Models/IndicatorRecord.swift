import FluentKit
import Foundation

/// 指标项 as defined by one catalog version; the full definition is kept as JSON beside the columns pages
/// filter on.
public final class IndicatorRecord: Model, @unchecked Sendable {
    public static let schema = "indicators"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "catalog_version_id") public var catalogVersion: CatalogVersionRecord
    @Field(key: "code") public var code: String
    @Field(key: "unit_code") public var unitCode: String
    @Field(key: "name") public var name: String
    @Field(key: "period") public var period: String
    @Field(key: "sharing") public var sharing: String
    @Field(key: "position") public var position: Int
    /// The ``Indicator`` encoded as JSON.
    @Field(key: "definition") public var definition: String

    public init() {}
}
