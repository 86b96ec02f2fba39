import CBQCore
import Testing
@testable import CBQRuntime

/// The sort's byte encoding orders exactly as the values do, with NULLs and DESC as asked.
struct SortKeyEncodingTests {
    static let values: [SQLValue] = [
        .null, .boolean(false), .boolean(true), .integer(-3), .integer(0), .integer(2), .decimal(ExactDecimal("2.00")!),
        .real(2), .decimal(ExactDecimal("2.5")!), .real(-0.0), .integer(9_007_199_254_740_992), .integer(9_007_199_254_740_993),
        .integer(.max), .integer(.min), .decimal(ExactDecimal("-0.000000000000000001")!), .real(1e300), .real(-1e300),
        .text(""), .text("a"), .text("a\u{0}"), .text("a\u{0}b"), .text("ab"), .text("Zoë"), .text("zoe"), .text("山田"),
        .nested("[1]"),
    ]

    func encode(_ value: SQLValue, descending: Bool, nullsFirst: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        SortKeyEncoding.append(value, descending: descending, nullsFirst: nullsFirst, to: &bytes)
        return bytes
    }

    /// What the ORDER BY means, straight from SQLValue's order.
    func expected(_ a: SQLValue, _ b: SQLValue, descending: Bool, nullsFirst: Bool) -> Int {
        switch (a.isNull, b.isNull) {
        case (true, true): return 0
        case (true, false): return nullsFirst ? -1 : 1
        case (false, true): return nullsFirst ? 1 : -1
        default:
            let order = SQLValue.order(a, b)
            return descending ? -order : order
        }
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func bytesOrderAsValuesDo(descending: Bool, nullsFirst: Bool) {
        for a in Self.values {
            for b in Self.values {
                let x = encode(a, descending: descending, nullsFirst: nullsFirst)
                let y = encode(b, descending: descending, nullsFirst: nullsFirst)
                let bytes = x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1)
                #expect(bytes == expected(a, b, descending: descending, nullsFirst: nullsFirst), "\(a) vs \(b)")
            }
        }
    }

    @Test func twoKeysConcatenateWithoutOneBleedingIntoTheNext() {
        func row(_ a: String, _ b: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            SortKeyEncoding.append(.text(a), descending: false, nullsFirst: false, to: &bytes)
            SortKeyEncoding.append(.integer(b), descending: false, nullsFirst: false, to: &bytes)
            return bytes
        }
        #expect(row("a", 9).lexicographicallyPrecedes(row("ab", 1)))
        #expect(row("a", 1).lexicographicallyPrecedes(row("a", 2)))
    }
}
