/// A unit's 错(漏)报率 over some reporting periods (issue 13 §1; 附件2 数据报送质量): rows rejected on import
/// plus the records of objections upheld against its data, over the rows it submitted.
public struct ErrorRate: Sendable, Equatable {
    /// Rows read from the unit's submissions in force (accepted and rejected).
    public var rowsSubmitted: Int
    /// Rows of those submissions rejected by validation.
    public var rowsRejected: Int
    /// Records named by upheld objections (``ObjectionWorkflow/faultyRecords(kind:count:state:)``).
    public var upheldObjectionRecords: Int

    public init(rowsSubmitted: Int = 0, rowsRejected: Int = 0, upheldObjectionRecords: Int = 0) {
        self.rowsSubmitted = rowsSubmitted
        self.rowsRejected = rowsRejected
        self.upheldObjectionRecords = upheldObjectionRecords
    }

    /// The rate, 0 ... (more than 1 only when omissions outnumber the rows submitted); `nil` without rows.
    public var rate: Double? {
        rowsSubmitted > 0 ? Double(rowsRejected + upheldObjectionRecords) / Double(rowsSubmitted) : nil
    }

    /// `2.4%`, or `—` without rows submitted.
    public var text: String {
        guard let rate else { return "—" }
        let tenths = Int((rate * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
