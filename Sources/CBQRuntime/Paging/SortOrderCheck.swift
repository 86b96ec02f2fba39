import CBQCore

/// Checks that a collection's rows come in the order its `sort=` asked for. A server that does
/// not know `sort` (or a field it cannot sort by) answers 200 with rows in its own order, and
/// the result, and which rows a LIMIT keeps, would be wrong with exit 0.
///
/// A server sorts as its database does, which need not be as cbq compares, so two rows are out
/// of order only when every ordering cbq knows a database to use puts them the other way
/// (``TextOrderings``): text by bytes (PostgreSQL's "C"), without case (lower or upper folded,
/// as MySQL's `_general_ci`), by ICU's and the Unicode collation's order of ASCII (punctuation,
/// then digits, then letters, case ignored), as SQL Server's (hyphens and apostrophes ignored),
/// by glibc's locales (letters, digits and `$` only), and naturally (runs of digits as numbers);
/// numbers and times sent as text also as what they are, numbers also as their digits, times
/// also by the millisecond. NULLs may come first or last but never between other values; a
/// value a row leaves out is not judged. A tie in a value that may be rounded for display (a
/// time, a decimal) says nothing of the next key.
///
/// The order a server gives by something cbq cannot see (an enum's position, a related record's
/// name, a locale's rules for letters beyond ASCII) can still look out of order here: the error
/// says how many neighbouring rows disagree, and `--server-sort trusted` takes the server's word.
struct SortOrderCheck {
    let keys: [RequestPlan.SortKey]
    /// The last row checked, from this page or an earlier one.
    private var last: RawRow?
    /// Where the first key's NULLs have come: a database puts them all first or all last, so
    /// a value after NULLs that followed values, or a NULL after values that followed NULLs,
    /// is out of every order.
    private var nullsBeforeValues = false
    private var sawValue = false
    private var nullsAfterValues = false
    /// Neighbouring rows whose order could be judged, and those that could not (text beyond
    /// ASCII, nested values, a number next to text).
    private(set) var judged = 0
    private(set) var unjudged = 0

    init?(_ keys: [RequestPlan.SortKey]) {
        guard !keys.isEmpty else { return nil }
        self.keys = keys
    }

    /// Two rows that came in an order that the sort cannot have put them in, and how many of
    /// the page's neighbouring rows are out of order.
    struct Disorder {
        let earlier: RawRow
        let later: RawRow
        /// The key that tells them apart.
        let key: RequestPlan.SortKey
        /// The first key's NULLs came between its values, where no database puts them.
        let nullBetweenValues: Bool
        let count: Int
        let pairs: Int
    }

    /// The first pair of neighbouring rows, from the last row checked through `rows`, that no
    /// ordering puts this way; nil when there is none. `isRepeat` says which rows an earlier
    /// page already had: rows that moved to the next page as rows were added while it was read
    /// are not its neighbours.
    mutating func firstDisorder(in rows: [RawRow], isRepeat: (Int) -> Bool = { _ in false }) -> Disorder? {
        var first: (earlier: RawRow, later: RawRow, key: RequestPlan.SortKey, nulls: Bool)?
        var count = 0, pairs = 0
        for (index, row) in rows.enumerated() where !isRepeat(index) {
            defer { last = row }
            // A value left out is not a NULL here: a server may leave out zeros, empty text and
            // false too (Go's omitempty), which sort among the values.
            let present = row.raw(keys[0].field) != nil
            let isNull = present && row.sqlValue(keys[0].field).isNull
            let nullBetweenValues = !present ? false : isNull ? sawValue && nullsBeforeValues : nullsAfterValues
            if present { if isNull { if sawValue { nullsAfterValues = true } else { nullsBeforeValues = true } } else { sawValue = true } }
            guard let earlier = last else { continue }
            pairs += 1
            switch nullBetweenValues ? .outOfOrder(keys[0]) : judge(earlier, row) {
            case .inOrder: judged += 1
            case .unknown: unjudged += 1
            case .outOfOrder(let key):
                judged += 1
                count += 1
                if first == nil { first = (earlier, row, key, nullBetweenValues) }
            }
        }
        guard let first else { return nil }
        return Disorder(earlier: first.earlier, later: first.later, key: first.key, nullBetweenValues: first.nulls, count: count, pairs: pairs)
    }

    enum Verdict { case inOrder, unknown, outOfOrder(RequestPlan.SortKey) }

    /// Key by key: a tie goes on to the next key, anything else decides.
    private func judge(_ earlier: RawRow, _ later: RawRow) -> Verdict {
        for key in keys {
            guard earlier.raw(key.field) != nil, later.raw(key.field) != nil else { return .unknown }
            switch Self.judge(earlier.sqlValue(key.field), later.sqlValue(key.field), descending: key.descending) {
            case .tied: continue
            case .inOrder, .tiedAsShown: return .inOrder
            case .unknown: return .unknown
            case .outOfOrder: return .outOfOrder(key)
            }
        }
        return .inOrder
    }

    /// How two neighbouring values stand: `.outOfOrder` only when every ordering puts the later
    /// one first; `.tied` when they are equal and the next key decides; `.tiedAsShown` when
    /// they are equal as sent but may differ where they are stored (a time or a decimal shown
    /// rounded), so the next key says nothing; `.unknown` when no ordering can be told.
    enum Judgement { case inOrder, tied, tiedAsShown, outOfOrder, unknown }

    static func judge(_ a: SQLValue, _ b: SQLValue, descending: Bool) -> Judgement {
        switch (a, b) {
        case (.null, .null): return .tied
        // NULLs go first or last as the server's database places them (and never between values).
        case (.null, _), (_, .null): return .inOrder
        case (.nested, _), (_, .nested): return .unknown
        case (.text(let x), .text(let y)): return judgeText(x, y, descending: descending)
        case (.boolean, .boolean):
            let order = SQLValue.order(a, b)
            return order == 0 ? .tied : (order > 0) != descending ? .outOfOrder : .inOrder
        case (.integer, .integer):
            let order = SQLValue.order(a, b)
            return order == 0 ? .tied : (order > 0) != descending ? numbersAsText(a, b, descending: descending) : .inOrder
        case (.integer, .decimal), (.integer, .real), (.decimal, .integer), (.decimal, .decimal), (.decimal, .real),
             (.real, .integer), (.real, .decimal), (.real, .real):
            let order = SQLValue.order(a, b)
            return order == 0 ? .tiedAsShown : (order > 0) != descending ? numbersAsText(a, b, descending: descending) : .inOrder
        default:
            return .unknown
        }
    }

    /// Numbers a server keeps as text (an Elasticsearch keyword, a varchar of codes) sort as
    /// their digits: `10` before `9` is that order, not a disorder.
    private static func numbersAsText(_ a: SQLValue, _ b: SQLValue, descending: Bool) -> Judgement {
        let order = ValueSemantics.compareBytes(a.description, b.description)
        return order != 0 && (order > 0) != descending ? .outOfOrder : .inOrder
    }

    /// Bytes are asked first: rows a server sorted by them, the usual case, cost one comparison
    /// a pair; only a pair they put the wrong way is read every other way.
    static func judgeText(_ x: String, _ y: String, descending: Bool) -> Judgement {
        let bytes = ValueSemantics.compareBytes(x, y)
        // A time or a decimal may be shown rounded: equal as sent is no tie where it is stored.
        if bytes == 0 { return Instant(x) != nil || (x.contains(".") && SQLValue.numberFromText(x) != nil) ? .tiedAsShown : .tied }
        let wrongWay = descending ? -1 : 1
        guard bytes == wrongWay else { return .inOrder }
        var unknown = false
        for reading in TextOrderings.readings(x, y) {
            guard let order = reading() else { unknown = true; continue }
            // An ordering that ties them, or puts them this way, could be the server's.
            if order.signum() != wrongWay { return .inOrder }
        }
        return unknown ? .unknown : .outOfOrder
    }
}

/// The orderings of text that databases use, each read over ASCII: nil when it meets a byte
/// beyond ASCII before it can tell two strings apart (each database orders those its own way).
enum TextOrderings {
    /// Each ordering's answer, nil where it cannot tell; numbers and times only when both are.
    static func readings(_ x: String, _ y: String) -> [() -> Int?] {
        let a = Array(x.utf8), b = Array(y.utf8)
        var readings: [() -> Int?] = [
            { compare(a, b, weight: lower) },
            { compare(a, b, weight: upper) },
            { compare(a, b, weight: unicodeWeight) },
            // Windows collations (SQL Server's nvarchar) ignore hyphens and apostrophes only.
            { compare(a, b, weight: { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "'") ? nil : unicodeWeight($0) }) },
            { compare(a, b, weight: glibcWeight) },
            { natural(a, b) },
        ]
        if let p = SQLValue.numberFromText(x), let q = SQLValue.numberFromText(y) { readings.append { SQLValue.order(p, q) } }
        if let p = Instant(x), let q = Instant(y) {
            readings.append { Instant.compare(p, q) }
            // Elasticsearch sorts dates by the millisecond, whatever the text shows.
            readings.append { Instant.compare(p.truncated(digits: 3), q.truncated(digits: 3)) }
        }
        return readings
    }

    /// Where a comparison stands after moving `i` and `j` past the ASCII bytes it ignores: on
    /// two bytes to compare, or ended (a string ran out: their order; or a byte beyond ASCII
    /// came first: nil).
    private enum Step { case compare, ended(Int?) }

    private static func skipIgnored(_ a: [UInt8], _ b: [UInt8], _ i: inout Int, _ j: inout Int, ignored: (UInt8) -> Bool) -> Step {
        while i < a.count, a[i] < 0x80, ignored(a[i]) { i += 1 }
        while j < b.count, b[j] < 0x80, ignored(b[j]) { j += 1 }
        guard i < a.count, j < b.count else { return .ended(i < a.count ? 1 : j < b.count ? -1 : 0) }
        guard a[i] < 0x80, b[j] < 0x80 else { return .ended(nil) }
        return .compare
    }

    /// Compares two strings by each byte's weight (nil: the byte is ignored), nil when a byte
    /// beyond ASCII comes before the first difference.
    static func compare(_ a: [UInt8], _ b: [UInt8], weight: (UInt8) -> UInt8?) -> Int? {
        var i = 0, j = 0
        while true {
            if case .ended(let order) = skipIgnored(a, b, &i, &j, ignored: { weight($0) == nil }) { return order }
            let p = weight(a[i])!, q = weight(b[j])!
            if p != q { return p < q ? -1 : 1 }
            i += 1
            j += 1
        }
    }

    /// The Unicode order (``unicodeWeight``) with runs of digits by their value, as ICU's
    /// numeric collation (and JavaScript's `{numeric: true}`) gives it: `v2.9` before `v2.10`,
    /// `item 9` before `Item 10`.
    static func natural(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        var i = 0, j = 0
        while true {
            if case .ended(let order) = skipIgnored(a, b, &i, &j, ignored: { unicodeWeight($0) == nil }) { return order }
            switch (isDigit(a[i]), isDigit(b[j])) {
            case (true, true):
                var endA = i, endB = j
                while endA < a.count, isDigit(a[endA]) { endA += 1 }
                while endB < b.count, isDigit(b[endB]) { endB += 1 }
                // Leading zeros say nothing of a run's value.
                while i < endA - 1, a[i] == 0x30 { i += 1 }
                while j < endB - 1, b[j] == 0x30 { j += 1 }
                if endA - i != endB - j { return endA - i < endB - j ? -1 : 1 }
                for (p, q) in zip(a[i..<endA], b[j..<endB]) where p != q { return p < q ? -1 : 1 }
                i = endA
                j = endB
            default:
                // A digit against anything else: digits all weigh as a run does.
                let p = isDigit(a[i]) ? unicodeWeight(0x30)! : unicodeWeight(a[i])!
                let q = isDigit(b[j]) ? unicodeWeight(0x30)! : unicodeWeight(b[j])!
                if p != q { return p < q ? -1 : 1 }
                i += 1
                j += 1
            }
        }
    }

    /// ASCII in the order of the Unicode collation algorithm's default table (ICU, MySQL's
    /// `utf8mb4_0900_ai_ci`, JavaScript's `localeCompare`) at its first level: spaces and
    /// punctuation, then symbols, then digits, then letters, case ignored.
    static let unicodeOrder: [UInt8] = {
        let order = Array(" _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz".utf8)
        var weights = [UInt8](repeating: 0, count: 128)
        for (rank, byte) in order.enumerated() {
            weights[Int(byte)] = UInt8(rank + 1)
            if byte >= 0x61, byte <= 0x7A { weights[Int(byte - 0x20)] = UInt8(rank + 1) }
        }
        return weights
    }()

    /// Control characters are ignored, as the Unicode table does.
    static func unicodeWeight(_ byte: UInt8) -> UInt8? {
        let weight = unicodeOrder[Int(byte)]
        return weight == 0 ? nil : weight
    }

    /// glibc's locales (en_US.UTF-8, PostgreSQL's usual collation on Debian and Ubuntu) at their
    /// first level: punctuation is ignored but for `$`, which comes before digits, and those
    /// before letters, case ignored (checked against glibc's own `strcoll`).
    static func glibcWeight(_ byte: UInt8) -> UInt8? {
        if byte == UInt8(ascii: "$") { return 1 }
        return isAlphanumeric(byte) ? lower(byte) : nil
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) }
    static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
    static func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte & ~0x20 : byte }
}

private extension Instant {
    /// With at most `digits` digits of fraction.
    func truncated(digits: Int) -> Instant { Instant(seconds: seconds, fraction: String(fraction.prefix(digits))) }
}
