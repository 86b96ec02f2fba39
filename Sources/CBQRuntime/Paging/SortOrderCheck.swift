import CBQCore

/// Checks that a collection's rows come in the order its `sort=` asked for. A server that does
/// not know `sort` (or a field it cannot sort by) answers 200 with rows in its own order, and
/// the result, and which rows a LIMIT keeps, would be wrong with exit 0.
///
/// A server sorts as its database does, which need not be as cbq compares: text by a locale's
/// collation (case and punctuation ignored at first, digits as numbers), timestamps as times
/// whatever their offset, numbers kept as text compared as numbers, NULLs first or last. So two
/// rows are out of order only when no such reading puts them in the order they came: the check
/// may miss a server's disorder among rows it cannot judge, but never stops a sorted answer.
/// Every pair of neighbouring rows is judged, across pages too (pages come here in order).
struct SortOrderCheck {
    let keys: [RequestPlan.SortKey]
    /// The last row of the previous page.
    private var last: RawRow?

    init?(_ keys: [RequestPlan.SortKey]) {
        guard !keys.isEmpty else { return nil }
        self.keys = keys
    }

    /// Two rows that came in an order that the sort cannot have put them in.
    struct Disorder {
        let earlier: RawRow
        let later: RawRow
        /// The key that tells them apart.
        let key: RequestPlan.SortKey
    }

    /// The first pair of neighbouring rows, from the previous page's last through `rows`, that
    /// no reading of the sort puts in this order; nil when there is none.
    mutating func firstDisorder(in rows: [RawRow]) -> Disorder? {
        guard let lastOfPage = rows.last else { return nil }
        defer { last = lastOfPage }
        var earlier = last
        for row in rows {
            if let earlier, let key = disorderingKey(earlier, row) { return Disorder(earlier: earlier, later: row, key: key) }
            earlier = row
        }
        return nil
    }

    /// The key by which `later` should have come before `earlier`, if the keys say so for sure.
    private func disorderingKey(_ earlier: RawRow, _ later: RawRow) -> RequestPlan.SortKey? {
        for key in keys {
            switch Self.judge(earlier.sqlValue(key.field), later.sqlValue(key.field), descending: key.descending) {
            case .tied: continue
            case .inOrder: return nil
            case .outOfOrder: return key
            }
        }
        return nil
    }

    /// How two neighbouring values stand: `.outOfOrder` only when every plausible reading puts
    /// the later one first; `.tied` when they are equal (the next key decides); `.inOrder`
    /// otherwise, which includes orders only some readings give (then later keys say nothing).
    enum Judgement { case inOrder, tied, outOfOrder }

    static func judge(_ a: SQLValue, _ b: SQLValue, descending: Bool) -> Judgement {
        switch (a, b) {
        case (.null, .null): return .tied
        // NULLs go first or last as the server's database places them.
        case (.null, _), (_, .null), (.nested, _), (_, .nested): return .inOrder
        case (.text(let x), .text(let y)): return judgeText(x, y, descending: descending)
        case (.boolean, .boolean), (.integer, .integer), (.integer, .decimal), (.integer, .real), (.decimal, .integer),
             (.decimal, .decimal), (.decimal, .real), (.real, .integer), (.real, .decimal), (.real, .real):
            let order = SQLValue.order(a, b)
            return order == 0 ? .tied : (order > 0) != descending ? .outOfOrder : .inOrder
        default:
            return .inOrder
        }
    }

    /// Text is out of order only when bytes, case-folded bytes and a natural reading (letters
    /// and digits only, case-folded, runs of digits as numbers) all say so, and, when both are
    /// numbers or both are times, those too. Non-ASCII text is not judged: accents and scripts
    /// are where collations differ most. Bytes are asked first: rows a server sorted by them,
    /// the usual case, cost one comparison a pair.
    static func judgeText(_ x: String, _ y: String, descending: Bool) -> Judgement {
        let bytes = ValueSemantics.compareBytes(x, y)
        if bytes == 0 { return .tied }
        let wrongWay = descending ? -1 : 1
        guard bytes == wrongWay, isASCII(x), isASCII(y) else { return .inOrder }
        let readings: [() -> Int?] = [
            { ValueSemantics.compareBytes(x.lowercased(), y.lowercased()) },
            { naturalOrder(x, y) },
            { SQLValue.numberFromText(x).flatMap { a in SQLValue.numberFromText(y).map { b in SQLValue.order(a, b) } } },
            { Instant(x).flatMap { a in Instant(y).map { b in instantOrder(a, b) } } },
        ]
        for reading in readings {
            // A reading that ties them, or puts them this way, could be the server's.
            if let order = reading(), order.signum() != wrongWay { return .inOrder }
        }
        return .outOfOrder
    }

    private static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// Letters and digits only, without case, runs of digits by their value: `item 9` before
    /// `Item 10`, `O'Brien` with `obrien`.
    static func naturalOrder(_ x: String, _ y: String) -> Int {
        let a = Array(x.utf8.lazy.filter(isAlphanumeric).map(lower)), b = Array(y.utf8.lazy.filter(isAlphanumeric).map(lower))
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if isDigit(a[i]), isDigit(b[j]) {
                var endA = i, endB = j
                while endA < a.count, isDigit(a[endA]) { endA += 1 }
                while endB < b.count, isDigit(b[endB]) { endB += 1 }
                // Leading zeros say nothing of a run's value.
                var startA = i, startB = j
                while startA < endA - 1, a[startA] == 0x30 { startA += 1 }
                while startB < endB - 1, b[startB] == 0x30 { startB += 1 }
                let lengthA = endA - startA, lengthB = endB - startB
                if lengthA != lengthB { return lengthA < lengthB ? -1 : 1 }
                for (p, q) in zip(a[startA..<endA], b[startB..<endB]) where p != q { return p < q ? -1 : 1 }
                i = endA
                j = endB
            } else {
                if a[i] != b[j] { return a[i] < b[j] ? -1 : 1 }
                i += 1
                j += 1
            }
        }
        let restA = a.count - i, restB = b.count - j
        return restA == restB ? 0 : restA < restB ? -1 : 1
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) }
    private static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

    /// Instants by their second, then their fraction's digits (`.25` after `.249`).
    static func instantOrder(_ a: Instant, _ b: Instant) -> Int {
        if a.seconds != b.seconds { return a.seconds < b.seconds ? -1 : 1 }
        let width = max(a.fraction.count, b.fraction.count)
        let x = a.fraction.padding(width), y = b.fraction.padding(width)
        return x == y ? 0 : x < y ? -1 : 1
    }
}

private extension String {
    /// Right-padded with zeros to `width` digits.
    func padding(_ width: Int) -> String { self + String(repeating: "0", count: width - count) }
}
