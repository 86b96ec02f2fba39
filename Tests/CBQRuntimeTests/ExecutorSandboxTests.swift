import CBQCore
import CBQSandbox
import Testing
@testable import CBQRuntime

/// The executor against the sandbox over loopback.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ExecutorSandboxTests {
    let transport = sharedTransport

    @Test func fetchesEveryPageOfALargeCollection() async throws {
        try await withSandbox { server in
            let (ids, summary) = try await run("SELECT * FROM people.people", baseURL: server.baseURL, transport: transport)
            #expect(ids == sandboxPeople.map(\.id))
            #expect(summary.pages == 12)
            #expect(summary.duplicates == 0)
            #expect(summary.truncation == nil)
        }
    }

    @Test func sequentialAndConcurrentFetchesAgree() async throws {
        try await withSandbox { server in
            var sequential = fastOptions()
            sequential.concurrency = 1
            let one = try await run("SELECT * FROM people.people ORDER BY last_name, first_name", baseURL: server.baseURL, transport: transport, options: sequential)
            let many = try await run("SELECT * FROM people.people ORDER BY last_name, first_name", baseURL: server.baseURL, transport: transport)
            #expect(one.ids == many.ids)
            #expect(one.ids.count == sandboxPeople.count)
        }
    }

    @Test(arguments: [(150, 0), (250, 130), (10, 95), (1, 1199), (5, 1198)])
    func limitAndOffsetAcrossPageBoundaries(limit: Int, offset: Int) async throws {
        try await withSandbox { server in
            let (ids, _) = try await run("SELECT * FROM people.people LIMIT \(limit) OFFSET \(offset)", baseURL: server.baseURL, transport: transport)
            #expect(ids == Array(sandboxPeople.map(\.id).dropFirst(offset).prefix(limit)))
        }
    }

    /// Without the catalog's word on types, the rows tell: a constant not of its column's type
    /// is an error at it (sent, the server matches no row, or compares text), judged on page 1's
    /// rows, or after an empty answer on one row read without the filters.
    @Test(arguments: [
        ("SELECT * FROM services.service_offerings WHERE archived = 1", "1 is not a boolean, and archived holds booleans"),
        ("SELECT COUNT(*) FROM services.service_offerings WHERE max_capacity > '2O'", "'2O' is not a number, and max_capacity holds numbers"),
        ("SELECT * FROM people.people WHERE created_at < '2025-1-1'", "'2025-1-1' is not a timestamp, and created_at holds timestamps"),
        ("SELECT * FROM services.service_offerings WHERE max_capacity > 0 AND archived = 'maybe'", "'maybe' is not a boolean, and archived holds booleans"),
        // Of the type, but spelt otherwise: the API found nothing, and rows in the type's spelling.
        ("SELECT * FROM services.service_offerings WHERE archived = 't'", "the API matched no row to archived = 't', but rows to archived = TRUE, which is what cbq reads it as"),
        ("SELECT COUNT(*) FROM services.service_offerings WHERE max_capacity = ' 20'", "the API matched no row to max_capacity = ' 20', but rows to max_capacity = 20, which is what cbq reads it as"),
    ])
    func aConstantNotOfItsColumnsTypeIsFoundByTheRows(statement: String, message: String) async throws {
        try await withSandbox { server in
            do {
                _ = try await run(statement, baseURL: server.baseURL, transport: transport)
                Issue.record("\(statement) must fail")
            } catch let error as Diagnostic {
                #expect(error.message == message)
            }
        }
    }

    /// An empty answer to a constant of the right type stands, for one more request, whatever
    /// other filter emptied it and however the constant is spelt (found by a review: '0' for
    /// a number, sent as 0, was an error; so was a second filter that matched nothing).
    @Test func anEmptyAnswerToAConstantOfTheRightTypeStands() async throws {
        try await withSandbox { server in
            for statement in ["SELECT id FROM services.service_offerings WHERE max_capacity < '0'",
                              "SELECT id FROM services.service_offerings WHERE archived = 'false' AND name = 'zzz'",
                              "SELECT id FROM services.service_offerings WHERE max_capacity < '50' OFFSET 100000",
                              "SELECT id FROM services.service_offerings WHERE archived = 't' AND name = 'zzz'",
                              "SELECT id FROM services.service_offerings WHERE max_capacity = ' 21'"] {
                let (ids, _) = try await run(statement, baseURL: server.baseURL, transport: transport)
                #expect(ids.isEmpty, "\(statement)")
            }
            let (ids, summary) = try await run("SELECT * FROM services.service_offerings WHERE max_capacity = 21 AND archived = TRUE",
                                               baseURL: server.baseURL, transport: transport)
            #expect(ids.isEmpty)
            #expect(summary.requests == 2)
            let (none, plain) = try await run("SELECT * FROM services.service_offerings WHERE name IS NULL", baseURL: server.baseURL, transport: transport)
            #expect(none.isEmpty && plain.requests == 1, "no constant: no second request")
            let (unmatched, like) = try await run("SELECT * FROM services.service_offerings WHERE name LIKE 'zz%'", baseURL: server.baseURL, transport: transport)
            #expect(unmatched.isEmpty && like.requests == 1, "LIKE reads its pattern alike for every type: no second request")
        }
    }

    @Test func limitStopsFetchingEarly() async throws {
        try await withSandbox { server in
            let (ids, summary) = try await run("SELECT * FROM people.people LIMIT 150", baseURL: server.baseURL, transport: transport)
            #expect(ids.count == 150)
            #expect(summary.pages == 2)
        }
    }

    @Test(arguments: [
        "state IN ('WA', 'OR')",
        "state = 'WA' OR middle_name IS NULL",
        "NOT last_name LIKE '%e%'",
        "last_name NOT LIKE 'D%' AND gender != 'male'",
        "date_of_birth NOT BETWEEN '1960-01-01' AND '2000-12-31'",
        "first_name = last_name OR middle_name = first_name",
        "middle_name NOT IN ('Ava', 'Liam')",
    ])
    func localPredicatesMatchAnIndependentEvaluation(condition: String) async throws {
        try await withSandbox { server in
            let (ids, _) = try await run("SELECT * FROM people.people WHERE \(condition)", baseURL: server.baseURL, transport: transport)
            guard case .select(let select) = try Parser.parseStatement(SourceText("SELECT * FROM a.b WHERE \(condition)")) else { return }
            let filter = try #require(select.filter)
            let expected = try sandboxPeople.filter { person in try ExpressionCompiler.truth(of: filter) { SQLValue(person[attribute: $0]) } == true }
            #expect(ids == expected.map(\.id))
            #expect(!ids.isEmpty)
        }
    }

    @Test func localPredicatesWithLimitAndOffsetCountRowsThatPass() async throws {
        try await withSandbox { server in
            let (ids, _) = try await run("SELECT * FROM people.people WHERE state IN ('WA') LIMIT 7 OFFSET 3", baseURL: server.baseURL, transport: transport)
            let expected = sandboxPeople.filter { $0[attribute: "state"] == "WA" }.dropFirst(3).prefix(7)
            #expect(ids == expected.map(\.id))
        }
    }

    @Test func countReadsTheTotalOrCountsRows() async throws {
        try await withSandbox { server in
            let pushed = try await run("SELECT COUNT(*) FROM people.people WHERE last_name LIKE 'Doe'", baseURL: server.baseURL, transport: transport)
            let expected = sandboxPeople.filter { ($0[attribute: "last_name"].stringValue ?? "").lowercased() == "doe" }.count
            #expect(pushed.summary.count == expected)
            #expect(pushed.summary.pages == 1)
            let local = try await run("SELECT COUNT(*) FROM people.people WHERE state IN ('WA', 'OR')", baseURL: server.baseURL, transport: transport)
            #expect(local.summary.count == sandboxPeople.filter { ["WA", "OR"].contains($0[attribute: "state"].stringValue ?? "") }.count)
        }
    }

    @Test func singleResourcesAndMissingOnes() async throws {
        try await withSandbox { server in
            let (ids, _) = try await run("SELECT * FROM people.people WHERE id IN ('PER-00002', 'NOPE', 'PER-00001')", baseURL: server.baseURL, transport: transport)
            #expect(ids == ["PER-00002", "PER-00001"])
        }
    }

    @Test func retriesAfter429HonouringRetryAfter() async throws {
        try await withSandbox({ $0.rateLimitEvery = 2; $0.retryAfterSeconds = 1 }) { server in
            let started = ContinuousClock.now
            let (ids, summary) = try await run("SELECT * FROM people.people LIMIT 300", baseURL: server.baseURL, transport: transport)
            #expect(ids.count == 300)
            #expect(summary.retries >= 1)
            // Retry-After: 1 is honoured, not the 1 ms backoff of the test options.
            #expect(ContinuousClock.now - started >= .seconds(1))
        }
    }

    /// Every 25th request refused with Retry-After: 1, while a window of pages is in flight:
    /// every row once, in order; the refusals counted, and every request held for the pause
    /// (the wall time is the pause's, not one per refused request).
    @Test func aWindowThatMeets429sGetsEveryRowOnce() async throws {
        try await withSandbox({ $0.rateLimitEvery = 25; $0.retryAfterSeconds = 1 }) { server in
            var planner = PlannerOptions()
            planner.defaultPageSize = 20
            planner.maxPageSize = 20
            let (ids, summary) = try await run("SELECT * FROM people.people", baseURL: server.baseURL, transport: transport, plannerOptions: planner)
            #expect(ids == sandboxPeople.map(\.id))
            #expect(summary.throttled >= 2)
            #expect(summary.paused >= .seconds(1))
            #expect(summary.waited >= summary.paused, "each held request counts its wait")
            #expect(summary.requests == summary.pages + summary.throttled)
        }
    }

    @Test func retriesAfter503() async throws {
        try await withSandbox({ $0.failEvery = 3; $0.failureStatus = 503 }) { server in
            let (ids, summary) = try await run("SELECT * FROM people.people", baseURL: server.baseURL, transport: transport)
            #expect(ids == sandboxPeople.map(\.id))
            #expect(summary.retries >= 3)
        }
    }

    @Test func a500IsNotRetried() async throws {
        try await withSandbox({ $0.failEvery = 1; $0.failureStatus = 500 }) { server in
            let error = await #expect(throws: ExecutionError.self) {
                _ = try await run("SELECT * FROM people.people", baseURL: server.baseURL, transport: transport)
            }
            guard case .api(let status, _, _, _, let attempts) = error else { Issue.record("not an API error: \(String(describing: error))"); return }
            #expect(status == 500)
            #expect(attempts == 1, "a 500 is not retried")
        }
    }

    @Test func aClampedPageSizeStillFetchesEverything() async throws {
        try await withSandbox({ $0.clampPageSize = true; $0.maxPageSize = 40 }) { server in
            let (ids, _) = try await run("SELECT * FROM people.people", baseURL: server.baseURL, transport: transport)
            #expect(ids == sandboxPeople.map(\.id))
        }
    }

    /// With an OFFSET, the start page is worked out from the page size: a server that clamps
    /// it silently would give other rows (before, rows 11 to 20 of 10-row pages read as 31 to
    /// 60, with exit 0). The start page is found again for the size it gives.
    @Test(arguments: [("SELECT * FROM people.people LIMIT 30 OFFSET 45", 45..<75), ("SELECT * FROM people.people ORDER BY id LIMIT 3 OFFSET 41", 41..<44)])
    func aClampedPageSizeMovesTheOffsetsPage(statement: String, rows: Range<Int>) async throws {
        try await withSandbox({ $0.clampPageSize = true; $0.maxPageSize = 10 }) { server in
            let (ids, summary) = try await run(statement, baseURL: server.baseURL, transport: transport)
            #expect(ids == Array(sandboxPeople.map(\.id)[rows]))
            #expect(summary.notices.contains { $0.hasPrefix("the API answered page[size]=") && $0.hasSuffix("the OFFSET's page was found again for pages of 10") })
        }
    }

    /// Without links, a total that is not where this short page ends says the server clamped:
    /// 35 rows in pages of 10 answer `page[size]=30&page=2` with rows 11 to 20 (before, rows
    /// 12 to 20 came out with exit 0). A short last page the server sized as asked is read once.
    @Test func aClampedPageSizeWithoutLinksIsFoundByTheTotal() async throws {
        try await withSandbox({ $0.clampPageSize = true; $0.maxPageSize = 10; $0.omitLinks = true; $0.rowCounts = ["people/people": 35] }) { server in
            let (ids, summary) = try await run("SELECT * FROM people.people LIMIT 30 OFFSET 31", baseURL: server.baseURL, transport: transport)
            #expect(ids == (32...35).map { String(format: "PER-%05d", $0) })
            #expect(summary.notices.contains("the API answered page[size]=30 with 10 rows; the OFFSET's page was found again for pages of 10"))
        }
        try await withSandbox({ $0.omitLinks = true; $0.rowCounts = ["people/people": 35] }) { server in
            let (ids, summary) = try await run("SELECT * FROM people.people LIMIT 30 OFFSET 31", baseURL: server.baseURL, transport: transport)
            #expect(ids == (32...35).map { String(format: "PER-%05d", $0) })
            #expect(summary.requests == 2 && summary.notices.isEmpty)  // page 1, then the start page
        }
    }

    @Test func aRejectedPageSizeIsHalved() async throws {
        try await withSandbox({ $0.maxPageSize = 30 }) { server in
            let (ids, summary) = try await run("SELECT * FROM people.people LIMIT 70 OFFSET 10", baseURL: server.baseURL, transport: transport)
            #expect(ids == Array(sandboxPeople.map(\.id)[10..<80]))
            #expect(summary.notices.contains("the API rejected page[size]=70; using 35"))
            #expect(summary.notices.contains("the API rejected page[size]=35; using 17"))
        }
    }

    @Test func pagesByNumberWithoutLinks() async throws {
        try await withSandbox({ $0.omitLinks = true }) { server in
            var options = fastOptions()
            options.concurrency = 1
            let (ids, _) = try await run("SELECT * FROM people.people ORDER BY created_at", baseURL: server.baseURL, transport: transport, options: options)
            #expect(ids.count == sandboxPeople.count)
            #expect(Set(ids).count == ids.count)
        }
    }

    @Test func theJSONAPIDialect() async throws {
        try await withSandbox({ $0.dialect = .jsonAPI }) { server in
            var planner = PlannerOptions()
            planner.dialect = .jsonAPI
            let (ids, _) = try await run("SELECT * FROM services.service_offerings WHERE max_capacity > 20 OFFSET 5", baseURL: server.baseURL,
                                         transport: transport, plannerOptions: planner)
            let offerings = SandboxData.generate(seed: 1)[SandboxData.offerings.path]!
            let expected = offerings.filter { if case .number(let c) = $0[attribute: "max_capacity"] { c > 20 } else { false } }.dropFirst(5)
            #expect(ids == expected.map(\.id))
        }
    }

    @Test func maxPagesStopsAndSaysSo() async throws {
        try await withSandbox { server in
            var options = fastOptions()
            options.maxPages = 3
            let (ids, summary) = try await run("SELECT * FROM people.people", baseURL: server.baseURL, transport: transport, options: options)
            #expect(ids.count == 300)
            #expect(summary.truncation?.contains("--max-pages") == true)
            options.concurrency = 1
            let sequential = try await run("SELECT * FROM people.people", baseURL: server.baseURL, transport: transport, options: options)
            #expect(sequential.ids.count == 300)
            #expect(sequential.summary.truncation?.contains("--max-pages") == true)
        }
    }

    @Test func anAPIErrorNamesTheRequestAndTheParameter() async throws {
        try await withSandbox { server in
            do {
                _ = try await run("SELECT * FROM people.people WHERE shoe_size > 3", baseURL: server.baseURL, transport: transport)
                Issue.record("expected an API error")
            } catch let error as ExecutionError {
                #expect(error.status == 400)
                #expect(error.blamedParameters == ["filter[shoe_size][g]"])
                #expect(error.description.hasPrefix("the API answered 400 Bad Request to GET \(server.baseURL)/people/people?filter%5Bshoe_size%5D%5Bg%5D=3"))
                #expect(!error.description.contains("t0ken"))
            }
        }
    }
}
