/// Remembers the identities (hashes of type and id) of the most recent rows, to drop a row the
/// API sends twice. When a collection changes while it is read page by page, an insert or a
/// delete shifts rows across a page boundary, so a repeat lands on a neighbouring page: a
/// window of at least the last 20,000 rows catches those, and memory stays flat however long
/// the result (at most two tables of 256 KiB, instead of 16+ bytes for every row ever seen).
///
/// The identities are kept in two generations: a new one is added to the younger, and when
/// that holds 20,000 the older is forgotten whole and the younger takes its place. So an
/// identity is remembered for between 20,000 and 40,000 rows, and nothing is ever deleted
/// one by one. Each generation is an open-addressing table on the identities themselves
/// (they are hashes already, so a `Set` would hash them again).
struct RecentIdentities {
    private var younger = IdentityTable()
    private var older = IdentityTable()
    let generation: Int

    init(generation: Int = 20_000) {
        self.generation = max(1, generation)
    }

    /// Inserts `identity`; false when it is among the recent ones already.
    mutating func insert(_ identity: UInt64) -> Bool {
        guard !older.contains(identity), younger.insert(identity) else { return false }
        if younger.count >= generation {
            swap(&younger, &older)
            younger.removeAll()
        }
        return true
    }

    func contains(_ identity: UInt64) -> Bool {
        younger.contains(identity) || older.contains(identity)
    }
}

/// A set of identities: linear probing, no deletion but all at once, at most three quarters
/// full. It starts small, so a short result does not pay for a long one's table.
struct IdentityTable {
    /// Slots of the table; 0 is an empty slot (identity 0 is kept in ``hasZero``).
    private var slots = [UInt64](repeating: 0, count: 256)
    private(set) var count = 0
    private var hasZero = false

    /// Inserts `identity`; false when it is there already.
    mutating func insert(_ identity: UInt64) -> Bool {
        if identity == 0 {
            defer { hasZero = true }
            if hasZero { return false }
            count += 1
            return true
        }
        if (count + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var slot = Self.home(identity, mask)
        while slots[slot] != 0 {
            if slots[slot] == identity { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = identity
        count += 1
        return true
    }

    func contains(_ identity: UInt64) -> Bool {
        if identity == 0 { return hasZero }
        let mask = slots.count - 1
        var slot = Self.home(identity, mask)
        while slots[slot] != 0 {
            if slots[slot] == identity { return true }
            slot = (slot + 1) & mask
        }
        return false
    }

    /// Empties the table, keeping its size (the next generation grows as large).
    mutating func removeAll() {
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        count = 0
        hasZero = false
    }

    /// The slot an identity starts looking from: Fibonacci hashing spreads any bits.
    private static func home(_ identity: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: (identity &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for identity in old where identity != 0 {
            var slot = Self.home(identity, mask)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = identity
        }
    }
}
