/// "Did you mean …?" for names the user misspelled.
public enum Suggestion {
    /// The candidate closest to `word` (case-insensitively), if it is close enough to be a typo.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        guard word.utf8.count <= 64 else { return nil }  // no typo is that long, and the cost is its length
        let best = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
        guard let (candidate, distance) = best, distance > 0, distance <= max(1, min(2, candidate.count / 3)) else { return nil }
        return candidate
    }
}
