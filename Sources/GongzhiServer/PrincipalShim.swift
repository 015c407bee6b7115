import GongzhiCore
import Vapor

// Interim until sign-in lands: the acting unit with no roles. Replaced by the authenticated principal.
extension Request {
    var principal: Principal {
        get throws { Principal(userID: actor.unitCode, unitCode: actor.unitCode, roles: []) }
    }
}
