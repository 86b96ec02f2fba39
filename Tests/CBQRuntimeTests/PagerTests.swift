import CBQCore
import Synchronization
import Testing
@testable import CBQRuntime

/// The pager on its own, over a scripted transport: page order, the window, the page formula
/// after a halved page size, de-duplication, the local-filter stage and the guards.
@Suite(.timeLimit(.minutes(1)))
struct PagerTests {
    /// Pages the pager would read for `statement`, and the ids it emitted.
    func page(_ statement: String, concurrency: Int = 4, maxPages: Int = 100, pageSize: Int = 100, transport: ScriptedTransport) async throws
        -> (ids: [String], summary: ExecutionSummary)
    {
        var options = PlannerOptions()
        options.baseURL = "https://api.test"
        options.defaultPageSize = pageSize
        let plan = try Planner(options).planSelect(statement)
        let sender = RequestSender(transport: transport, origin: "https://api.test:443", credentials: FixedToken("t"), retry: fastOptions().retry)
        let pager = Pager(plan: plan, fetcher: PageFetcher(sender: sender, filter: try LocalFilter(plan.localFilter)),
                          maxPages: maxPages, concurrency: concurrency, progress: { _ in })
        var ids: [String] = []
        let summary = try await pager.run { rows in ids += rows.map(\.idText) }
        return (ids, summary)
    }

    /// Ten pages of two rows, numbered by `page=N`, with the total in meta.
    static let numbered = ScriptedTransport { url in
        let number = (url.query ?? "").firstMatch(of: /(?:^|&)page=(\d+)/).flatMap { Int($0.1) } ?? 1
        let next = number < 10 ? "https://api.test/a/b?page%5Bsize%5D=2&page=\(number + 1)" : nil
        return CBQRuntimeTests.page(["r\(2 * number - 1)", "r\(2 * number)"], next: next, total: 20)
    }

    @Test func theWindowEmitsEveryPageInOrder() async throws {
        // Earlier pages answer later, so pages arrive out of order: the window must still emit in order.
        let transport = ScriptedTransport(delay: { url in
            let number = (url.query ?? "").firstMatch(of: /(?:^|&)page=(\d+)/).flatMap { Int($0.1) } ?? 1
            return .milliseconds(3 * (10 - number))
        }, { Self.numbered.answer($0) })
        let (ids, summary) = try await page("SELECT * FROM a.b", concurrency: 3, pageSize: 2, transport: transport)
        #expect(ids == (1...20).map { "r\($0)" })
        #expect(summary.pages == 10 && summary.requests == 10)
        #expect(transport.maxInFlight == 3)
    }

    @Test func resourcesByIDAreFetchedInAWindowAndEmittedInOrder() async throws {
        // Later ids answer first; one is missing (404): rows still come in the ids' order.
        let transport = ScriptedTransport(delay: { url in .milliseconds(3 * (9 - (Int(String(url.path.last!)) ?? 0))) }, { url in
            let id = String(url.path.split(separator: "/").last!)
            guard id != "r4" else { return HTTPReply(status: 404, body: Array(#"{"errors":[{"status":"404"}]}"#.utf8)) }
            return HTTPReply(status: 200, body: Array(#"{"data":{"type":"b","id":"\#(id)","attributes":{}}}"#.utf8))
        })
        let ids = (1...8).map { "'r\($0)'" }.joined(separator: ", ")
        let (emitted, summary) = try await page("SELECT * FROM a.b WHERE id IN (\(ids))", concurrency: 3, transport: transport)
        #expect(emitted == ["r1", "r2", "r3", "r5", "r6", "r7", "r8"])
        #expect(summary.requests == 8)
        #expect(transport.maxInFlight == 3)
    }

    @Test func theWindowStopsAtTheRowCapWithoutFetchingMore() async throws {
        let transport = ScriptedTransport { Self.numbered.answer($0) }
        let (ids, _) = try await page("SELECT * FROM a.b LIMIT 2 OFFSET 4", transport: transport)
        #expect(ids == ["r5", "r6"])
        // LIMIT 2 is the page size, so OFFSET 4 starts at page 3 and one page is enough; page 1
        // is read beside it, to see that the server honours page[size] and the page number.
        #expect(Set(transport.sent.map(\.url)) == ["https://api.test/a/b?page%5Bsize%5D=2", "https://api.test/a/b?page%5Bsize%5D=2&page=3"])
    }

    /// Rows added while a sorted read goes on push page one's last rows onto page two: they are
    /// repeats, printed once, and not neighbours of page two's rows in the sort's check.
    @Test func rowsPushedOntoTheNextPageAreNoDisorder() async throws {
        let transport = ScriptedTransport { url in
            (url.query ?? "").contains("page=2")
                ? CBQRuntimeTests.page(["z7", "z6", "z5", "z4"])
                : CBQRuntimeTests.page(["z9", "z8", "z7", "z6"], next: "https://api.test/a/b?sort=-n&page%5Bsize%5D=4&page=2")
        }
        let (ids, summary) = try await page("SELECT * FROM a.b ORDER BY n DESC", concurrency: 1, pageSize: 4, transport: transport)
        #expect(ids == ["z9", "z8", "z7", "z6", "z5", "z4"])
        #expect(summary.duplicates == 2)
        // The same second page with a row out of order is still found.
        let disordered = ScriptedTransport { url in
            (url.query ?? "").contains("page=2")
                ? CBQRuntimeTests.page(["z7", "z6", "z3", "z4"])
                : CBQRuntimeTests.page(["z9", "z8", "z7", "z6"], next: "https://api.test/a/b?sort=-n&page%5Bsize%5D=4&page=2")
        }
        await #expect(throws: Diagnostic.self) { _ = try await page("SELECT * FROM a.b ORDER BY n DESC", concurrency: 1, pageSize: 4, transport: disordered) }
    }

    /// Where the sort's values are text cbq cannot compare as a server's locale may (beyond
    /// ASCII), the rows come as the server sent them, and a notice says the order is its.
    @Test func anOrderThatCannotBeCheckedIsSaidToBeTheServers() async throws {
        let transport = ScriptedTransport { _ in CBQRuntimeTests.page(["李", "山田", "佐藤", "王"]) }
        let (ids, summary) = try await page("SELECT * FROM a.b ORDER BY n", transport: transport)
        #expect(ids == ["李", "山田", "佐藤", "王"])
        #expect(summary.notices.contains("the order of 2 of 3 neighbouring rows could not be checked "
                                         + "(text beyond ASCII, nested values, numbers next to text): they are in the server's order"))
        let ascii = ScriptedTransport { _ in CBQRuntimeTests.page(["a", "b", "c", "王"]) }
        #expect(try await page("SELECT * FROM a.b ORDER BY n", transport: ascii).summary.notices.isEmpty)
    }

    @Test func aHalvedPageSizeMovesTheStartPageByThePlansFormula() async throws {
        let transport = ScriptedTransport { url in
            let query = url.query ?? ""
            if query.contains("page%5Bsize%5D=50") {
                return HTTPReply(status: 400, body: Array(#"{"errors":[{"status":"400","detail":"too big","source":{"parameter":"page[size]"}}]}"#.utf8))
            }
            // Rows of their own on every page, as a server that honours the page number has.
            return CBQRuntimeTests.page(["x\(query)", "y\(query)"], links: false)
        }
        _ = try await page("SELECT * FROM a.b LIMIT 50 OFFSET 60", concurrency: 1, transport: transport)
        // OFFSET 60: page 2 (skip 10) at size 50, then page 3 (skip 10) at size 25.
        let expected = RequestPlan.pageStart(offset: 60, pageSize: 25)
        #expect(expected == (page: 3, skip: 10))
        // Page 1 goes first (one request at a time): it is read to check the start page.
        #expect(transport.sent.map(\.url).prefix(3) == ["https://api.test/a/b?page%5Bsize%5D=50", "https://api.test/a/b?page%5Bsize%5D=25",
                                                         "https://api.test/a/b?page%5Bsize%5D=25&page=3"])
    }

    @Test func theLocalFilterStageRunsBeforeTheOffsetAndTheCap() async throws {
        let transport = ScriptedTransport { url in
            (url.query ?? "").contains("page=2") ? CBQRuntimeTests.page(["b1", "a3", "a4"]) : CBQRuntimeTests.page(["a1", "b2", "a2"], next: "https://api.test/a/b?page=2")
        }
        // n is the id (see page(_:)); only a-rows pass; OFFSET and LIMIT count passing rows.
        let (ids, summary) = try await page("SELECT * FROM a.b WHERE n LIKE 'a%' OR n = 'z' LIMIT 2 OFFSET 1", transport: transport)
        #expect(ids == ["a2", "a3"])
        #expect(summary.rowsReceived == 6 && summary.rowsEmitted == 2)
    }

    @Test func repeatsAcrossPagesAreDroppedInTheWindowToo() async throws {
        let transport = ScriptedTransport { url in
            let number = (url.query ?? "").firstMatch(of: /(?:^|&)page=(\d+)/).flatMap { Int($0.1) } ?? 1
            // Page 2 repeats page 1's last row, as after an insert between two reads.
            let rows = [["a", "b"], ["b", "c"], ["d", "e"]][number - 1]
            return CBQRuntimeTests.page(rows, next: number < 3 ? "https://api.test/a/b?page%5Bsize%5D=2&page=\(number + 1)" : nil, total: 6)
        }
        let (ids, summary) = try await page("SELECT * FROM a.b LIMIT 6", transport: transport)
        #expect(ids == ["a", "b", "c", "d", "e"])
        #expect(summary.duplicates == 1)
    }

    /// A repeat is known by the identity of the row the local filter kept, not of the row at
    /// its place in the page: page 1 keeps a2 and a3 of x1, a2, a3, and page 2 repeats a3.
    @Test func aRepeatOfARowTheLocalFilterKeptIsDropped() async throws {
        let transport = ScriptedTransport { url in
            (url.query ?? "").contains("page=2") ? CBQRuntimeTests.page(["a3", "a4"], total: 5)
                : CBQRuntimeTests.page(["x1", "a2", "a3"], next: "https://api.test/a/b?page=2", total: 5)
        }
        let (ids, summary) = try await page("SELECT * FROM a.b WHERE n LIKE 'a%' OR n = 'z'", transport: transport)  // local: OR is not sent
        #expect(ids == ["a2", "a3", "a4"])
        #expect(summary.duplicates == 1)
    }

    @Test func maxPagesTruncatesTheWindowAndSaysSo() async throws {
        let transport = ScriptedTransport { Self.numbered.answer($0) }
        // A page size of 2 and a total of 20: the window opens after page 1, and stops at page 3.
        let (ids, summary) = try await page("SELECT * FROM a.b", maxPages: 3, pageSize: 2, transport: transport)
        #expect(ids == ["r1", "r2", "r3", "r4", "r5", "r6"])
        #expect(transport.sent.count == 3)
        #expect(summary.truncation == "stopped after 3 pages (--max-pages); more pages remain")
    }
}

/// Numbers from a server are untrusted: none of them traps cbq.
struct ServerNumberTests {
    func reply(total: String) -> HTTPReply {
        HTTPReply(status: 200, body: Array(#"{"data":[{"type":"b","id":"1"}],"meta":{"total":\#(total)}}"#.utf8))
    }

    @Test(arguments: ["62222222222222222220", "1e308", "-5", "2.5", "9007199254740993", "\"many\""])
    func aTotalOutOfRangeIsNoTotal(total: String) async throws {
        // The row on the first page only: later pages are past the end.
        let transport = ScriptedTransport { url in (url.query ?? "").contains("page=") ? page([], links: false) : self.reply(total: total) }
        var options = PlannerOptions()
        options.baseURL = "https://api.test"
        let plan = try Planner(options).planSelect("SELECT COUNT(*) FROM a.b")
        let sender = RequestSender(transport: transport, origin: "https://api.test:443", credentials: FixedToken("t"))
        let pager = Pager(plan: plan, fetcher: PageFetcher(sender: sender, filter: try LocalFilter(nil)), maxPages: 5, concurrency: 4,
                          progress: { _ in })
        let summary = try await pager.run { _ in }
        // Without a usable total, COUNT(*) counts the rows it read.
        #expect(summary.count == 1)
    }

    @Test(arguments: ["Sun, 06 Nov 9223372036854775807 08:49:37 GMT", "Sun, 99 Nov 1994 08:49:37 GMT",
                      "Sun, 06 Nov 1994 99:99:99 GMT", "9223372036854775807", "-1"])
    func aRetryAfterOutOfRangeIsNoTrap(value: String) {
        _ = RetryPolicy.retryAfterSeconds(value, now: 0)
        _ = RetryPolicy().pause(afterAttempt: 1, retryAfter: value)
    }
}

/// The ignored-page check's subset test against `Set`'s, on pages that share some, all or none
/// of their identities, in any order.
struct PageSubsetTests {
    @Test func answersAsSetsWould() {
        var random = SeededGenerator(seed: 41)
        for _ in 0..<2_000 {
            let whole = (0..<random.int(0...12)).map { _ in UInt64(random.int(0...20)) }
            let part = (0..<random.int(0...12)).map { _ in UInt64(random.int(0...20)) }
            #expect(Pager.isSubset(part, of: whole) == Set(part).isSubset(of: Set(whole)), "\(part) of \(whole)")
        }
    }
}
