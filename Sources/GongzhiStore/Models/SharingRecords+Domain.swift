import Foundation
import GongzhiCore

extension SecurityAgreementRecord {
    /// The domain value (`document` is `name (SHA-256)`); `nil` when the stored date is unreadable.
    public var agreement: SecurityAgreement? {
        guard let day = CalendarDate(iso: signedOn) else { return nil }
        return SecurityAgreement(unitCode: unitCode, signedOn: day, signatory: signatory, document: "\(documentName) (\(documentSHA256))")
    }
}

extension AccessRequestRecord {
    /// Writes `request`'s contents, state and history into this record.
    public func update(from request: AccessRequest) {
        requestingUnit = request.requestingUnit
        requestedBy = request.requestedBy
        providingUnit = request.providingUnit
        switch request.subject {
        case .indicator(let code): indicatorCode = code; dataDescription = nil
        case .uncatalogued(let description): indicatorCode = nil; dataDescription = description
        }
        fields = request.fields.joined(separator: ",")
        periodFrom = request.periodFrom.description
        periodTo = request.periodTo.description
        purpose = request.purpose
        legalBasis = request.legalBasis
        clearIdentifiers = request.clearIdentifiers
        mode = request.mode?.rawValue
        createdAt = request.createdAt.isoString
        state = request.state.rawValue
        history = JSONValue.array(request.history.map { t in
            .object([("from", .string(t.from.rawValue)), ("to", .string(t.to.rawValue)), ("event", .string(t.event)),
                     ("by", .string(t.by)), ("at", .string(t.at.isoString)), ("note", .optional(t.note))])
        }).serialized()
    }

    /// The domain value; `nil` when stored text is unreadable.
    public var request: AccessRequest? {
        guard let from = ReportingPeriod(periodFrom), let to = ReportingPeriod(periodTo),
              let created = CalendarDateTime(iso: createdAt), let state = AccessRequest.State(rawValue: state),
              case .array(let items)? = try? JSONValue.parse(history) else { return nil }
        var transitions: [AccessRequest.Transition] = []
        for item in items {
            guard case .object(let members) = item else { return nil }
            let m = Dictionary(members, uniquingKeysWith: { a, _ in a })
            guard case .string(let f)? = m["from"], let fromState = AccessRequest.State(rawValue: f),
                  case .string(let t)? = m["to"], let toState = AccessRequest.State(rawValue: t),
                  case .string(let event)? = m["event"], case .string(let by)? = m["by"],
                  case .string(let at)? = m["at"], let time = CalendarDateTime(iso: at) else { return nil }
            var note: String?
            if case .string(let n)? = m["note"] { note = n }
            transitions.append(.init(from: fromState, to: toState, event: event, by: by, at: time, note: note))
        }
        let subject: AccessRequest.Subject = indicatorCode.map { .indicator(code: $0) } ?? .uncatalogued(description: dataDescription ?? "")
        return AccessRequest(restoringRequestingUnit: requestingUnit, requestedBy: requestedBy, providingUnit: providingUnit,
                             subject: subject, fields: fields.split(separator: ",").map(String.init), periodFrom: from,
                             periodTo: to, purpose: purpose, legalBasis: legalBasis, clearIdentifiers: clearIdentifiers, mode: mode.flatMap(SharingMode.init(rawValue:)),
                             createdAt: created, state: state, history: transitions)
    }
}

extension GrantRecord {
    /// How many fields the grant shows, in the clear or masked.
    public var fieldCount: Int {
        clearFields.split(separator: ",").count + maskedFields.split(separator: ",").count
    }

    /// A record of `grant`, issued for request `requestID`.
    public convenience init(_ grant: Grant, requestID: UUID) {
        self.init()
        self.requestID = requestID
        update(from: grant)
    }

    /// Writes `grant` (including its revocation) into this record.
    public func update(from grant: Grant) {
        granteeUnit = grant.granteeUnit
        providingUnit = grant.providingUnit
        indicatorCode = grant.indicatorCode
        clearFields = grant.clearFields.joined(separator: ",")
        maskedFields = grant.maskedFields.joined(separator: ",")
        periodFrom = grant.periodFrom.description
        periodTo = grant.periodTo.description
        validFrom = grant.validFrom.isoString
        expiresOn = grant.expiresOn.isoString
        dailyQueryRows = grant.limits.dailyQueryRows
        dailyDownloadRows = grant.limits.dailyDownloadRows
        issuedBy = grant.issuedBy
        issuedAt = grant.issuedAt.isoString
        revokedBy = grant.revocation?.by
        revokedAt = grant.revocation?.at.isoString
        revokeReason = grant.revocation?.reason
    }

    /// The domain value; `nil` when stored text is unreadable.
    public var grant: Grant? {
        guard let from = ReportingPeriod(periodFrom), let to = ReportingPeriod(periodTo), let valid = CalendarDate(iso: validFrom),
              let expires = CalendarDate(iso: expiresOn), let issued = CalendarDateTime(iso: issuedAt) else { return nil }
        var revocation: Grant.Revocation?
        if let revokedBy, let revokedAt, let at = CalendarDateTime(iso: revokedAt) {
            revocation = Grant.Revocation(by: revokedBy, at: at, reason: revokeReason ?? "")
        }
        func keys(_ text: String) -> [String] { text.split(separator: ",").map(String.init) }
        return Grant(restoringGranteeUnit: granteeUnit, providingUnit: providingUnit, indicatorCode: indicatorCode,
                     clearFields: keys(clearFields), maskedFields: keys(maskedFields), periodFrom: from, periodTo: to,
                     validFrom: valid, expiresOn: expires,
                     limits: QuotaLimits(dailyQueryRows: dailyQueryRows, dailyDownloadRows: dailyDownloadRows),
                     issuedBy: issuedBy, issuedAt: issued, revocation: revocation)
    }
}
