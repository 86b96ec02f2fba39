import Testing
@testable import CBQCore

struct PlannerTests {
    /// With the catalog's word that a column holds timestamps, a string compared with it is a
    /// timestamp: sent in the API's form, and an error when it is none; other columns keep text.
    @Test func stringsComparedWithTimestampColumnsAreTimestamps() throws {
        var options = PlannerOptions()
        options.columnTypes = ["people.people": ["created_at": .timestamp]]
        let plan = try Planner(options).planSelect("""
            SELECT * FROM people.people WHERE created_at BETWEEN '2025-01-01 00:00:00' AND '2025-01-29 23:59:59'
            AND '2025-01-01' <= created_at AND city = '2025-01-01 00:00:00' AND created_at IN ('2025-03-01 10:00:00+01:00')
            """)
        #expect(plan.initialURLs() == ["https://api.casebook.net/people/people?filter[created_at][ge]=2025-01-01T00:00:00Z"
            + "&filter[created_at][le]=2025-01-29T23:59:59Z&filter[city]=2025-01-01%2000:00:00&page[size]=100"])
        #expect(plan.local.map(\.text) == ["'2025-01-01' <= created_at", "created_at IN ('2025-03-01 10:00:00+01:00')"])
        #expect(throws: Diagnostic.self) { try Planner(options).planSelect("SELECT * FROM people.people WHERE created_at > 'soon'") }
        do {
            _ = try Planner(options).planSelect("SELECT * FROM people.people WHERE created_at > 'soon'")
        } catch {
            #expect(error.message == "'soon' is not a timestamp, and created_at holds timestamps")
            #expect(error.range == SourceRange(47, 53))
        }
        // Without the catalog's word, nothing changes.
        #expect(try Planner().planSelect("SELECT * FROM people.people WHERE created_at > '2025-01-01 00:00:00'").initialURLs()
            == ["https://api.casebook.net/people/people?filter[created_at][g]=2025-01-01%2000:00:00&page[size]=100"])
    }

    /// With the catalog's word of a column's type, a constant compared with it is read as that
    /// type, as PostgreSQL reads an untyped literal, or is an error: sent as written, the
    /// server would answer no rows and say nothing (found by two reviews).
    @Test(arguments: [
        ("max_capacity = ' 20'", "filter[max_capacity]=20"), ("max_capacity IN ('5', 7.5) AND max_capacity > '1'", "filter[max_capacity][g]=1"),
        ("archived = 't'", "filter[archived]=true"), ("archived <> 'off'", "filter[archived][neq]=false"),
        ("archived = FALSE", "filter[archived]=false"), ("date_of_birth = '1980-01-31T10:00:00Z'", "filter[date_of_birth]=1980-01-31"),
        // The date a time is written on, as PostgreSQL reads it: not the UTC day after.
        ("date_of_birth = '2023-10-09T23:30:00-05:00'", "filter[date_of_birth]=2023-10-09"),
        ("max_capacity = 1.0000000000000000000", "filter[max_capacity]=1.0000000000000000000"),
        ("date_of_birth BETWEEN '1980-01-01' AND '1980-12-31 23:00:00'", "filter[date_of_birth][ge]=1980-01-01&filter[date_of_birth][le]=1980-12-31"),
        ("max_capacity IS NULL", "filter[max_capacity]=null"), ("city = 10", "filter[city]=10"),
    ])
    func constantsAreReadAsTheirColumnsType(condition: String, query: String) throws {
        var options = PlannerOptions()
        options.columnTypes = ["a.b": ["max_capacity": .number, "archived": .boolean, "date_of_birth": .date]]
        #expect(try url("SELECT * FROM a.b WHERE \(condition)", options: options) == "\(base)/a/b?\(query)&page[size]=100")
        if condition.contains(" IN ") {
            let local = try Planner(options).planSelect("SELECT * FROM a.b WHERE \(condition)").local.map(\.expression.description)
            #expect(local == ["max_capacity IN (5, 7.5)"], "\(local)")
        }
    }

    @Test(arguments: [
        ("archived = 1️⃣1", "1 is not a boolean, and archived holds booleans"),
        ("archived <> 1️⃣'xyz'", "'xyz' is not a boolean, and archived holds booleans"),
        ("max_capacity > 1️⃣'2O'", "'2O' is not a number, and max_capacity holds numbers"),
        ("max_capacity <> 1️⃣'abc'", "'abc' is not a number, and max_capacity holds numbers"),
        ("max_capacity = 1️⃣'0x10'", "'0x10' is not a number, and max_capacity holds numbers"),
        ("max_capacity = 1️⃣TRUE", "TRUE is not a number, and max_capacity holds numbers"),
        ("date_of_birth <= 1️⃣'2010-1-5'", "'2010-1-5' is not a date, and date_of_birth holds dates"),
        ("created_at < 1️⃣'January 1, 2025'", "'January 1, 2025' is not a timestamp, and created_at holds timestamps"),
        ("x = 1 OR created_at IN ('2025-01-01', 1️⃣'2025-1-1')", "'2025-1-1' is not a timestamp, and created_at holds timestamps"),
        ("max_capacity = 1️⃣'10.0000000000000000001'", "10.0000000000000000001 has more digits than cbq holds exactly"),
        ("max_capacity = 1️⃣:big", "10.0000000000000000001 has more digits than cbq holds exactly"),
    ])
    func aConstantNotOfItsColumnsTypeIsAnError(text: String, message: String) throws {
        var options = PlannerOptions()
        options.columnTypes = ["a.b": ["max_capacity": .number, "archived": .boolean, "date_of_birth": .date, "created_at": .timestamp]]
        options.parameters = ["big": .number("10.0000000000000000001")]
        let prefix = "SELECT * FROM a.b WHERE "
        let (source, offset) = marked(prefix + text)
        let error = try #require(diagnostic(source, options: options))
        #expect(error.message == message)
        #expect(error.range.start == offset)
    }

    /// With the catalog's columns of an endpoint, a column that is none of them is an error at
    /// it, with a did-you-mean; a filter the server refused runs locally, saying why.
    @Test func theCatalogsColumnsAndRefusedFiltersShapeThePlan() throws {
        var options = PlannerOptions()
        options.knownColumns = ["people.people": ["id", "first_name", "last_name", "state"]]
        options.rejectedFilters = ["people.people": ["filter[state]"]]
        do {
            _ = try Planner(options).planSelect("SELECT frist_name FROM people.people")
            Issue.record("an unknown column must be an error")
        } catch {
            #expect(error.message == "column 'frist_name' does not exist in people.people")
            #expect(error.range == SourceRange(7, 17))
            #expect(error.hint == "did you mean 'first_name'? (\\refresh people.people if the API has added 'frist_name' since)")
        }
        let plan = try Planner(options).planSelect("SELECT first_name FROM people.people WHERE state = 'ID' AND last_name = 'Doe'")
        #expect(plan.initialURLs() == ["https://api.casebook.net/people/people?filter[last_name]=Doe&page[size]=100"])
        #expect(plan.local.map(\.reason) == ["the server answered 400 to filter[state] before (\\refresh people.people forgets that)"])
        #expect(plan.local.map(\.refusedParameter) == ["filter[state]"])
        // A name near none of them may be an attribute the server left out of every row seen
        // (null): the first page decides.
        #expect(throws: Never.self) { try Planner(options).planSelect("SELECT shoe_size FROM people.people") }
        // Another endpoint, or none known: nothing checked.
        #expect(throws: Never.self) { try Planner(options).planSelect("SELECT frist_name FROM cases.cases") }
    }

    /// A typed literal is a value of its type, normalised as CAST normalises it, and sent so:
    /// a timestamp with a space and an offset goes as the API's UTC form.
    @Test func typedLiteralsAreSentNormalised() throws {
        let plan = try Planner().planSelect("""
            SELECT * FROM people.people WHERE created_at >= TIMESTAMP '2025-01-01 10:00:00+02:00'
            AND created_at < '2025-01-29 23:59:59'::timestamp AND date_of_birth > DATE '1990-01-01'
            """)
        #expect(plan.initialURLs() == ["https://api.casebook.net/people/people?filter[created_at][ge]=2025-01-01T08:00:00Z"
            + "&filter[created_at][l]=2025-01-29T23:59:59Z&filter[date_of_birth][g]=1990-01-01&page[size]=100"])
        #expect(plan.local.isEmpty)
    }

    private let base = "https://api.casebook.net"

    /// The guide's three examples, exactly as it writes them, plus the page size.
    @Test(arguments: [
        ("SELECT * FROM services.service_offerings WHERE provider_id = 'P-1' AND archived = false",
         "https://api.casebook.net/services/service_offerings?filter[provider_id]=P-1&filter[archived]=false&page[size]=100"),
        ("SELECT * FROM attachments.notes WHERE created_at >= '2025-01-01T00:00:00Z' AND created_at <= '2025-06-30T23:59:59Z'",
         "https://api.casebook.net/attachments/notes?filter[created_at][ge]=2025-01-01T00:00:00Z&filter[created_at][le]=2025-06-30T23:59:59Z&page[size]=100"),
        ("SELECT * FROM people.people WHERE last_name LIKE 'Doe'",
         "https://api.casebook.net/people/people?filter[last_name][like]=Doe&page[size]=100"),
    ])
    func guideExamples(statement: String, expected: String) throws {
        #expect(try url(statement) == expected)
    }

    /// Every row of the mapping table.
    @Test(arguments: [
        ("f = 'v'", "filter[f]=v"),
        ("f != 'v'", "filter[f][neq]=v"),
        ("f <> 'v'", "filter[f][neq]=v"),
        ("f > 5", "filter[f][g]=5"),
        ("f >= 5", "filter[f][ge]=5"),
        ("f < 5", "filter[f][l]=5"),
        ("f <= 5", "filter[f][le]=5"),
        ("f LIKE 'Do%'", "filter[f][like]=Do%25"),
        ("f IS NULL", "filter[f]=null"),
        ("f IS NOT NULL", "filter[f][neq]=null"),
        ("f BETWEEN 1 AND 9", "filter[f][ge]=1&filter[f][le]=9"),
        ("f = true", "filter[f]=true"),
        ("f = FALSE", "filter[f]=false"),
        ("f = 1.50", "filter[f]=1.50"),
        ("f = -3", "filter[f]=-3"),
        ("18 <= f", "filter[f][ge]=18"),
        ("'x' = f", "filter[f]=x"),
        ("5 > f", "filter[f][l]=5"),
        ("(f = 'v')", "filter[f]=v"),
    ])
    func mappingTable(condition: String, query: String) throws {
        #expect(try url("SELECT * FROM a.b WHERE \(condition)") == "\(base)/a/b?\(query)&page[size]=100")
    }

    /// A pattern with an escape (`in\_home`) is matched here: the API's like filter has no
    /// escape character cbq knows of.
    @Test func aLikePatternWithAnEscapeIsNotSent() throws {
        let plan = try Planner().planSelect("SELECT * FROM a.b WHERE f LIKE 'in\\_home' AND g = 1")
        #expect(plan.url(page: 1) == "\(base)/a/b?filter[g]=1&page[size]=100")
        #expect(plan.local.count == 1)
    }

    @Test(arguments: [
        ("f > 5", "filter[f][gt]=5"), ("f < 5", "filter[f][lt]=5"), ("f >= 5", "filter[f][ge]=5"), ("f <= 5", "filter[f][le]=5"),
    ])
    func jsonAPIDialectSpellsGtAndLt(condition: String, query: String) throws {
        var options = PlannerOptions()
        options.dialect = .jsonAPI
        #expect(try url("SELECT * FROM a.b WHERE \(condition)", options: options) == "\(base)/a/b?\(query)&page[size]=100")
    }

    @Test func pageNumberSpellings() throws {
        let plan = try Planner().planSelect("SELECT * FROM a.b")
        #expect(plan.url(page: 1) == "\(base)/a/b?page[size]=100")
        #expect(plan.url(page: 2) == "\(base)/a/b?page[size]=100&page=2")
        var options = PlannerOptions()
        options.dialect = .jsonAPI
        #expect(try Planner(options).planSelect("SELECT * FROM a.b").url(page: 3) == "\(base)/a/b?page[size]=100&page[number]=3")
        options.dialect = Dialect(comparisons: .guide, pageNumber: .pageNumber)
        #expect(try url("SELECT * FROM a.b WHERE x > 1 LIMIT 10 OFFSET 20", options: options)
                == "\(base)/a/b?filter[x][g]=1&page[size]=10&page[number]=3")
    }

    @Test func parameterOrderIsFiltersThenSortThenPage() throws {
        #expect(try url("SELECT * FROM people.people WHERE last_name LIKE 'Doe' AND state = 'CA' ORDER BY created_at DESC, first_name LIMIT 50")
                == "\(base)/people/people?filter[last_name][like]=Doe&filter[state]=CA&sort=-created_at,first_name&page[size]=50")
    }

    @Test(arguments: [
        ("a = 1 OR b = 2", "the API's filters are all ANDed; OR is evaluated here"),
        ("NOT a = 1", "the API's filters cannot negate a condition"),
        ("a NOT LIKE 'x'", "the API has no 'not like' filter"),
        ("a IN (1, 2)", "the API has no IN filter"),
        ("a NOT IN (1, 2)", "the API has no NOT IN filter"),
        ("a NOT BETWEEN 1 AND 2", "the API cannot express NOT BETWEEN (it is an OR)"),
        ("a = b", "compares two columns"),
        ("a LIKE b", "compares two columns"),
        ("1 = 1", "a constant condition"),
        ("a = 'null'", "the API would read the string 'null' as NULL"),
        ("a LIKE 'NULL'", "the API would read the string 'NULL' as NULL"),
        ("TRUE", "a constant condition"),
    ])
    func localPredicates(condition: String, reason: String) throws {
        let plan = try Planner().planSelect("SELECT * FROM a.b WHERE \(condition)")
        #expect(plan.pushed.isEmpty)
        #expect(plan.local.map(\.reason) == [reason])
        #expect(plan.local.map(\.text) == [condition])
        #expect(plan.url(page: 1) == "\(base)/a/b?page[size]=100")
    }

    @Test func aParameterAlreadyUsedMakesTheSecondConjunctLocal() throws {
        let plan = try Planner().planSelect(
            "SELECT * FROM a.b WHERE age > 5 AND x = 1 AND age > 10 AND x IS NULL AND n >= 2 AND n BETWEEN 1 AND 3 AND y IS NOT NULL AND y != 4")
        #expect(plan.pushed.map(\.text) == ["age > 5", "x = 1", "n >= 2", "y IS NOT NULL"])
        #expect(plan.local.map(\.text) == ["age > 10", "x IS NULL", "n BETWEEN 1 AND 3", "y != 4"])
        #expect(plan.local.map(\.reason) == [
            "filter[age][g] is already used by age > 5",
            "filter[x] is already used by x = 1",
            "filter[n][ge] is already used by n >= 2",
            "filter[y][neq] is already used by y IS NOT NULL",
        ])
        #expect(plan.url(page: 1) == "\(base)/a/b?filter[age][g]=5&filter[x]=1&filter[n][ge]=2&filter[y][neq]=null&page[size]=100")
    }

    @Test func pushesWhatItCanAndKeepsTheRestInOrder() throws {
        let plan = try Planner().planSelect("SELECT * FROM a.b WHERE (s = 'CA' OR s = 'NY') AND last_name LIKE 'Doe' AND NOT archived = true AND age >= 18")
        #expect(plan.pushed.map(\.text) == ["last_name LIKE 'Doe'", "age >= 18"])
        #expect(plan.local.map(\.text) == ["(s = 'CA' OR s = 'NY')", "NOT archived = true"])
        #expect(plan.localFilter?.description == "(s = 'CA' OR s = 'NY') AND NOT archived = TRUE")
    }

    @Test func limitShrinksThePageOnlyWithoutLocalPredicates() throws {
        #expect(try Planner().planSelect("SELECT * FROM a.b LIMIT 5").pageSize == 5)
        #expect(try Planner().planSelect("SELECT * FROM a.b LIMIT 500").pageSize == 100)
        #expect(try Planner().planSelect("SELECT * FROM a.b LIMIT 0").pageSize == 1)
        let local = try Planner().planSelect("SELECT * FROM a.b WHERE a IN (1, 2) LIMIT 5")
        #expect(local.pageSize == 100)
        #expect(local.rowCap == 5)
    }

    @Test func defaultAndMaximumPageSizesAreConfigurable() throws {
        var options = PlannerOptions()
        options.defaultPageSize = 25
        options.maxPageSize = 50
        #expect(try Planner(options).planSelect("SELECT * FROM a.b").pageSize == 25)
        #expect(try Planner(options).planSelect("SELECT * FROM a.b LIMIT 75").pageSize == 50)
        options.defaultPageSize = 500
        #expect(try Planner(options).planSelect("SELECT * FROM a.b").pageSize == 50)
    }

    @Test(arguments: [
        ("LIMIT 10 OFFSET 20", 10, 3, 0),   // aligned: start at page 3
        ("LIMIT 10 OFFSET 25", 10, 3, 5),   // not aligned: page 3, skip 5
        ("OFFSET 250", 100, 3, 50),
        ("LIMIT 10 OFFSET 5", 10, 1, 5),
        ("OFFSET 0", 100, 1, 0),
    ])
    func offsets(clauses: String, pageSize: Int, startPage: Int, skipRows: Int) throws {
        let plan = try Planner().planSelect("SELECT * FROM a.b \(clauses)")
        #expect(plan.pageSize == pageSize)
        #expect(plan.startPage == startPage)
        #expect(plan.skipRows == skipRows)
    }

    @Test func offsetWithLocalPredicatesSkipsRowsThatPass() throws {
        let plan = try Planner().planSelect("SELECT * FROM a.b WHERE x IN (1) LIMIT 10 OFFSET 20")
        #expect(plan.startPage == 1)
        #expect(plan.skipRows == 20)
    }

    @Test func startPageCarriesItsNumberOnTheFirstRequest() throws {
        #expect(try url("SELECT * FROM a.b LIMIT 10 OFFSET 20") == "\(base)/a/b?page[size]=10&page=3")
    }

    @Test func idAloneAddressesTheResource() throws {
        #expect(try url("SELECT * FROM people.people WHERE id = 'P-7'") == "\(base)/people/people/P-7")
        #expect(try url("SELECT * FROM people.people WHERE 42 = id") == "\(base)/people/people/42")
        #expect(try url("SELECT * FROM people.people WHERE id = 'a/b?c'") == "\(base)/people/people/a%2Fb%3Fc")
        #expect(try url("SELECT * FROM people.people WHERE id IN ('a', 'b', 'a')") == "\(base)/people/people/a\n\(base)/people/people/b")
        // With anything else it is an ordinary filter.
        #expect(try url("SELECT * FROM people.people WHERE id = 'P-7' AND x = 1") == "\(base)/people/people?filter[id]=P-7&filter[x]=1&page[size]=100")
    }

    @Test func countReadsTheTotalUnlessRowsMustBeCounted() throws {
        let plan = try Planner().planSelect("SELECT COUNT(*) FROM people.people WHERE last_name = 'Doe'")
        #expect(plan.projection == .count(name: "count"))
        #expect(plan.countsFromTotal)
        #expect(plan.totalPath == ["meta", "total"])
        let local = try Planner().planSelect("SELECT COUNT(*) AS n FROM people.people WHERE a IN (1)")
        #expect(local.projection == .count(name: "n"))
        #expect(!local.countsFromTotal)
    }

    @Test func sparseFieldsetsNameSelectedAndLocallyTestedColumns() throws {
        var options = PlannerOptions()
        options.sparseFieldsets = true
        #expect(try url("SELECT id, first_name, last_name AS l FROM people.people WHERE state IN ('CA') AND age > 1", options: options)
                == "\(base)/people/people?filter[age][g]=1&fields[people]=first_name,last_name,state,age&page[size]=100")
        #expect(try url("SELECT * FROM people.people", options: options) == "\(base)/people/people?page[size]=100")
        #expect(try url("SELECT first_name FROM people.people", options: PlannerOptions()) == "\(base)/people/people?page[size]=100")
    }

    /// A pushed sort's fields are asked for, though not shown: the pager checks the rows' order by them.
    @Test func sparseFieldsetsNameTheSortsFields() throws {
        var options = PlannerOptions()
        options.sparseFieldsets = true
        #expect(try url("SELECT first_name FROM people.people ORDER BY last_name DESC, created_at", options: options)
                == "\(base)/people/people?sort=-last_name,created_at&fields[people]=first_name,last_name,created_at&page[size]=100")
    }

    /// A sorted page is at least ``Planner/sortedPageMinimum`` rows (a LIMIT 3's three rows
    /// could look sorted by chance), but never more than the API allows; unsorted, it is the LIMIT.
    @Test func aSortedPageIsLargeEnoughToCheckItsOrder() throws {
        #expect(try url("SELECT * FROM people.people ORDER BY last_name LIMIT 3") == "\(base)/people/people?sort=last_name&page[size]=20")
        #expect(try url("SELECT * FROM people.people ORDER BY last_name LIMIT 3 OFFSET 40")
                == "\(base)/people/people?sort=last_name&page[size]=20&page=3")
        #expect(try url("SELECT * FROM people.people ORDER BY last_name LIMIT 30") == "\(base)/people/people?sort=last_name&page[size]=30")
        #expect(try url("SELECT * FROM people.people LIMIT 3") == "\(base)/people/people?page[size]=3")
        var small = PlannerOptions()
        small.maxPageSize = 10
        #expect(try url("SELECT * FROM people.people ORDER BY last_name LIMIT 3", options: small)
                == "\(base)/people/people?sort=last_name&page[size]=10")
        let plan = try Planner().planSelect("SELECT * FROM people.people ORDER BY last_name LIMIT 3 OFFSET 45")
        #expect(plan.rowCap == 3)
        #expect((plan.startPage, plan.skipRows) == (3, 5))
    }

    /// A dialect whose server does not sort (`--server-sort off`, `sort = "off"`) sends no
    /// `sort=`: ORDER BY, and the LIMIT after it, run here.
    @Test func aServerThatDoesNotSortGetsNoSort() throws {
        var options = PlannerOptions()
        options.dialect.sort = .off
        let plan = try Planner(options).planSelect("SELECT id, last_name FROM people.people ORDER BY last_name DESC, id LIMIT 3")
        #expect(plan.sort.isEmpty)
        #expect(plan.initialURLs() == ["\(base)/people/people?page[size]=100"])
        #expect(plan.rowCap == nil)
        #expect(plan.localQuery?.sort.map(\.text) == ["last_name", "id"])
        #expect(plan.localQuery?.limit == 3)
    }

    @Test func baseURLs() throws {
        var options = PlannerOptions()
        options.baseURL = Region.ca.baseURL
        #expect(try url("SELECT * FROM a.b", options: options) == "https://api.casebookca.net/a/b?page[size]=100")
        options.baseURL = "http://127.0.0.1:8080/api"
        #expect(try url("SELECT * FROM a.b", options: options) == "http://127.0.0.1:8080/api/a/b?page[size]=100")
    }

    @Test func parametersAreBoundBeforePlanning() throws {
        var options = PlannerOptions()
        options.parameters = ["name": .string("O'Brien"), "n": .number("5"), "flag": .boolean(false)]
        #expect(try url("SELECT * FROM a.b WHERE last_name = :name AND archived = :flag LIMIT :n", options: options)
                == "\(base)/a/b?filter[last_name]=O%27Brien&filter[archived]=false&page[size]=5")
    }

    @Test(arguments: [
        ("SELECT * FROM a.b WHERE x = 1️⃣:missing", "no value for parameter ':missing'"),
        ("SELECT * FROM a.b LIMIT 1️⃣:missing", "no value for parameter ':missing'"),
        ("SELECT * FROM a.b LIMIT 1️⃣:text", "LIMIT needs a whole number from 0 to 9007199254740992, and :text is 'abc'"),
        ("SELECT * FROM a.b WHERE 1️⃣x = NULL", "comparing with NULL is never true"),
        ("SELECT * FROM a.b WHERE y = 1 OR 1️⃣NULL != x", "comparing with NULL is never true"),
        ("SELECT * FROM a.b WHERE 1️⃣x LIKE NULL", "LIKE NULL is never true"),
        ("SELECT COUNT(*) FROM a.b LIMIT 1️⃣1", "LIMIT and OFFSET limit rows, and COUNT(*) returns one row"),
        ("SELECT * FROM a.b WHERE 1️⃣x BETWEEN NULL AND 5", "a BETWEEN with a NULL bound is never true"),
        ("SELECT * FROM a.b WHERE NOT (1️⃣x NOT BETWEEN 1 AND NULL)", "a BETWEEN with a NULL bound is never true"),
        ("SELECT * FROM a.b WHERE 1️⃣x NOT BETWEEN NULL AND NULL", "a BETWEEN with a NULL bound is never true"),
        // A number an exact one cannot hold would be rounded as a double, and compare as another.
        ("SELECT * FROM a.b WHERE x = 1️⃣10.0000000000000000001", "10.0000000000000000001 has more digits than cbq holds exactly"),
        ("SELECT 1️⃣99999999999999999999 + x FROM a.b", "99999999999999999999 has more digits than cbq holds exactly"),
        ("SELECT * FROM a.b WHERE x IN (1, 1️⃣-9223372036854775809)", "-9223372036854775809 has more digits than cbq holds exactly"),
    ])
    func semanticErrors(text: String, message: String) throws {
        var options = PlannerOptions()
        options.parameters = ["text": .string("abc")]
        let (source, offset) = marked(text)
        let error = try #require(diagnostic(source, options: options))
        #expect(error.message == message)
        #expect(error.range.start == offset)
        #expect(error.kind == .semantic)
    }

    /// Exact numbers at their limits, and doubles by their exponent, are numbers still.
    @Test func numbersAtTheLimitsOfExactnessPlan() throws {
        #expect(try url("SELECT * FROM a.b WHERE x < 20.00000000000000001 AND y = 9223372036854775807 AND z > 1.5e300")
                == "\(base)/a/b?filter[x][l]=20.00000000000000001&filter[y]=9223372036854775807&filter[z][g]=1.5e300&page[size]=100")
    }

    /// Negated, a BETWEEN with one NULL bound is true beyond the other: x NOT BETWEEN NULL AND
    /// 'K' is x < NULL OR x > 'K' (PostgreSQL finds those rows).
    @Test func aNegatedBetweenWithOneNullBoundMayBeTrue() throws {
        _ = try Planner().planSelect("SELECT * FROM a.b WHERE x NOT BETWEEN NULL AND 'K'")
        _ = try Planner().planSelect("SELECT * FROM a.b WHERE NOT (x BETWEEN 'K' AND NULL)")
    }

    @Test func nullComparisonHintsAtIsNull() throws {
        #expect(try #require(diagnostic("SELECT * FROM a.b WHERE x = NULL")).hint == "write x IS NULL")
        #expect(try #require(diagnostic("SELECT * FROM a.b WHERE x <> NULL")).hint == "write x IS NOT NULL")
    }

    @Test(arguments: [
        ("5", Literal.number("5")), ("-2.5", .number("-2.5")), ("true", .boolean(true)), ("FALSE", .boolean(false)),
        ("null", .null), ("Doe", .string("Doe")), ("'42'", .string("42")), ("'it''s'", .string("it's")), ("", .string("")),
        ("5 apples", .string("5 apples")), ("2025-01-01", .string("2025-01-01")),
    ])
    func variableValues(text: String, literal: Literal) {
        #expect(Literal(parameterValue: text) == literal)
    }

    @Test func plansAreComparableValues() throws {
        let a = try Planner().planSelect("SELECT * FROM a.b WHERE x = 1")
        let b = try Planner().planSelect("SELECT * FROM a.b WHERE x = 1")
        #expect(a == b)
        #expect(a != (try Planner().planSelect("SELECT * FROM a.b WHERE x = 2")))
    }
}

struct OperatorConversionTests {
    @Test func comparisonsAndFilterOperatorsRoundTrip() {
        for comparison in ComparisonOperator.allCases {
            #expect(ComparisonOperator(FilterOperator(comparison)) == comparison)
        }
        #expect(ComparisonOperator(FilterOperator.like) == nil)
    }
}
