import CBQCore
import Foundation
import Testing
@testable import CBQRuntime

/// The check of a pushed sort: rows in an order no plausible server collation gives are found;
/// rows a real server may give (case folded, natural numbers, times with offsets, NULLs first or
/// last) never are.
struct SortOrderCheckTests {
    /// One page whose rows have attributes `a` and `b`, from JSON literals.
    static func rows(_ values: [(a: String, b: String)]) -> [RawRow] {
        let data = values.enumerated().map { index, value in
            #"{"type":"t","id":"r\#(index)","attributes":{"a":\#(value.a),"b":\#(value.b)}}"#
        }
        return try! PageIndexer.index(Array(#"{"data":[\#(data.joined(separator: ","))]}"#.utf8)).rows
    }

    static func rows(_ values: [String]) -> [RawRow] { rows(values.map { ($0, "null") }) }

    static func disorder(_ values: [String], descending: Bool = false) -> Bool {
        var check = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: descending)])!
        return check.firstDisorder(in: rows(values)) != nil
    }

    @Test(arguments: [
        (#""apple""#, #""Banana""#), (#""Banana""#, #""apple""#),            // case folded, and bytes
        (#""item 9""#, #""item 10""#), (#""item 10""#, #""item 9""#),        // natural, and bytes
        (#""O'Brien""#, #""Obama""#), (#""Obama""#, #""O'Brien""#),          // punctuation ignored, and bytes
        (#""de Souza""#, #""Dean""#), (#""Dean""#, #""de Souza""#),
        (#""file_new""#, #""file1""#), (#""mary_smith""#, #""mary.jones""#), // ICU: '_' before digits and '.'
        (#""c-sharp""#, #""c++""#),                                          // ICU: '-' before '+'
        (#""joy""#, #""jo_smith""#),                                         // MySQL _general_ci: folded to upper case
        (#""Unit-10""#, #""Unit 9""#), (#""item_10""#, #""item9""#),         // glibc: letters and digits only
        (#""v2.9.12""#, #""v2.10.0""#),                                      // natural, runs ended by '.'
        (#""2025-01-01T10:00:00+02:00""#, #""2025-01-01T09:00:00Z""#),     // as times
        (#""2025-01-01T00:00:00.5Z""#, #""2025-01-01T00:00:00Z""#),         // bytes ('.' before 'Z')
        (#""2025-01-01T00:00:00Z""#, #""2025-01-01T00:00:00.5Z""#),         // as times
        (#""10.00""#, #""9.50""#), (#""9.50""#, #""10.00""#),                // bytes, and as numbers
        ("null", "1"), ("1", "null"), ("null", #""a""#),                     // NULLs first or last
        (#""Émile""#, #""Ezra""#), (#""Ezra""#, #""Émile""#),                // accents: not judged
        (#""doe""#, #""Doe""#), ("1", "1.0"), ("1", #""a""#), (#""a""#, "[1]"),
        (#""web.example.com""#, #""web-a.example.com""#), (#""co.uk""#, #""co-op""#), // SQL Server: '-' ignored
        ("10", "9"), ("10", "9.99"),                                         // numbers kept as text (Elasticsearch keyword)
        (#""2024-05-01T12:00:00.123456Z""#, #""2024-05-01T12:00:00.123401Z""#), // Elasticsearch: by the millisecond
    ])
    func anOrderSomeServerGivesIsNoDisorder(earlier: String, later: String) {
        #expect(!Self.disorder([earlier, later]), "\(earlier) before \(later)")
        #expect(!Self.disorder([later, earlier], descending: true), "\(later) before \(earlier), descending")
    }

    @Test(arguments: [
        (#""Young""#, #""Adams""#), ("3", "2"), ("2.5", "1"), ("200", "100"), ("true", "false"), (#""b""#, #""A""#),
        (#""2025-02-01""#, #""2025-01-15""#), (#""PER-00011""#, #""PER-00006""#),
        (#""Muñoz""#, #""Adams""#),                                          // decided before the 'ñ'
        (#""medium""#, #""high""#),                                          // an enum by position: see trusted
    ])
    func anOrderNoServerGivesIsADisorder(earlier: String, later: String) {
        #expect(Self.disorder([earlier, later]), "\(earlier) before \(later)")
        #expect(!Self.disorder([earlier, later], descending: true), "\(earlier) before \(later), descending")
        #expect(!Self.disorder([later, earlier]))
    }

    @Test func laterKeysDecideOnlyWhereEarlierOnesTie() {
        let keys = [RequestPlan.SortKey(field: "a", descending: false), RequestPlan.SortKey(field: "b", descending: true)]
        func disorder(_ values: [(String, String)]) -> String? {
            var check = SortOrderCheck(keys)!
            return check.firstDisorder(in: Self.rows(values.map { (a: $0.0, b: $0.1) })).map { "\($0.earlier.idText)>\($0.later.idText) by \($0.key.field)" }
        }
        #expect(disorder([(#""x""#, "1"), (#""x""#, "2")]) == "r0>r1 by b")
        #expect(disorder([(#""x""#, "2"), (#""x""#, "1"), (#""y""#, "5")]) == nil)
        #expect(disorder([(#""x""#, "1"), (#""y""#, "2")]) == nil, "a decides; b says nothing")
        #expect(disorder([(#""y""#, "1"), (#""x""#, "2")]) == "r0>r1 by a")
        // Tied under case folding: b cannot be judged, as the server's a may have decided.
        #expect(disorder([(#""x""#, "1"), (#""X""#, "2")]) == nil)
        #expect(disorder([("null", "1"), ("null", "2")]) == "r0>r1 by b", "two NULLs tie")
        // Times and decimals may be shown rounded (milliseconds of microseconds): equal as sent
        // is no tie where they are stored, and b says nothing.
        #expect(disorder([(#""2025-01-01T10:00:00.123Z""#, "1"), (#""2025-01-01T10:00:00.123Z""#, "2")]) == nil)
        #expect(disorder([("1.5", "1"), ("1.5", "2")]) == nil)
        #expect(disorder([("7", "1"), ("7", "2")]) == "r0>r1 by b", "integers are exact")
        #expect(disorder([(#""4.5""#, "1"), (#""4.5""#, "2")]) == nil, "a decimal sent as text may be rounded too")
        #expect(disorder([(#""45""#, "1"), (#""45""#, "2")]) == "r0>r1 by b")
    }

    /// A database puts NULLs all first or all last: a NULL between values is out of every order.
    @Test func nullsBetweenValuesAreADisorder() {
        func disorder(_ values: [String], descending: Bool = false) -> SortOrderCheck.Disorder? {
            var check = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: descending)])!
            return check.firstDisorder(in: Self.rows(values))
        }
        #expect(disorder(["null", "null", #""a""#, #""b""#]) == nil)
        #expect(disorder([#""a""#, #""b""#, "null", "null"]) == nil)
        #expect(disorder([#""b""#, #""a""#, "null"], descending: true) == nil)
        let middle = disorder([#""b""#, "null", #""a""#])
        #expect(middle?.nullBetweenValues == true && middle?.later.idText == "r2")
        #expect(disorder(["null", #""a""#, "null"])?.nullBetweenValues == true)
        #expect(disorder([#""a""#, "null", #""b""#])?.nullBetweenValues == true, "each pair is in some order; the NULL's place is in none")
    }

    /// A value left out is no NULL for the check: Go's `omitempty` leaves out zeros, empty text
    /// and false, which sort among the values. An explicit null between values still is one.
    @Test func aValueLeftOutIsNotANull() {
        func rows(_ values: [String?]) -> [RawRow] {
            let data = values.enumerated().map { index, value in
                #"{"type":"t","id":"r\#(index)","attributes":{\#(value.map { #""a":\#($0)"# } ?? "")}}"#
            }
            return try! PageIndexer.index(Array(#"{"data":[\#(data.joined(separator: ","))]}"#.utf8)).rows
        }
        var check = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: false)])!
        #expect(check.firstDisorder(in: rows(["-1", nil, "1", "2"])) == nil)
        var explicit = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: false)])!
        #expect(explicit.firstDisorder(in: rows(["-1", "null", "1"]))?.nullBetweenValues == true)
    }

    @Test func theOrderIsCheckedAcrossPagesAndCounted() {
        var check = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: false)])!
        #expect(check.firstDisorder(in: Self.rows(["1", "2", "5"])) == nil)
        #expect(check.firstDisorder(in: []) == nil, "an empty page keeps the last row")
        let disorder = check.firstDisorder(in: Self.rows(["4", "6", "3", "7"]))
        #expect(disorder.map { "\($0.earlier.idText)>\($0.later.idText)" } == "r2>r0", "page one's 5, then page two's 4")
        #expect(disorder?.count == 2 && disorder?.pairs == 4)
        #expect(SortOrderCheck([]) == nil)
    }

    /// Rows that an earlier page had are skipped: with rows added at the top while a
    /// `sort=-created_at` read goes on, page two starts with page one's last rows.
    @Test func repeatsOfAnEarlierPageAreNotNeighbours() {
        var check = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: true)])!
        #expect(check.firstDisorder(in: Self.rows(["9", "8", "7", "6"])) == nil)
        // Page two: 7 and 6 again (pushed on by two new rows), then 5 and 4. Its rows are
        // numbered from r0 here, so the repeats are its first two.
        #expect(check.firstDisorder(in: Self.rows(["7", "6", "5", "4"]), isRepeat: { $0 < 2 }) == nil)
        var unaware = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: true)])!
        _ = unaware.firstDisorder(in: Self.rows(["9", "8", "7", "6"]))
        #expect(unaware.firstDisorder(in: Self.rows(["7", "6", "5", "4"])) != nil, "without the repeats known, 6 then 7 is out of order")
    }

    /// What could not be judged is counted, for the notice that the order is the server's.
    @Test func pairsThatCannotBeJudgedAreCounted() {
        var check = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: false)])!
        #expect(check.firstDisorder(in: Self.rows([#""山田""#, #""李""#, #""佐藤""#, #""a""#, #""b""#])) == nil)
        #expect((check.judged, check.unjudged) == (2, 2))
    }

    /// Words sorted by real collations (ICU's, through Foundation; natural order; MySQL's
    /// `_general_ci`; bytes), with NULLs at either end: never a disorder. A shuffle of twenty
    /// distinct words: always one.
    @Test func sortedByRealCollationsPassesAndAShuffleFails() {
        var random = SplitMix(seed: 14)
        let alphabet = Array("abcABCxyzXYZ0129 '-._+,;:!?\"()[]{}@*/\\&#%`^<=>|~$")
        func word() -> String { String((0..<Int.random(in: 1...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        let english = Locale(identifier: "en_US")
        let collations: [(String, (String, String) -> Bool)] = [
            ("bytes", { ValueSemantics.compareBytes($0, $1) < 0 }),
            ("ICU en_US", { $0.compare($1, options: [], range: nil, locale: english) == .orderedAscending }),
            ("ICU numeric", { $0.localizedStandardCompare($1) == .orderedAscending }),
            ("upper-case folded", { ValueSemantics.compareBytes($0.uppercased(), $1.uppercased()) < 0 }),
        ]
        for round in 0..<300 {
            let words = (0..<30).map { _ in word() }
            for (name, before) in collations {
                for (descending, nullsFirst) in [(false, false), (false, true), (true, false), (true, true)] {
                    var sorted = words.sorted { descending ? before($1, $0) : before($0, $1) }.map { "\"\(jsonEscaped($0))\"" }
                    let nulls = Array(repeating: "null", count: round % 3)
                    sorted = nullsFirst ? nulls + sorted : sorted + nulls
                    var check = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: descending)])!
                    let disorder = check.firstDisorder(in: Self.rows(sorted))
                    #expect(disorder == nil, "\(name), descending \(descending): \(disorder.map { "\(sorted[Int($0.earlier.idText.dropFirst())!]) before \(sorted[Int($0.later.idText.dropFirst())!])" } ?? "")")
                }
            }
        }
        for _ in 0..<200 {
            var words = Set<String>()
            while words.count < 20 { words.insert(String((0..<5).map { _ in "abcdefghij".randomElement(using: &random)! })) }
            let shuffled = Array(words).shuffled(using: &random)
            #expect(Self.disorder(shuffled.map { "\"\($0)\"" }))
        }
    }

    /// glibc's en_US.UTF-8, the collation most PostgreSQL databases on Debian and Ubuntu sort
    /// by: words sorted by `strcoll` in that locale (built here with `localedef`, from Debian's
    /// `locales`, which `.ci/run` installs) are never a disorder.
    @Test func sortedByGlibcEnglishPasses() throws {
        let directory = "/tmp/cbq-locale-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { _ = try? FileManager.default.removeItem(atPath: directory) }
        let localedef = Process()
        localedef.executableURL = URL(fileURLWithPath: "/usr/bin/localedef")
        localedef.arguments = ["-i", "en_US", "-f", "UTF-8", directory + "/en_US.UTF-8"]
        try localedef.run()
        localedef.waitUntilExit()
        try #require(localedef.terminationStatus == 0, "localedef could not build en_US.UTF-8: install Debian's locales package")
        setenv("LOCPATH", directory, 1)
        defer { unsetenv("LOCPATH") }
        let english = try #require(newlocale(1 << LC_COLLATE, "en_US.UTF-8", nil), "no en_US.UTF-8 in \(directory)")
        defer { freelocale(english) }
        // glibc puts punctuation after letters and digits at the first level: the check must know.
        #expect(strcoll_l("Unit-10", "Unit 9", english) < 0)
        var random = SplitMix(seed: 22)
        let alphabet = Array("abcABCxyzXYZ0129 '-._+,;:!?\"()[]{}@*/\\&#%`^<=>|~$")
        func word() -> String { String((0..<Int.random(in: 1...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        for round in 0..<300 {
            let words = (0..<30).map { _ in word() }
            for descending in [false, true] {
                var sorted = words.sorted { descending ? strcoll_l($1, $0, english) < 0 : strcoll_l($0, $1, english) < 0 }.map { "\"\(jsonEscaped($0))\"" }
                if round % 2 == 1 { sorted += ["null"] }
                var check = SortOrderCheck([RequestPlan.SortKey(field: "a", descending: descending)])!
                let disorder = check.firstDisorder(in: Self.rows(sorted))
                #expect(disorder == nil, "glibc, descending \(descending): \(disorder.map { "\(sorted[Int($0.earlier.idText.dropFirst())!]) before \(sorted[Int($0.later.idText.dropFirst())!])" } ?? "")")
            }
        }
    }

    /// Over any text, a pair is never out of order both ways round (the readings are orders),
    /// and equal text is a tie: checked on random strings of ASCII, digits and beyond.
    @Test func noPairIsOutOfOrderBothWays() {
        var random = SplitMix(seed: 7)
        let alphabet = Array("aAzZ09 -_.'+é李ß\u{301}")
        func text() -> String { String((0..<Int.random(in: 0...7, using: &random)).map { _ in alphabet.randomElement(using: &random)! }) }
        for _ in 0..<20_000 {
            let x = text(), y = text()
            for descending in [false, true] {
                let forth = SortOrderCheck.judgeText(x, y, descending: descending), back = SortOrderCheck.judgeText(y, x, descending: descending)
                #expect(!(forth == .outOfOrder && back == .outOfOrder), "\(x) / \(y)")
            }
            #expect(SortOrderCheck.judgeText(x, x, descending: false) != .outOfOrder)
        }
    }

    private func jsonEscaped(_ text: String) -> String { text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") }
}

/// A seeded generator, so a failure is found again.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
