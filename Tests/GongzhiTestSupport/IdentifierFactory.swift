import GongzhiCore

/// Valid identifiers made from a number, for generated datasets: each is built with the check-character
/// algorithms of GongzhiCore, so the importer accepts it.
public enum IdentifierFactory {
    /// A GB 11714-1997 organization code (9 characters) from `n` (0 ≤ n < 10^8).
    public static func organizationCode(_ n: Int) -> String {
        let body = digits(n, 8)
        return body + String(OrganizationCode.checkCharacter(body)!)
    }

    /// A GB 32100-2015 USCC: `91` (enterprise), the 6-digit `division` of its registering authority and the
    /// organization code of `n`.
    public static func uscc(_ n: Int, division: String = "321002") -> String {
        let body = "91" + division + organizationCode(n)
        return body + String(UnifiedSocialCreditCode.checkCharacter(body)!)
    }

    /// A 15-character taxpayer identification number: `division` + the organization code of `n`.
    public static func taxpayerID15(_ n: Int, division: String = "321002") -> String {
        division + organizationCode(n)
    }

    /// A legacy 15-digit resident ID (division 321002, born 1980-01-01 + `n % 3000` days, sequence from `n`).
    public static func residentID15(_ n: Int) -> String {
        let birth = CalendarDate(year: 1980, month: 1, day: 1)!.adding(days: n % 3000)!
        let yymmdd = digits(birth.year % 100, 2) + digits(birth.month, 2) + digits(birth.day, 2)
        return "321002" + yymmdd + digits(n % 1000, 3)
    }

    /// The 18-digit resident ID of ``residentID15(_:)`` (GB 11643-1999 §5 upgrade).
    public static func residentID18(_ n: Int) -> String {
        ResidentIdentityNumber.upgrade(residentID15(n))!
    }

    /// A 17-character VIN from `n` (WMI `LSV`, no I/O/Q).
    public static func vin(_ n: Int) -> String {
        "LSVAB2AK" + digits(n, 9)
    }

    /// A GS15-2006 business registration number of division 321002 from `n` or the next number whose last 9
    /// characters do not happen to form a valid organization code (so that it reads as a registration number,
    /// never as a 15-character taxpayer id).
    public static func registrationNumber(_ n: Int) -> String {
        var k = n
        while true {
            let body = "321002" + digits(k, 8)
            let number = body + String(BusinessRegistrationNumber.checkDigit(body)!)
            if OrganizationCode.checkCharacter(String(Array(number)[6..<14])) != Array(number)[14] { return number }
            k += 1
        }
    }

    /// `n` as `width` decimal digits with leading zeros.
    public static func digits(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
