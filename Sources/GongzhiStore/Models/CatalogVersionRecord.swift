import FluentKit
import Foundation

/// One loaded version of the data-item catalog. Indicators belong to a version, so loading a new catalog
/// never re-labels submissions made under an earlier one.
public final class CatalogVersionRecord: Model, @unchecked Sendable {
    public static let schema = "catalog_versions"

    @ID(key: .id) public var id: UUID?
    /// The catalog's own version string, e.g. `2017.1`.
    @Field(key: "version") public var version: String
    /// ISO date the catalog takes effect.
    @Field(key: "effective") public var effective: String
    @OptionalField(key: "source") public var source: String?
    /// SHA-256 of the YAML text loaded.
    @Field(key: "sha256") public var sha256: String
    /// The YAML text itself, kept so every version can be shown and re-read.
    @Field(key: "yaml") public var yaml: String
    @Field(key: "is_current") public var isCurrent: Bool
    @Field(key: "loaded_at") public var loadedAt: Date

    public init() {}

    public init(id: UUID? = nil, version: String, effective: String, source: String?, sha256: String, yaml: String,
                isCurrent: Bool, loadedAt: Date) {
        self.id = id
        self.version = version
        self.effective = effective
        self.source = source
        self.sha256 = sha256
        self.yaml = yaml
        self.isCurrent = isCurrent
        self.loadedAt = loadedAt
    }
}
