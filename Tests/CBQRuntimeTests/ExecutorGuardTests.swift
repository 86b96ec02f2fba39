import CBQCore
import Synchronization
import Testing
@testable import CBQRuntime

/// Paging guards, with a scripted server.
@Suite(.timeLimit(.minutes(3)))
struct ExecutorGuardTests {
    let base = "https://api.test"

    /// A request by id answered with a collection (a proxy that dropped the id from the path)
    /// or with another resource is an error, never that answer's rows as the one asked for.
    @Test func aRequestByIDAnsweredWithAnythingElseIsAnError() async throws {
        let collection = ScriptedTransport { _ in page(["P-001", "P-002", "P-003"]) }
        await #expect(throws: ExecutionError.self) { _ = try await run("SELECT * FROM a.b WHERE id = 'P-001'", baseURL: base, transport: collection) }
        let other = ScriptedTransport { _ in
            HTTPReply(status: 200, headers: [], body: Array(#"{"data":{"type":"people","id":"P-999","attributes":{}}}"#.utf8))
        }
        await #expect(throws: ExecutionError.self) { _ = try await run("SELECT * FROM a.b WHERE id = 'P-001'", baseURL: base, transport: other) }
        let right = ScriptedTransport { _ in
            HTTPReply(status: 200, headers: [], body: Array(#"{"data":{"type":"people","id":"P-001","attributes":{}}}"#.utf8))
        }
        #expect(try await run("SELECT * FROM a.b WHERE id = 'P-001'", baseURL: base, transport: right).ids == ["P-001"])
        // `.` and `..` are path segments, not ids: asked for as a filter.
        let dots = ScriptedTransport { _ in page([]) }
        _ = try await run("SELECT * FROM a.b WHERE id = '..'", baseURL: base, transport: dots)
        #expect(dots.sent.first?.url == "https://api.test/a/b?filter%5Bid%5D=..&page%5Bsize%5D=100")
    }

    /// A column whose values mix types is text to the check of constants: 'zzz' against a
    /// column holding a date and some words is no error, on page 1's rows or after an empty
    /// answer (found by a review: the first row's type decided).
    @Test func aColumnOfMixedTypesHasNoTypeToCheckAgainst() async throws {
        let rows = #"{"data":[{"type":"x","id":"1","attributes":{"note":"2024-01-01","ext":123}},"#
            + #"{"type":"x","id":"2","attributes":{"note":"call back","ext":"A-12"}}],"links":{}}"#
        let mixed = ScriptedTransport { url in
            url.pathAndQuery.contains("filter") && url.pathAndQuery.contains("nothing")
                ? page([]) : HTTPReply(status: 200, headers: [], body: Array(rows.utf8))
        }
        #expect(try await run("SELECT * FROM a.b WHERE note <> 'zzz'", baseURL: base, transport: mixed).ids == ["1", "2"])
        #expect(try await run("SELECT * FROM a.b WHERE note = 'nothing'", baseURL: base, transport: mixed).ids.isEmpty)
    }

    /// The read for the type check is cbq's own: an API that refuses it (one that requires a
    /// filter) leaves the empty answer as it was, not an error.
    @Test func aRefusedTypeCheckLeavesAnEmptyAnswerAsItWas() async throws {
        let strict = ScriptedTransport { url in
            url.pathAndQuery.contains("filter")
                ? page([]) : HTTPReply(status: 403, headers: [], body: Array(#"{"errors":[{"title":"a filter is required"}]}"#.utf8))
        }
        let (ids, _) = try await run("SELECT * FROM a.b WHERE n = 'x'", baseURL: base, transport: strict)
        #expect(ids.isEmpty)
        #expect(strict.sent.count == 2)
    }

    @Test func aNextLinkCycleStops() async throws {
        // page=2 leads to page=3, whose next link is page=2 again.
        let transport = ScriptedTransport { url in
            let query = url.pathAndQuery
            if query.contains("page=2") { return page(["b"], next: "https://api.test/a/b?page=3") }
            if query.contains("page=3") { return page(["c"], next: "https://api.test/a/b?page=2") }
            return page(["a"], next: "https://api.test/a/b?page=2")
        }
        let (ids, summary) = try await run("SELECT * FROM a.b", baseURL: base, transport: transport)
        #expect(ids == ["a", "b", "c"])
        #expect(summary.truncation?.contains("repeats a page") == true)
        #expect(transport.sent.count == 3)
    }

    /// A next link back to the first page (`page=1`, a URL not yet asked for) brings its rows
    /// again: an error, not a silent end with repeats dropped.
    @Test func aNextLinkBackToTheFirstPageIsAnError() async throws {
        let transport = ScriptedTransport { url in
            url.pathAndQuery.contains("page=2") ? page(["b"], next: "https://api.test/a/b?page=1") : page(["a"], next: "https://api.test/a/b?page=2")
        }
        do {
            _ = try await run("SELECT * FROM a.b", baseURL: base, transport: transport)
            Issue.record("expected an error")
        } catch let error as Diagnostic {
            #expect(error.message == "the API answered page 3 of this read (https://api.test/a/b?page=1) with rows it had already sent: it did not honour the page asked for")
        }
    }

    @Test func aNextLinkToAnotherHostIsRefusedAndGetsNoToken() async throws {
        let transport = ScriptedTransport { url in
            url.host == "api.test" ? page(["a"], next: "https://evil.test/a/b?page=2") : page(["stolen"])
        }
        do {
            _ = try await run("SELECT * FROM a.b", baseURL: base, transport: transport)
            Issue.record("expected an error")
        } catch let error as ExecutionError {
            guard case .foreignLink(let link, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(link == "https://evil.test/a/b?page=2")
        }
        #expect(transport.sent.allSatisfy { $0.url.hasPrefix("https://api.test/") })
        #expect(transport.sent.first?.headers["Authorization"] == "Bearer t0ken")
    }

    /// The link as sent by the server, and as the error names it (resolved against the request).
    @Test(arguments: [("http://api.test/a/b?page=2", "http://api.test/a/b?page=2"),
                      ("https://api.test:8443/a/b?page=2", "https://api.test:8443/a/b?page=2"),
                      ("//evil.test/a/b?page=2", "https://evil.test/a/b?page=2")])
    func anotherSchemeOrPortIsAnotherOrigin(next: String, resolved: String) async throws {
        let transport = ScriptedTransport { _ in page(["a"], next: next) }
        let error = await #expect(throws: ExecutionError.self) { _ = try await run("SELECT * FROM a.b", baseURL: base, transport: transport) }
        guard case .foreignLink(let link, _) = error else { Issue.record("not refused as a foreign link: \(String(describing: error))"); return }
        #expect(link == resolved)
        #expect(transport.sent.count == 1)
    }

    @Test func relativeNextLinksResolveAgainstTheRequest() async throws {
        let transport = ScriptedTransport { url in
            switch url.query ?? "" {
            case let q where q.contains("cursor=2"): return page(["c"], next: "?cursor=3")
            case let q where q.contains("cursor=3"): return page(["d"])
            default: return page(["a", "b"], next: "/a/b?cursor=2")
            }
        }
        let (ids, _) = try await run("SELECT * FROM a.b", baseURL: base, transport: transport)
        #expect(ids == ["a", "b", "c", "d"])
        #expect(transport.sent.map(\.url) == ["https://api.test/a/b?page%5Bsize%5D=100", "https://api.test/a/b?cursor=2", "https://api.test/a/b?cursor=3"])
    }

    @Test func rowsRepeatedAcrossPagesAreDroppedOnce() async throws {
        let transport = ScriptedTransport { url in
            (url.query ?? "").contains("page=2") ? page(["b", "c"]) : page(["a", "b"], next: "https://api.test/a/b?page=2")
        }
        let (ids, summary) = try await run("SELECT * FROM a.b", baseURL: base, transport: transport)
        #expect(ids == ["a", "b", "c"])
        #expect(summary.duplicates == 1)
    }

    /// A 404 past the last page is the end of the data; a 404 where the page before links on
    /// (or its total says there is more) is a page the server could not serve: the result is
    /// incomplete, never the rows before it with exit 0.
    @Test func a404AfterTheFirstPageEndsTheDataOnlyWhereNothingSaysThereIsMore() async throws {
        let linked = ScriptedTransport { url in
            (url.query ?? "").contains("page=2") ? HTTPReply(status: 404) : page(["a"], next: "https://api.test/a/b?page=2")
        }
        let (ids, summary) = try await run("SELECT * FROM a.b", baseURL: base, transport: linked)
        #expect(ids == ["a"])
        #expect(summary.truncation == "page 2 answered 404, though the page before links to more")
        // Pages by number, no links: the total decides.
        for (total, incomplete) in [(nil, false), (1, false), (3, true)] as [(Int?, Bool)] {
            let numbered = ScriptedTransport { url in
                if (url.query ?? "").contains("page=2") { return HTTPReply(status: 404) }
                let meta = total.map { #","meta":{"total":\#($0)}"# } ?? ""
                return HTTPReply(status: 200, body: Array(#"{"data":[{"type":"b","id":"a","attributes":{}}]\#(meta)}"#.utf8))
            }
            var options = fastOptions()
            options.concurrency = 1
            let (ids, summary) = try await run("SELECT * FROM a.b LIMIT 5", baseURL: base, transport: numbered, options: options)
            #expect(ids == ["a"])
            if incomplete {
                #expect(summary.truncation == "page 2 answered 404, though the page before and the total (3) say there are more rows")
            } else {
                #expect(summary.truncation == nil)
            }
        }
    }

    @Test func a404OnTheFirstPageIsAnError() async throws {
        let transport = ScriptedTransport { _ in HTTPReply(status: 404) }
        let error = await #expect(throws: ExecutionError.self) { _ = try await run("SELECT * FROM a.b", baseURL: base, transport: transport) }
        guard case .api(let status, _, _, _, _) = error else { Issue.record("not an API error: \(String(describing: error))"); return }
        #expect(status == 404)
    }

    @Test func withoutLinksPagesByNumberUntilAnEmptyPage() async throws {
        let transport = ScriptedTransport { url in
            let q = url.query ?? ""
            if q.contains("page=3") { return page([], links: false) }
            if q.contains("page=2") { return page(["c"], links: false) }
            return page(["a", "b"], links: false)
        }
        let (ids, _) = try await run("SELECT * FROM a.b", baseURL: base, transport: transport)
        #expect(ids == ["a", "b", "c"])
        #expect(transport.sent.count == 3)
    }

    @Test func malformedJSONIsAnErrorNotAShortResult() async throws {
        let transport = ScriptedTransport { _ in HTTPReply(status: 200, body: Array(#"{"data":[{"type":"people","id":"a""#.utf8)) }
        let error = await #expect(throws: ExecutionError.self) { _ = try await run("SELECT * FROM a.b", baseURL: base, transport: transport) }
        guard case .malformed = error else { Issue.record("not reported as malformed: \(String(describing: error))"); return }
    }

    @Test func connectionFailuresAreRetriedThenReported() async throws {
        let transport = FailingTransport()
        do {
            _ = try await run("SELECT * FROM a.b", baseURL: base, transport: transport)
            Issue.record("expected an error")
        } catch let error as ExecutionError {
            guard case .transport(_, _, _, let attempts) = error else { Issue.record("\(error)"); return }
            #expect(attempts == 5)
        }
    }

    @Test func noTokenIsSentWhenThereIsNone() async throws {
        let transport = ScriptedTransport { _ in page(["a"]) }
        _ = try await run("SELECT * FROM a.b", baseURL: "http://127.0.0.1:9", transport: transport, options: fastOptions(token: nil))
        #expect(transport.sent.first?.headers["Authorization"] == nil)
        #expect(transport.sent.first?.headers["Accept"] == "application/vnd.api+json")
    }

    @Test(arguments: [("120", 120), ("0", 0), ("Wed, 21 Oct 2015 07:28:00 GMT", 60)])
    func retryAfterSecondsOrDate(value: String, seconds: Int) {
        // 2015-10-21T07:27:00Z is 1445412420.
        #expect(RetryPolicy.retryAfterSeconds(value, now: 1_445_412_420) == seconds)
    }
}

struct FailingTransport: HTTPTransport {
    func send(_ request: HTTPRequestSpec) async throws -> HTTPReply {
        throw TransportError(.connect, "connection refused")
    }
}

@Suite(.timeLimit(.minutes(3)))
struct PageSizeRejectionTests {
    @Test func a400AboutAColumnNamedLikeSizeIsNotAPageSizeProblem() async throws {
        let transport = ScriptedTransport { _ in
            HTTPReply(status: 400, body: Array(#"{"errors":[{"status":"400","detail":"no such column","source":{"parameter":"filter[shoe_size]"}}]}"#.utf8))
        }
        let error = await #expect(throws: ExecutionError.self) {
            _ = try await run("SELECT * FROM a.b WHERE shoe_size = 1", baseURL: "https://api.test", transport: transport)
        }
        guard case .api(let status, _, _, _, _) = error else { Issue.record("not an API error: \(String(describing: error))"); return }
        #expect(status == 400)
        #expect(transport.sent.count == 1)
    }

    @Test func a400NamingPageSizeHalvesIt() async throws {
        let transport = ScriptedTransport { url in
            (url.query ?? "").contains("page%5Bsize%5D=100")
                ? HTTPReply(status: 400, body: Array(#"{"errors":[{"status":"400","source":{"parameter":"page%5Bsize%5D"}}]}"#.utf8))
                : page(["a"])
        }
        let (ids, summary) = try await run("SELECT * FROM a.b", baseURL: "https://api.test", transport: transport)
        #expect(ids == ["a"])
        #expect(summary.notices == ["the API rejected page[size]=100; using 50"])
    }
}

struct TableFittingTests {
    @Test(arguments: [
        ([10, 80, 12], 70, [10, 40, 12]),
        ([10, 20], 80, [10, 20]),
        ([40, 40, 40], 50, [14, 14, 14]),
        ([6, 6, 90], 20, [6, 6, 6]),
    ])
    func theWidestColumnsShrinkFirst(widths: [Int], total: Int, fitted: [Int]) {
        #expect(TableRenderer.fit(widths, into: total) == fitted)
    }
}

@Suite(.timeLimit(.minutes(3)))
struct RetryAfterTests {
    /// 2015-10-21T07:27:00Z.
    static let now = 1_445_412_420

    private func options() -> ExecutionOptions {
        var options = fastOptions()
        options.retry.now = { RetryAfterTests.now }
        return options
    }

    @Test(arguments: ["1", "Wed, 21 Oct 2015 07:27:01 GMT"])
    func aShortRetryAfterIsWaitedFor(value: String) async throws {
        let calls = Counter()
        let transport = ScriptedTransport { _ in
            calls.next() == 1 ? HTTPReply(status: 429, headers: [("Retry-After", value)]) : page(["a"])
        }
        let started = ContinuousClock.now
        let (ids, summary) = try await run("SELECT * FROM a.b", baseURL: "https://api.test", transport: transport, options: options())
        #expect(ids == ["a"])
        #expect(summary.retries == 1)
        #expect(ContinuousClock.now - started >= .seconds(1))
    }

    @Test(arguments: ["600", "Wed, 21 Oct 2015 08:27:00 GMT"])
    func aLongRetryAfterIsAnErrorNotASilentWait(value: String) async throws {
        let transport = ScriptedTransport { _ in HTTPReply(status: 503, headers: [("Retry-After", value)]) }
        let started = ContinuousClock.now
        do {
            _ = try await run("SELECT * FROM a.b", baseURL: "https://api.test", transport: transport, options: options())
            Issue.record("expected an error")
        } catch let error as ExecutionError {
            #expect(error.status == 503)
            #expect(error.description.contains("Retry-After too long"))
        }
        // Waiting out the 600 s would show here; the bound is loose so a loaded machine cannot trip it.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(transport.sent.count == 1)
    }
}

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
