import Foundation

/// What a password must be (issue 10, accounts): the one rule that creating a user, changing the own password
/// and an info-center reset all check, and the temporary passwords the info center hands out.
public enum PasswordPolicy {
    /// The shortest password accepted, in characters (extended grapheme clusters, as a person counts them).
    public static let minimumLength = 10

    /// Why a password is refused; ``message`` is what the clerk reads.
    public enum Violation: Error, Sendable, Equatable {
        /// Fewer than `minimum` characters.
        case tooShort(minimum: Int)
        /// The same as the login name (letter case ignored).
        case sameAsUsername
        /// Only white space.
        case blank

        /// Chinese, for the clerk.
        public var message: String {
            switch self {
            case .tooShort(let minimum): "密码至少 \(minimum) 个字符。"
            case .sameAsUsername: "密码不能与用户名相同。"
            case .blank: "密码不能全是空格。"
            }
        }
    }

    /// The first rule `password` breaks for the user `username`, or `nil` when it is acceptable.
    public static func violation(_ password: String, username: String) -> Violation? {
        if password.count < minimumLength { return .tooShort(minimum: minimumLength) }
        if password.allSatisfy(\.isWhitespace) { return .blank }
        if password.lowercased() == username.trimmingCharacters(in: .whitespaces).lowercased() { return .sameAsUsername }
        return nil
    }

    /// Letters and digits of a temporary password: no `0 O 1 l I`, which a clerk copying from a screen or a
    /// phone call mistakes for one another.
    static let temporaryAlphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    /// A temporary password of `length` characters (default 14, about 81 bits) from `generator`, which the
    /// caller chooses (`SystemRandomNumberGenerator` on the server; a seeded one in tests).
    public static func temporaryPassword(length: Int = 14, using generator: inout some RandomNumberGenerator) -> String {
        String((0..<max(length, minimumLength)).map { _ in temporaryAlphabet.randomElement(using: &generator)! })
    }
}
