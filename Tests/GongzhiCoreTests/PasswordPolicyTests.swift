import Testing
import GongzhiCore

@Suite("Password policy")
struct PasswordPolicyTests {
    @Test("a password is refused for the first rule it breaks", arguments: [
        ("short", "li.na", PasswordPolicy.Violation.tooShort(minimum: PasswordPolicy.minimumLength)),
        ("123456789", "li.na", .tooShort(minimum: PasswordPolicy.minimumLength)),   // 9 characters
        ("          ", "li.na", .blank),
        ("Zhang.SanFeng", "zhang.sanfeng", .sameAsUsername),                        // letter case ignored
        ("zhang.sanfeng", " zhang.sanfeng ", .sameAsUsername),
    ])
    func refused(password: String, username: String, violation: PasswordPolicy.Violation) {
        #expect(PasswordPolicy.violation(password, username: username) == violation)
        #expect(!violation.message.isEmpty)
    }

    @Test("passwords of ten characters or more that are not the username pass", arguments: [
        "1234567890", "correct-horse-battery-staple", "密码要足够长一些才可以呀", "zhang.sanfeng1",
    ])
    func accepted(password: String) {
        #expect(PasswordPolicy.violation(password, username: "zhang.sanfeng") == nil)
    }

    @Test("temporary passwords meet the policy and avoid look-alike characters")
    func temporary() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let password = PasswordPolicy.temporaryPassword(using: &generator)
            #expect(password.count == 14)
            #expect(PasswordPolicy.violation(password, username: "li.na") == nil)
            #expect(!password.contains { "0O1lI".contains($0) })
        }
        #expect(PasswordPolicy.temporaryPassword(length: 4, using: &generator).count == PasswordPolicy.minimumLength)
    }
}
