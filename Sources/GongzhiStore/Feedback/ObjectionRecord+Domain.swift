import Foundation
import GongzhiCore

extension ObjectionRecord {
    /// The records this objection adds to its providing unit's erroneous and omitted records
    /// (``ObjectionWorkflow/faultyRecords(kind:count:state:)``); 0 for a kind or state this build does not know.
    public var faultyRecords: Int {
        guard let kind = ObjectionKind(rawValue: kind), let state = ObjectionState(rawValue: state) else { return 0 }
        return ObjectionWorkflow.faultyRecords(kind: kind, count: recordCount, state: state)
    }
}
