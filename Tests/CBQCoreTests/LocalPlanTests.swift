import Testing
@testable import CBQCore

/// What runs where: the API gets every predicate, sort and LIMIT it can take; the rest is a
/// local plan that `explain` prints.
struct LocalPlanTests {
    static let base = "https://api.casebook.net"

    private func plan(_ text: String, now: String = "2026-12-01T09:30:00Z") throws -> RequestPlan {
        var options = PlannerOptions()
        options.now = Instant(now)!
        return try Planner(options).planSelect(text)
    }

    private func url(_ text: String) throws -> String {
        try plan(text).url(page: 1).replacingOccurrences(of: Self.base, with: "")
    }

    private func error(_ text: String) -> Diagnostic? {
        do throws(Diagnostic) { _ = try Planner().planSelect(text); return nil } catch { return error }
    }

    @Test func timeIsFoldedAtPlanTimeAndPushed() throws {
        let text = "SELECT status, COUNT(*) FROM intake.reports WHERE received_at >= now() - INTERVAL '30 days' GROUP BY status"
        #expect(try url(text) == "/intake/reports?filter[received_at][ge]=2026-11-01T09:30:00Z&page[size]=100")
        #expect(try url("SELECT * FROM cases.cases WHERE opened_at < current_date - INTERVAL '1 year'")
                == "/cases/cases?filter[opened_at][l]=2025-12-01&page[size]=100")
        #expect(try url("SELECT * FROM a.b WHERE n > 2 * 3 + 1") == "/a/b?filter[n][g]=7&page[size]=100")
        #expect(try url("SELECT * FROM a.b WHERE n = -5") == "/a/b?filter[n]=-5&page[size]=100")
    }

    @Test func limitIsPushedOnlyWhenNothingBetweenMayDropReorderOrMerge() throws {
        // Expressions in the select list keep one row per row: LIMIT goes to page[size].
        #expect(try url("SELECT lower(city) AS c FROM people.people LIMIT 5") == "/people/people?page[size]=5")
        #expect(try plan("SELECT lower(city) AS c FROM people.people LIMIT 5").rowCap == 5)
        // GROUP BY, DISTINCT and a local sort need every row first.
        for text in ["SELECT city, COUNT(*) FROM people.people GROUP BY city LIMIT 5",
                     "SELECT DISTINCT city FROM people.people LIMIT 5",
                     "SELECT city FROM people.people ORDER BY lower(city) LIMIT 5",
                     "SELECT city FROM people.people ORDER BY city NULLS FIRST LIMIT 5"] {
            let plan = try plan(text)
            #expect(plan.rowCap == nil, "\(text)")
            #expect(plan.pageSize == 100, "\(text)")
            #expect(plan.localQuery?.limit == 5, "\(text)")
        }
    }

    @Test func sortIsPushedOnlyForPlainColumns() throws {
        #expect(try url("SELECT lower(city) AS c FROM people.people ORDER BY created_at DESC LIMIT 3")
                == "/people/people?sort=-created_at&page[size]=20", "a sorted page is at least 20 rows: the server's order is checked on them")
        #expect(try url("SELECT city AS c FROM people.people ORDER BY c") == "/people/people?sort=city&page[size]=100")
        #expect(try url("SELECT city, state FROM people.people ORDER BY 2 DESC") == "/people/people?sort=-state&page[size]=100")
        let local = try plan("SELECT city FROM people.people ORDER BY length(city) DESC, city")
        #expect(local.sort.isEmpty)
        #expect(local.localQuery?.sort.map(\.text) == ["length(city)", "city"])
        #expect(try plan("SELECT county, COUNT(*) AS n FROM cases.cases GROUP BY county ORDER BY n DESC").sort.isEmpty)
    }

    @Test func aConstantKeyIsNotAPosition() throws {
        // ORDER BY 2 names the second column; ORDER BY 1 + 1, (2) and :n are constants.
        #expect(try url("SELECT first_name, last_name FROM people.people ORDER BY 2") == "/people/people?sort=last_name&page[size]=100")
        for text in ["SELECT first_name, last_name FROM people.people ORDER BY 1 + 1",
                     "SELECT first_name, last_name FROM people.people ORDER BY (2)"] {
            let plan = try plan(text)
            #expect(plan.sort.isEmpty, "\(text)")
            #expect(plan.localQuery?.sort.first?.expression.ungrouped.description == "2", "\(text)")
        }
    }

    @Test func byIDRequestsSortAndLimitHere() throws {
        let plan = try plan("SELECT first_name FROM people.people WHERE id IN ('PER-2', 'PER-1') ORDER BY last_name LIMIT 1")
        #expect(plan.initialURLs().count == 2)
        #expect(plan.rowCap == nil)
        #expect(plan.localQuery?.sort.map(\.text) == ["last_name"])
        #expect(plan.localQuery?.limit == 1)
    }

    @Test func limitZeroSendsNothingWhateverTheShape() throws {
        for text in ["SELECT state, COUNT(*) FROM people.people GROUP BY state LIMIT 0",
                     "SELECT DISTINCT state FROM people.people LIMIT 0", "SELECT lower(city) FROM people.people LIMIT 0"] {
            #expect(try plan(text).rowCap == 0, "\(text)")
        }
    }

    @Test func aColumnAPushedIsNullTestsMayBeAbsentFromTheRows() throws {
        #expect(try plan("SELECT closed_at FROM cases.cases WHERE closed_at IS NULL").mayBeAbsent == ["closed_at"])
        #expect(try plan("SELECT closed_at FROM cases.cases WHERE closed_at IS NOT NULL").mayBeAbsent.isEmpty)
    }

    @Test func aliasesResolveOnlyWhereTheyMayStand() throws {
        // An alias inside an expression is a column (checked after the first page), not the alias.
        #expect(try plan("SELECT first_name AS fn FROM people.people ORDER BY lower(fn)").readColumns.map(\.name) == ["first_name", "fn"])
        // HAVING may name an aggregate's alias.
        let having = try plan("SELECT state, COUNT(*) AS n FROM people.people GROUP BY state HAVING n > 5")
        #expect(having.localQuery?.having?.description == "COUNT(*) > 5")
        // A GROUP BY alias is remembered, to be checked against the rows' columns.
        #expect(try plan("SELECT lower(city) AS c, COUNT(*) FROM people.people GROUP BY c").groupAliases.map(\.name) == ["c"])
        #expect(try plan("SELECT city, COUNT(*) FROM people.people GROUP BY city").groupAliases.isEmpty)
    }

    @Test func countStarKeepsItsOneRequestPath() throws {
        let count = try plan("SELECT COUNT(*) FROM cases.cases WHERE status = 'open'")
        #expect(count.countsFromTotal)
        #expect(count.projection == .count(name: "count"))
        // With GROUP BY, or a local predicate, it is counted here.
        #expect(!(try plan("SELECT status, COUNT(*) FROM cases.cases GROUP BY status")).countsFromTotal)
        #expect(!(try plan("SELECT COUNT(*) FROM cases.cases WHERE lower(status) = 'open'")).countsFromTotal)
    }

    @Test func plainColumnsStayOnTheRawPath() throws {
        #expect(try plan("SELECT first_name, last_name AS surname FROM people.people").projection
                == .columns([.init(field: "first_name", name: "first_name"), .init(field: "last_name", name: "surname")]))
        #expect(try plan("SELECT * FROM people.people ORDER BY created_at").projection == .all)
        #expect(try plan("SELECT * FROM people.people ORDER BY lower(city)").localQuery?.outputs == nil)
    }

    @Test func outputColumnsAreNamedByAliasColumnOrText() throws {
        let plan = try plan("SELECT city, lower(state), COUNT(*), MIN(created_at), COUNT(id) AS ids, date_of_birth + INTERVAL '1 day' FROM people.people GROUP BY city, lower(state), date_of_birth + INTERVAL '1 day'")
        #expect(plan.localQuery?.outputs?.map(\.name) == ["city", "lower(state)", "count", "min", "ids", "date_of_birth + INTERVAL '1 day'"])
    }

    @Test(arguments: [
        ("SELECT city, COUNT(*) FROM people.people", "column 'city' must appear in GROUP BY or be used in an aggregate", 7),
        ("SELECT state, COUNT(*) FROM people.people GROUP BY city", "column 'state' must appear in GROUP BY or be used in an aggregate", 7),
        ("SELECT city FROM people.people GROUP BY city ORDER BY state", "column 'state' must appear in GROUP BY or be used in an aggregate", 54),
        ("SELECT city FROM people.people GROUP BY city HAVING state = 'WA'", "column 'state' must appear in GROUP BY or be used in an aggregate", 52),
        ("SELECT city FROM people.people WHERE COUNT(*) > 1", "aggregates are not allowed in WHERE", 37),
        ("SELECT city FROM people.people GROUP BY COUNT(*)", "aggregates are not allowed in GROUP BY", 40),
        ("SELECT city FROM people.people ORDER BY 3", "ORDER BY position 3 is not in the select list", 40),
        ("SELECT DISTINCT city FROM people.people ORDER BY state", "with SELECT DISTINCT, ORDER BY expressions must appear in the select list", 49),
        ("SELECT * FROM people.people GROUP BY city", "SELECT * cannot be grouped or aggregated", 7),
        ("SELECT COUNT(*) FROM people.people LIMIT 5", "LIMIT and OFFSET limit rows, and COUNT(*) returns one row", 41),
    ])
    func groupingErrorsSayWhatAndWhere(text: String, message: String, offset: Int) {
        let diagnostic = error(text)
        #expect(diagnostic?.message == message, "\(text)")
        #expect(diagnostic?.range.start == offset, "\(text)")
    }

    @Test func explainPrintsTheLocalPlanAsATree() throws {
        let text = """
            SELECT county, COUNT(*) AS n FROM cases.cases WHERE status = 'open' AND lower(caseworker) LIKE 'a%'
            GROUP BY county HAVING COUNT(*) > 2 ORDER BY n DESC LIMIT 5
            """
        let explanation = try plan(text).explanation()
        #expect(explanation.contains("""
            local plan (cbq computes it; each operator reads the one below):
              limit       LIMIT 5
                └ sort        n DESC
                  └ project     county, COUNT(*) AS n
                    └ filter      HAVING COUNT(*) > 2
                      └ aggregate   keys county; COUNT(*)
                        └ filter      WHERE lower(caseworker) LIKE 'a%'
                          └ scan        cases.cases: the requests above
            """), "\(explanation)")
        #expect(explanation.contains("sent to the API    status = 'open'"))
        #expect(try plan("SELECT DISTINCT city FROM people.people").explanation()
            .contains("warning: every page of people.people is fetched: DISTINCT needs every row before the first result"))
        #expect(try plan("SELECT * FROM people.people").explanation().contains("warning: every page of people.people is fetched (no LIMIT)"))
        #expect(!(try plan("SELECT * FROM people.people LIMIT 3")).explanation().contains("warning"))
    }

    @Test func readColumnsAreCheckedAfterTheFirstPage() throws {
        let plan = try plan("SELECT lower(city) AS c, COUNT(*) FROM people.people WHERE stat = 'WA' GROUP BY c ORDER BY c")
        #expect(plan.readColumns.map(\.name) == ["city", "stat"])
        #expect(plan.readColumns.map(\.range.start) == [13, 59])
    }
}

/// Statements whose numbers once trapped the planner, `explain` or the executor.
struct BoundaryStatementTests {
    @Test(arguments: ["SELECT * FROM people.people LIMIT 1 OFFSET 9223372036854775807",
                      "SELECT * FROM people.people LIMIT 9223372036854775807",
                      "SELECT * FROM people.people LIMIT 99999999999999999999"])
    func countsBeyondTwoToTheFiftyThreeAreErrorsAtTheirPosition(text: String) {
        do throws(Diagnostic) {
            _ = try Planner().planSelect(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasSuffix("can be at most 9007199254740992"))
            #expect(error.range.start > 30)
        }
    }

    @Test func theLargestCountsPlanAndExplain() throws {
        let plan = try Planner().planSelect("SELECT * FROM people.people LIMIT 9007199254740992 OFFSET 9007199254740992")
        _ = plan.explanation()
        _ = plan.url(page: plan.startPage)
    }
}
