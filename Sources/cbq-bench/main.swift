// Micro-benchmarks of cbq's pure paths and the sandbox's own time per request, for comparing
// changes (run a release build):
//
//   swift run -c release cbq-bench [iterations]
//   swift run -c release cbq-bench page FILE [iterations]   (index FILE, a saved page, and write it as NDJSON)
//
// Prints one line per case: statements (or rows) per second and the time per item.
import CBQCore
import CBQRuntime
import CBQSandbox
#if canImport(Glibc)
import Glibc
#endif

let pageFile = CommandLine.arguments.count > 2 && CommandLine.arguments[1] == "page" ? CommandLine.arguments[2] : nil
let countArgument = pageFile == nil ? 1 : 3
let iterations = CommandLine.arguments.count > countArgument ? Int(CommandLine.arguments[countArgument]) ?? 20_000 : 20_000

func measure(_ name: String, items: Int, _ body: () throws -> Void) rethrows {
    let clock = ContinuousClock()
    try body()  // warm up
    let elapsed = try clock.measure { for _ in 0..<iterations { try body() } }
    let seconds = elapsed.inSeconds
    let perSecond = Double(iterations * items) / seconds
    let micros = seconds / Double(iterations * items) * 1e6
    print("\(name.padding(40))\(String(Int(perSecond)).leftPadding(10)) /s  \(fixed(micros, 2)) µs each")
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    func leftPadding(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

// A saved page alone (`curl … > page.json`): what an export spends a page on, without the
// network, for perf and for comparing one change at a time.
if let pageFile {
    let bytes = try Array(String(contentsOfFile: pageFile, encoding: .utf8).utf8)
    let sink = OutputStream(FileDescriptorSink(-1))
    let writer = try ResultWriter(plan: try Planner().planSelect("SELECT * FROM people.people"), format: .ndjson, output: sink, terminalWidth: nil)
    measure("index (\(bytes.count / 1000) KB)", items: 1) { _ = try! PageIndexer.index(bytes) }
    measure("index + NDJSON", items: 1) { try! writer.write(try! PageIndexer.index(bytes).rows); sink.flush() }
    exit(0)
}

let short = "SELECT first_name, last_name FROM people.people WHERE last_name LIKE 'Doe' ORDER BY created_at DESC LIMIT 50"
let long = """
    SELECT first_name, last_name, date_of_birth, city, state FROM people.people
    WHERE date_of_birth >= '2015-01-01' AND state IN ('WA', 'OR', 'CA') AND (gender = 'female' OR gender IS NULL)
      AND created_at BETWEEN '2024-01-01T00:00:00Z' AND '2025-12-31T23:59:59Z' AND last_name NOT LIKE 'Test%'
    ORDER BY date_of_birth DESC, last_name LIMIT 25 OFFSET 50
    """
let planner = Planner()

print("cbq-bench: \(iterations) iterations")
try measure("compile short (\(short.utf8.count) bytes)", items: 1) { _ = try planner.planSelect(short).url(page: 1) }
try measure("compile long (\(long.utf8.count) bytes)", items: 1) { _ = try planner.planSelect(long).url(page: 1) }
try measure("lex + parse only (long)", items: 1) { _ = try Parser.parseStatement(SourceText(long)) }

let filter = try planner.planSelect(long).localFilter!
let filterColumns = filter.columnNames
let compiledFilter = try ExpressionCompiler(slots: Dictionary(uniqueKeysWithValues: filterColumns.enumerated().map { ($1, $0) }))
    .compile(filter)
let rows: [[SQLValue]] = (0..<100).map { index in
    let values: [String: SQLValue] = [
        "last_name": .text(index % 3 == 0 ? "Testing" : "Doe"), "state": .text(index % 2 == 0 ? "WA" : "NY"),
        "gender": index % 5 == 0 ? .null : .text("female"), "date_of_birth": .text("2016-04-01"),
        "created_at": .text("2024-06-01T00:00:00Z"),
    ]
    return filterColumns.map { values[$0] ?? .null }
}
var passed = 0
measure("evaluate local filter (per row)", items: rows.count) {
    for row in rows where (try? compiledFilter.passes(row)) == true { passed += 1 }
}

// The sandbox's own time per page (no sockets): the API core answering GET requests.
let sandbox = SandboxAPI()
let pageRequest = SandboxRequest(target: "/people/people?page[size]=100&page=7")
let filteredRequest = SandboxRequest(target: "/people/people?filter[state]=WA&filter[date_of_birth][ge]=1990-01-01&sort=-created_at&page[size]=100")
let likeRequest = SandboxRequest(target: "/people/people?filter[last_name][like]=do%25&sort=last_name,-date_of_birth&page[size]=100")
var bytes = 0
measure("sandbox: page of 100 people", items: 1) { bytes += sandbox.handle(pageRequest).body.count }
measure("sandbox: 2 filters + sort, 100 rows", items: 1) { bytes += sandbox.handle(filteredRequest).body.count }
measure("sandbox: LIKE + 2-key sort", items: 1) { bytes += sandbox.handle(likeRequest).body.count }

// The row path: index a page of 100 people (about 40 KB), then write it as NDJSON, or decode
// every value (what a table or a local predicate needs).
let pageBytes = sandbox.handle(pageRequest).body
let megabytes = Double(pageBytes.count) / 1_000_000
var indexed = 0
measure("index a page (\(pageBytes.count / 1000) KB)", items: 1) { indexed += try! PageIndexer.index(pageBytes).rows.count }
let sink = OutputStream(FileDescriptorSink(-1))  // writes fail quietly: measures formatting only
let ndjsonPlan = try Planner().planSelect("SELECT * FROM people.people")
let ndjson = try ResultWriter(plan: ndjsonPlan, format: .ndjson, output: sink, terminalWidth: nil)
measure("index + NDJSON a page", items: 1) { try! ndjson.write(try! PageIndexer.index(pageBytes).rows); sink.flush() }
measure("index + decode every value", items: 1) {
    for row in try! PageIndexer.index(pageBytes).rows { for member in row.attributes { _ = row.decode(member.value) } }
}
measure("JSONParser, whole page to values", items: 1) { _ = try! JSONParser.parse(pageBytes) }
let clock = ContinuousClock()
let indexTime = clock.measure { for _ in 0..<iterations { _ = try! PageIndexer.index(pageBytes) } }
print("index throughput: \(Int(megabytes * Double(iterations) / indexTime.inSeconds)) MB/s")

// Table cells: every cell's display width is measured once a row.
let asciiCell = "Follow-up visit scheduled"
let accentedCell = "Nguyễn Thị Thảo, 山田"
measure("display width, ASCII cell", items: 100) { for _ in 0..<100 { _ = DisplayWidth.of(asciiCell) } }
measure("display width, non-ASCII cell", items: 100) { for _ in 0..<100 { _ = DisplayWidth.of(accentedCell) } }
