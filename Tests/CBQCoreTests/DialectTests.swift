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
