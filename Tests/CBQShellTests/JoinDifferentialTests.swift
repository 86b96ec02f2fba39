import CBQCore
import CBQSandbox
import Foundation
import Testing
@testable import CBQShell

/// Joins, semi-joins and anti-joins against SQLite over the same rows (as
/// ``DifferentialTests`` does for one endpoint): generated from templates with random
/// predicates on each side (a pinned seed), run through cbq on the in-process sandbox and
/// through Python's `sqlite3`. Every query has a total ORDER BY, so rows compare in order.
@Suite(.serialized) struct JoinDifferentialTests {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["CBQ_DIFFERENTIAL_SEED"].flatMap { UInt64($0) } ?? 20_261_202
    static let queryCount = 160
    typealias Table = DifferentialTests.Table
    typealias Query = DifferentialTests.Query
    typealias Term = DifferentialTests.Term

    static let providers = Table(endpoint: .providers, columns: [
        ("id", "TEXT"), ("name", "TEXT"), ("provider_type", "TEXT"), ("licensed", "INTEGER"), ("city", "TEXT"), ("state", "TEXT"),
    ])
    static let reports = Table(endpoint: .reports, columns: [
        ("id", "TEXT"), ("status", "TEXT"), ("source", "TEXT"), ("allegation", "TEXT"), ("person_id", "TEXT"), ("county", "TEXT"),
        ("received_at", "TEXT"),
    ])
    static let tables = [DifferentialTests.people, DifferentialTests.offerings, DifferentialTests.cases, providers, reports]

    /// Conjuncts on one side, written against alias `x` (replaced by the side's alias).
    static func predicates(_ endpoint: KnownEndpoint) -> [Term] {
        switch endpoint {
        case .people:
            return [Term("x.state = 'WA'"), Term("x.gender IN ('female', 'unknown')"), Term("x.middle_name IS NULL"),
                    Term("x.last_name LIKE 'D%'"), Term("x.date_of_birth >= '1990-01-01'"), Term("length(x.first_name) > 4")]
        case .cases:
            return [Term("x.status = 'open'"), Term("x.status != 'closed'"), Term("x.closed_at IS NULL"), Term("x.county LIKE 'M%'"),
                    Term("x.case_number < 'C-100100'"), Term("x.case_type IN ('adoption', 'in_home')")]
        case .offerings:
            return [Term("x.archived = false", "x.archived = 0"), Term("x.max_capacity >= 15"), Term("x.capacity_usage < 5"),
                    Term("x.name LIKE '%Care%'")]
        case .providers:
            return [Term("x.licensed = true", "x.licensed = 1"), Term("x.state IN ('WA', 'OR')"), Term("x.provider_type = 'foster_home'")]
        default:
            return [Term("x.status = 'new'"), Term("x.source IN ('school', 'medical')"), Term("x.county = 'King'"),
                    Term("x.received_at >= '2026-01-01'"), Term("x.allegation != 'neglect'")]
        }
    }

    static func generate() -> [Query] {
        var random = SeededGenerator(seed: seed)
        var queries: [Query] = []
        func conjuncts(_ endpoint: KnownEndpoint, _ alias: String, max: Int = 2) -> [Term] {
            (0..<random.int(0...max)).map { _ in
                let term = random.pick(predicates(endpoint))
                return Term(term.cbq.replacing("x.", with: alias + "."), term.sqlite.replacing("x.", with: alias + "."))
            }
        }
        func clause(_ keyword: String, _ terms: [Term]) -> (String, String) {
            guard !terms.isEmpty else { return ("", "") }
            return (" \(keyword) " + terms.map { "(\($0.cbq))" }.joined(separator: " AND "),
                    " \(keyword) " + terms.map { "(\($0.sqlite))" }.joined(separator: " AND "))
        }
        func both(_ cbq: String, _ sqlite: String? = nil) -> Query {
            // SQLite's tables are named service_endpoint.
            var translated = sqlite ?? cbq
            for table in tables { translated = translated.replacing(table.endpoint.qualifiedName, with: table.sqliteName) }
            return Query(cbq: cbq, sqlite: translated)
        }
        while queries.count < queryCount {
            switch random.int(0...12) {
            case 12:  // LEFT JOIN, ORDER BY the driving side, LIMIT: the LIMIT goes to the driving requests
                let w = clause("WHERE", conjuncts(.cases, "c", max: 1))
                let on = clause("AND", conjuncts(.people, "p", max: 1))
                let order = random.pick(["c.id", "c.id DESC", "c.opened_at DESC, c.id", "c.status, c.id DESC"])
                let limit = " LIMIT \(random.int(1...30)) OFFSET \(random.int(0...10))"
                queries.append(both("SELECT c.id AS k, p.last_name AS c0 FROM cases.cases c LEFT JOIN people.people p ON p.id = c.person_id\(on.0)\(w.0) ORDER BY \(order)\(limit)",
                                    "SELECT c.id AS k, p.last_name AS c0 FROM cases.cases c LEFT JOIN people.people p ON p.id = c.person_id\(on.1)\(w.1) ORDER BY \(order)\(limit)"))
            case 0:  // inner join by id, the person's columns beside the case's
                let w = clause("WHERE", conjuncts(.cases, "c") + conjuncts(.people, "p", max: 1))
                let limit = random.chance(0.3) ? " LIMIT \(random.int(1...20)) OFFSET \(random.int(0...5))" : ""
                queries.append(both("SELECT c.id AS k, p.last_name AS c0, c.status AS c1, p.state AS c2 FROM cases.cases c JOIN people.people p ON p.id = c.person_id\(w.0) ORDER BY k\(limit)",
                                    "SELECT c.id AS k, p.last_name AS c0, c.status AS c1, p.state AS c2 FROM cases.cases c JOIN people.people p ON p.id = c.person_id\(w.1) ORDER BY k\(limit)"))
            case 1:  // LEFT JOIN: providers with their offerings, or NULLs
                let on = clause("AND", conjuncts(.offerings, "o", max: 1))
                let w = clause("WHERE", conjuncts(.providers, "p", max: 1))
                queries.append(both("SELECT p.id AS k, o.id AS c0, o.max_capacity AS c1 FROM providers.providers p LEFT JOIN services.service_offerings o ON o.provider_id = p.id\(on.0)\(w.0) ORDER BY k, c0 NULLS FIRST",
                                    "SELECT p.id AS k, o.id AS c0, o.max_capacity AS c1 FROM providers.providers p LEFT JOIN services.service_offerings o ON o.provider_id = p.id\(on.1)\(w.1) ORDER BY k, c0 NULLS FIRST"))
            case 2:  // GROUP BY over a join
                let w = clause("WHERE", conjuncts(.cases, "c", max: 1) + conjuncts(.people, "p", max: 1))
                let having = random.chance(0.4) ? " HAVING COUNT(*) > \(random.int(1...30))" : ""
                queries.append(both("SELECT p.state AS g, COUNT(*) AS a0, COUNT(DISTINCT c.status) AS a1, MIN(c.opened_at) AS a2 FROM cases.cases c JOIN people.people p ON p.id = c.person_id\(w.0) GROUP BY p.state\(having) ORDER BY g",
                                    "SELECT p.state AS g, COUNT(*) AS a0, COUNT(DISTINCT c.status) AS a1, MIN(c.opened_at) AS a2 FROM cases.cases c JOIN people.people p ON p.id = c.person_id\(w.1) GROUP BY p.state\(having) ORDER BY g"))
            case 3:  // a comma join, the condition in WHERE
                let w = conjuncts(.reports, "r") + conjuncts(.people, "p", max: 1)
                let extra = w.isEmpty ? ("", "") : (" AND " + w.map { "(\($0.cbq))" }.joined(separator: " AND "), " AND " + w.map { "(\($0.sqlite))" }.joined(separator: " AND "))
                queries.append(both("SELECT r.id AS k, p.first_name AS c0, r.allegation AS c1 FROM intake.reports r, people.people p WHERE r.person_id = p.id\(extra.0) ORDER BY k",
                                    "SELECT r.id AS k, p.first_name AS c0, r.allegation AS c1 FROM intake.reports r, people.people p WHERE r.person_id = p.id\(extra.1) ORDER BY k"))
            case 4:  // IN (SELECT …): a semi-join
                let inner = clause("WHERE", conjuncts(.cases, "cs", max: 2))
                let outer = conjuncts(.people, "pp", max: 1)
                let more = outer.isEmpty ? ("", "") : (" AND (\(outer[0].cbq))", " AND (\(outer[0].sqlite))")
                queries.append(both("SELECT id AS k, last_name AS c0 FROM people.people pp WHERE id IN (SELECT person_id FROM cases.cases cs\(inner.0))\(more.0) ORDER BY k",
                                    "SELECT id AS k, last_name AS c0 FROM people.people pp WHERE id IN (SELECT person_id FROM cases.cases cs\(inner.1))\(more.1) ORDER BY k"))
            case 5:  // NOT IN: an anti-join
                let inner = clause("WHERE", conjuncts(.offerings, "so", max: 1))
                queries.append(both("SELECT id AS k, name AS c0 FROM providers.providers WHERE id NOT IN (SELECT provider_id FROM services.service_offerings so\(inner.0)) ORDER BY k",
                                    "SELECT id AS k, name AS c0 FROM providers.providers WHERE id NOT IN (SELECT provider_id FROM services.service_offerings so\(inner.1)) ORDER BY k"))
            case 6:  // NOT IN over a column with NULLs: SQL's rules make it empty, or not
                let state = random.pick(["WA", "OR", "CA", "ZZ"])
                queries.append(both("SELECT id AS k FROM people.people WHERE middle_name NOT IN (SELECT middle_name FROM people.people WHERE state = '\(state)') ORDER BY k",
                                    "SELECT id AS k FROM people.people WHERE middle_name NOT IN (SELECT middle_name FROM people_people WHERE state = '\(state)') ORDER BY k"))
            case 7:  // [NOT] EXISTS, correlated by one equality
                let negated = random.chance(0.5) ? "NOT " : ""
                let inner = clause("AND", conjuncts(.reports, "r", max: 2))
                let outer = clause("AND", conjuncts(.people, "p", max: 1))
                queries.append(both("SELECT p.id AS k FROM people.people p WHERE \(negated)EXISTS (SELECT 1 FROM intake.reports r WHERE r.person_id = p.id\(inner.0))\(outer.0) ORDER BY k",
                                    "SELECT p.id AS k FROM people.people p WHERE \(negated)EXISTS (SELECT 1 FROM intake_reports r WHERE r.person_id = p.id\(inner.1))\(outer.1) ORDER BY k"))
            case 8:  // a self-join on a non-key equality plus an inequality
                let op = random.pick(["<", ">", "!="])
                let w = clause("AND", conjuncts(.providers, "a", max: 1))
                queries.append(both("SELECT a.id AS k, b.id AS c0 FROM providers.providers a JOIN providers.providers b ON a.state = b.state AND a.id \(op) b.id\(w.0) ORDER BY k, c0",
                                    "SELECT a.id AS k, b.id AS c0 FROM providers.providers a JOIN providers.providers b ON a.state = b.state AND a.id \(op) b.id\(w.1) ORDER BY k, c0"))
            case 9:  // a nested loop: no equality at all
                queries.append(both("SELECT a.id AS k, b.id AS c0 FROM providers.providers a JOIN providers.providers b ON a.id < b.id AND a.city > b.city AND b.provider_type = 'clinic' ORDER BY k, c0"))
            case 10:  // LEFT JOIN then WHERE on the nullable side: IS NULL keeps the unmatched
                let test = random.pick([("o.id IS NULL", "o.id IS NULL"), ("o.max_capacity > 20", "o.max_capacity > 20"),
                                        ("o.archived = true OR o.id IS NULL", "o.archived = 1 OR o.id IS NULL")])
                queries.append(both("SELECT p.id AS k, o.id AS c0 FROM providers.providers p LEFT JOIN services.service_offerings o ON o.provider_id = p.id WHERE \(test.0) ORDER BY k, c0 NULLS FIRST",
                                    "SELECT p.id AS k, o.id AS c0 FROM providers.providers p LEFT JOIN services.service_offerings o ON o.provider_id = p.id WHERE \(test.1) ORDER BY k, c0 NULLS FIRST"))
            default:  // three endpoints, unqualified names where only one side has them
                let w = clause("AND", conjuncts(.reports, "r", max: 1) + conjuncts(.cases, "c", max: 1))
                queries.append(both("SELECT r.id AS k, c.id AS c0, first_name AS c1, case_number AS c2 FROM intake.reports r JOIN people.people p ON p.id = r.person_id JOIN cases.cases c ON c.person_id = p.id WHERE r.status = 'new'\(w.0) ORDER BY k, c0",
                                    "SELECT r.id AS k, c.id AS c0, first_name AS c1, case_number AS c2 FROM intake.reports r JOIN people.people p ON p.id = r.person_id JOIN cases.cases c ON c.person_id = p.id WHERE r.status = 'new'\(w.1) ORDER BY k, c0"))
            }
        }
        return queries
    }

    @Test func generatedJoinsAgreeWithSQLite() async throws {
        let (compared, nonEmpty) = try await DifferentialTests.compare(Self.generate(), tables: Self.tables)
        #expect(compared == Self.queryCount)
        #expect(nonEmpty > Self.queryCount / 2)
    }
}
