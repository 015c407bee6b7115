/// An exact fraction `numerator / denominator` for the assessment (附件2 考核评分表), kept in lowest terms with
/// a positive denominator. Scores are never `Double`: shares such as 20/7 stay exact, and only the reported
/// numbers are rounded, half-up, by ``roundedText(decimals:)`` (README "Rounding").
///
/// Arithmetic is checked: an operation whose exact result does not fit `Int` throws ``Overflow`` instead of
/// trapping or wrapping.
public struct Rational: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// An exact result that does not fit 64-bit integers.
    public struct Overflow: Error, Sendable, Equatable {}

    public let numerator: Int
    /// Always > 0.
    public let denominator: Int

    public static let zero = Rational(0)

    /// The integer `n`.
    public init(_ n: Int) {
        numerator = n
        denominator = 1
    }

    /// `numerator / denominator`, reduced.
    /// - Throws: ``Overflow`` when `denominator` is 0 or the reduced fraction cannot be represented.
    public init(_ numerator: Int, _ denominator: Int) throws(Overflow) {
        guard denominator != 0, numerator != .min, denominator != .min else { throw Overflow() }
        let g = Rational.gcd(abs(numerator), abs(denominator))
        let sign = denominator < 0 ? -1 : 1
        self.numerator = sign * numerator / max(g, 1)
        self.denominator = sign * denominator / max(g, 1)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    static func checked(_ r: (partialValue: Int, overflow: Bool)) throws(Overflow) -> Int {
        guard !r.overflow else { throw Overflow() }
        return r.partialValue
    }

    /// `a + b`, exact.
    public static func + (a: Rational, b: Rational) throws(Overflow) -> Rational {
        let g = gcd(a.denominator, b.denominator)
        let da = a.denominator / g, db = b.denominator / g
        let left = try checked(a.numerator.multipliedReportingOverflow(by: db))
        let right = try checked(b.numerator.multipliedReportingOverflow(by: da))
        let n = try checked(left.addingReportingOverflow(right))
        let d = try checked(a.denominator.multipliedReportingOverflow(by: db))
        return try Rational(n, d)
    }

    /// `-a`.
    public static prefix func - (a: Rational) throws(Overflow) -> Rational {
        guard a.numerator != .min else { throw Overflow() }
        return try Rational(-a.numerator, a.denominator)
    }

    /// `a − b`, exact.
    public static func - (a: Rational, b: Rational) throws(Overflow) -> Rational {
        try a + (try -b)
    }

    /// `a × b`, exact.
    public static func * (a: Rational, b: Rational) throws(Overflow) -> Rational {
        let g1 = max(gcd(abs(a.numerator), b.denominator), 1), g2 = max(gcd(abs(b.numerator), a.denominator), 1)
        let n = try checked((a.numerator / g1).multipliedReportingOverflow(by: b.numerator / g2))
        let d = try checked((a.denominator / g2).multipliedReportingOverflow(by: b.denominator / g1))
        return try Rational(n, d)
    }

    /// `a / b`, exact. - Throws: ``Overflow`` when `b` is zero too.
    public static func / (a: Rational, b: Rational) throws(Overflow) -> Rational {
        guard b.numerator != 0 else { throw Overflow() }
        return try a * Rational(b.denominator, b.numerator)
    }

    /// The largest integer not above the value.
    public var floor: Int {
        let q = numerator / denominator
        return numerator % denominator < 0 ? q - 1 : q
    }

    /// The smaller of `self` and `limit`.
    public func capped(at limit: Rational) -> Rational { Swift.min(self, limit) }

    public static func < (a: Rational, b: Rational) -> Bool {
        // Compare by full-width products so that comparison never overflows.
        let l = a.numerator.multipliedFullWidth(by: b.denominator)
        let r = b.numerator.multipliedFullWidth(by: a.denominator)
        return (l.high, l.low) < (r.high, r.low)
    }

    /// The value rounded half away from zero to `decimals` places, as plain decimal text without trailing
    /// zeros (`19.125` → `"19.13"`, `-2.5` at 0 places → `"-3"`, `16` → `"16"`, `0.5` → `"0.5"`). This is
    /// the only rounding the assessment does (README "Rounding": half-up, not half-to-even).
    public func roundedText(decimals: Int = 2) -> String {
        let (scaled, scale) = roundedMagnitude(decimals: decimals)
        let whole = scaled / scale, fraction = scaled % scale
        var text = String(whole)
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: decimals - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return numerator < 0 && scaled != 0 ? "-" + text : text
    }

    /// The value in hundredths, rounded half away from zero like ``roundedText(decimals:)`` (19.125 → 1913).
    public var hundredths: Int {
        let (scaled, _) = roundedMagnitude(decimals: 2)
        return numerator < 0 ? -Int(scaled) : Int(scaled)
    }

    /// `round(|value| × 10^decimals)` half-up, and `10^decimals`.
    private func roundedMagnitude(decimals: Int) -> (UInt, UInt) {
        var scale: UInt = 1
        for _ in 0..<decimals { scale *= 10 }
        // round(|n| × scale / d) half-up = floor((2 × |n| × scale + d) / (2d)), in full width.
        let twice = (numerator.magnitude * 2).multipliedFullWidth(by: scale)
        let sum = twice.low.addingReportingOverflow(UInt(denominator))
        let high = twice.high + (sum.overflow ? 1 : 0)
        return (UInt(2 * denominator).dividingFullWidth((high: high, low: sum.partialValue)).quotient, scale)
    }

    /// `n/d` as written, for logs and tests.
    public var description: String { denominator == 1 ? String(numerator) : "\(numerator)/\(denominator)" }
}
