/// Made-up identifiers with correct check characters, for synthetic data (the demo city, tests): never real
/// people or companies. Each one passes ``IdentifierValidator`` with the divisions of Yangzhou.
public enum SyntheticIdentifiers {
    /// GB/T 2260 codes of Yangzhou: 市本级, 广陵区, 邗江区, 江都区, 宝应县, 仪征市, 高邮市.
    public static let yangzhouDivisions = ["321000", "321002", "321003", "321012", "321023", "321081", "321084"]

    /// A district of Yangzhou (not 市本级), for people's and companies' addresses.
    public static func district<G: RandomNumberGenerator>(using rng: inout G) -> String {
        yangzhouDivisions.dropFirst().randomElement(using: &rng)!
    }

    /// An 18-digit resident ID (GB 11643-1999): a Yangzhou district, a birth date between 1950 and 2002, a
    /// sequence and its MOD 11-2 check character.
    public static func residentID<G: RandomNumberGenerator>(using rng: inout G) -> String {
        let birth = CalendarDate(daysSinceEpoch: Int.random(in: -7305 ... 11_687, using: &rng))! // 1950-01-01 … 2001-12-31
        let body = district(using: &rng) + pad(birth.year, 4) + pad(birth.month, 2)
            + pad(birth.day, 2) + pad(Int.random(in: 0...999, using: &rng), 3)
        return body + String(ResidentIdentityNumber.checkCharacter(body)!)
    }

    /// A 9-character organization code (GB 11714-1997): 8 digits and the MOD 11 check character.
    public static func organizationCode<G: RandomNumberGenerator>(using rng: inout G) -> String {
        let body = (0..<8).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
        return body + String(OrganizationCode.checkCharacter(body)!)
    }

    /// An 18-character unified social credit code (GB 32100-2015) of a company registered in Yangzhou
    /// (`91` 工商 企业, a district, an organization code, the MOD 31 check character).
    public static func uscc<G: RandomNumberGenerator>(using rng: inout G) -> String {
        let body = "91" + district(using: &rng) + organizationCode(using: &rng)
        return body + String(UnifiedSocialCreditCode.checkCharacter(body)!)
    }

    /// A mainland mobile number (11 digits, `1[3-9]…`).
    public static func mobile<G: RandomNumberGenerator>(using rng: inout G) -> String {
        "1" + String(Int.random(in: 3...9, using: &rng)) + (0..<9).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
    }

    /// A passport number (`E` and 8 digits).
    public static func passport<G: RandomNumberGenerator>(using rng: inout G) -> String {
        "E" + (0..<8).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
    }

    /// An investment project code `yyyy-dddddd-ii-tt-nnnnnn` coded in `year` in a Yangzhou district.
    public static func projectCode<G: RandomNumberGenerator>(year: Int, using rng: inout G) -> String {
        "\(pad(year, 4))-\(district(using: &rng))-\(pad(Int.random(in: 10...99, using: &rng), 2))-0\(Int.random(in: 1...3, using: &rng))-"
            + pad(Int.random(in: 1...999_999, using: &rng), 6)
    }

    /// An administrative-power code `CC-321000-nnnnn` (许可, 处罚, 征收 or 确认).
    public static func powerCode<G: RandomNumberGenerator>(using rng: inout G) -> String {
        ["XK", "CF", "ZS", "QR"].randomElement(using: &rng)! + "-321000-" + pad(Int.random(in: 1...99_999, using: &rng), 5)
    }

    /// `code` with a wrong check character (the last one replaced by another of its alphabet): what a typing
    /// slip gives, rejected as `bad_check_digit`.
    public static func withWrongCheckCharacter(_ code: String) -> String {
        guard let last = code.last else { return code }
        let alphabet: [Character] = code.count == 18 && code.first == "9" && code.dropFirst().first == "1"
            ? UnifiedSocialCreditCode.alphabet : Array("0123456789")
        let index = alphabet.firstIndex(of: last).map { ($0 + 1) % alphabet.count } ?? 0
        return String(code.dropLast()) + String(alphabet[index])
    }
}
