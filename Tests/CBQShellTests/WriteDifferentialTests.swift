import CBQCore
import CBQSandbox
import Foundation
import Testing
@testable import CBQShell

/// UPDATE and DELETE against SQLite over the same rows: each generated statement (a pinned
/// seed) runs through cbq on a fresh in-process sandbox and through Python's `sqlite3` on a
/// fresh copy of the records; then the whole table must agree, row for row, and so must the
/// count of rows written. This checks which rows a WHERE finds (pushed and local conjuncts
/// alike) and what SET computes from each row.
@Suite(.serialized) struct WriteDifferentialTests {
    typealias Term = DifferentialTests.Term
    typealias Table = DifferentialTests.Table

    static let statementCount = 48

    /// SET assignments that keep each column's kind (the sandbox answers 422 otherwise).
    static func assignments(_ table: Table) -> [Term] {
        switch table.endpoint {
        case .offerings:
            return [Term("capacity_usage = capacity_usage + 1"), Term("capacity_usage = capacity_usage / 2"),
                    Term("max_capacity = max_capacity * 2 - capacity_usage"), Term("name = upper(name)"),
                    Term("archived = (archived = false)", "archived = (archived = 0)"), Term("archived = true", "archived = 1"),
                    Term("name = name || ' (' || provider_id || ')'"), Term("capacity_usage = 0")]
        case .cases:
            return [Term("status = 'closed'"), Term("closed_at = '2026-11-30T12:00:00Z'"), Term("closed_at = NULL"),
                    Term("county = upper(county)"), Term("caseworker = lower(caseworker)"),
                    Term("case_type = replace(case_type, '_', ' ')"), Term("status = status || '*'")]
        default:
            return [Term("city = upper(city)"), Term("city = 'Springfield'"), Term("middle_name = coalesce(middle_name, first_name)"),
                    Term("middle_name = NULL"), Term("state = lower(state)"), Term("last_name = last_name || '-' || state"),
                    Term("first_name = substr(first_name, 1, 3)")]
        }
    }

    struct Case: CustomStringConvertible {
        var table: Table
        var cbq: String
        var sqlite: String
        var description: String { cbq }
    }

    static func generate() -> [Case] {
        var random = SeededGenerator(seed: DifferentialTests.seed &+ 11)
        var cases: [Case] = []
        let tables = [DifferentialTests.people, DifferentialTests.offerings, DifferentialTests.cases]
        while cases.count < statementCount {
            let table = random.pick(tables)
            var conjuncts: [Term] = []
            for _ in 0..<random.int(1...2) { conjuncts.append(random.pick(DifferentialTests.predicates(table))) }
            var whereClause = (" WHERE " + conjuncts.map { "(\($0.cbq))" }.joined(separator: " AND "),
                               " WHERE " + conjuncts.map { "(\($0.sqlite))" }.joined(separator: " AND "))
            if random.chance(0.05) { whereClause = (" WHERE true", " WHERE 1") }
            let name = table.endpoint.qualifiedName
            if random.chance(0.7) {
                var chosen: [Term] = []
                for _ in 0..<random.int(1...2) {
                    let candidate = random.pick(assignments(table))
                    let column = candidate.cbq.prefix { $0 != " " }
                    if !chosen.contains(where: { $0.cbq.hasPrefix(column + " ") }) { chosen.append(candidate) }
                }
                cases.append(Case(table: table, cbq: "UPDATE \(name) SET " + chosen.map(\.cbq).joined(separator: ", ") + whereClause.0,
                                  sqlite: "UPDATE \(table.sqliteName) SET " + chosen.map(\.sqlite).joined(separator: ", ") + whereClause.1))
            } else {
                cases.append(Case(table: table, cbq: "DELETE FROM \(name)" + whereClause.0, sqlite: "DELETE FROM \(table.sqliteName)" + whereClause.1))
            }
        }
        return cases
    }

    /// Each case on a fresh copy: the write, its row count, then the whole table by id.
    static let oracle = DifferentialTests.oraclePrelude + """
        results = []
        for case in spec["cases"]:
            db = database()
            try:
                changed = db.execute(case["write"]).rowcount
                rows = [list(r) for r in db.execute(case["read"]).fetchall()]
                results.append({"changed": changed, "rows": rows})
            except Exception as e:
                results.append({"error": str(e)})
        json.dump(results, sys.stdout)
        """

    /// `SELECT id AS k, a AS c0, b AS c1, … FROM t ORDER BY id`: the whole table, in both spellings.
    static func wholeTable(_ table: Table, sqlite: Bool) -> String {
        let columns = table.columns.dropFirst().enumerated().map { "\($0.element.name) AS c\($0.offset)" }.joined(separator: ", ")
        return "SELECT id AS k, \(columns) FROM \(sqlite ? table.sqliteName : table.endpoint.qualifiedName) ORDER BY id"
    }

    @Test func updatesAndDeletesAgreeWithSQLite() async throws {
        let cases = Self.generate()
        let tables = DifferentialTests.sqliteTables([DifferentialTests.people, DifferentialTests.offerings, DifferentialTests.cases])
        let spec: [String: Any] = ["tables": tables, "cases": cases.map { ["write": $0.sqlite, "read": Self.wholeTable($0.table, sqlite: true)] }]
        let expected = try DifferentialTests.runOracle(Self.oracle, spec: spec)
        try #require(expected.count == cases.count)

        var changedSomething = 0, updates = 0, deletes = 0
        for (write, answer) in zip(cases, expected) {
            if let error = answer["error"] { Issue.record("SQLite rejected \(write.sqlite): \(error)"); continue }
            let changed = answer["changed"] as? Int ?? -1
            let sqliteRows = (answer["rows"] as? [[Any]] ?? []).map { $0.map(DifferentialTests.Cell.init) }
            let sandbox = InProcessTransport()
            let shell = ShellHarness(transport: sandbox)
            let status = await shell.run(write.cbq)
            #expect(status == 0, "\(write.cbq): \(shell.errorText)")
            let verb = write.cbq.hasPrefix("UPDATE") ? "UPDATE" : "DELETE"
            #expect(shell.output == "\(verb) \(changed)\n", "\(write.cbq): cbq says \(shell.output), SQLite changed \(changed)")
            let (rows, readStatus, errors) = try await DifferentialTests.cbqRows(Self.wholeTable(write.table, sqlite: false), on: sandbox)
            #expect(readStatus == 0, "\(errors)")
            if rows != sqliteRows {
                let differing = zip(rows, sqliteRows).first { $0 != $1 }
                let ours = differing.map { "\($0.0)" } ?? "-", theirs = differing.map { "\($0.1)" } ?? "-"
                Issue.record("\(write.cbq)\n  cbq:    \(rows.count) rows, first difference \(ours)\n  sqlite: \(sqliteRows.count) rows, \(theirs)")
            }
            if changed > 0 { changedSomething += 1 }
            if verb == "UPDATE" { updates += 1 } else { deletes += 1 }
        }
        // The generator must exercise both statements, and most must write something.
        #expect(updates >= 20 && deletes >= 8)
        #expect(changedSomething >= cases.count * 2 / 3)
    }
}
