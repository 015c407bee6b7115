/// SplitMix64 (Steele, Lea and Flood 2014, as in Java's `SplittableRandom`): a small seeded generator, so that
/// synthetic data (the demo city) is the same on every machine and every run for the same seed. Not for
/// anything secret.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator of its own for `label` (e.g. one task), independent of how many numbers this one has given:
    /// adding a unit or an indicator does not change the others' data.
    public func derived(_ label: String) -> SplitMix64 {
        // FNV-1a over the label, mixed with this generator's state.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        var mixer = SplitMix64(seed: state ^ hash)
        return SplitMix64(seed: mixer.next())
    }

    /// Whether an event of probability `p` (0…1) happens.
    public mutating func chance(_ p: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < p
    }
}
