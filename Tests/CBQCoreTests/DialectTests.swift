import Testing
@testable import CBQCore

/// The operator table: conversions and spellings all come from it, and each is the other's inverse.
struct DialectTests {
    @Test(arguments: [Dialect.guide, .jsonAPI])
    func everyFilterSpellingReadsBackAsItsOperator(dialect: Dialect) {
        for op in FilterOperator.allCases {
            #expect(dialect.filterOperator(named: dialect.filterName(op)) == op, "\(op) in \(dialect)")
        }
    }

    @Test func theSpellingsAreTheGuidesAndJSONAPIs() {
        #expect(FilterOperator.allCases.map { Dialect.guide.filterName($0) } == [nil, "neq", "g", "ge", "l", "le", "like"])
        #expect(FilterOperator.allCases.map { Dialect.jsonAPI.filterName($0) } == [nil, "neq", "gt", "ge", "lt", "le", "like"])
    }

    @Test func comparisonsAndFiltersConvertBothWays() {
        for comparison in ComparisonOperator.allCases {
            #expect(ComparisonOperator(FilterOperator(comparison)) == comparison)
            #expect(FilterOperator(comparison).rawValue == comparison.rawValue)
        }
        #expect(ComparisonOperator(FilterOperator.like) == nil)
        #expect(Set(FilterOperator.table.map(\.filter)) == Set(FilterOperator.allCases))
    }

    @Test func namedDialectsAreTheGuidesJSONAPIsAndDjangoRESTFrameworks() {
        #expect(Dialect.named.map(\.name) == ["guide", "jsonapi", "drf"])
        #expect(Dialect.named.map(\.dialect) == [.guide, .jsonAPI, .drf])
    }

    /// A template filled with a field and an operator reads back as them, whatever their
    /// characters, and a key of another shape does not match.
    @Test(arguments: ["filter[{field}][{op}]", "filter[{field}.{op}]", "where[{field}__{op}]", "{field}-{op}", "q[{op}][{field}]"])
    func aFilledTemplateReadsBack(template: String) throws {
        let key = try #require(Dialect.KeyTemplate(template))
        var random = SeededGenerator(seed: 7)
        let alphabet = Array("ab._-_x.")
        for _ in 0..<300 {
            let field = String((0..<Int.random(in: 1...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let op = String((0..<Int.random(in: 1...4, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let parameter = key.parameter(field: field, op: op, values: ["1"])
            let matches = key.matches(parameter.name, parameter.subscripts)
            #expect(matches.contains { $0.field == field && $0.op == op }, "\(field) \(op) in \(template)")
            for match in matches {
                #expect(key.parameter(field: match.field!, op: match.op, values: ["1"]) == parameter)
            }
        }
        #expect(key.matches("filter", []).isEmpty && key.matches("other", ["a", "b", "c"]).isEmpty)
        #expect(Dialect.KeyTemplate("filter[{field}") == nil && Dialect.KeyTemplate("") == nil && Dialect.KeyTemplate("a]b") == nil)
    }

    /// The templates fuzzer's finds: `{op}-{field}` filled with a field that starts with a
    /// combining mark (which joins the `-` into one character), and a template whose `{` is
    /// followed by one. Templates and keys are read scalar by scalar.
    @Test func aFilledTemplateReadsBackWithUnusualCharacters() throws {
        let key = try #require(Dialect.KeyTemplate("{op}-{field}"))
        let text = String(decoding: [0xD9, 0x9D, 0x9E, 0x9E, 0x62] as [UInt8], as: UTF8.self)
        for (field, op) in [(text, "le"), ("le--", text), ("a-b", "c-"), ("-", "-"), ("\u{0301}x", "e")] {
            let parameter = key.parameter(field: field, op: op, values: ["v"])
            #expect(key.matches(parameter.name, parameter.subscripts).contains { $0.field == field && $0.op == op }, "\(field) \(op)")
        }
        // A brace or bracket with a combining mark after it is still a brace or a bracket.
        #expect(Dialect.KeyTemplate("f[{\u{07FD}ld={op}]") == nil)
        #expect(Dialect.KeyTemplate("f[{op}\u{0301}]")?.holdsOperator == true)
        #expect(Dialect.KeyTemplate.split("a[\u{0301}b]\u{0301}") == nil)
        #expect(Dialect.KeyTemplate.split("a[\u{0301}b]").map { [$0.0] + $0.1 } == ["a", "\u{0301}b"])
        let name = String(decoding: [0x96, 0x96, 0x96, 0x96, 0x6C, 0x65, 0x2D, 0x2D] as [UInt8], as: UTF8.self)
        if let (base, subscripts) = Dialect.KeyTemplate.split(name) {
            for match in key.matches(base, subscripts) {
                let filled = key.parameter(field: match.field ?? "", op: match.op, values: ["v"])
                #expect(filled.name == base && filled.subscripts == subscripts, "\(match)")
            }
        }
    }

    /// The guide's NULL is spelt with the dialect's own keys and not-equal: overriding either
    /// changes it, and without a not-equal IS NOT NULL runs locally.
    @Test func valueStyleNullFollowsTheKeysAndTheNotEqual() throws {
        func plan(_ dialect: Dialect, _ condition: String) throws -> (url: String, local: [String]) {
            var options = PlannerOptions()
            options.dialect = dialect
            let plan = try Planner(options).planSelect("SELECT * FROM people.people WHERE \(condition)")
            return (plan.initialURLs()[0], plan.local.map(\.text))
        }
        #expect(try plan(.guide, "city IS NOT NULL").url == "https://api.casebook.net/people/people?filter[city][neq]=null&page[size]=100")
        #expect(try plan(.jsonAPI, "city IS NULL").url == "https://api.casebook.net/people/people?filter[city]=null&page[size]=100")
        var noNotEqual = Dialect.guide
        noNotEqual.operators = Dialect.ComparisonSpelling.gtGte.operators
        #expect(try plan(noNotEqual, "city IS NOT NULL").local == ["city IS NOT NULL"])
        #expect(try plan(noNotEqual, "city IS NULL").url == "https://api.casebook.net/people/people?filter[city]=null&page[size]=100")
        var dotted = Dialect.guide
        dotted.operatorKey = try #require(Dialect.KeyTemplate("filter[{field}.{op}]"))
        #expect(try plan(dotted, "city IS NOT NULL").url == "https://api.casebook.net/people/people?filter[city.neq]=null&page[size]=100")
        // A value that is NULL's spelling is never sent as a value.
        var none = Dialect.guide
        none.null = .value("none")
        #expect(try plan(none, "status = 'none' AND city = 'null'").local == ["status = 'none'", "city = 'null'"])
        #expect(try plan(none, "status IS NULL").url == "https://api.casebook.net/people/people?filter[status]=none&page[size]=100")
    }

    @Test func aTemplateHasOnlyFieldAndOperatorHoles() {
        #expect(Dialect.KeyTemplate("filter[{x}]") == nil && Dialect.KeyTemplate("filter[{field]") == nil && Dialect.KeyTemplate("filter[field}]") == nil)
        #expect(Dialect.KeyTemplate("filter[{field}][{field}]") == nil, "a hole appears once")
        let key = Dialect.KeyTemplate("filter[{field}][{op}]")!
        // A field that holds a hole's name is only a field.
        #expect(key.parameter(field: "{op}", op: "gt", values: ["1"]).formatted() == "filter[%7Bop%7D][gt]=1")
        #expect(key.filling(op: "neq").description == "filter[{field}][neq]")
    }

    @Test(arguments: [
        ("doe", LikeLookup.iexact, "doe"), ("%doe%", .icontains, "doe"), ("doe%", .istartswith, "doe"), ("%doe", .iendswith, "doe"),
    ])
    func aLikePatternALookupExpresses(pattern: String, lookup: LikeLookup, value: String) {
        #expect(LikeLookup.of(pattern)! == (lookup, value))
        #expect(lookup.pattern(value) == pattern)
    }

    @Test(arguments: ["%", "%%", "d_e", "%d%e%", "", "_"])
    func aLikePatternNoLookupExpresses(pattern: String) {
        #expect(LikeLookup.of(pattern) == nil)
    }
}

/// One list of known endpoints, in the guide's order.
struct KnownEndpointTests {
    @Test func theGuidesSixEndpoints() {
        #expect(KnownEndpoint.all.map(\.qualifiedName) == ["people.people", "intake.reports", "cases.cases", "providers.providers",
                                                           "services.service_offerings", "attachments.notes"])
        #expect(KnownEndpoint.offerings.path == "services/service_offerings")
    }
}
