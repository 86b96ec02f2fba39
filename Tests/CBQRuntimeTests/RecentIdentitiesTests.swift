import Testing
@testable import CBQRuntime

/// The recent identities against the plain model they replace (two `Set`s, the younger and
/// the older generation): every insert must answer the same, through growth and turnover. And
/// the promise the pager relies on: the last `generation` identities are always remembered.
struct RecentIdentitiesTests {
    /// A small, seeded generator, so a failure repeats.
    struct XorShift: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    @Test(arguments: [(generation: 1, range: 3), (generation: 50, range: 120), (generation: 700, range: 2_000), (generation: 5_000, range: 1 << 62)])
    func answersAsTwoSetsWould(generation: Int, range: UInt64) {
        var random = XorShift(state: 0x9E37_79B9 &+ UInt64(generation))
        var table = RecentIdentities(generation: generation)
        var younger: Set<UInt64> = []
        var older: Set<UInt64> = []
        for step in 0..<60_000 {
            // Identity 0 and clustered values (multiples of the table sizes) on purpose.
            let roll = random.next()
            let identity = roll % 7 == 0 ? 0 : (roll % 5 == 0 ? (roll % 64) << 16 : random.next() % range)
            var expected = false
            if !younger.contains(identity) && !older.contains(identity) {
                expected = true
                younger.insert(identity)
                if younger.count >= generation {
                    older = younger
                    younger = []
                }
            }
            let answered = table.insert(identity)
            guard answered == expected else {
                Issue.record("step \(step): insert(\(identity)) answered \(answered), expected \(expected)")
                return
            }
        }
        for identity in younger.union(older) { #expect(table.contains(identity)) }
    }

    /// Whatever the turnover, each of the last `generation` distinct identities is still there.
    @Test func theLastGenerationIsAlwaysRemembered() {
        var table = RecentIdentities(generation: 1_000)
        var random = XorShift(state: 7)
        var recent: [UInt64] = []
        for _ in 0..<25_000 {
            let identity = random.next()
            let inserted = table.insert(identity)
            #expect(inserted)
            recent.append(identity)
            if recent.count > 1_000 { recent.removeFirst() }
        }
        for identity in recent {
            let inserted = table.insert(identity)
            #expect(!inserted)
        }
    }
}
