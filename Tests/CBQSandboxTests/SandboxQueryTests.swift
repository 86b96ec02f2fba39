import CBQCore
import Testing
@testable import CBQSandbox

/// Filters, sort and paging, checked against the generated data with plain Swift predicates
/// (not the sandbox's own evaluation), so the two are independent.
struct SandboxQueryTests {
    let api = SandboxAPI()
    static let data = SandboxData.generate(seed: 1)
    static let offerings = data[SandboxData.offerings.path]!
    static let people = data[SandboxData.people.path]!

    private func capacity(_ resource: Resource) -> Double {
        if case .number(let value) = resource[attribute: "max_capacity"] { return value }
        return .nan
    }

    @Test(arguments: [
        ("filter[max_capacity]=10", "="), ("filter[max_capacity][neq]=10", "!="), ("filter[max_capacity][g]=10", ">"),
        ("filter[max_capacity][ge]=10", ">="), ("filter[max_capacity][l]=10", "<"), ("filter[max_capacity][le]=10", "<="),
        ("filter[max_capacity][ge]=8&filter[max_capacity][le]=12", "8...12"),
    ])
    func numericFilters(query: String, op: String) {
        let predicate: (Double) -> Bool
        switch op {
        case "=": predicate = { $0 == 10 }
        case "!=": predicate = { $0 != 10 }
        case ">": predicate = { $0 > 10 }
        case ">=": predicate = { $0 >= 10 }
        case "<": predicate = { $0 < 10 }
        case "<=": predicate = { $0 <= 10 }
        default: predicate = { $0 >= 8 && $0 <= 12 }
        }
        let expected = Self.offerings.filter { predicate(capacity($0)) }.map(\.id)
        #expect(!expected.isEmpty)
        #expect(all(api, "services/service_offerings", query).compactMap { $0["id"]?.stringValue } == expected)
    }

    @Test func numbersCompareNumericallyNotAsText() {
        // As text "8" > "10"; as numbers it is not.
        let found = all(api, "services/service_offerings", "filter[max_capacity][g]=9")
        #expect(found.allSatisfy { if case .number(let c) = $0.attribute("max_capacity") { c > 9 } else { false } })
        #expect(found.contains { $0.attribute("max_capacity") == .number(10) })
    }

    @Test func stringsAndTimestampsCompareAsText() {
        let found = all(api, "attachments/notes", "filter[created_at][ge]=2025-01-01T00:00:00Z&filter[created_at][le]=2025-06-30T23:59:59Z")
        let expected = Self.data[SandboxData.notes.path]!.filter {
            let t = $0[attribute: "created_at"].stringValue!
            return t >= "2025-01-01T00:00:00Z" && t <= "2025-06-30T23:59:59Z"
        }
        #expect(found.count == expected.count && !expected.isEmpty)
    }

    @Test func booleansFilterFromTrueAndFalse() {
        let archived = all(api, "services/service_offerings", "filter[archived]=true")
        #expect(archived.count == Self.offerings.filter { $0[attribute: "archived"] == .bool(true) }.count)
        #expect(archived.allSatisfy { $0.attribute("archived") == .bool(true) })
    }

    @Test func equalityIsCaseSensitiveAndExact() {
        let found = all(api, "people/people", "filter[last_name]=Doe")
        #expect(found.count == Self.people.filter { $0[attribute: "last_name"] == "Doe" }.count)
        #expect(found.allSatisfy { $0.attribute("last_name") == "Doe" })
    }

    @Test func likeIsCaseInsensitiveAndMatchesTheWholeValue() {
        let found = all(api, "people/people", "filter[last_name][like]=Doe").compactMap { $0.attribute("last_name").stringValue }
        #expect(Set(found) == ["Doe", "doe"])
        let prefix = all(api, "people/people", "filter[last_name][like]=do%25").compactMap { $0.attribute("last_name").stringValue }
        #expect(Set(prefix) == ["Doe", "doe", "Doeson"])
        let one = all(api, "people/people", "filter[last_name][like]=O_Brien").compactMap { $0.attribute("last_name").stringValue }
        #expect(Set(one) == ["O'Brien"])
    }

    @Test func nullFiltersAndNeqSkipsNulls() {
        let nulls = all(api, "people/people", "filter[middle_name]=null")
        let notNulls = all(api, "people/people", "filter[middle_name][neq]=null")
        #expect(nulls.allSatisfy { $0.attribute("middle_name").isNull })
        #expect(nulls.count + notNulls.count == Self.people.count)
        // neq follows SQL: a null is neither equal nor unequal to 'Ava'.
        let notAva = all(api, "people/people", "filter[middle_name][neq]=Ava")
        #expect(notAva.count == Self.people.filter { let m = $0[attribute: "middle_name"]; return !m.isNull && m != "Ava" }.count)
    }

    @Test func nonASCIIValuesRoundTrip() {
        #expect(all(api, "people/people", "filter[last_name]=%E5%B1%B1%E7%94%B0").allSatisfy { $0.attribute("last_name") == "山田" })
        #expect(!all(api, "people/people", "filter[first_name]=Zo%C3%AB").isEmpty)
        #expect(!all(api, "people/people", "filter[last_name]=O%27Brien").isEmpty)
        #expect(!all(api, "people/people", "filter[last_name]=O'Brien").isEmpty)
    }

    @Test func formDecodingReadsPlusAsSpaceAndPercent2BAsPlus() {
        let plus = get(api, "/services/service_offerings?filter[name]=Parenting+Class&page[size]=100").1
        #expect(!rows(plus).isEmpty && rows(plus).allSatisfy { $0.attribute("name") == "Parenting Class" })
        let encoded = get(api, "/people/people?filter[created_at][ge]=2026-01-01T00:00:00%2B00:00&page[size]=5").1
        #expect(encoded["errors"] == nil)
    }

    @Test func bracketsRawOrPercentEncodedAreTheSame() {
        let raw = get(api, "/people/people?filter[last_name][like]=Doe&page[size]=5&sort=-created_at").1
        let encoded = get(api, "/people/people?filter%5Blast_name%5D%5Blike%5D=Doe&page%5Bsize%5D=5&sort=-created_at").1
        #expect(ids(raw) == ids(encoded) && ids(raw).count == 5)
    }

    @Test func sortOrdersWithIdAsTiebreaker() {
        let found = all(api, "services/service_offerings", "sort=-max_capacity,name")
        let expected = Self.offerings.sorted { a, b in
            if capacity(a) != capacity(b) { return capacity(a) > capacity(b) }
            let an = a[attribute: "name"].stringValue!, bn = b[attribute: "name"].stringValue!
            if an != bn { return an < bn }
            return a.id < b.id
        }
        #expect(found.compactMap { $0["id"]?.stringValue } == expected.map(\.id))
    }

    @Test func sortPutsNullsLastAscendingAndFirstDescending() {
        let ascending = all(api, "people/people", "sort=middle_name")
        #expect(ascending.last?.attribute("middle_name").isNull == true)
        #expect(ascending.first?.attribute("middle_name").isNull == false)
        let descending = all(api, "people/people", "sort=-middle_name")
        #expect(descending.first?.attribute("middle_name").isNull == true)
    }

    @Test func pagingDefaultsToTenAndPagesAreDisjoint() {
        let (_, first) = get(api, "/people/people")
        #expect(ids(first) == Self.people.prefix(10).map(\.id))
        #expect(first[path: ["meta", "total"]] == .number(Double(Self.people.count)))
        let (_, second) = get(api, "/people/people?page=2")
        #expect(ids(second) == Self.people[10..<20].map(\.id))
    }

    @Test func linksAreAbsoluteAndKeepTheQuery() throws {
        let (_, document) = get(api, "/people/people?filter[last_name][like]=Doe&sort=first_name&page[size]=5&page=2")
        let links = try #require(document["links"])
        let base = "http://sandbox.test/people/people?filter%5Blast_name%5D%5Blike%5D=Doe&sort=first_name&page%5Bsize%5D=5"
        #expect(links["self"] == .string(base + "&page=2"))
        #expect(links["first"] == .string(base + "&page=1"))
        #expect(links["prev"] == .string(base + "&page=1"))
        #expect(links["next"] == .string(base + "&page=3"))
        let total = Int(try #require({ if case .number(let n)? = document[path: ["meta", "total"]] { n } else { nil } }()))
        #expect(links["last"] == .string(base + "&page=\((total + 4) / 5)"))
    }

    @Test func theLastPageHasNoNext() {
        // 240 offerings: exactly 24 pages of 10 and 3 pages of 100 (the last one partial).
        let (_, exact) = get(api, "/services/service_offerings?page=24")
        #expect(ids(exact).count == 10)
        #expect(exact[path: ["links", "next"]] == nil)
        #expect(exact[path: ["links", "last"]]?.stringValue?.hasSuffix("page=24") == true)
        let (_, partial) = get(api, "/services/service_offerings?page[size]=100&page=3")
        #expect(ids(partial).count == 40)
        #expect(partial[path: ["links", "next"]] == nil)
    }

    @Test func aPagePastTheEndIsEmpty() {
        let (response, document) = get(api, "/services/service_offerings?page=99")
        #expect(response.status == 200)
        #expect(ids(document).isEmpty)
        #expect(document[path: ["links", "next"]] == nil)
        #expect(document[path: ["meta", "total"]] == .number(240))
    }

    @Test func anEmptyResultIsOnePage() {
        let (_, document) = get(api, "/people/people?filter[last_name]=Nobody")
        #expect(ids(document).isEmpty)
        #expect(document[path: ["meta", "total"]] == .number(0))
        #expect(document[path: ["links", "last"]]?.stringValue?.hasSuffix("page=1") == true)
    }

    @Test func sparseFieldsets() {
        let (_, document) = get(api, "/people/people?fields[people]=first_name,last_name&page[size]=1")
        #expect(rows(document).first?["attributes"] == .object([JSONMember("first_name", Self.people[0][attribute: "first_name"]),
                                                                JSONMember("last_name", Self.people[0][attribute: "last_name"])]))
    }

    @Test func oneResourceByID() {
        let (response, document) = get(api, "/people/people/PER-00005")
        #expect(response.status == 200)
        #expect(document[path: ["data", "id"]] == "PER-00005")
        #expect(document[path: ["data", "attributes", "first_name"]] == "Zoë")
        #expect(document[path: ["links", "self"]] == "http://sandbox.test/people/people/PER-00005")
        #expect(response.header("content-type") == "application/vnd.api+json")
    }
}
