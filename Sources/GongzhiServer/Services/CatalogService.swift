import FluentKit
import Foundation
import GongzhiCore
import GongzhiIngest
import GongzhiStore

/// Loads catalogs into the database: the seed on first start, other versions on request.
public struct CatalogService: Sendable {
    public let database: any Database
    public let clock: PlatformClock

    public init(database: any Database, clock: PlatformClock) {
        self.database = database
        self.clock = clock
    }

    /// Loads the shipped seed catalog when no catalog has been loaded yet, recorded as done by `actor`.
    public func seedIfEmpty(by actor: AuditActor) async throws {
        guard try await CatalogRepository(database: database).currentVersion() == nil else { return }
        _ = try await load(yaml: CatalogLoader.seedCatalogYAML(), by: actor)
    }

    /// Parses, checks and stores `yaml` as the current catalog version, with a `catalog_change` audit entry
    /// by `actor` in the same transaction (detail: version, effective date, SHA-256 of the text, counts).
    /// - Throws: ``CatalogError`` when the text is not a valid catalog; database errors.
    public func load(yaml: String, by actor: AuditActor) async throws -> CatalogRepository.LoadOutcome {
        let catalog = try CatalogLoader.catalog(yaml: yaml)
        let sha256 = FileDigest.sha256(of: Data(yaml.utf8))
        let now = clock.now()
        let detail = "version=\(catalog.catalog.version); effective=\(catalog.catalog.effective); sha256=\(sha256); "
            + "units=\(catalog.units.count + catalog.operators.count); indicators=\(catalog.indicators.count)"
        let event = actor.event(.catalogChange, AuditTarget(rowCount: catalog.indicators.count, detail: detail), at: now)
        return try await CatalogRepository(database: database).load(catalog, yaml: yaml, sha256: sha256, at: now, recording: event)
    }
}
