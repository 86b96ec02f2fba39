/// Remembers the identities (hashes of type and id) of the most recent rows, to drop a row the
/// API sends twice. When a collection changes while it is read page by page, an insert or a
/// delete shifts rows across a page boundary, so a repeat lands on a neighbouring page: a
/// window of the last 20,000 rows catches those, and keeps memory flat however long the
/// result (about 0.5 MiB, instead of 16+ bytes for every row ever seen).
struct RecentIdentities {
    private var ring: [UInt64] = []
    private var next = 0
    private var members: Set<UInt64> = []
    let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// Inserts `identity`; false when it is among the recent ones already.
    mutating func insert(_ identity: UInt64) -> Bool {
        guard !members.contains(identity) else { return false }
        if ring.count < capacity {
            ring.append(identity)
            if members.isEmpty { members.reserveCapacity(min(capacity, 4_096)) }
        } else {
            members.remove(ring[next])
            ring[next] = identity
            next = (next + 1) % capacity
        }
        members.insert(identity)
        return true
    }
}
