import Testing
@testable import CBQCore

struct ParserTests {
    private func parse(_ text: String) throws -> SelectStatement {
        guard case .select(let select) = try Parser.parseStatement(SourceText(text)) else { throw NotASelect() }
        return select
    }

    private func whereText(_ text: String) throws -> String {
        try #require(try parse("SELECT * FROM a.b WHERE " + text).filter).description
    }

    @Test func selectWithEveryClause() throws {
        let select = try parse("""
            select first_name, last_name AS surname, "Date Of Birth" dob from people.people
            where last_name like 'Doe' order by created_at desc, first_name asc limit 50 offset 10;
            """)
        guard case .items(let items) = select.items else { Issue.record("expected columns"); return }
        #expect(items.map(\.expression.description) == ["first_name", "last_name", "\"Date Of Birth\""])
        #expect(items.map { $0.outputName(in: SourceText("")) } == ["first_name", "surname", "dob"])
        #expect(select.source.description == "people.people")
        #expect(select.filter?.description == "last_name LIKE 'Doe'")
        #expect(select.ordering.map(\.expression.description) == ["created_at", "first_name"])
        #expect(select.ordering.map(\.descending) == [true, false])
        #expect(select.limit == .literal(50, range: SourceRange(154, 156)))
        #expect(select.offset == .literal(10, range: SourceRange(164, 166)))
    }

    /// cbq's LIKE is case-insensitive (the API's like filter is), so ILIKE, which PostgreSQL
    /// users write for that, is the same predicate, pushed as the same filter.
    @Test func iLikeIsLike() throws {
        #expect(try whereText("last_name ILIKE 'doe%'") == "last_name LIKE 'doe%'")
        #expect(try whereText("last_name not ilike 'doe%'") == "last_name NOT LIKE 'doe%'")
        #expect(try Planner().planSelect("SELECT id FROM people.people WHERE last_name ILIKE 'Doe'").initialURLs()
            == Planner().planSelect("SELECT id FROM people.people WHERE last_name LIKE 'Doe'").initialURLs())
        // Still a name where a name stands.
        #expect(try whereText("ilike = 1") == "ilike = 1")
        #expect(try whereText("\"ilike\" IS NULL") == "ilike IS NULL")
    }

    /// UNION, INTERSECT and EXCEPT are never a table's bare alias (which would run the first
    /// SELECT alone); quoted, they are names.
    @Test func setOperationWordsAreNoBareAlias() throws {
        #expect(throws: Diagnostic.self) { try parse("SELECT * FROM a.b union") }
        #expect(try parse("SELECT * FROM a.b \"union\"").source.alias?.name == "union")
        #expect(try parse("SELECT * FROM a.b AS except").source.alias?.name == "except")
    }

    /// OFFSET may come before LIMIT, as PostgreSQL takes them; each once.
    @Test func offsetBeforeLimit() throws {
        let select = try parse("SELECT id FROM a.b ORDER BY id OFFSET 130 LIMIT 5")
        #expect(select.limit == .literal(5, range: SourceRange(48, 49)))
        #expect(select.offset == .literal(130, range: SourceRange(38, 41)))
        #expect(try Planner().planSelect("SELECT id FROM people.people OFFSET 130 LIMIT 5").initialURLs()
            == Planner().planSelect("SELECT id FROM people.people LIMIT 5 OFFSET 130").initialURLs())
        #expect(throws: Diagnostic.self) { try parse("SELECT id FROM a.b LIMIT 5 OFFSET 1 LIMIT 2") }
        #expect(throws: Diagnostic.self) { try parse("SELECT id FROM a.b OFFSET 1 LIMIT 2 OFFSET 3") }
    }

    @Test func selectStarAndCount() throws {
        #expect(try parse("SELECT * FROM a.b").items == .all(range: SourceRange(7, 8)))
        guard case .items(let count) = try parse("SELECT COUNT(*) FROM a.b").items,
              case .items(let named) = try parse("SELECT count(*) AS n FROM a.b").items
        else { Issue.record("expected items"); return }
        #expect(count.map(\.expression.description) == ["COUNT(*)"])
        #expect(count.first?.range == SourceRange(7, 15))
        #expect(named.first?.alias?.name == "n")
        #expect(named.first?.range == SourceRange(7, 20))
    }

    /// Precedence as SQL has it: OR < AND < NOT < comparison.
    @Test(arguments: [
        ("a = 1 OR b = 2 AND c = 3", "a = 1 OR b = 2 AND c = 3", "or"),
        ("NOT a = 1 AND b = 2", "NOT a = 1 AND b = 2", "and"),
        ("(a = 1 OR b = 2) AND c = 3", "(a = 1 OR b = 2) AND c = 3", "and"),
        ("a <> 1", "a != 1", "comparison"),
        ("18 <= age", "18 <= age", "comparison"),
        ("a NOT LIKE 'x%'", "a NOT LIKE 'x%'", "like"),
        ("a IS NOT NULL", "a IS NOT NULL", "isNull"),
        ("a NOT IN (1, 'two', :p)", "a NOT IN (1, 'two', :p)", "inList"),
        ("a BETWEEN 1 AND 5 AND b = 2", "a BETWEEN 1 AND 5 AND b = 2", "and"),
        ("a NOT BETWEEN -1.5 AND 5", "a NOT BETWEEN -1.5 AND 5", "between"),
        ("archived = FALSE OR x = TRUE OR y IS NULL", "archived = FALSE OR x = TRUE OR y IS NULL", "or"),
        ("\"order\" = 'x'", "\"order\" = 'x'", "comparison"),
    ])
    func expressions(text: String, printed: String, top: String) throws {
        let expression = try #require(try parse("SELECT * FROM a.b WHERE " + text).filter)
        #expect(expression.description == printed)
        let kind: String
        switch expression {
        case .or: kind = "or"
        case .and: kind = "and"
        case .comparison: kind = "comparison"
        case .like: kind = "like"
        case .isNull: kind = "isNull"
        case .inList: kind = "inList"
        case .between: kind = "between"
        default: kind = "other"
        }
        #expect(kind == top)
    }

    @Test func andBindsTighterThanOr() throws {
        let expression = try #require(try parse("SELECT * FROM a.b WHERE a = 1 OR b = 2 AND c = 3").filter)
        guard case .or(_, let right) = expression, case .and = right else {
            Issue.record("expected a = 1 OR (b = 2 AND c = 3), got \(expression)")
            return
        }
    }

    @Test func conjunctsFlattenNestedAnds() throws {
        let expression = try #require(try parse("SELECT * FROM a.b WHERE a = 1 AND (b = 2 AND c = 3) AND d = 4").filter)
        #expect(expression.conjuncts.map(\.description) == ["a = 1", "b = 2", "c = 3", "d = 4"])
    }

    @Test func explainWrapsASelect() throws {
        let statement = try Parser.parseStatement(SourceText("EXPLAIN SELECT * FROM a.b"))
        guard case .explain(.select(let select), false, let range) = statement else { Issue.record("expected EXPLAIN of a SELECT"); return }
        #expect(select.source.description == "a.b")
        #expect(range == SourceRange(0, 25))
    }

    @Test func scriptsSplitOnSemicolonsOutsideStringsAndComments() {
        let source = SourceText("""
            SELECT * FROM a.b WHERE x = 'a;b'; -- one; two
            /* ; */ SELECT * FROM c.d;;
            SELECT * FROM e.f
            """)
        let statements = Parser.parseScript(source)
        #expect(statements.count == 3)
        #expect(statements.allSatisfy { (try? $0.result.get()) != nil })
        #expect(statements.map { source.slice($0.range).contains("SELECT") } == [true, true, true])
    }

    @Test func anErrorInOneStatementLeavesTheOthers() {
        let statements = Parser.parseScript(SourceText("SELECT * FROM a.b; SELEC * FROM c.d; SELECT * FROM e.f"))
        #expect(statements.map { (try? $0.result.get()) != nil } == [true, false, true])
    }

    @Test(arguments: [
        ("SELECT * FROM a.b", Parser.InputStatus.incomplete),
        ("SELECT * FROM a.b;", .complete),
        ("SELECT * FROM a.b WHERE x = 'it''s;", .incomplete),
        ("SELECT * FROM a.b /* ;", .incomplete),
        ("SELECT * FROM a.b WHERE x >", .incomplete),
        ("SELEC * FROM a.b;", .complete),  // a complete statement with an error: run it, report it
        ("  -- nothing\n", .empty),
        ("SELECT * FROM a.b; SELECT", .incomplete),
        ("SELECT * FROM a.b WHERE x >;", .complete),  // an error to report, not more input to wait for
    ])
    func inputStatus(text: String, status: Parser.InputStatus) {
        #expect(Parser.inputStatus(SourceText(text)) == status)
    }

    @Test(arguments: [
        ("1️⃣SELEC * FROM a.b", "expected 'SELECT', 'INSERT', 'UPDATE', 'DELETE' or 'EXPLAIN' after the start of a statement, found 'SELEC'", "did you mean 'SELECT'?"),
        ("SELECT * 1️⃣FORM a.b", "expected 'FROM' after the select list, found 'FORM'", "did you mean 'FROM'?"),
        ("SELECT * FROM a.b 1️⃣WHRE x = 1", "expected 'WHERE', 'GROUP BY', 'HAVING', 'ORDER BY', 'LIMIT', 'OFFSET' or ';' after 'b', found 'WHRE'", "did you mean 'WHERE'?"),
        ("SELECT * FROM a.b WHERE x = 1 1️⃣LIMT 5", "expected 'AND', 'OR', 'GROUP BY', 'HAVING', 'ORDER BY', 'LIMIT', 'OFFSET' or ';' after 1, found 'LIMT'", "did you mean 'LIMIT'?"),
        ("SELECT * FROM a.b ORDER 1️⃣x", "expected 'BY' after 'ORDER', found 'x'", nil),
        ("SELECT * FROM a.b WHERE age >1️⃣", "expected a value after '>'", nil),
        ("SELECT * FROM a.b WHERE age > 1️⃣FROM", "expected a value after '>', found 'FROM'", "to use 'FROM' as a column name, quote it: \"FROM\""),
        ("SELECT * FROM people1️⃣", "expected '.' and an endpoint after 'people'", nil),
        ("SELECT * FROM people 1️⃣WHERE", "expected '.' after the service name 'people'", nil),
        ("SELECT *1️⃣, a FROM a.b", "'*' cannot be combined with other columns", nil),
        ("SELECT DISTINCT 1️⃣* FROM a.b", "DISTINCT * is not supported", "name the columns to make distinct: SELECT DISTINCT city, state FROM …"),
        ("SELECT CAST(a AS 1️⃣money) FROM a.b", "unknown type 'money'", "CAST takes one of INTEGER, DECIMAL, DOUBLE, TEXT, BOOLEAN, DATE, TIMESTAMP"),
        ("SELECT extract(1️⃣yaer FROM a) FROM a.b", "unknown date field 'yaer'", "did you mean 'year'?"),
        ("SELECT a + INTERVAL 1️⃣'soon' FROM a.b", "cannot read the interval 'soon'", "write a whole number and a unit: INTERVAL '30 days', '2 hours', '1 month', '1 year'"),
        ("SELECT CASE 1️⃣END FROM a.b", "expected 'WHEN' after 'CASE', found 'END'", nil),
        ("SELECT a FROM a.b GROUP 1️⃣a", "expected 'BY' after 'GROUP', found 'a'", nil),
        ("SELECT a FROM a.b WHERE 1️⃣a + 1", "expected a condition, found the value a + 1", "compare it, e.g. a + 1 = TRUE or a + 1 IS NOT NULL"),
        ("SELECT a FROM a.b ORDER BY a NULLS 1️⃣LATER", "expected 'FIRST' or 'LAST' after 'NULLS', found 'LATER'", nil),
        ("SELECT 1️⃣(a = 1) + 2 FROM a.b", "'+' compares values, not conditions", "combine conditions with AND, OR and NOT"),
        ("SELECT * FROM a.b WHERE 1️⃣archived", "expected a condition, found the value archived", "compare it, e.g. archived = TRUE or archived IS NOT NULL"),
        ("SELECT * FROM a.b WHERE x = 1 AND 1️⃣y", "expected a condition beside 'AND', found the value y", "compare it, e.g. y = TRUE or y IS NOT NULL"),
        ("SELECT * FROM a.b WHERE 1️⃣(a = 1) = TRUE", "'=' compares values, not conditions", "combine conditions with AND, OR and NOT"),
        ("SELECT * FROM a.b WHERE a IS 1️⃣TRUE", "expected 'NULL' after 'IS', found 'TRUE'", "cbq supports IS NULL and IS NOT NULL; compare booleans with = TRUE"),
        ("SELECT * FROM a.b WHERE a NOT 1️⃣= 1", "expected 'LIKE', 'IN' or 'BETWEEN' after 'NOT', found '='", "to negate a condition, put NOT before it: NOT (a = 1)"),
        ("SELECT * FROM a.b WHERE a IN (1️⃣)", "an IN list cannot be empty", "e.g. state IN ('CA', 'NY')"),
        ("SELECT * FROM a.b WHERE a IN (1, 2 1️⃣3)", "expected ')' after the IN list, found the number 3", nil),
        ("SELECT * FROM a.b WHERE a BETWEEN 1 1️⃣OR 2", "expected 'AND' after 'BETWEEN 1', found 'OR'", "BETWEEN low AND high"),
        ("SELECT * FROM a.b WHERE (a = 1 1️⃣LIMIT 1", "expected ')' after '(a = 1', found 'LIMIT'", "close the parenthesis opened here"),
        ("SELECT * FROM a.b LIMIT 1️⃣'5'", "expected a number after 'LIMIT', found the string '5'", nil),
        ("SELECT * FROM a.b LIMIT 1️⃣-1", "LIMIT needs a whole number of 0 or more", nil),
        ("SELECT * FROM a.b LIMIT 1️⃣2.5", "LIMIT needs a whole number of 0 or more", nil),
        ("SELECT * FROM a.b1️⃣.c", "an endpoint has two parts, service.endpoint", "e.g. services.service_offerings"),
        ("SELECT * FROM a.b WHERE x = 1 1️⃣y = 2", "expected 'AND', 'OR', 'GROUP BY', 'HAVING', 'ORDER BY', 'LIMIT', 'OFFSET' or ';' after 1, found 'y'", "end the statement with ';' before starting another"),
        ("SELECT * FROM a.b WHERE a.c1️⃣.d = 1", "a column name has at most one '.': table.column", "name the table by its alias, e.g. FROM people.people p … p.last_name"),
        ("SELECT * FROM a.b WHERE 1️⃣zz.c = 1", "no table named 'zz' in FROM", "qualify columns by a table's alias, or by its endpoint's name when it has none"),
        ("SELECT * FROM a.b c JOIN d.e1️⃣", "expected 'ON' after 'd.e'", "e.g. JOIN people.people p ON p.id = c.person_id; or list the tables with ',' and join in WHERE"),
        ("SELECT * FROM a.b LEFT 1️⃣d.e ON x = y", "expected 'JOIN' after 'LEFT', found 'd'", nil),
        ("SELECT * FROM a.b WHERE x IN (1️⃣SELECT y, z FROM c.d)", "a subquery after IN must select exactly one column", "e.g. id IN (SELECT person_id FROM cases.cases WHERE status = 'open')"),
        ("SELECT * FROM a.b c, a.b 1️⃣c", "table name 'c' is used twice in FROM", "give each an alias: FROM people.people a JOIN people.people b ON …"),
        ("SELECT * FROM a.b 1️⃣RIGHT JOIN c.d ON x = y", "RIGHT JOIN is not supported", "write the tables the other way round with LEFT JOIN"),
        ("SELECT * FROM a.b x 1️⃣FULL OUTER JOIN c.d ON x = y", "FULL JOIN is not supported", nil),
        ("SELECT * FROM a.b 1️⃣NATURAL JOIN c.d", "NATURAL JOIN is not supported", "name the condition: JOIN … ON a.x = b.x"),
        ("SELECT * FROM a.b x JOIN c.d y 1️⃣USING (id)", "JOIN … USING is not supported", "name the condition: JOIN … ON a.x = b.x"),
        ("SELECT * FROM a.b right WHERE right.x = 1 AND 1️⃣zz.y = 2", "no table named 'zz' in FROM", nil),
        ("SELECT 1️⃣FROM a.b", "expected a value after 'SELECT', found 'FROM'", "to use 'FROM' as a column name, quote it: \"FROM\""),
        ("SELECT * FROM a.b 1️⃣UNION SELECT * FROM c.d", "UNION is not supported", "run each SELECT as a statement of its own; over one endpoint, join the two WHERE conditions with OR"),
        ("SELECT x FROM a.b WHERE x = 1 LIMIT 2 1️⃣union all SELECT x FROM c.d", "UNION is not supported", nil),
        ("SELECT * FROM a.b t 1️⃣INTERSECT SELECT * FROM c.d", "INTERSECT is not supported", nil),
        ("SELECT * FROM a.b WHERE x IN (SELECT y FROM c.d 1️⃣EXCEPT SELECT y FROM e.f)", "EXCEPT is not supported", nil),
        ("1️⃣WITH t AS (SELECT * FROM a.b) SELECT * FROM t", "WITH (a common table expression) is not supported", nil),
        ("SELECT DISTINCT 1️⃣ON (a) a, b FROM a.b", "DISTINCT ON is not supported", "GROUP BY the columns that should be distinct, with min() or max() of the others"),
        ("SELECT a, row_number() 1️⃣OVER (ORDER BY a) FROM a.b", "window functions (OVER) are not supported", nil),
        ("SELECT sum(n) 1️⃣over (PARTITION BY a) FROM a.b", "window functions (OVER) are not supported", nil),
        ("SELECT * FROM a.b WHERE x ILIKE1️⃣", "expected a value after 'ILIKE'", nil),
    ])
    func syntaxErrors(text: String, message: String, hint: String?) throws {
        let (source, offset) = marked(text)
        let error = try #require(diagnostic(source), "\(source) must fail")
        #expect(error.message == message)
        #expect(error.range.start == offset, "\(error.message) at \(error.range)")
        if let hint { #expect(error.hint == hint) }
    }

    @Test(arguments: ["SELECT", "SELECT *", "SELECT * FROM", "SELECT * FROM a.", "SELECT * FROM a.b WHERE",
                      "SELECT * FROM a.b WHERE x =", "SELECT * FROM a.b WHERE x IN (1,", "SELECT * FROM a.b WHERE x BETWEEN 1",
                      "SELECT * FROM a.b ORDER BY", "SELECT * FROM a.b LIMIT", "SELECT * FROM a.b WHERE (x = 1",
                      "SELECT * FROM a.b WHERE x NOT", "SELECT * FROM a.b WHERE x IS", "EXPLAIN", "SELECT a AS"])
    func truncatedStatementsAreIncomplete(text: String) throws {
        let error = try #require(diagnostic(text))
        #expect(error.isIncomplete, "\(text): \(error.message)")
        #expect(error.range.start <= text.utf8.count)
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let text = "SELECT * FROM a.b WHERE " + String(repeating: "(", count: 50_000) + "a = 1"
        let error = try #require(diagnostic(text))
        #expect(error.message.contains("nested too deeply"))
        let nots = "SELECT * FROM a.b WHERE " + String(repeating: "NOT ", count: 50_000) + "a = 1"
        #expect(try #require(diagnostic(nots)).message.contains("nested too deeply"))
    }

    @Test func longConditionsAreAnErrorNotACrash() throws {
        let text = "SELECT * FROM a.b WHERE " + Array(repeating: "a = 1", count: 10_000).joined(separator: " OR ")
        #expect(try #require(diagnostic(text)).message.contains("condition too long"))
    }
}

struct NotASelect: Error {}
