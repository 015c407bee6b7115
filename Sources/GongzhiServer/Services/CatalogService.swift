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

    /// Loads the shipped seed catalog when no catalog has been loaded yet.
    public func seedIfEmpty() async throws {
        guard try await CatalogRepository(database: database).currentVersion() == nil else { return }
        _ = try await load(yaml: CatalogLoader.seedCatalogYAML())
    }

    /// Parses, checks and stores `yaml` as the current catalog version.
    /// - Throws: ``CatalogError`` when the text is not a valid catalog; database errors.
    public func load(yaml: String) async throws -> CatalogRepository.LoadOutcome {
        let catalog = try CatalogLoader.catalog(yaml: yaml)
        return try await CatalogRepository(database: database)
            .load(catalog, yaml: yaml, sha256: FileDigest.sha256(of: Data(yaml.utf8)), at: clock.now())
    }
}
