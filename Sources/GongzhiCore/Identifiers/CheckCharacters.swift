// The check-character algorithms, each written once (fixtures/README.md "Algorithms").

/// ISO 7064 check-character systems used by the Chinese identifiers.
public enum ISO7064 {
    /// ISO 7064 MOD 11-2 (pure system, radix 2): the check character of `digits`, `0`-`9` or `X`;
    /// `nil` when `digits` is empty or holds a non-digit. GB 11643-1999 applies it to the first 17 digits.
    public static func mod11_2(_ digits: some StringProtocol) -> Character? {
        guard let values = decimalValues(digits) else { return nil }
        // Horner form of Σ a_i·2^(n+1−i) mod 11.
        var s = 0
        for a in values { s = (s + a) * 2 % 11 }
        let check = (12 - s % 11) % 11
        return check == 10 ? "X" : Character(String(check))
    }

    /// ISO 7064 MOD 11,10 (hybrid system): the check digit of `digits`; `nil` when `digits` is empty or
    /// holds a non-digit. GS15-2006 applies it to the first 14 digits of a registration number.
    public static func mod11_10(_ digits: some StringProtocol) -> Character? {
        guard let values = decimalValues(digits) else { return nil }
        var p = 10
        for a in values {
            var s = (p + a) % 10
            if s == 0 { s = 10 }
            p = 2 * s % 11
        }
        return Character(String((11 - p) % 10))
    }

    static func decimalValues(_ text: some StringProtocol) -> [Int]? {
        var values: [Int] = []
        for b in text.utf8 {
            guard b >= 48, b <= 57 else { return nil }
            values.append(Int(b - 48))
        }
        return values.isEmpty ? nil : values
    }
}

/// 统一社会信用代码 (GB 32100-2015): alphabet, authority/category table and the MOD 31 check character.
public enum UnifiedSocialCreditCode {
    /// The 31 characters of GB 32100-2015 in value order (I, O, Z, S, V are not used).
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    /// Position 1 (registration authority) → the position-2 categories it assigns (GB 32100-2015 and its
    /// additions for A 中央军委改革和编制办公室 and N 农业).
    public static let categories: [Character: Set<Character>] = [
        "1": ["1", "2", "3", "9"], "2": ["1", "9"], "3": ["1", "2", "3", "4", "5", "9"], "4": ["1", "9"],
        "5": ["1", "2", "3", "9"], "6": ["1", "2", "9"], "7": ["1", "2", "9"], "8": ["1", "9"],
        "9": ["1", "2", "3"], "A": ["1", "9"], "N": ["1", "2", "3", "9"], "Y": ["1"],
    ]

    /// The GB 32100-2015 value of `c` (0-30), or `nil` outside the alphabet.
    public static func value(of c: Character) -> Int? {
        alphabet.firstIndex(of: c)
    }

    /// GB 32100-2015 check character of the first 17 characters: (31 − Σ value_i·3^(i−1) mod 31) mod 31
    /// mapped back to the alphabet; `nil` when `body` is not 17 alphabet characters.
    public static func checkCharacter(_ body: some StringProtocol) -> Character? {
        guard body.count == 17 else { return nil }
        var sum = 0
        var weight = 1
        for c in body {
            guard let v = value(of: c) else { return nil }
            sum += v * weight
            weight = weight * 3 % 31
        }
        return alphabet[(31 - sum % 31) % 31]
    }
}

/// 组织机构代码 (GB 11714-1997): 8 body characters `0-9A-Z` and a MOD 11 check character `0-9X`.
public enum OrganizationCode {
    /// The GB 11714-1997 weights of body positions 1-8.
    public static let weights = [3, 7, 9, 10, 5, 8, 4, 2]

    /// GB 11714-1997 check character of the 8-character body: C = 11 − (Σ value·weight mod 11), 10 → `X`,
    /// 11 → `0` (digit = its value, A = 10 … Z = 35); `nil` when `body` is not 8 of `0-9A-Z`.
    public static func checkCharacter(_ body: some StringProtocol) -> Character? {
        let bytes = Array(body.utf8)
        guard bytes.count == 8 else { return nil }
        var sum = 0
        for (b, w) in zip(bytes, weights) {
            let v: Int
            switch b {
            case 48...57: v = Int(b) - 48
            case 65...90: v = Int(b) - 55
            default: return nil
            }
            sum += v * w
        }
        let c = 11 - sum % 11
        return c == 10 ? "X" : c == 11 ? "0" : Character(String(c))
    }
}

/// 工商注册号 (GS15-2006, the SAIC industry standard): 6-digit division, 8-digit sequence, ISO 7064 MOD 11,10.
public enum BusinessRegistrationNumber {
    /// GS15-2006 check digit of the first 14 digits (ISO 7064 MOD 11,10); `nil` unless 14 digits.
    public static func checkDigit(_ body: some StringProtocol) -> Character? {
        body.utf8.count == 14 ? ISO7064.mod11_10(body) : nil
    }
}

/// 纳税人识别号: the forms accepted for a taxpayer identification number (15, 18, 20 characters).
public enum TaxpayerIdentificationNumber {
    /// Lengths a TIN may have: 15 (division + GB 11714-1997 code), 18 (GB 32100-2015 USCC or GB 11643-1999
    /// ID), 20 (GB 11643-1999 ID + 2-digit sequence).
    public static let lengths: Set<Int> = [15, 18, 20]
}

/// 公民身份号码 (GB 11643-1999): division, birth date, sequence and an ISO 7064 MOD 11-2 check character.
public enum ResidentIdentityNumber {
    /// GB 11643-1999 check character of the first 17 digits (ISO 7064 MOD 11-2); `nil` unless 17 digits.
    public static func checkCharacter(_ body: some StringProtocol) -> Character? {
        body.utf8.count == 17 ? ISO7064.mod11_2(body) : nil
    }

    /// GB 11643-1999 upgrade of a legacy 15-digit number: division(6) + `19` + YYMMDD + sequence(3) + check.
    /// `nil` unless `legacy` is 15 digits.
    public static func upgrade(_ legacy: some StringProtocol) -> String? {
        let s = String(legacy)
        guard s.utf8.count == 15, s.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let body = String(s.prefix(6)) + "19" + String(s.dropFirst(6))
        guard let check = checkCharacter(body) else { return nil }
        return body + String(check)
    }
}

/// GB/T 2260 division-code helpers that need no list.
public enum DivisionCode {
    /// The two-digit province prefixes of GB/T 2260 (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82),
    /// checked in GS15-2006 registration numbers and 15-character TINs.
    public static let provincePrefixes: Set<String> = [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
        "71", "81", "82",
    ]

    /// `100000`: the national level (registrations by the State Administration, GS15-2006).
    public static let national = "100000"

    /// Whether the 6-digit `code` starts with a GB/T 2260 province prefix.
    public static func hasProvincePrefix(_ code: some StringProtocol) -> Bool {
        provincePrefixes.contains(String(code.prefix(2)))
    }
}
