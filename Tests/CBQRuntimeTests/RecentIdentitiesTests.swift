import Testing
@testable import CBQRuntime

/// The recent-identities table against the plain model it replaces (a `Set` and a ring):
/// every insert must answer the same, through growth, wrap-around and backward-shift deletes.
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

    @Test(arguments: [(capacity: 1, range: 3), (capacity: 50, range: 120), (capacity: 700, range: 2_000), (capacity: 5_000, range: 1 << 62)])
    func answersAsASetAndARingWould(capacity: Int, range: UInt64) {
        var random = XorShift(state: 0x9E37_79B9 &+ UInt64(capacity))
        var table = RecentIdentities(capacity: capacity)
        var ring: [UInt64] = []
        var next = 0
        var model: Set<UInt64> = []
        for step in 0..<60_000 {
            // Identity 0 and clustered values (multiples of the table sizes) on purpose.
            let roll = random.next()
            let identity = roll % 7 == 0 ? 0 : (roll % 5 == 0 ? (roll % 64) << 16 : random.next() % range)
            var expected = false
            if !model.contains(identity) {
                expected = true
                if ring.count < capacity {
                    ring.append(identity)
                } else {
                    model.remove(ring[next])
                    ring[next] = identity
                    next = (next + 1) % capacity
                }
                model.insert(identity)
            }
            let answered = table.insert(identity)
            guard answered == expected else {
                Issue.record("step \(step): insert(\(identity)) answered \(answered), expected \(expected)")
                return
            }
        }
        for identity in model { #expect(table.contains(identity)) }
    }
}
