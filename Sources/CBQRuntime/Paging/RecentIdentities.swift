/// Remembers the identities (hashes of type and id) of the most recent rows, to drop a row the
/// API sends twice. When a collection changes while it is read page by page, an insert or a
/// delete shifts rows across a page boundary, so a repeat lands on a neighbouring page: a
/// window of the last 20,000 rows catches those, and keeps memory flat however long the
/// result (about 0.5 MiB, instead of 16+ bytes for every row ever seen).
///
/// The identities are hashes already, so the set is an open-addressing table on them (linear
/// probing, backward-shift deletion), not a `Set`, which would hash each one again.
struct RecentIdentities {
    private var ring: [UInt64] = []
    private var next = 0
    /// Slots of the table; 0 is an empty slot (identity 0 is kept in ``hasZero``).
    private var slots = [UInt64](repeating: 0, count: 256)
    private var count = 0
    private var hasZero = false
    let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// Inserts `identity`; false when it is among the recent ones already.
    mutating func insert(_ identity: UInt64) -> Bool {
        guard !contains(identity) else { return false }
        if ring.count < capacity {
            ring.append(identity)
        } else {
            remove(ring[next])
            ring[next] = identity
            next = (next + 1) % capacity
        }
        add(identity)
        return true
    }

    func contains(_ identity: UInt64) -> Bool {
        if identity == 0 { return hasZero }
        let mask = slots.count - 1
        var slot = home(identity, mask)
        while slots[slot] != 0 {
            if slots[slot] == identity { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    /// The slot an identity starts looking from: Fibonacci hashing spreads any bits.
    private func home(_ identity: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: (identity &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    private mutating func add(_ identity: UInt64) {
        if identity == 0 { hasZero = true; return }
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var slot = home(identity, mask)
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = identity
        count += 1
    }

    private mutating func remove(_ identity: UInt64) {
        if identity == 0 { hasZero = false; return }
        let mask = slots.count - 1
        var hole = home(identity, mask)
        while slots[hole] != identity {
            if slots[hole] == 0 { return }
            hole = (hole + 1) & mask
        }
        // Backward shift: an entry after the hole moves into it unless its home lies
        // cyclically in (hole, entry], so every entry stays reachable from its home.
        var entry = hole
        while true {
            entry = (entry + 1) & mask
            let identity = slots[entry]
            if identity == 0 { break }
            let start = home(identity, mask)
            let stays = hole <= entry ? (hole < start && start <= entry) : (hole < start || start <= entry)
            if stays { continue }
            slots[hole] = identity
            hole = entry
        }
        slots[hole] = 0
        count -= 1
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        count = 0
        for identity in old where identity != 0 { add(identity) }
    }
}
