/// 数据安全保障协议: the data-security agreement a member unit signs before it may see any other unit's data
/// (附件1 第十三条). Until one is recorded for a unit, the unit can neither request access nor use a grant.
public struct SecurityAgreement: Hashable, Sendable {
    /// Code of the member unit that signed.
    public var unitCode: String
    /// Day the agreement was signed; it is in force from that day on.
    public var signedOn: CalendarDate
    /// Name of the person who signed for the unit (normally the unit head, 第一责任人).
    public var signatory: String
    /// Reference to the scanned document as stored (file id, name or SHA-256), never its content.
    public var document: String

    public init(unitCode: String, signedOn: CalendarDate, signatory: String, document: String) {
        self.unitCode = unitCode
        self.signedOn = signedOn
        self.signatory = signatory
        self.document = document
    }

    /// Whether the agreement covers `unitCode` on `date`: signed by that unit on or before that day.
    public func covers(unit unitCode: String, on date: CalendarDate) -> Bool {
        self.unitCode == unitCode && signedOn <= date
    }
}
