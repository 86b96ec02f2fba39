import CBQCore
import Testing
@testable import CBQSandbox

struct SandboxErrorTests {
    let api = SandboxAPI()

    @Test(arguments: [
        ("/people/people?filter[nickname]=x", "filter[nickname]", "'nickname' is not an attribute of people"),
        ("/people/people?filter[age][gt]=1", "filter[age][gt]", "'age' is not an attribute of people"),
        ("/people/people?filter[last_name][gt]=x", "filter[last_name][gt]", "unknown filter operator 'gt'; this API knows neq, g, ge, l, le, like"),
        ("/people/people?filter[last_name][g]=null", "filter[last_name][g]", "null can only be tested for equality: filter[last_name]=null or filter[last_name][neq]=null"),
        ("/people/people?page[size]=101", "page[size]", "page[size] must be at most 100, not 101"),
        ("/people/people?page[size]=0", "page[size]", "page[size] must be a whole number from 1 to 100, not '0'"),
        ("/people/people?page[size]=ten", "page[size]", "page[size] must be a whole number from 1 to 100, not 'ten'"),
        ("/people/people?page=0", "page", "page must be a page number from 1, not '0'"),
        ("/people/people?page[number]=2", "page[number]", "unknown paging parameter 'page[number]'; this API pages with page=N and page[size]=M"),
        ("/people/people?sort=-shoe_size", "sort", "'shoe_size' is not an attribute of people; it has id, city, created_at, date_of_birth, email, first_name, gender, hispanic_or_latino, last_name, middle_name, phone, primary_language, race, state, updated_at"),
        ("/people/people?include=cases", "include", "'cases' is not a to-one relationship of people that can be included"),
        ("/people/people?sideload=cases", "sideload", "unknown query parameter 'sideload'; this API knows filter, sort, page, fields and include"),
        ("/people/people?filter[state]=WA&filter[state]=OR", "filter[state]", "'filter[state]' is given more than once"),
        ("/people/people?filter[state=WA", "filter[state", "'filter[state' is not a parameter name (unbalanced brackets)"),
        ("/people/people?filter%5Bstate%5D=%ZZ", "filter%5Bstate%5D", "the parameter is not valid percent-encoded UTF-8"),
    ])
    func badParametersAre400WithTheParameter(target: String, parameter: String, detail: String) {
        let (response, document) = get(api, target)
        #expect(response.status == 400)
        let e = error(document)
        #expect(e.status == "400")
        #expect(e.parameter == parameter)
        #expect(e.detail?.hasPrefix(detail) == true, "\(e.detail ?? "no detail")")
    }

    @Test(arguments: [[:], ["authorization": "Basic abc"], ["authorization": "Bearer "], ["authorization": "Bearer   "]])
    func aMissingBearerTokenIs401(headers: [String: String]) {
        let (response, document) = get(api, "/people/people", headers: headers)
        #expect(response.status == 401)
        #expect(response.header("www-authenticate") == "Bearer")
        #expect(error(document).status == "401")
    }

    @Test(arguments: ["/people", "/people/nobody", "/a/b/c/d", "/", "/people/people/PER-99999"])
    func unknownEndpointsAndIdsAre404(target: String) {
        let (response, document) = get(api, target)
        #expect(response.status == 404)
        #expect(error(document).status == "404")
    }

    @Test func otherMethodsAre405() {
        let response = api.handle(SandboxRequest(method: "PUT", target: "/people/people/PER-00001"))
        #expect(response.status == 405)
        #expect(response.header("allow") == "GET, PATCH, DELETE")
    }
}

struct SandboxWriteTests {
    let api: SandboxAPI = {
        var options = SandboxOptions()
        options.now = { "2026-11-29T12:00:00Z" }
        return SandboxAPI(options: options)
    }()

    private func write(_ method: String, _ target: String, _ body: String, contentType: String = "application/vnd.api+json") -> (SandboxResponse, JSONValue) {
        let response = api.handle(SandboxRequest(method: method, target: target,
                                                 headers: ["Authorization": "Bearer t", "Content-Type": contentType], body: Array(body.utf8)))
        return (response, response.json ?? .null)
    }

    @Test func createReadUpdateDelete() throws {
        let (created, document) = write("POST", "/people/people", #"{"data":{"type":"people","attributes":{"first_name":"Ada","last_name":"Lovelace","state":"WA"}}}"#)
        #expect(created.status == 201)
        let id = try #require(document[path: ["data", "id"]]?.stringValue)
        #expect(id == "PER-01201")
        #expect(created.header("location") == "http://localhost/people/people/PER-01201")
        #expect(document[path: ["data", "attributes", "middle_name"]] == .null)
        #expect(document[path: ["data", "attributes", "created_at"]] == "2026-11-29T12:00:00Z")
        #expect(ids(get(api, "/people/people?filter[last_name]=Lovelace").1) == [id])

        let (updated, changed) = write("PATCH", "/people/people/\(id)", #"{"data":{"type":"people","id":"\#(id)","attributes":{"state":"OR"}}}"#)
        #expect(updated.status == 200)
        #expect(changed[path: ["data", "attributes", "state"]] == "OR")
        #expect(changed[path: ["data", "attributes", "first_name"]] == "Ada")
        #expect(get(api, "/people/people/\(id)").1[path: ["data", "attributes", "state"]] == "OR")

        let deleted = api.handle(SandboxRequest(method: "DELETE", target: "/people/people/\(id)"))
        #expect(deleted.status == 204 && deleted.body.isEmpty)
        #expect(get(api, "/people/people/\(id)").0.status == 404)
        #expect(api.handle(SandboxRequest(method: "DELETE", target: "/people/people/\(id)")).status == 404)
    }

    @Test func anotherMediaTypeIs415() {
        let (response, document) = write("POST", "/people/people", #"{"data":{"type":"people"}}"#, contentType: "application/json")
        #expect(response.status == 415)
        #expect(error(document).status == "415")
    }

    @Test(arguments: [
        (#"{"data":{"type":"people","attributes":{"shoe_size":42}}}"#, 422, "/data/attributes/shoe_size"),
        (#"{"data":{"type":"people","attributes":{"first_name":["A"]}}}"#, 422, "/data/attributes/first_name"),
        (#"{"data":{"type":"people","attributes":{"created_at":"x"}}}"#, 422, "/data/attributes/created_at"),
        (#"{"data":{"type":"people","attributes":"x"}}"#, 422, "/data/attributes"),
        (#"{"nodata":1}"#, 422, "/data"),
        (#"{"data":{"type":"cases"}}"#, 409, "/data/type"),
        (#"{"data":{"type":"people","id":"mine"}}"#, 403, "/data/id"),
        (#"{"data": {"type": "people", "#, 400, ""),
    ])
    func invalidWrites(body: String, status: Int, pointer: String) {
        let (response, document) = write("POST", "/people/people", body)
        #expect(response.status == status)
        #expect(error(document).pointer == pointer)
    }

    /// A value of another JSON kind than the attribute holds is a 422 at that attribute.
    @Test(arguments: [
        (#"{"data":{"type":"people","id":"PER-00001","attributes":{"first_name":42}}}"#, "'first_name' takes a string, not a number"),
        (#"{"data":{"type":"people","id":"PER-00001","attributes":{"state":true}}}"#, "'state' takes a string, not true or false"),
    ])
    func aValueOfTheWrongKindIs422AtItsAttribute(body: String, detail: String) {
        let (response, document) = write("PATCH", "/people/people/PER-00001", body)
        #expect(response.status == 422)
        #expect(error(document).detail == detail)
        #expect(error(document).pointer?.hasPrefix("/data/attributes/") == true)
        #expect(get(api, "/people/people/PER-00001").1[path: ["data", "attributes", "first_name"]] == "Hiroshi")
    }

    @Test func nullIsAnyAttributesValue() {
        let (response, document) = write("PATCH", "/people/people/PER-00001", #"{"data":{"type":"people","id":"PER-00001","attributes":{"city":null}}}"#)
        #expect(response.status == 200)
        #expect(document[path: ["data", "attributes", "city"]] == .null)
    }

    @Test func clientGeneratedIDsWhenAllowed() throws {
        var options = SandboxOptions()
        options.acceptsClientIDs = true
        let api = SandboxAPI(options: options)
        let body = #"{"data":{"type":"notes","id":"NTE-00001-B","attributes":{"subject":"visit"}}}"#
        let created = api.handle(SandboxRequest(method: "POST", target: "/attachments/notes",
                                                headers: ["Authorization": "Bearer t", "Content-Type": "application/vnd.api+json"], body: Array(body.utf8)))
        #expect(created.status == 201)
        #expect(created.header("location") == "http://localhost/attachments/notes/NTE-00001-B")
        #expect(get(api, "/attachments/notes/NTE-00001-B").1[path: ["data", "attributes", "subject"]] == "visit")
        // In id order, so paging and by-id reads find it.
        #expect(ids(get(api, "/attachments/notes?page[size]=3").1) == ["NTE-00001", "NTE-00001-B", "NTE-00002"])
        let again = api.handle(SandboxRequest(method: "POST", target: "/attachments/notes",
                                              headers: ["Authorization": "Bearer t", "Content-Type": "application/vnd.api+json"], body: Array(body.utf8)))
        #expect(again.status == 409)
        #expect(error(again.json ?? .null).pointer == "/data/id")
    }

    @Test func writesAreCountedAndEveryKthLosesItsAnswerAfterActing() {
        var options = SandboxOptions()
        options.dropWriteEvery = 2
        let api = SandboxAPI(options: options)
        let headers = ["Authorization": "Bearer t", "Content-Type": "application/vnd.api+json"]
        let body = Array(#"{"data":{"type":"reports","attributes":{"status":"new"}}}"#.utf8)
        let first = api.handle(SandboxRequest(method: "POST", target: "/intake/reports", headers: headers, body: body))
        let second = api.handle(SandboxRequest(method: "POST", target: "/intake/reports", headers: headers, body: body))
        #expect(!first.dropsConnection && second.dropsConnection)
        #expect(api.writeCount == 2)
        // The dropped one was created all the same.
        #expect(get(api, "/intake/reports").1[path: ["meta", "total"]] == .number(802))
        _ = get(api, "/intake/reports")
        #expect(api.writeCount == 2)
    }

    @Test func patchMustNameTheSameID() {
        let (response, document) = write("PATCH", "/people/people/PER-00001", #"{"data":{"type":"people","id":"PER-00002","attributes":{}}}"#)
        #expect(response.status == 409)
        #expect(error(document).pointer == "/data/id")
    }
}

struct SandboxFaultTests {
    private func sandbox(_ configure: (inout SandboxOptions) -> Void) -> SandboxAPI {
        var options = SandboxOptions()
        configure(&options)
        return SandboxAPI(options: options)
    }

    @Test func rateLimitsEveryKthRequestWithRetryAfter() {
        let api = sandbox { $0.rateLimitEvery = 3; $0.retryAfterSeconds = 2 }
        let statuses = (0..<6).map { _ in get(api, "/people/people").0 }
        #expect(statuses.map(\.status) == [200, 200, 429, 200, 200, 429])
        #expect(statuses[2].header("retry-after") == "2")
    }

    @Test(arguments: [500, 503])
    func failsEveryKthRequest(status: Int) {
        let api = sandbox { $0.failEvery = 2; $0.failureStatus = status }
        #expect((0..<4).map { _ in get(api, "/people/people").0.status } == [200, status, 200, status])
    }

    @Test func clampsThePageSizeSilentlyWhenAsked() {
        let api = sandbox { $0.clampPageSize = true; $0.maxPageSize = 50 }
        let (response, document) = get(api, "/people/people?page[size]=500")
        #expect(response.status == 200)
        #expect(ids(document).count == 50)
        #expect(document[path: ["links", "next"]]?.stringValue?.contains("page%5Bsize%5D=50&") == true)
    }

    @Test func jsonAPIDialectSpellsGtLtAndPageNumber() {
        let api = sandbox { $0.dialect = .jsonAPI }
        let (ok, document) = get(api, "/services/service_offerings?filter[max_capacity][gt]=20&filter[max_capacity][lt]=40&page[number]=1&page[size]=100")
        #expect(ok.status == 200)
        #expect(rows(document).allSatisfy { if case .number(let c) = $0.attribute("max_capacity") { c > 20 && c < 40 } else { false } })
        #expect(document[path: ["links", "self"]]?.stringValue?.hasSuffix("page%5Bnumber%5D=1") == true)
        #expect(get(api, "/services/service_offerings?filter[max_capacity][g]=20").0.status == 400)
        #expect(get(api, "/services/service_offerings?page=2").0.status == 400)
    }

    @Test func linksCanBeLeftOut() {
        let api = sandbox { $0.omitLinks = true }
        let (_, document) = get(api, "/people/people")
        #expect(document["links"] == nil)
        #expect(document[path: ["meta", "total"]] != nil)
        #expect(ids(document).count == 10)
    }

    @Test func defaultAndMaximumPageSizesAreSettable() {
        let api = sandbox { $0.defaultPageSize = 25; $0.maxPageSize = 30 }
        #expect(ids(get(api, "/people/people").1).count == 25)
        #expect(get(api, "/people/people?page[size]=31").0.status == 400)
    }
}
