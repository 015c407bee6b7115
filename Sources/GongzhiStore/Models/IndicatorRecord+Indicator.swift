import FluentKit
import Foundation
import GongzhiCore

extension IndicatorRecord {
    /// A record of `indicator` as defined by catalog version `catalogVersionID`, at `position` in the catalog.
    public convenience init(catalogVersionID: UUID, indicator: Indicator, position: Int) throws {
        self.init()
        self.$catalogVersion.id = catalogVersionID
        self.code = indicator.code
        self.unitCode = indicator.unit
        self.name = indicator.name
        self.period = indicator.period.rawValue
        self.sharing = indicator.sharing.rawValue
        self.position = position
        self.definition = String(decoding: try JSONEncoder().encode(indicator), as: UTF8.self)
    }

    /// The decoded definition.
    public func indicator() throws -> Indicator {
        try JSONDecoder().decode(Indicator.self, from: Data(definition.utf8))
    }
}
