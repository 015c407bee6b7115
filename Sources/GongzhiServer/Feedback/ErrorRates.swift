import FluentKit
import Foundation
import GongzhiCore
import GongzhiStore

/// Each unit's 错(漏)报率 (issue 13 §1) over the reporting periods within `from`...`to`, from the
/// submissions in force and the objections upheld against its data.
enum ErrorRates {
    /// Every period of any collection (month, quarter, year) that lies within `from`...`to`.
    static func periods(from: ReportingPeriod, to: ReportingPeriod) -> [String] {
        var out: [String] = []
        for year in from.firstDay.year...max(from.firstDay.year, to.lastDay.year) {
            for collection in [CollectionPeriod.monthly, .quarterly, .yearly] {
                out += ReportingPeriod.year(year).periods(of: collection)
                    .filter { $0.firstDay >= from.firstDay && $0.lastDay <= to.lastDay }.map(\.description)
            }
        }
        return out
    }

    /// The rates of `units` (every unit with data when `nil`), by unit code.
    static func of(units: [String]?, from: ReportingPeriod, to: ReportingPeriod, on db: any Database) async throws -> [String: ErrorRate] {
        let periods = periods(from: from, to: to)
        guard !periods.isEmpty else { return [:] }
        let current = SubmissionState.allCases.filter(\.isCurrent).map(\.rawValue)
        let query = SubmissionRecord.query(on: db).filter(\.$period ~~ periods).filter(\.$state ~~ current)
        if let units { query.filter(\.$unitCode ~~ units) }
        var rates: [String: ErrorRate] = [:]
        for s in try await query.all() {
            rates[s.unitCode, default: ErrorRate()].rowsSubmitted += s.rowsTotal
            rates[s.unitCode, default: ErrorRate()].rowsRejected += s.rowsRejected
        }
        for o in try await ObjectionRepository(database: db).upheld(periods: periods, units: units) {
            rates[o.providerUnit, default: ErrorRate()].upheldObjectionRecords += o.faultyRecords
        }
        return rates
    }
}
