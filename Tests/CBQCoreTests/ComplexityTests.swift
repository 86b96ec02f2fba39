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
