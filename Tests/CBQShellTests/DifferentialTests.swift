import CBQCore
import CBQSandbox
import Foundation
import Testing
@testable import CBQShell

/// cbq against SQLite over the same rows: generated GROUP BY, DISTINCT, expression, function
/// and date queries (a pinned seed), each run through cbq on the in-process sandbox and through
/// Python's `sqlite3` on a copy of the sandbox's records. Every row must agree.
///
/// The queries stay inside what both define the same way: explicit NULLS FIRST/LAST and a total
/// ORDER BY, text functions on ASCII columns, day and hour intervals (SQLite's month arithmetic
/// does not clamp to the month's end). Where the two spell a function differently, each query
/// carries both spellings.
@Suite(.serialized) struct DifferentialTests {
    /// Pinned, so a failure reproduces; `CBQ_DIFFERENTIAL_SEED=n swift test` tries other queries.
    static let seed: UInt64 = ProcessInfo.processInfo.environment["CBQ_DIFFERENTIAL_SEED"].flatMap { UInt64($0) } ?? 20_261_201
    static let queryCount = 400

    /// The endpoints compared, their SQLite table and typed columns.
    struct Table {
        var endpoint: KnownEndpoint
        var columns: [(name: String, type: String)]
        var sqliteName: String { endpoint.path.replacingOccurrences(of: "/", with: "_") }
    }

    static let people = Table(endpoint: .people, columns: [
        ("id", "TEXT"), ("first_name", "TEXT"), ("middle_name", "TEXT"), ("last_name", "TEXT"), ("date_of_birth", "TEXT"),
        ("gender", "TEXT"), ("race", "TEXT"), ("primary_language", "TEXT"), ("email", "TEXT"), ("city", "TEXT"),
        ("state", "TEXT"), ("created_at", "TEXT"),
    ])
    static let offerings = Table(endpoint: .offerings, columns: [
        ("id", "TEXT"), ("provider_id", "TEXT"), ("name", "TEXT"), ("archived", "INTEGER"), ("max_capacity", "INTEGER"),
        ("capacity_usage", "INTEGER"), ("created_at", "TEXT"),
    ])
    static let cases = Table(endpoint: .cases, columns: [
        ("id", "TEXT"), ("case_number", "TEXT"), ("case_type", "TEXT"), ("status", "TEXT"), ("person_id", "TEXT"), ("caseworker", "TEXT"),
        ("county", "TEXT"), ("opened_at", "TEXT"), ("closed_at", "TEXT"),
    ])

    /// A query in both spellings.
    struct Query: CustomStringConvertible {
        var cbq: String
        var sqlite: String
        var description: String { cbq }
    }

    // MARK: - Generating queries

    /// An expression in both spellings; `ascii` when it only reads ASCII text.
    struct Term {
        var cbq: String
        var sqlite: String
        init(_ both: String) { cbq = both; sqlite = both }
        init(_ cbq: String, _ sqlite: String) { self.cbq = cbq; self.sqlite = sqlite }
    }

    static func values(_ table: Table) -> [Term] {
        switch table.endpoint {
        case .offerings:
            return [Term("max_capacity"), Term("capacity_usage"), Term("max_capacity - capacity_usage"), Term("capacity_usage * 3 + 1"),
                    Term("capacity_usage / 3"), Term("capacity_usage % 7"), Term("-capacity_usage % 4"), Term("abs(capacity_usage - 20)"),
                    Term("round(capacity_usage * 1.0 / max_capacity, 2)"), Term("max_capacity > 20"),
                    Term("CAST(capacity_usage AS REAL) / 4"), Term("round(CAST(max_capacity AS FLOAT) / 3, 4)"),
                    Term("CASE WHEN max_capacity > 20 THEN 'big' WHEN max_capacity > 10 THEN 'mid' ELSE 'small' END"),
                    Term("CAST(max_capacity AS TEXT) || '/' || CAST(capacity_usage AS TEXT)"), Term("nullif(capacity_usage, 0)"),
                    Term("coalesce(nullif(capacity_usage, 0), -1)"), Term("archived"), Term("length(name)"), Term("lower(name)"),
                    Term("substr(provider_id, 5)"), Term("date(created_at)"),
                    Term("extract(month FROM created_at)", "CAST(strftime('%m', created_at) AS INTEGER)"),
                    Term("CASE archived WHEN true THEN 'archived' ELSE 'active' END", "CASE archived WHEN 1 THEN 'archived' ELSE 'active' END")]
        case .cases:
            return [Term("status"), Term("county"), Term("upper(county)"), Term("case_type"), Term("lower(caseworker)"),
                    Term("substr(case_type, 1, 5)"), Term("replace(case_type, '_', ' ')"), Term("opened_at"), Term("closed_at"),
                    Term("coalesce(closed_at, 'open')"), Term("closed_at IS NULL"),
                    Term("extract(year FROM opened_at)", "CAST(strftime('%Y', opened_at) AS INTEGER)"),
                    Term("extract(dow FROM opened_at)", "CAST(strftime('%w', opened_at) AS INTEGER)"),
                    Term("date_trunc('month', opened_at)", "strftime('%Y-%m-01T00:00:00Z', opened_at)"),
                    Term("date_trunc('year', opened_at)", "strftime('%Y-01-01T00:00:00Z', opened_at)"),
                    Term("opened_at + INTERVAL '30 days'", "date(opened_at, '+30 days')"),
                    Term("status || ':' || county")]
        default:
            return [Term("gender"), Term("state"), Term("city"), Term("lower(city)"), Term("upper(state)"), Term("length(first_name)"),
                    Term("length(last_name) + length(first_name)"), Term("substr(last_name, 2, 3)"), Term("substr(last_name, -3)"),
                    Term("substr(city, 0, 3)"), Term("trim('  ' || state || '  ')"), Term("ltrim(city, 'S')"), Term("rtrim(city, 'aeo')"),
                    Term("replace(city, 'a', 'o')"), Term("coalesce(middle_name, first_name)"), Term("nullif(gender, 'male')"),
                    Term("middle_name"), Term("race"), Term("date_of_birth"), Term("date(created_at)"),
                    Term("first_name || ' ' || last_name"), Term("middle_name IS NOT NULL"),
                    Term("CASE gender WHEN 'female' THEN 'F' WHEN 'male' THEN 'M' END"),
                    Term("extract(year FROM date_of_birth)", "CAST(strftime('%Y', date_of_birth) AS INTEGER)"),
                    Term("extract(month FROM date_of_birth)", "CAST(strftime('%m', date_of_birth) AS INTEGER)"),
                    Term("extract(day FROM date_of_birth)", "CAST(strftime('%d', date_of_birth) AS INTEGER)"),
                    Term("extract(hour FROM created_at)", "CAST(strftime('%H', created_at) AS INTEGER)"),
                    Term("date_trunc('day', created_at)", "strftime('%Y-%m-%dT00:00:00Z', created_at)"),
                    Term("created_at + INTERVAL '2 hours'", "strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+2 hours')"),
                    Term("date_of_birth - INTERVAL '10 days'", "date(date_of_birth, '-10 days')"),
                    Term("CAST(date_of_birth AS DATE)", "date(date_of_birth)")]
        }
    }

    /// Group keys: few distinct values.
    static func keys(_ table: Table) -> [Term] {
        switch table.endpoint {
        case .offerings: return [Term("archived"), Term("name"), Term("max_capacity > 20"), Term("capacity_usage % 3")]
        case .cases:
            return [Term("status"), Term("county"), Term("case_type"), Term("closed_at IS NULL"),
                    Term("extract(year FROM opened_at)", "CAST(strftime('%Y', opened_at) AS INTEGER)")]
        default:
            return [Term("gender"), Term("state"), Term("race"), Term("lower(city)"), Term("length(last_name)"),
                    Term("extract(year FROM date_of_birth) / 10 * 10", "CAST(strftime('%Y', date_of_birth) AS INTEGER) / 10 * 10")]
        }
    }

    /// Numeric columns for SUM and AVG.
    static func numbers(_ table: Table) -> [Term] {
        switch table.endpoint {
        case .offerings: return [Term("max_capacity"), Term("capacity_usage"), Term("max_capacity - capacity_usage")]
        case .cases: return [Term("extract(month FROM opened_at)", "CAST(strftime('%m', opened_at) AS INTEGER)")]
        default: return [Term("length(first_name)"), Term("extract(day FROM date_of_birth)", "CAST(strftime('%d', date_of_birth) AS INTEGER)")]
        }
    }

    /// WHERE conjuncts: some the API takes, some evaluated here.
    static func predicates(_ table: Table) -> [Term] {
        switch table.endpoint {
        case .offerings:
            return [Term("archived = false", "archived = 0"), Term("max_capacity >= 15"), Term("capacity_usage < 10"),
                    Term("capacity_usage * 2 > max_capacity"), Term("name LIKE '%care%'"), Term("provider_id IN ('PRV-0001', 'PRV-0002', 'PRV-0003')"),
                    Term("max_capacity BETWEEN 10 AND 25"), Term("NOT (archived = true)", "NOT (archived = 1)")]
        case .cases:
            return [Term("status = 'open'"), Term("status != 'closed'"), Term("closed_at IS NULL"), Term("county LIKE 'M%'"),
                    Term("opened_at >= '2024-01-01'"), Term("lower(case_type) LIKE '%care'"), Term("status IN ('open', 'pending')"),
                    Term("extract(year FROM opened_at) = 2025", "CAST(strftime('%Y', opened_at) AS INTEGER) = 2025"),
                    Term("opened_at >= DATE '2024-06-01'", "opened_at >= '2024-06-01'"), Term("opened_at < '2025-01-01'::date", "opened_at < '2025-01-01'")]
        default:
            return [Term("state = 'WA'"), Term("gender IN ('female', 'unknown')"), Term("middle_name IS NULL"), Term("last_name LIKE 'D%'"),
                    Term("date_of_birth >= '2000-01-01'"), Term("length(first_name) > 4"), Term("lower(city) LIKE 's%'"),
                    Term("city NOT IN ('Seattle', 'Portland')"), Term("date_of_birth BETWEEN '1980-01-01' AND '1999-12-31'"),
                    Term("state = 'OR' OR state = 'CA'"), Term("NOT gender = 'male'"),
                    Term("created_at >= TIMESTAMP '2025-01-01 10:00:00+02:00'", "created_at >= '2025-01-01T08:00:00Z'"),
                    Term("date_of_birth < DATE '1990-06-15'", "date_of_birth < '1990-06-15'")]
        }
    }

    static func generate() -> [Query] {
        var random = SeededGenerator(seed: seed)
        var queries: [Query] = []
        let tables = [people, offerings, cases]
        func whereClause(_ table: Table) -> (String, String) {
            let count = random.int(0...2)
            guard count > 0 else { return ("", "") }
            var chosen: [Term] = []
            for _ in 0..<count { chosen.append(random.pick(predicates(table))) }
            return (" WHERE " + chosen.map { "(\($0.cbq))" }.joined(separator: " AND "),
                    " WHERE " + chosen.map { "(\($0.sqlite))" }.joined(separator: " AND "))
        }
        func nulls() -> String { random.chance(0.5) ? " NULLS FIRST" : " NULLS LAST" }
        func direction() -> String { random.chance(0.5) ? " DESC" : "" }
        while queries.count < queryCount {
            let table = random.pick(tables)
            let from = " FROM \(table.endpoint.qualifiedName)"
            let sqliteFrom = " FROM \(table.sqliteName)"
            let (cbqWhere, sqliteWhere) = whereClause(table)
            switch random.int(0...3) {
            case 0:  // expressions, ordered by id
                var terms: [Term] = []
                for _ in 0..<random.int(1...3) { terms.append(random.pick(values(table))) }
                let list = terms.enumerated().map { ("\($0.element.cbq) AS c\($0.offset)", "\($0.element.sqlite) AS c\($0.offset)") }
                let limit = random.chance(0.5) ? " LIMIT \(random.int(1...40)) OFFSET \(random.int(0...20))" : ""
                let order = " ORDER BY c0\(direction())\(nulls()), id"
                queries.append(Query(cbq: "SELECT id AS k, " + list.map(\.0).joined(separator: ", ") + from + cbqWhere + order + limit,
                                     sqlite: "SELECT id AS k, " + list.map(\.1).joined(separator: ", ") + sqliteFrom + sqliteWhere + order + limit))
            case 1:  // DISTINCT
                let terms = [random.pick(keys(table) + values(table)), random.pick(keys(table))].prefix(random.int(1...2))
                let list = terms.enumerated().map { ("\($0.element.cbq) AS c\($0.offset)", "\($0.element.sqlite) AS c\($0.offset)") }
                let order = " ORDER BY " + terms.indices.map { "c\($0)\(direction())\(nulls())" }.joined(separator: ", ")
                let limit = random.chance(0.3) ? " LIMIT \(random.int(1...10))" : ""
                queries.append(Query(cbq: "SELECT DISTINCT " + list.map(\.0).joined(separator: ", ") + from + cbqWhere + order + limit,
                                     sqlite: "SELECT DISTINCT " + list.map(\.1).joined(separator: ", ") + sqliteFrom + sqliteWhere + order + limit))
            case 2:  // GROUP BY with aggregates
                let key = random.pick(keys(table))
                let number = random.pick(numbers(table))
                let other = random.pick(values(table))
                var aggregates: [Term] = [Term("COUNT(*)")]
                let choices = [Term("SUM(\(number.cbq))", "SUM(\(number.sqlite))"), Term("MIN(\(other.cbq))", "MIN(\(other.sqlite))"),
                               Term("MAX(\(other.cbq))", "MAX(\(other.sqlite))"), Term("AVG(\(number.cbq))", "AVG(\(number.sqlite))"),
                               Term("COUNT(\(other.cbq))", "COUNT(\(other.sqlite))"),
                               Term("COUNT(DISTINCT \(other.cbq))", "COUNT(DISTINCT \(other.sqlite))")]
                for _ in 0..<random.int(1...3) { aggregates.append(random.pick(choices)) }
                let list = aggregates.enumerated().map { ("\($0.element.cbq) AS a\($0.offset)", "\($0.element.sqlite) AS a\($0.offset)") }
                var having = ("", "")
                if random.chance(0.4) { let n = random.int(1...30); having = (" HAVING COUNT(*) > \(n)", " HAVING COUNT(*) > \(n)") }
                let byPosition = random.chance(0.3)
                let group = byPosition ? (" GROUP BY 1", " GROUP BY 1") : (" GROUP BY \(key.cbq)", " GROUP BY \(key.sqlite)")
                let order = random.chance(0.5) ? " ORDER BY a0\(direction()), g NULLS FIRST" : " ORDER BY g\(direction())\(nulls())"
                queries.append(Query(
                    cbq: "SELECT \(key.cbq) AS g, " + list.map(\.0).joined(separator: ", ") + from + cbqWhere + group.0 + having.0 + order,
                    sqlite: "SELECT \(key.sqlite) AS g, " + list.map(\.1).joined(separator: ", ") + sqliteFrom + sqliteWhere + group.1 + having.1 + order))
            default:  // aggregates over everything
                let number = random.pick(numbers(table))
                let other = random.pick(values(table))
                let list = [("COUNT(*) AS a0", "COUNT(*) AS a0"), ("SUM(\(number.cbq)) AS a1", "SUM(\(number.sqlite)) AS a1"),
                            ("MIN(\(other.cbq)) AS a2", "MIN(\(other.sqlite)) AS a2"), ("MAX(\(other.cbq)) AS a3", "MAX(\(other.sqlite)) AS a3"),
                            ("COUNT(DISTINCT \(other.cbq)) AS a4", "COUNT(DISTINCT \(other.sqlite)) AS a4")]
                queries.append(Query(cbq: "SELECT " + list.map(\.0).joined(separator: ", ") + from + cbqWhere,
                                     sqlite: "SELECT " + list.map(\.1).joined(separator: ", ") + sqliteFrom + sqliteWhere))
            }
        }
        return queries
    }

    // MARK: - Running both

    /// What every oracle starts with: the spec, and `database()`, a fresh in-memory copy of its tables.
    static let oraclePrelude = """
        import json, sqlite3, sys
        spec = json.load(open(sys.argv[1]))
        def database():
            db = sqlite3.connect(":memory:")
            for table in spec["tables"]:
                columns = ", ".join('"%s" %s' % (c, t) for c, t in table["columns"])
                db.execute('CREATE TABLE "%s" (%s)' % (table["name"], columns))
                marks = ", ".join("?" for _ in table["columns"])
                db.executemany('INSERT INTO "%s" VALUES (%s)' % (table["name"], marks), table["rows"])
            return db

        """

    static let oracle = oraclePrelude + """
        db = database()
        results = []
        for query in spec["queries"]:
            try:
                results.append({"rows": [list(r) for r in db.execute(query).fetchall()]})
            except Exception as e:
                results.append({"error": str(e)})
        json.dump(results, sys.stdout)
        """

    /// Runs the SQLite side of every query over the sandbox's records.
    static func sqliteResults(_ queries: [Query], tables compared: [Table] = [people, offerings, cases]) throws -> [[String: Any]] {
        try runOracle(oracle, spec: ["tables": sqliteTables(compared), "queries": queries.map(\.sqlite)])
    }

    /// The sandbox's records of `compared`, as the oracles' `tables` (booleans as 0 and 1).
    static func sqliteTables(_ compared: [Table]) -> [[String: Any]] {
        let data = SandboxData.generate(seed: SandboxOptions().seed)
        return compared.map { table in
            let rows = data[table.endpoint.path]!.map { resource in
                table.columns.map { column -> Any in
                    switch resource[attribute: column.name] {
                    case .null: return NSNull()
                    case .bool(let flag): return flag ? 1 : 0
                    case .number(let number): return number
                    case .string(let text): return text
                    default: return NSNull()
                    }
                }
            }
            return ["name": table.sqliteName, "columns": table.columns.map { [$0.name, $0.type] }, "rows": rows]
        }
    }

    /// Runs a Python `script` on `spec` (as JSON, its first argument) in a scratch folder of its
    /// own, and returns the list it prints.
    static func runOracle(_ script: String, spec: [String: Any]) throws -> [[String: Any]] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cbq-differential-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let specURL = folder.appendingPathComponent("spec.json"), scriptURL = folder.appendingPathComponent("oracle.py")
        try JSONSerialization.data(withJSONObject: spec).write(to: specURL)
        try script.write(to: scriptURL, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, specURL.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python3 with sqlite3 must be installed (.ci/run installs it)")
        return try JSONSerialization.jsonObject(with: output) as? [[String: Any]] ?? []
    }

    /// A cell as both sides can agree on it: booleans as 0/1, numbers as doubles, text as text.
    enum Cell: Equatable, CustomStringConvertible {
        case null, number(Double), text(String)

        init(_ value: Any) {
            if value is NSNull { self = .null }
            else if let number = value as? NSNumber {
                self = .number(number.doubleValue)  // booleans are 1 and 0, as SQLite stores them
            } else if let text = value as? String { self = .text(text) }
            else { self = .text("\(value)") }
        }

        static func == (a: Cell, b: Cell) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case (.text(let x), .text(let y)): return x == y
            case (.number(let x), .number(let y)): return abs(x - y) <= 1e-9 * max(1, abs(x), abs(y))
            default: return false
            }
        }

        var description: String {
            switch self {
            case .null: return "NULL"
            case .number(let n): return "\(n)"
            case .text(let t): return "'\(t)'"
            }
        }
    }

    /// cbq's answer: NDJSON rows, cells in the select list's order.
    /// One sandbox for every query: its data is generated once.
    static let transport = InProcessTransport()

    static func cbqRows(_ query: String, on sandbox: InProcessTransport = transport) async throws -> (rows: [[Cell]], status: Int32, errors: String) {
        let shell = ShellHarness(format: .ndjson, transport: sandbox)
        let status = await shell.run(query)
        var rows: [[Cell]] = []
        for line in shell.output.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let keys = object.keys.sorted { a, b in
                // k, g, then c0…, a0… in order
                let rank: (String) -> (Int, Int) = { key in
                    if key == "k" || key == "g" { return (0, 0) }
                    return (1, Int(key.dropFirst()) ?? 0)
                }
                return rank(a) < rank(b)
            }
            rows.append(keys.map { Cell(object[$0]!) })
        }
        return (rows, status, shell.errorText)
    }

    /// Runs every query both ways and expects the same rows; returns how many were compared
    /// and how many of those had rows.
    static func compare(_ queries: [Query], tables: [Table] = [people, offerings, cases]) async throws -> (compared: Int, nonEmpty: Int) {
        let expected = try sqliteResults(queries, tables: tables)
        try #require(expected.count == queries.count)
        var compared = 0, nonEmpty = 0
        for (query, answer) in zip(queries, expected) {
            if let error = answer["error"] { Issue.record("SQLite rejected \(query.sqlite): \(error)"); continue }
            let sqliteRows = (answer["rows"] as? [[Any]] ?? []).map { $0.map(Cell.init) }
            let (rows, status, errors) = try await cbqRows(query.cbq)
            #expect(status == 0, "\(query.cbq): \(errors)")
            #expect(rows == sqliteRows, "\(query.cbq)\n  cbq:    \(rows.count) rows \(rows.prefix(4))\n  sqlite: \(sqliteRows.count) rows \(sqliteRows.prefix(4))")
            compared += 1
            if !rows.isEmpty { nonEmpty += 1 }
        }
        return (compared, nonEmpty)
    }

    @Test func generatedQueriesAgreeWithSQLite() async throws {
        let (compared, nonEmpty) = try await Self.compare(Self.generate())
        #expect(compared == Self.queryCount)
        // The generator must produce queries that return something, or the comparison is empty.
        #expect(nonEmpty > Self.queryCount * 3 / 4)
    }
}

/// Mutated analytic queries run end to end on the sandbox: each ends with rows or a
/// positioned error (status 0 or 65), never a crash, a hang or another status.
struct LocalPlanRobustnessTests {
    @Test func mutatedQueriesRunOrFailCleanly() async throws {
        var random = SeededGenerator(seed: 77)
        let queries = DifferentialTests.generate().prefix(60).map(\.cbq)
        let fragments = ["+", "-", "*", "/", "%", "||", "0", "NULL", "'x'", "(", ")", ",", "lower(", "CAST(", "AS", "TEXT",
                         "INTERVAL '1 day'", "GROUP BY", "ORDER BY", "DISTINCT", "COUNT(*)", "SUM(", "NULLS", "FIRST", "9223372036854775807"]
        var outcomes: [Int32: Int] = [:]
        for (index, query) in queries.enumerated() {
            var words = query.split(separator: " ").map(String.init)
            for _ in 0..<random.int(1...3) {
                let position = random.int(0...(words.count - 1))
                if random.chance(0.5) { words.insert(random.pick(fragments), at: position) } else { words[position] = random.pick(fragments) }
            }
            let text = index % 3 == 0 ? query : words.joined(separator: " ")
            let shell = ShellHarness(format: .ndjson, transport: DifferentialTests.transport)
            let status = await shell.run(text)
            #expect(status == 0 || status == 65, "\(text): \(shell.errorText)")
            if status == 65 { #expect(shell.errorText.contains("error:"), "\(text)") }
            outcomes[status, default: 0] += 1
        }
        #expect(outcomes[0, default: 0] >= 20)
        #expect(outcomes[65, default: 0] >= 10)
    }
}
