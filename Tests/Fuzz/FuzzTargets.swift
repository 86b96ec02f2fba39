// libFuzzer entry points for cbq: statements, JSON, and pages through the whole row path.
// Built by Tests/Fuzz/run.sh from copies of Sources/CBQCore and Sources/CBQRuntime in one module
// (SwiftPM does not build libFuzzer targets). Which target runs comes from CBQ_FUZZ_TARGET.
//
// Each target checks oracles beyond "does not crash"; a broken oracle is a crash (fatalError),
// so libFuzzer keeps the input that shows it.

#if canImport(Glibc)
import Glibc
#endif

enum FuzzTarget: String {
    case statements, json, pages, templates

    static let current: FuzzTarget = {
        guard let name = getenv("CBQ_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
            fatalError("set CBQ_FUZZ_TARGET to statements, json or pages")
        }
        return target
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch FuzzTarget.current {
    case .statements: fuzzStatements(bytes)
    case .json: fuzzJSON(bytes)
    case .pages: fuzzPages(bytes)
    case .templates: fuzzTemplates(bytes)
    }
    return 0
}

/// Parse, plan, print URLs and explanations, format diagnostics. Oracles: every diagnostic
/// lies inside the source; a statement that parses has a plan or a positioned diagnostic; a
/// plan's URL, parsed back, gives the same query parameters.
func fuzzStatements(_ bytes: [UInt8]) {
    let source = SourceText(String(decoding: bytes, as: UTF8.self))
    var options = PlannerOptions()
    options.parameters = ["p": .string("P-1"), "n": .number("5")]
    options.now = Instant(seconds: 1_780_000_000)
    let planner = Planner(options)
    func check(_ diagnostic: Diagnostic) {
        guard diagnostic.range.start >= 0, diagnostic.range.end <= source.utf8.count, diagnostic.range.start <= diagnostic.range.end,
              !diagnostic.message.isEmpty
        else { fatalError("diagnostic outside the source: \(diagnostic)") }
        _ = DiagnosticFormatter(style: .rich).format(diagnostic, in: source)
        _ = DiagnosticFormatter(style: .oneLine).format(diagnostic, in: source)
    }
    for statement in Parser.parseScript(source) {
        switch statement.result {
        case .failure(let diagnostic): check(diagnostic)
        case .success(let parsed):
            do throws(Diagnostic) {
                let plan = try planner.plan(parsed, source: source)
                _ = plan.explanation()
                for url in plan.initialURLs(style: .wire) {
                    guard let parsedURL = RequestURL(url) else { fatalError("a plan's URL does not parse: \(url)") }
                    let again = RequestURL(parsedURL.description)
                    if again?.description != parsedURL.description { fatalError("a URL does not read back: \(url)") }
                }
                if case .select(let read) = plan, read.target == .collection {
                    // The query parameters read back from the URL are the plan's.
                    let url = read.url(page: read.startPage, style: .wire)
                    let query = url.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
                    let names = query.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? "" }
                        .map { PercentEncoding.decode($0) ?? $0 }
                    let expected = read.parameters(page: read.startPage).map { $0.formattedName() }
                    if names != expected { fatalError("parameters read back differ: \(names) vs \(expected)") }
                }
                if case .write(let write) = plan {
                    // Every body is a JSON:API document naming its type, and every URL parses.
                    for request in write.plannedRequests ?? [] {
                        guard RequestURL(request.url) != nil else { fatalError("a write's URL does not parse: \(request.url)") }
                        guard let body = request.body else { continue }
                        guard let document = try? JSONParser.parse(body), document[path: ["data", "type"]]?.stringValue != nil else {
                            fatalError("a write's body is not a JSON:API document: \(String(decoding: body, as: UTF8.self))")
                        }
                    }
                }
            } catch {
                check(error)
            }
        }
    }
    _ = Parser.inputStatus(source)
}

/// The JSON parser against the page indexer. Oracles: the indexer never accepts what the
/// parser rejects, and the other way round for a document of JSON:API's shape; every value
/// the indexer finds decodes; each row's attributes are the parser's, name for name and value
/// for value, and so are they when the row is read again (as a sort does) like the row before.
func fuzzJSON(_ bytes: [UInt8]) {
    let parsed = try? JSONParser.parse(bytes)
    guard let document = try? PageIndexer.index(bytes) else {
        if let parsed, isJSONAPIShaped(parsed) { fatalError("the parser accepted a JSON:API document the indexer rejects") }
        return
    }
    guard let parsed else { fatalError("the indexer accepted a document the parser rejects") }
    for row in document.rows + document.included {
        if (try? JSONParser.parse(row.page.bytes, range: row.id)) == nil { fatalError("an id that does not decode") }
        for member in row.attributes where (try? JSONParser.parse(row.page.bytes, range: member.value)) == nil {
            fatalError("an attribute that does not decode: \(member.key)")
        }
    }
    guard case .array(let resources)? = parsed["data"], resources.count == document.rows.count else { return }
    var previous: RawRow?
    for (row, resource) in zip(document.rows, resources) {
        let again = PageIndexer.resource(in: row.page, at: row.span, like: previous)
        for read in [row, again] {
            guard let read else { fatalError("a row that cannot be read again") }
            guard case .object(let attributes)? = resource["attributes"] else {
                if read.attributes.contains(where: { !$0.isRelationship }) { fatalError("attributes where the parser sees none") }
                continue
            }
            if read.attributes.filter({ !$0.isRelationship }).map(\.key) != attributes.map(\.key) {
                fatalError("attribute names differ from the parser's")
            }
            for attribute in attributes where read.value(attribute.key) != attribute.value && attribute.key != "id" {
                fatalError("the value of \(attribute.key) differs from the parser's")
            }
        }
        previous = again
    }
}

/// What the indexer requires beyond JSON: an object whose `data` is null, a resource or an
/// array of resources, and whose `included`, if any, is null or an array of resources; a
/// resource an object with a string or numeric `id`, if any object (or null) `attributes`,
/// and if any object (or null) `relationships`, each an object whose `data`, if any, is null,
/// an identifier or an array of them (an object with a string or numeric `id`), and whose
/// names are not `id`, `type` or an attribute's.
func isJSONAPIShaped(_ value: JSONValue) -> Bool {
    guard case .object = value else { return false }
    func id(_ value: JSONValue?) -> Bool {
        switch value {
        case .string?, .number?: return true
        default: return false
        }
    }
    func identifier(_ value: JSONValue) -> Bool {
        guard case .object = value else { return false }
        return id(value["id"])
    }
    func resource(_ value: JSONValue) -> Bool {
        guard case .object = value, id(value["id"]) else { return false }
        var names: Set<String> = []
        switch value["attributes"] {
        case nil, .null?: break
        case .object(let members)?: names = Set(members.map(\.key))
        default: return false
        }
        switch value["relationships"] {
        case nil, .null?: return true
        case .array(let items)?: return items.isEmpty  // an empty map, as some encoders write it
        case .object(let members)?:
            for member in members {
                guard member.key != "id", member.key != "type", !names.contains(member.key) else { return false }
                if case .null = member.value { continue }
                guard case .object = member.value else { return false }
                switch member.value["data"] {
                case nil, .null?: continue
                case .array(let items)?: if !items.allSatisfy(identifier) { return false }
                case let item?: if !identifier(item) { return false }
                }
            }
            return true
        default: return false
        }
    }
    switch value["included"] {
    case nil, .null?: break
    case .array(let items)?: if !items.allSatisfy(resource) { return false }
    default: return false
    }
    switch value["data"] {
    case nil, .null?: return true
    case .array(let items)?: return items.allSatisfy(resource)
    case let item?: return resource(item)
    }
}

/// A page through everything that reads rows: values, local filters and the local plan
/// (aggregate, distinct, sort), every renderer.
func fuzzPages(_ bytes: [UInt8]) {
    guard let document = try? PageIndexer.index(bytes) else { return }
    let columns = Array(Set(document.rows.flatMap { $0.attributes.map(\.key) }).sorted().prefix(3))
    for row in document.rows + document.included {
        for member in row.attributes { _ = row.sqlValue(member.key) }
        _ = row.identityHash
        _ = row.idText
    }
    fuzzSortCheck(document.rows, columns: columns)
    let first = columns.first.map(quoteIdentifierIfNeeded) ?? "x"
    let statements = [
        "SELECT * FROM a.b",
        "SELECT * FROM a.b WHERE lower(\(first)) LIKE '%a%' OR \(first) IS NULL ORDER BY \(first) DESC NULLS FIRST, id",
        "SELECT \(first), COUNT(*), MIN(\(first)), MAX(id), COUNT(DISTINCT \(first)) FROM a.b GROUP BY 1 ORDER BY 2 DESC",
        "SELECT DISTINCT \(first) || '' AS v, length(id) FROM a.b ORDER BY v LIMIT 3",
        "SELECT SUM(CASE WHEN \(first) > 0 THEN 1 ELSE 0 END) AS n FROM a.b",
    ]
    for text in statements {
        guard let plan = try? Planner().planSelect(text) else { continue }
        for format in OutputFormat.allCases {
            let sink = MemorySink(keeping: false)
            let output = OutputStream(sink)
            guard let writer = try? ResultWriter(plan: plan, format: format, output: output, terminalWidth: 80, expandedAuto: true) else { continue }
            do {
                let filter = try LocalFilter(plan.localFilter)
                try writer.write(try filter.apply(document.rows))
                try writer.finish(count: nil)
            } catch {
                writer.close()  // an error computing a row is a clean error, as in the shell
            }
            output.flush()
        }
    }
}

/// The sort check on any page: rows in cbq's own order (NULLs last), split over two pages, are
/// never a disorder, whichever column and direction; and the rows as they came never crash it.
func fuzzSortCheck(_ rows: [RawRow], columns: [String]) {
    for column in columns {
        for descending in [false, true] {
            let keys = [RequestPlan.SortKey(field: column, descending: descending), RequestPlan.SortKey(field: "id", descending: false)]
            func before(_ a: RawRow, _ b: RawRow) -> Bool {
                for key in keys {
                    let x = a.sqlValue(key.field), y = b.sqlValue(key.field)
                    if x.isNull != y.isNull { return y.isNull }
                    let order = x.isNull ? 0 : SQLValue.order(x, y)
                    if order != 0 { return key.descending ? order > 0 : order < 0 }
                }
                return false
            }
            let sorted = rows.sorted(by: before)
            var check = SortOrderCheck(keys)!
            let half = sorted.count / 2
            let disorder = check.firstDisorder(in: Array(sorted[..<half])) ?? check.firstDisorder(in: Array(sorted[half...]))
            precondition(disorder == nil, "rows in cbq's own order are called out of order (\(column), descending \(descending))")
            var asTheyCame = SortOrderCheck(keys)!
            _ = asTheyCame.firstDisorder(in: rows)
        }
    }
}

/// A dialect's key templates (config.toml's, matched by the sandbox against query keys): lines
/// are a template, a key, a field and an operator. Whatever a template matches in a key fills
/// back into exactly that key, and a filled template matches back to what filled it.
func fuzzTemplates(_ bytes: [UInt8]) {
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
    guard lines.count >= 2, let template = Dialect.KeyTemplate(lines[0]) else { return }
    if let (name, subscripts) = Dialect.KeyTemplate.split(lines[1]) {
        for match in template.matches(name, subscripts) {
            let filled = template.parameter(field: match.field ?? "", op: match.op, values: ["v"])
            precondition(filled.name == name && filled.subscripts == subscripts, "a match does not fill back into its key")
        }
    }
    guard lines.count == 4, !lines[2].isEmpty, !lines[3].isEmpty else { return }
    let parameter = template.parameter(field: lines[2], op: lines[3], values: ["v"])
    let expected = (template.holdsField ? lines[2] : nil, template.holdsOperator ? lines[3] : nil)
    precondition(template.matches(parameter.name, parameter.subscripts).contains { $0.field == expected.0 && $0.op == expected.1 },
                 "a filled template does not match back")
}
