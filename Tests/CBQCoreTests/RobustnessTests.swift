import Testing
@testable import CBQCore

/// Feeds many random and mutated statements to the compiler: each must give a plan or a
/// diagnostic inside the source, never a crash or a hang.
struct RobustnessTests {
    static let seeds = [
        "SELECT first_name, last_name AS l FROM people.people WHERE last_name LIKE 'Doe' AND age >= 18 ORDER BY created_at DESC LIMIT 50 OFFSET 5;",
        "SELECT COUNT(*) FROM attachments.notes WHERE created_at BETWEEN '2025-01-01' AND '2025-06-30' AND (note_type = 'visit' OR note_type IS NULL)",
        "EXPLAIN SELECT * FROM services.service_offerings WHERE provider_id = :p AND archived = false AND state NOT IN ('CA', 'NY') /* c */ -- x",
        "SELECT \"Odd Name\" FROM a.b WHERE NOT (x <> 1.5e3 OR y != -2) AND z NOT LIKE '%''%' AND id IN (1, 'two')",
        "SELECT DISTINCT lower(city) || '-' || upper(state) AS k, COUNT(*), SUM(n * 2 - 1) FROM a.b WHERE created_at >= now() - INTERVAL '30 days' GROUP BY 1 HAVING COUNT(*) > 1 ORDER BY 2 DESC NULLS LAST LIMIT 5",
        "SELECT CASE WHEN a > 1 THEN 'x' WHEN a IS NULL THEN NULL ELSE CAST(a AS TEXT) END, extract(year FROM d), date_trunc('month', d), round(-2.675, 2), substr(x, -2, 3), 9223372036854775807 + 1 FROM a.b",
        "EXPLAIN ANALYZE SELECT county, COUNT(DISTINCT x), AVG(y % 3), MIN(current_date - INTERVAL '1 month') FROM c.d GROUP BY county ORDER BY county NULLS FIRST",
    ]

    static let fragments = [
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "(", ")", "'", "\"", ",", ".", ";", "*", "=", "<>", "<=", ">",
        "LIKE", "IN", "IS", "NULL", "BETWEEN", "ORDER BY", "LIMIT", "OFFSET", "COUNT(*)", ":p", "--", "/*", "*/",
        "42", "-1", "1.5", "'x'", "a.b", "Zoë", "山田", "\u{0}", "\n", " ", "EXPLAIN", "TRUE", "#", "é", "\u{FFFD}",
        "+", "-", "/", "%", "||", "GROUP BY", "HAVING", "DISTINCT", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST(", "AS",
        "INTEGER", "extract(", "INTERVAL", "'1 day'", "now()", "lower(", "NULLS FIRST", "ANALYZE", "9223372036854775807",
        "0", "SUM(", "MAX(", "current_date", "'2025-01-31'", "date(",
    ]

    @Test func randomMutationsGiveAPlanOrAPositionedError() {
        var generator = SeededGenerator(seed: 20_261_129)  // a failure reproduces
        var options = PlannerOptions()
        options.parameters = ["p": .string("P-1")]
        let planner = Planner(options)
        var plans = 0, errors = 0
        for iteration in 0..<8_000 {
            var text = Array(Self.seeds[iteration % Self.seeds.count].unicodeScalars.map(String.init))
            for _ in 0...Int.random(in: 0...4, using: &generator) {
                let position = Int.random(in: 0...text.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where !text.isEmpty: text.remove(at: min(position, text.count - 1))
                case 1: text.insert(Self.fragments.randomElement(using: &generator)!, at: position)
                case 2 where !text.isEmpty: text[min(position, text.count - 1)] = Self.fragments.randomElement(using: &generator)!
                default: text = Array(text[..<position])
                }
            }
            check(text.joined(), planner: planner, plans: &plans, errors: &errors)
        }
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...20, using: &generator)
            let text = (0..<length).map { _ in Self.fragments.randomElement(using: &generator)! }.joined(separator: " ")
            check(text, planner: planner, plans: &plans, errors: &errors)
        }
        // Both outcomes must be common, or the mutations are not exercising the compiler.
        #expect(plans > 300)
        #expect(errors > 3_000)
    }

    private func check(_ text: String, planner: Planner, plans: inout Int, errors: inout Int) {
        let source = SourceText(text)
        for statement in Parser.parseScript(source) {
            switch statement.result {
            case .success(let parsed):
                do {
                    let plan = try planner.plan(parsed, source: source)
                    _ = plan.explanation()
                    plans += 1
                } catch {
                    errors += 1
                    expectInside(error, source)
                }
            case .failure(let error):
                errors += 1
                expectInside(error, source)
            }
        }
        _ = Parser.inputStatus(source)
    }

    private func expectInside(_ error: Diagnostic, _ source: SourceText) {
        #expect(error.range.start >= 0 && error.range.end <= source.utf8.count, "\(error) in \(source.text.debugDescription)")
        #expect(!error.message.isEmpty)
        _ = DiagnosticFormatter(style: .rich).format(error, in: source)
    }
}
