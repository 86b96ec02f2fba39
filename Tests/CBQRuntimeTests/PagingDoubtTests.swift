import CBQCore
import CBQSandbox
import Testing
@testable import CBQRuntime

/// Servers that leave a read in doubt. Each case here printed wrong rows with exit 0 before:
/// now it gives the right rows, or says the result is incomplete, or is an error.
@Suite struct PagingDoubtTests {
    let base = "https://api.test"
    let transport = sharedTransport

    /// `r1`, `r2`, … as `page` numbers them.
    static func ids(_ range: ClosedRange<Int>) -> [String] { range.map { "r\($0)" } }

    static func pageNumber(_ url: RequestURL) -> Int {
        (url.query ?? "").firstMatch(of: /(?:^|&)page=(\d+)/).flatMap { Int($0.1) } ?? 1
    }

    /// --max-pages that stops a LIMIT's pages short: incomplete, as it is without a LIMIT.
    @Test func maxPagesUnderALimitIsIncomplete() async throws {
        try await withSandbox { server in
            for concurrency in [1, 4] {
                var options = fastOptions()
                options.maxPages = 3
                options.concurrency = concurrency
                let (ids, summary) = try await run("SELECT * FROM people.people LIMIT 1000", baseURL: server.baseURL, transport: transport, options: options)
                #expect(ids == Array(sandboxPeople.map(\.id).prefix(300)))
                #expect(summary.truncation == "stopped after 3 pages (--max-pages); more pages remain", "at \(concurrency)")
                // A LIMIT that the allowed pages hold is the whole answer.
                let (some, whole) = try await run("SELECT * FROM people.people LIMIT 250", baseURL: server.baseURL, transport: transport, options: options)
                #expect(some == Array(sandboxPeople.map(\.id).prefix(250)) && whole.truncation == nil)
            }
        }
    }

    /// A server that clamps page[size] silently, where the OFFSET's page is its last page (no
    /// next link) or lies past its end: page 1 tells the size it uses.
    @Test(arguments: [
        ("SELECT * FROM people.people WHERE id <= 'PER-00250' LIMIT 60 OFFSET 240", false, 240..<250),
        ("SELECT * FROM people.people LIMIT 100 OFFSET 2300", false, 0..<0),
        ("SELECT * FROM people.people WHERE id > 'PER-00050' LIMIT 100 OFFSET 1100", true, 1150..<1200),
    ])
    func aClampedPageSizeIsFoundFromPageOne(statement: String, omitLinks: Bool, rows: Range<Int>) async throws {
        try await withSandbox({ $0.clampPageSize = true; $0.maxPageSize = 50; $0.omitLinks = omitLinks }) { server in
            let (ids, summary) = try await run(statement, baseURL: server.baseURL, transport: transport)
            #expect(ids == Array(sandboxPeople.map(\.id)[rows]))
            #expect(summary.notices.contains { $0.hasSuffix("the OFFSET's page was found again for pages of 50") })
        }
    }

    /// A server with pages of its own size, larger than asked: the OFFSET is found in those.
    @Test func pagesLargerThanAskedAreTheServersSize() async throws {
        let transport = ScriptedTransport { url in
            let number = Self.pageNumber(url)
            return page(Self.ids((number - 1) * 25 + 1...number * 25), next: number < 4 ? "https://api.test/a/b?page=\(number + 1)" : nil, total: 100)
        }
        let (ids, summary) = try await run("SELECT * FROM a.b LIMIT 10 OFFSET 50", baseURL: base, transport: transport)
        #expect(ids == Self.ids(51...60))
        #expect(summary.notices.contains("the API answered page[size]=10 with 25 rows; the OFFSET's page was found again for pages of 25"))
    }

    /// A server that ignores the page number answers the OFFSET's page with page 1's rows.
    @Test func anIgnoredPageNumberUnderAnOffsetIsAnError() async throws {
        try await withSandbox({ $0.ignoresPageNumber = true }) { server in
            for statement in ["SELECT * FROM people.people LIMIT 10 OFFSET 50", "SELECT * FROM people.people ORDER BY last_name, id LIMIT 3 OFFSET 100"] {
                let error = await #expect(throws: Diagnostic.self) { _ = try await run(statement, baseURL: server.baseURL, transport: transport) }
                #expect(error?.message.hasSuffix("with rows it had already sent: it did not honour the page asked for") == true, "\(statement)")
            }
        }
    }

    /// An endpoint that is not there answers 404 on page 1 as on the OFFSET's page: an error,
    /// not an empty result; a 404 past the end of one that is there is no rows.
    @Test func a404UnderAnOffsetIsTheEndOnlyWherePageOneAgrees() async throws {
        try await withSandbox { server in
            let error = await #expect(throws: ExecutionError.self) {
                _ = try await run("SELECT * FROM people.persons LIMIT 10 OFFSET 100", baseURL: server.baseURL, transport: transport)
            }
            #expect(error?.status == 404)
        }
        // Page 1's total says page 3 has rows: its 404 is not the end.
        let contradicted = ScriptedTransport { url in
            Self.pageNumber(url) == 3 ? HTTPReply(status: 404) : page(Self.ids(1...10), next: "https://api.test/a/b?page=2", total: 30)
        }
        await #expect(throws: ExecutionError.self) { _ = try await run("SELECT * FROM a.b LIMIT 10 OFFSET 20", baseURL: base, transport: contradicted) }
        let past = ScriptedTransport { url in Self.pageNumber(url) == 3 ? HTTPReply(status: 404) : page(Self.ids(1...10), total: 10) }
        let (ids, summary) = try await run("SELECT * FROM a.b LIMIT 10 OFFSET 20", baseURL: base, transport: past)
        #expect(ids.isEmpty && summary.truncation == nil)
    }

    /// Rows removed while the pages are read pull later rows onto pages already read: a total
    /// that went down makes the result incomplete. One that went up only repeats rows.
    @Test func aTotalThatWentDownIsIncomplete() async throws {
        for (second, incomplete) in [(3, true), (5, false)] {
            let transport = ScriptedTransport { url in
                Self.pageNumber(url) == 1 ? page(["r1", "r2"], next: "https://api.test/a/b?page=2", total: 4) : page(["r4"], total: second)
            }
            for concurrency in [1, 3] {
                var options = fastOptions()
                options.concurrency = concurrency
                let (ids, summary) = try await run("SELECT * FROM a.b", baseURL: base, transport: transport, options: options)
                #expect(ids == ["r1", "r2", "r4"])
                #expect(summary.collectionChange != nil)
                #expect((summary.truncation == "the collection lost rows while it was read (total 4, then 3), so rows after them "
                         + "moved onto pages already read and were not seen") == incomplete, "\(second) at \(concurrency)")
            }
        }
    }

    /// An empty page that links on is not the end: a server that drops rows the reader may
    /// not see after paging leaves pages short, even empty.
    @Test func anEmptyPageThatLinksOnIsNotTheEnd() async throws {
        let transport = ScriptedTransport { url in
            switch Self.pageNumber(url) {
            case 1: return page(["r1", "r2"], next: "https://api.test/a/b?page=2", total: 6)
            case 2: return page([], next: "https://api.test/a/b?page=3", total: 6)
            default: return page(["r5", "r6"], total: 6)
            }
        }
        for concurrency in [1, 3] {
            var options = fastOptions()
            options.concurrency = concurrency
            let (ids, _) = try await run("SELECT * FROM a.b LIMIT 100", baseURL: base, transport: transport, options: options)
            #expect(ids == ["r1", "r2", "r5", "r6"], "at \(concurrency)")
        }
    }

    /// A window whose last page is short, or empty, but links on (a total that counts the rows
    /// a server let through, fewer than its pages hold) is followed past its end, as pages read
    /// one at a time are (found by a review: 786 rows of 872, exit 0).
    @Test(arguments: [1, 3, 8])
    func aWindowEndingOnAShortPageThatLinksOnReadsOn(concurrency: Int) async throws {
        // Page 3 lost 50 rows after paging; the total (250) counts what is left, so the count
        // says 3 pages, and page 3 links to a fourth.
        let transport = ScriptedTransport { url in
            switch Self.pageNumber(url) {
            case 1: return page(Self.ids(1...100), next: "https://api.test/a/b?page=2", total: 250)
            case 2: return page(Self.ids(101...200), next: "https://api.test/a/b?page=3", total: 250)
            case 3: return page(Self.ids(201...250), next: "https://api.test/a/b?page=4", total: 250)
            default: return page(Self.ids(301...400), total: 250)
            }
        }
        var options = fastOptions()
        options.concurrency = concurrency
        let (ids, summary) = try await run("SELECT * FROM a.b", baseURL: base, transport: transport, options: options)
        #expect(ids == Self.ids(1...250) + Self.ids(301...400), "at \(concurrency)")
        #expect(summary.truncation == nil)
        // An empty page at the window's end, under a LIMIT, the same.
        let empty = ScriptedTransport { url in
            let number = Self.pageNumber(url)
            let rows = number == 3 ? [] : Self.ids((number - 1) * 100 + 1...number * 100)
            return page(rows, next: number < 6 ? "https://api.test/a/b?page=\(number + 1)" : nil, total: 550)
        }
        let (limited, _) = try await run("SELECT * FROM a.b LIMIT 300", baseURL: base, transport: empty, options: options)
        #expect(limited == Self.ids(1...200) + Self.ids(301...400), "at \(concurrency)")
    }

    /// Without links, an empty page where the total says rows are missing is not the end of the
    /// data: the read is incomplete (pages numbered from 0 looked like 150 rows of 250, exit 0).
    @Test(arguments: [1, 3])
    func anEmptyPageShortOfTheTotalWithoutLinksIsIncomplete(concurrency: Int) async throws {
        let zeroBased = ScriptedTransport { url in
            switch Self.pageNumber(url) {
            case 1: return page(Self.ids(101...200), total: 250, links: false)
            case 2: return page(Self.ids(201...250), total: 250, links: false)
            default: return page([], total: 250, links: false)
            }
        }
        var options = fastOptions()
        options.concurrency = concurrency
        let (ids, summary) = try await run("SELECT * FROM a.b", baseURL: base, transport: zeroBased, options: options)
        #expect(ids == Self.ids(101...250))
        #expect(summary.truncation == "page 3 is empty, though the total (250) says there are 100 rows more", "at \(concurrency)")
        #expect(zeroBased.sent.count <= 4, "no page-number walk to --max-pages")
    }

    /// COUNT(*) believes page 1's total only where page 1 agrees with it: a total below its
    /// rows, or one that page 1's next link contradicts (a per-page count), is counted instead
    /// (found by a review: COUNT(*) printed 5, and 100, for 250 rows).
    @Test(arguments: [5, 100])
    func aTotalPageOneContradictsIsCountedInstead(total: Int) async throws {
        let transport = ScriptedTransport { url in
            switch Self.pageNumber(url) {
            case 1: return page(Self.ids(1...100), next: "https://api.test/a/b?page=2", total: total)
            case 2: return page(Self.ids(101...200), next: "https://api.test/a/b?page=3", total: total)
            default: return page(Self.ids(201...250), total: total)
            }
        }
        let (_, summary) = try await run("SELECT count(*) FROM a.b", baseURL: base, transport: transport)
        #expect(summary.count == 250)
    }

    /// COUNT(*) under a filter the server ignored: only page 1's rows were judged, so a page 1
    /// that happened to pass let the whole collection's total through (found by a review:
    /// 1200 for 1179). A filtered total equal to the unfiltered one is counted row by row.
    @Test func aCountUnderAnIgnoredFilterIsCaught() async throws {
        // Every row of page 1 (the first 100) was created at or after this; 21 later rows were not.
        let since = "2024-01-23T12:56:00Z"
        #expect(sandboxPeople.prefix(100).allSatisfy { ($0[attribute: "created_at"].stringValue ?? "") >= since })
        #expect(sandboxPeople.filter { ($0[attribute: "created_at"].stringValue ?? "") < since }.count == 21)
        try await withSandbox({ $0.ignoredFilters = ["created_at"] }) { server in
            await #expect(performing: {
                _ = try await run("SELECT count(*) FROM people.people WHERE created_at >= '\(since)'", baseURL: server.baseURL, transport: transport)
            }, throws: { error in
                "\(error)".contains("do not satisfy filter[created_at][ge]=\(since)")
            })
            // A filter the server applies is still read from the total, in one request and the probe.
            let (_, honest) = try await run("SELECT count(*) FROM people.people WHERE state = 'WA'", baseURL: server.baseURL, transport: transport)
            #expect(honest.count == sandboxPeople.filter { $0[attribute: "state"] == "WA" }.count && honest.requests == 2)
        }
        try await withSandbox { server in
            // Every row passes: counted, and right.
            let (_, all) = try await run("SELECT count(*) FROM people.people WHERE created_at >= '2000-01-01'", baseURL: server.baseURL, transport: transport)
            #expect(all.count == sandboxPeople.count)
        }
    }

    /// A server without links or a total that clamps page[size]: page 1 looks like the last page,
    /// but a start page with as many rows says the pages are that size (found by a review:
    /// OFFSET 150 gave 300 rows from r101, where 250 from r151 are right).
    @Test(arguments: [1, 3])
    func aClampedPageSizeWithoutLinksOrTotalIsFoundUnderAnOffset(concurrency: Int) async throws {
        let clamped = ScriptedTransport { url in
            let number = Self.pageNumber(url)
            let first = (number - 1) * 50 + 1
            return page(first > 400 ? [] : Self.ids(first...min(400, first + 49)), links: false)
        }
        var options = fastOptions()
        options.concurrency = concurrency
        let (ids, _) = try await run("SELECT * FROM a.b OFFSET 150", baseURL: base, transport: clamped, options: options)
        #expect(ids == Self.ids(151...400), "at \(concurrency)")
    }

    /// A LIMIT read in a window is sized in pages; rows repeated from the page before (an
    /// insert pushed them on) are dropped, so those pages hold fewer rows than planned: the
    /// pages after them are read until the LIMIT is met.
    @Test func aLimitShortOfRepeatedRowsReadsOn() async throws {
        // Page 2 starts with page 1's last row: the three pages of LIMIT 300 hold 299.
        let transport = ScriptedTransport { url in
            let number = Self.pageNumber(url)
            let first = number == 1 ? 1 : 100 * (number - 1)
            return page(Self.ids(first...first + 99), next: number < 5 ? "https://api.test/a/b?page=\(number + 1)" : nil, total: 500)
        }
        var options = fastOptions()
        options.concurrency = 3
        let (ids, summary) = try await run("SELECT * FROM a.b LIMIT 300", baseURL: base, transport: transport, options: options)
        #expect(ids == Self.ids(1...300))
        #expect(summary.duplicates == 1)
    }
}
