import FluentKit
import Foundation
import GongzhiCore
import SQLKit

/// Loads catalog versions and answers which indicators are in force.
public struct CatalogRepository: Sendable {
    public let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// What loading a catalog did.
    public enum LoadOutcome: Sendable, Equatable {
        /// The same text is already the current version.
        case unchanged(version: String)
        /// A new version was stored and made current; earlier versions and their submissions are untouched.
        case loaded(version: String, indicators: Int, units: Int)
    }

    /// Stores `catalog` (parsed from `yaml`, whose SHA-256 is `sha256`) as the current version, in one
    /// transaction with its audit entry `event` (a `catalog_change`). Units are updated in place; indicators
    /// are stored anew under the new version. An unchanged catalog stores nothing and records nothing.
    public func load(_ catalog: Catalog, yaml: String, sha256: String, at now: Date,
                     recording event: AuditEvent) async throws -> LoadOutcome {
        if let current = try await currentVersion(), current.sha256 == sha256 {
            return .unchanged(version: current.version)
        }
        return try await database.transaction { db in
            try await CatalogVersionRecord.query(on: db).set(\.$isCurrent, to: false).update()
            let version = CatalogVersionRecord(version: catalog.catalog.version, effective: catalog.catalog.effective,
                                               source: catalog.catalog.source, sha256: sha256, yaml: yaml,
                                               isCurrent: true, loadedAt: now)
            try await version.create(on: db)
            let versionID = try version.requireID()
            let existing = try await MemberUnitRecord.query(on: db).all()
            let byCode = Dictionary(existing.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
            for (unit, isOperator) in catalog.units.map({ ($0, false) }) + catalog.operators.map({ ($0, true) }) {
                let record = byCode[unit.code] ?? MemberUnitRecord()
                record.code = unit.code
                record.name = unit.name
                record.shortName = unit.short
                record.prefix = unit.prefix
                record.kind = unit.kind
                record.item = unit.item
                record.isOperator = isOperator
                try await record.save(on: db)
            }
            for (position, indicator) in catalog.indicators.enumerated() {
                try await IndicatorRecord(catalogVersionID: versionID, indicator: indicator, position: position).create(on: db)
            }
            try await AuditLog.append(event, on: db)
            return .loaded(version: catalog.catalog.version, indicators: catalog.indicators.count,
                           units: catalog.units.count + catalog.operators.count)
        }
    }

    /// The current catalog version, or `nil` before the first load.
    public func currentVersion() async throws -> CatalogVersionRecord? {
        try await CatalogVersionRecord.query(on: database).filter(\.$isCurrent == true).first()
    }

    /// The current version's digest (SHA-256 of its YAML text) without the text itself: what a request needs to
    /// find the parsed catalog in a cache (reading the 230 KB text on every request cost more than the query).
    /// Straight SQL, not the model: every catalog-backed request asks (Fluent's model reflection cost more than
    /// the statement; BENCHMARKS.md, load benchmark, run 6).
    public func currentDigest() async throws -> String? {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        return try await sql.select().column("sha256").from(CatalogVersionRecord.schema)
            .where("is_current", .equal, SQLBind(true)).limit(1).first()?.decode(column: "sha256", as: String.self)
    }

    /// The current version with only its id and digest read (any other field is unset).
    private func currentHeader() async throws -> CatalogVersionRecord? {
        try await CatalogVersionRecord.query(on: database).filter(\.$isCurrent == true).field(\.$id).field(\.$sha256).first()
    }

    /// All loaded versions, newest first.
    public func versions() async throws -> [CatalogVersionRecord] {
        try await CatalogVersionRecord.query(on: database).sort(\.$loadedAt, .descending).all()
    }

    /// The indicators of the current version, in catalog order.
    public func currentIndicators() async throws -> [IndicatorRecord] {
        guard let version = try await currentHeader() else { return [] }
        return try await IndicatorRecord.query(on: database)
            .filter(\.$catalogVersion.$id == version.requireID())
            .sort(\.$position).all()
    }

    /// The current definition of indicator `code`, or `nil`.
    public func currentIndicator(code: String) async throws -> (record: IndicatorRecord, indicator: Indicator)? {
        guard let version = try await currentHeader(),
              let record = try await IndicatorRecord.query(on: database)
                .filter(\.$catalogVersion.$id == version.requireID())
                .filter(\.$code == code).first()
        else { return nil }
        return (record, try record.indicator())
    }

    /// Member units and operators, in section 四(二) order (operators last).
    public func units() async throws -> [MemberUnitRecord] {
        try await MemberUnitRecord.query(on: database).all().sorted {
            ($0.isOperator ? 1 : 0, $0.item ?? Int.max, $0.code) < ($1.isOperator ? 1 : 0, $1.item ?? Int.max, $1.code)
        }
    }

    /// The unit with `code`, or `nil`.
    public func unit(code: String) async throws -> MemberUnitRecord? {
        try await MemberUnitRecord.query(on: database).filter(\.$code == code).first()
    }
}
