/// 特别贡献 from cross-matching (issue 12 §5; 附件2 加分项 "特别贡献": the units whose data contributed most to the
/// year's tax work, ranked): the tax recovered on the confirmed leads each providing unit's records produced
/// in the year ranks the units. Pure: amounts in, places out.
public enum SpecialContribution {
    /// The place of each unit with tax recovered (`recoveredFen`: unit code → fen, 1/100 元), highest first,
    /// from 1; units with equal amounts share a place and the next place skips (1, 2, 2, 4). Units with nothing
    /// recovered (0 or less) have no place. The scoring table then gives places 1–10 their points
    /// (``AssessmentScoring/specialContributionPoints(rank:)``).
    public static func ranks(recoveredFen: [String: Int]) -> [String: Int] {
        let ordered = recoveredFen.filter { $0.value > 0 }.sorted { $0.value > $1.value }
        var ranks: [String: Int] = [:]
        for (index, entry) in ordered.enumerated() {
            if index > 0, ordered[index - 1].value == entry.value {
                ranks[entry.key] = ranks[ordered[index - 1].key]
            } else {
                ranks[entry.key] = index + 1
            }
        }
        return ranks
    }
}
