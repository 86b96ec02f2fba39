import Testing
@testable import CBQCore

/// The worst cases grow linearly: compile each at n and 10n and require the time to grow
/// about 10-fold (a quadratic step grows 100-fold). Not a timed test: no absolute budget,
/// only the ratio, with room for a busy machine.
struct ComplexityTests {
    /// Seconds for `body`, the best of three.
    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return best
    }

    private func expectLinear(_ name: String, small: Double, large: Double) {
        // Linear is 10x; allow up to 30x for noise and allocator effects.
        #expect(large / max(small, 1e-6) < 30, "\(name): \(small) s at n, \(large) s at 10n")
    }

    @Test func anIDListPlansInLinearTime() throws {
        func plan(_ count: Int) throws {
            let ids = (0..<count).map { "'PER-\($0)'" }.joined(separator: ", ")
            _ = try Planner().planSelect("SELECT * FROM people.people WHERE id IN (\(ids))")
        }
        let small = try seconds { try plan(10_000) }, large = try seconds { try plan(100_000) }
        expectLinear("id IN (…)", small: small, large: large)
    }

    @Test func sparseFieldsetsOfManyColumnsPlanInLinearTime() throws {
        var options = PlannerOptions()
        options.sparseFieldsets = true
        func plan(_ count: Int) throws {
            let columns = (0..<count).map { "c\($0)" }.joined(separator: ", ")
            _ = try Planner(options).planSelect("SELECT \(columns) FROM people.people")
        }
        let small = try seconds { try plan(10_000) }, large = try seconds { try plan(100_000) }
        expectLinear("--fields", small: small, large: large)
    }

    @Test func aHugeWordAfterAStatementIsQuickToReport() {
        func parse(_ length: Int) {
            let text = "SELECT * FROM a.b " + String(repeating: "x", count: length)
            do { _ = try Parser.parseStatement(SourceText(text)) } catch {
                // The message quotes a few words of the word, not all of it.
                #expect(error.message.utf8.count < 300)
                _ = DiagnosticFormatter(style: .rich).format(error, in: SourceText(text))
            }
        }
        let small = seconds { parse(100_000) }, large = seconds { parse(1_000_000) }
        expectLinear("a huge word", small: small, large: large)
    }

    @Test func aMegabyteStatementParsesInLinearTime() throws {
        func parse(_ count: Int) throws {
            let list = (0..<count).map { "'v\($0)'" }.joined(separator: ", ")
            _ = try Parser.parseStatement(SourceText("SELECT a, lower(b) || 'x' FROM a.b WHERE c IN (\(list)) ORDER BY a"))
        }
        let small = try seconds { try parse(10_000) }, large = try seconds { try parse(100_000) }  // about 1 MB
        expectLinear("a long IN list", small: small, large: large)
    }
}

/// A long IN list of strings (what a subquery's ids become) is a set: linear in rows, not
/// rows × values; and it answers as the comparison-by-comparison path does.
struct InListTests {
    @Test func aLongListOfStringsIsASetWithTheSameAnswers() throws {
        func compile(_ text: String) throws -> CompiledExpression {
            let statement = try Parser.parseStatement(SourceText("SELECT * FROM a.b WHERE " + text))
            guard case .select(let select) = statement, let filter = select.filter else { throw Diagnostic.expectedSelect(at: statement.range) }
            return try ExpressionCompiler(slots: ["x": 0]).compile(filter)
        }
        let values = (0..<20).map { "'v\($0)'" }
        for (list, negated) in [(values, false), (values, true), (values + ["NULL"], false), (values + ["NULL"], true)] {
            let long = try compile("x \(negated ? "NOT IN" : "IN") (\(list.joined(separator: ", ")))")
            // The same test as ORs (or ANDs) of comparisons, which never take the set.
            let spelled = list.map { "x \(negated ? "!=" : "=") \($0)" }.joined(separator: negated ? " AND " : " OR ")
            let short = try compile(spelled.replacingOccurrences(of: "= NULL", with: "= CAST(NULL AS TEXT)"))
            for x: SQLValue in [.text("v3"), .text("v19"), .text("nope"), .text(""), .null, .text("V3")] {
                #expect(try long([x]).description == short([x]).description, "x = \(x) in \(list.count) values, negated \(negated)")
            }
            // A number does not compare with text that is not one: an error on both paths.
            #expect(throws: Diagnostic.self) { _ = try long([.integer(3)]) }
            #expect(throws: Diagnostic.self) { _ = try short([.integer(3)]) }
        }
    }

    @Test func aLongListEvaluatesInTimeLinearInRows() throws {
        let values = (0..<20_000).map { "'PER-\($0)'" }.joined(separator: ", ")
        let statement = try Parser.parseStatement(SourceText("SELECT * FROM a.b WHERE x IN (\(values))"))
        guard case .select(let select) = statement, let filter = select.filter else { return }
        let test = try ExpressionCompiler(slots: ["x": 0]).compile(filter)
        let start = ContinuousClock.now
        var passed = 0
        for row in 0..<20_000 where try test.passes([.text("PER-\(row * 2)")]) { passed += 1 }
        #expect(passed == 10_000)
        // 4·10^8 comparisons one by one; a few milliseconds as a set. A bound that only the set meets.
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
