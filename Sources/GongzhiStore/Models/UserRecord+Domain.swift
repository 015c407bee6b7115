import Foundation
import GongzhiCore

extension UserRecord {
    /// The roles stored in ``roles``; unknown spellings are ignored.
    public var roleSet: Set<Role> {
        Set(roles.split(separator: ",").compactMap { Role(rawValue: $0.trimmingCharacters(in: .whitespaces)) })
    }

    /// `roles` as stored: raw values in ``Role`` order, joined by commas.
    public static func storedRoles(_ roles: Set<Role>) -> String {
        roles.sorted().map(\.rawValue).joined(separator: ",")
    }

    /// The user as access decisions see them; `userID` is the username, as the audit log writes it.
    public var principal: Principal {
        Principal(userID: username, unitCode: unitCode, roles: roleSet)
    }

    /// Whether logins are refused at `now` because of earlier failures.
    public func isLocked(at now: Date) -> Bool {
        guard let lockedUntil else { return false }
        return lockedUntil > now
    }
}
