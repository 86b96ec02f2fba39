import CBQCore
import Synchronization

/// The sandbox's Casebook-like API, as a function from request to response. No sockets here:
/// ``SandboxServer`` serves it over HTTP, and tests call ``handle(_:)`` directly.
///
///     let api = SandboxAPI()
///     let response = api.handle(SandboxRequest(target: "/people/people?filter[last_name][like]=Doe"))
///     response.status   // 200
///
/// Thread-safe: the data and the request counter sit behind one lock; each request holds it
/// only while it reads or writes the records.
public final class SandboxAPI: Sendable {
    public static let mediaType = "application/vnd.api+json"

    public let options: SandboxOptions
    private let state: Mutex<State>

    struct State {
        var collections: [String: Collection]
        var requestCount = 0
        /// POST, PATCH and DELETE requests received, answered or not.
        var writeCount = 0
        /// Access tokens the token endpoint issued, and when each expires.
        var issuedTokens: [String: Int] = [:]
        var tokenRequests = 0
    }

    /// Requests to the token endpoint so far.
    public var tokenRequests: Int { state.withLock { $0.tokenRequests } }

    /// Forgets every issued token, as a server does whose tokens expired early: the next
    /// request with one is a 401.
    public func revokeTokens() { state.withLock { $0.issuedTokens = [:] } }

    /// POST, PATCH and DELETE requests received so far (a dry run must leave this at 0).
    public var writeCount: Int { state.withLock { $0.writeCount } }

    /// One endpoint's records in id order, each with its JSON serialized once, so a page is a
    /// concatenation of ready bytes.
    struct Collection {
        var endpoint: SandboxData.Endpoint
        var resources: [Resource]
        var serialized: [[UInt8]]
        var attributeNames: [String]
        /// What kind of JSON value each attribute holds ("a string", "a number", "true or
        /// false"), from the data: a write of another kind is a 422.
        var attributeKinds: [String: String]
        var nextNumber: Int

        init(endpoint: SandboxData.Endpoint, resources: [Resource]) {
            self.endpoint = endpoint
            self.resources = resources
            self.serialized = resources.map { Collection.serialize($0, endpoint: endpoint) }
            self.attributeNames = resources.first?.attributes.map(\.key) ?? []
            var kinds: [String: String] = [:]
            for resource in resources {
                for member in resource.attributes where kinds[member.key] == nil {
                    if let kind = Collection.kind(of: member.value) { kinds[member.key] = kind }
                }
                if kinds.count == attributeNames.count { break }
            }
            self.attributeKinds = kinds
            self.nextNumber = resources.count + 1
        }

        static func kind(of value: JSONValue) -> String? {
            switch value {
            case .string: return "a string"
            case .number: return "a number"
            case .bool: return "true or false"
            case .null, .array, .object: return nil
            }
        }

        /// `fields`: the sparse fieldset (attributes and relationships), nil for all.
        static func serialize(_ resource: Resource, endpoint: SandboxData.Endpoint, fields: [String]? = nil) -> [UInt8] {
            var bytes: [UInt8] = []
            var members = [
                JSONMember("type", .string(resource.type)), JSONMember("id", .string(resource.id)),
                JSONMember("attributes", .object(fields.map { fields in resource.attributes.filter { fields.contains($0.key) } } ?? resource.attributes)),
            ]
            let relationships = SandboxData.relationships(of: endpoint).filter { fields?.contains($0.name) ?? true }
            if !relationships.isEmpty {
                members.append(JSONMember("relationships", .object(relationships.map { relationship in
                    let related = JSONValue.object([JSONMember("related", .string(
                        "/\(endpoint.path)/\(PercentEncoding.pathSegment(resource.id))/\(relationship.name)"))])
                    guard let attribute = relationship.attribute else { return JSONMember(relationship.name, .object([JSONMember("links", related)])) }
                    let data: JSONValue
                    if case .string(let id) = resource[attribute: attribute] {
                        let type = relationship.typeAttribute.flatMap { resource[attribute: $0].stringValue } ?? relationship.type
                        data = .object([JSONMember("type", .string(type)), JSONMember("id", .string(id))])
                    } else {
                        data = .null
                    }
                    return JSONMember(relationship.name, .object([JSONMember("data", data), JSONMember("links", related)]))
                })))
            }
            JSONWriter.write(.object(members), into: &bytes)
            return bytes
        }

        func index(of id: String) -> Int? {
            // Ids are zero-padded, so id order is the array's order: binary search.
            var low = 0, high = resources.count - 1
            while low <= high {
                let middle = (low + high) / 2
                let candidate = resources[middle].id
                if candidate == id { return middle }
                if ValueSemantics.compareBytes(candidate, id) < 0 { low = middle + 1 } else { high = middle - 1 }
            }
            return nil
        }
    }

    public init(options: SandboxOptions = SandboxOptions()) {
        self.options = options
        let data = SandboxData.generate(seed: options.seed, today: options.today, counts: options.rowCounts)
        var collections: [String: Collection] = [:]
        for endpoint in SandboxData.endpoints {
            collections[endpoint.path] = Collection(endpoint: endpoint, resources: data[endpoint.path] ?? [])
        }
        state = Mutex(State(collections: collections))
    }

    /// Answers one request. `baseURL` (e.g. `http://127.0.0.1:8080`) prefixes the links.
    public func handle(_ request: SandboxRequest, baseURL: String = "http://localhost") -> SandboxResponse {
        do {
            return try respond(request, baseURL: baseURL)
        } catch {
            return error.response
        }
    }

    private func respond(_ request: SandboxRequest, baseURL: String) throws(APIError) -> SandboxResponse {
        let isWrite = ["POST", "PATCH", "DELETE"].contains(request.method)
        let (count, writes) = state.withLock { state in
            state.requestCount += 1
            if isWrite { state.writeCount += 1 }
            return (state.requestCount, state.writeCount)
        }
        if let every = options.rateLimitEvery, every > 0, count % every == 0 {
            throw APIError(status: 429, title: "Too Many Requests", detail: "slow down; retry after \(options.retryAfterSeconds) s",
                           headers: [("Retry-After", String(options.retryAfterSeconds))])
        }
        if let every = options.failEvery, every > 0, count % every == 0 {
            let title = options.failureStatus == 503 ? "Service Unavailable" : "Internal Server Error"
            throw APIError(status: options.failureStatus, title: title, detail: "an injected fault (every \(every) requests)")
        }
        if request.path == "/oauth2/token" { return try issueToken(request) }
        let authorization = request.headers["authorization"] ?? ""
        guard authorization.lowercased().hasPrefix("bearer "), !authorization.dropFirst(7).allSatisfy({ $0 == " " }) else {
            throw APIError(status: 401, title: "Unauthorized",
                           detail: "send 'Authorization: Bearer <token>' " + (options.requireOAuth ? "(from POST /oauth2/token)" : "(the sandbox accepts any token)"),
                           headers: [("WWW-Authenticate", "Bearer")])
        }
        if options.requireOAuth {
            let token = String(authorization.dropFirst(7)).trimming(.whitespace)
            let now = options.clock()
            let valid = state.withLock { state in state.issuedTokens[token].map { $0 > now } ?? false }
            guard valid else {
                throw APIError(status: 401, title: "Unauthorized", detail: "the access token is unknown or expired; ask POST /oauth2/token for one",
                               headers: [("WWW-Authenticate", #"Bearer error="invalid_token""#)])
            }
        }

        if options.redirectsToTrailingSlash, !request.path.hasSuffix("/") {
            let location = baseURL + request.path + "/" + (request.query.isEmpty ? "" : "?" + request.query)
            return SandboxResponse(status: 301, headers: [("Location", location)], body: [])
        }
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map { PercentEncoding.decode($0) ?? "" }
        guard (2...4).contains(segments.count),
              let endpoint = SandboxData.endpoints.first(where: { $0.service == segments[0] && $0.name == segments[1] })
        else {
            let known = SandboxData.endpoints.map { "/" + $0.path }.joined(separator: ", ")
            throw APIError(status: 404, title: "Not Found", detail: "no endpoint at \(request.path); the sandbox has \(known)")
        }
        let id = segments.count == 3 ? segments[2] : nil
        let collectionURL = baseURL + "/" + endpoint.path

        if segments.count == 4 {
            guard request.method == "GET", let id else {
                throw APIError(status: 405, title: "Method Not Allowed", detail: "\(request.method) is not allowed here", headers: [("Allow", "GET")])
            }
            return try related(endpoint, id: id, relationship: segments[3], baseURL: baseURL)
        }
        var response: SandboxResponse
        switch (request.method, id) {
        case ("GET", nil): return try list(endpoint, query: request.query, collectionURL: collectionURL)
        case ("GET", let id?): return try fetch(endpoint, id: id, collectionURL: collectionURL)
        case ("POST", nil): response = try create(endpoint, request: request, collectionURL: collectionURL)
        case ("PATCH", let id?): response = try update(endpoint, id: id, request: request, collectionURL: collectionURL)
        case ("DELETE", let id?): response = try delete(endpoint, id: id)
        default:
            throw APIError(status: 405, title: "Method Not Allowed", detail: "\(request.method) is not allowed here",
                           headers: [("Allow", id == nil ? "GET, POST" : "GET, PATCH, DELETE")])
        }
        // The write is done; every k-th one loses its answer on the way back.
        if let every = options.dropWriteEvery, every > 0, writes % every == 0 { response.dropsConnection = true }
        return response
    }

    // MARK: - OAuth

    /// `POST /oauth2/token` with `grant_type=client_credentials&client_id=…&client_secret=…` as a
    /// form (or the id and secret as HTTP Basic): `{"access_token", "token_type", "expires_in"}`,
    /// or RFC 6749's `{"error": …}` with 400 or 401.
    private func issueToken(_ request: SandboxRequest) throws(APIError) -> SandboxResponse {
        state.withLock { $0.tokenRequests += 1 }
        func failure(_ status: Int, _ error: String, _ description: String) -> SandboxResponse {
            .document(status, JSONValue.object([JSONMember("error", .string(error)), JSONMember("error_description", .string(description))]))
        }
        guard request.method == "POST" else {
            throw APIError(status: 405, title: "Method Not Allowed", detail: "the token endpoint takes POST", headers: [("Allow", "POST")])
        }
        var form: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if let key = PercentEncoding.decode(parts[0], plusIsSpace: true) {
                form[key] = parts.count > 1 ? PercentEncoding.decode(parts[1], plusIsSpace: true) : ""
            }
        }
        guard form["grant_type"] == "client_credentials" else {
            return failure(400, "unsupported_grant_type", "the sandbox issues tokens for grant_type=client_credentials")
        }
        guard let id = form["client_id"], let secret = form["client_secret"], options.oauthClients[id] == secret else {
            return failure(401, "invalid_client", "unknown client_id or wrong client_secret")
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let token = "sbx-" + bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let expires = options.clock() + options.tokenLifetime
        state.withLock { $0.issuedTokens[token] = expires }
        return .document(200, JSONValue.object([JSONMember("access_token", .string(token)), JSONMember("token_type", .string("bearer")),
                                                JSONMember("expires_in", .number(Double(options.tokenLifetime)))]))
    }

    // MARK: - Reads

    private func list(_ endpoint: SandboxData.Endpoint, query: String, collectionURL: String) throws(APIError) -> SandboxResponse {
        // A copy-on-write snapshot: the lock is held only to take it.
        let collection = state.withLock { $0.collections[endpoint.path]! }
        try rejectFilters(in: query)
        let query = try CollectionQuery(query: withoutIgnoredParameters(query), endpoint: endpoint, attributes: Set(collection.attributeNames),
                                        options: options)
        let positions = query.positions(in: collection.attributeNames, relationships: SandboxData.relationships(of: endpoint))
        var rows = query.filters.isEmpty
            ? Array(collection.resources.indices)
            : collection.resources.indices.filter { query.matches(collection.resources[$0], positions) }
        query.sort(&rows, in: collection.resources, positions)
        let total = rows.count
        let lastPage = max(1, (total + query.pageSize - 1) / query.pageSize)
        if options.dialect.pastEndIsNotFound, query.pageNumber > lastPage {
            throw APIError(status: 404, title: "Not Found", detail: "Invalid page.")
        }
        let start = min(total, (query.pageNumber - 1) * query.pageSize)
        let page = rows[start..<min(total, start + query.pageSize)]

        var body: [UInt8] = Array(#"{"data":["#.utf8)
        for (index, row) in page.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            if let fields = query.fields {
                body.append(contentsOf: Collection.serialize(collection.resources[row], endpoint: endpoint, fields: fields))
            } else {
                body.append(contentsOf: collection.serialized[row])
            }
        }
        body.append(UInt8(ascii: "]"))
        if !query.include.isEmpty { body.append(contentsOf: try included(query.include, of: page.map { collection.resources[$0] }, endpoint: endpoint)) }
        if !options.omitLinks {
            let path = collectionURL + (options.redirectsToTrailingSlash ? "/" : "")
            func link(_ page: Int) -> JSONValue { .string(path + "?" + query.query(page: page, dialect: options.dialect)) }
            var links = [JSONMember("self", link(query.pageNumber)), JSONMember("first", link(1))]
            if query.pageNumber > 1 { links.append(JSONMember("prev", link(min(query.pageNumber - 1, lastPage)))) }
            if query.pageNumber < lastPage { links.append(JSONMember("next", link(query.pageNumber + 1))) }
            links.append(JSONMember("last", link(lastPage)))
            body.append(contentsOf: Array(#","links":"#.utf8))
            JSONWriter.write(.object(links), into: &body)
        }
        // `,"meta":{…}}`: the total where the dialect keeps it.
        var meta: [UInt8] = []
        JSONWriter.write(.object([Self.meta(total: total, at: options.dialect.totalPath, page: query.pageNumber, pages: lastPage)]), into: &meta)
        body.append(UInt8(ascii: ","))
        body.append(contentsOf: meta.dropFirst())
        return .document(200, body)
    }

    /// The `meta` member with the total at `path` (`meta.total`, `meta.page.total`): Django REST
    /// framework JSON:API's `meta.pagination` also has the page and the number of pages.
    static func meta(total: Int, at path: [String], page: Int, pages: Int) -> JSONMember {
        var value = JSONValue.number(Double(total))
        if path == ["meta", "pagination", "count"] {
            value = .object([JSONMember("page", .number(Double(page))), JSONMember("pages", .number(Double(pages))), JSONMember("count", value)])
            return JSONMember("meta", .object([JSONMember("pagination", value)]))
        }
        for name in path.dropFirst().reversed() { value = .object([JSONMember(name, value)]) }
        return JSONMember("meta", path.count > 1 ? value : .object([JSONMember("total", value)]))
    }

    /// The query string less what this server is told to ignore (``SandboxOptions/ignoredFilters``,
    /// ``SandboxOptions/ignoresPageNumber``, ``SandboxOptions/ignoresSort``), read as a server that does not
    /// know them reads them: not at all.
    private func withoutIgnoredParameters(_ query: String) -> String {
        guard !options.ignoredFilters.isEmpty || options.ignoresPageNumber || options.ignoresSort else { return query }
        return query.split(separator: "&").filter { pair in
            let key = PercentEncoding.decode(pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0], plusIsSpace: true) ?? ""
            if options.ignoresPageNumber, key == options.dialect.pageNumberKey { return false }
            if options.ignoresSort, key == "sort" { return false }
            return options.ignoredFilters.isDisjoint(with: CollectionQuery.fields(filteredBy: key, dialect: options.dialect))
        }.joined(separator: "&")
    }

    /// A 400 naming the first filter on a field this server is told to refuse
    /// (``SandboxOptions/rejectedFilters``), as a server that does not filter by it says so.
    private func rejectFilters(in query: String) throws(APIError) {
        guard !options.rejectedFilters.isEmpty else { return }
        for pair in query.split(separator: "&") {
            let key = PercentEncoding.decode(pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0], plusIsSpace: true) ?? ""
            if let field = CollectionQuery.fields(filteredBy: key, dialect: options.dialect).first(where: options.rejectedFilters.contains) {
                throw APIError.badParameter(key, "filtering by '\(field)' is not supported")
            }
        }
    }

    /// `,"included":[…]`: each distinct resource the page's resources name by the relationships
    /// `names`, once, as JSON:API's compound documents have them.
    private func included(_ names: [String], of resources: [Resource], endpoint: SandboxData.Endpoint) throws(APIError) -> [UInt8] {
        let relationships = SandboxData.relationships(of: endpoint)
        var body = Array(#","included":["#.utf8)
        var seen: Set<String> = []
        var first = true
        try state.withLock { (state) throws(APIError) in
            for name in names {
                guard let relationship = relationships.first(where: { $0.name == name }), let attribute = relationship.attribute,
                      relationship.typeAttribute == nil, let target = relationship.target, let related = state.collections[target] else {
                    let known = relationships.filter { $0.attribute != nil && $0.typeAttribute == nil }.map(\.name)
                    throw APIError.badParameter("include", "'\(name)' is not a to-one relationship of \(endpoint.type) that can be included"
                        + (known.isEmpty ? "" : "; it has \(known.joined(separator: ", "))"))
                }
                for resource in resources {
                    guard case .string(let id) = resource[attribute: attribute], seen.insert(target + "/" + id).inserted,
                          let index = related.index(of: id) else { continue }
                    if !first { body.append(UInt8(ascii: ",")) }
                    first = false
                    body.append(contentsOf: related.serialized[index])
                }
            }
        }
        body.append(UInt8(ascii: "]"))
        return body
    }

    /// `GET /cases/cases/CAS-1/person`: the `related` link of a to-one relationship.
    private func related(_ endpoint: SandboxData.Endpoint, id: String, relationship name: String, baseURL: String) throws(APIError) -> SandboxResponse {
        guard let relationship = SandboxData.relationships(of: endpoint).first(where: { $0.name == name }) else {
            throw APIError(status: 404, title: "Not Found", detail: "\(endpoint.type) has no relationship '\(name)'")
        }
        let resource: Resource? = state.withLock { state in
            let collection = state.collections[endpoint.path]!
            return collection.index(of: id).map { collection.resources[$0] }
        }
        guard let resource else { throw notFound(endpoint, id) }
        guard let attribute = relationship.attribute else {
            // To-many: the related collection, filtered by the link back.
            let target = SandboxData.endpoints.first { $0.path == relationship.target }!
            let back = SandboxData.relationships(of: target).first { $0.target == endpoint.path }?.attribute ?? ""
            return try list(target, query: "filter[\(back)]=\(PercentEncoding.pathSegment(id))", collectionURL: baseURL + "/" + target.path)
        }
        guard case .string(let relatedID) = resource[attribute: attribute] else { return .document(200, Array(#"{"data":null}"#.utf8)) }
        let type = relationship.typeAttribute.flatMap { resource[attribute: $0].stringValue } ?? relationship.type
        guard let target = SandboxData.endpoints.first(where: { $0.type == type }) else { throw notFound(endpoint, id) }
        return try fetch(target, id: relatedID, collectionURL: baseURL + "/" + target.path)
    }

    private func fetch(_ endpoint: SandboxData.Endpoint, id: String, collectionURL: String) throws(APIError) -> SandboxResponse {
        let bytes: [UInt8]? = state.withLock { state in
            let collection = state.collections[endpoint.path]!
            return collection.index(of: id).map { collection.serialized[$0] }
        }
        guard let bytes else { throw notFound(endpoint, id) }
        return .document(200, single(bytes, url: collectionURL + "/" + PercentEncoding.pathSegment(id)))
    }

    private func single(_ resource: [UInt8], url: String) -> [UInt8] {
        var body = Array(#"{"data":"#.utf8) + resource + Array(#","links":{"self":"#.utf8)
        JSONWriter.writeString(url, into: &body)
        body.append(contentsOf: Array("}}".utf8))
        return body
    }

    private func notFound(_ endpoint: SandboxData.Endpoint, _ id: String) -> APIError {
        APIError(status: 404, title: "Not Found", detail: "no \(endpoint.type) with id '\(id)'")
    }

    // MARK: - Writes

    /// The `data` object of a JSON:API write, checked: media type, JSON, type and attributes.
    private func document(_ request: SandboxRequest, endpoint: SandboxData.Endpoint, attributeNames: [String], kinds: [String: String])
        throws(APIError) -> (id: String?, attributes: [JSONMember])
    {
        let contentType = request.headers["content-type"] ?? ""
        guard contentType.split(separator: ";").first.map({ $0.trimming(.whitespace) }) == SandboxAPI.mediaType else {
            throw APIError(status: 415, title: "Unsupported Media Type",
                           detail: "send the body as \(SandboxAPI.mediaType), not '\(contentType.isEmpty ? "nothing" : contentType)'")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(request.body) } catch {
            throw APIError(status: 400, title: "Invalid JSON", detail: error.description, pointer: "")
        }
        guard case .object = json["data"] ?? .null, let data = json["data"] else {
            throw APIError.invalidWrite("/data", "the body needs a 'data' object")
        }
        guard data["type"]?.stringValue == endpoint.type else {
            throw APIError(status: 409, title: "Conflict", detail: "'data.type' must be '\(endpoint.type)'", pointer: "/data/type")
        }
        var attributes: [JSONMember] = []
        if let given = data["attributes"] {
            guard case .object(let members) = given else { throw APIError.invalidWrite("/data/attributes", "'attributes' must be an object") }
            for member in members {
                guard attributeNames.contains(member.key), !["created_at", "updated_at"].contains(member.key) else {
                    throw APIError.invalidWrite("/data/attributes/\(member.key)", "'\(member.key)' is not a writable attribute of \(endpoint.type)")
                }
                switch member.value {
                case .array, .object:
                    throw APIError.invalidWrite("/data/attributes/\(member.key)", "'\(member.key)' takes a string, number, boolean or null")
                default:
                    if let expected = kinds[member.key], let given = Collection.kind(of: member.value), given != expected {
                        throw APIError.invalidWrite("/data/attributes/\(member.key)", "'\(member.key)' takes \(expected), not \(given)")
                    }
                    attributes.append(member)
                }
            }
        }
        return (data["id"]?.stringValue, attributes)
    }

    private func create(_ endpoint: SandboxData.Endpoint, request: SandboxRequest, collectionURL: String) throws(APIError) -> SandboxResponse {
        let (names, kinds) = state.withLock { ($0.collections[endpoint.path]!.attributeNames, $0.collections[endpoint.path]!.attributeKinds) }
        let (givenID, attributes) = try document(request, endpoint: endpoint, attributeNames: names, kinds: kinds)
        if givenID != nil, !options.acceptsClientIDs {
            throw APIError(status: 403, title: "Forbidden", detail: "the server assigns ids; leave 'data.id' out", pointer: "/data/id")
        }
        if let givenID, givenID.isEmpty { throw APIError.invalidWrite("/data/id", "'data.id' cannot be empty") }
        let now = options.now()
        let created: [UInt8]? = state.withLock { state in
            var collection = state.collections[endpoint.path]!
            var id = givenID ?? ""
            if givenID != nil {
                guard collection.index(of: id) == nil else { return nil }
            } else {
                // Past any id a client chose in the same series.
                repeat {
                    id = SandboxData.id(endpoint, collection.nextNumber, of: collection.nextNumber)
                    collection.nextNumber += 1
                } while collection.index(of: id) != nil
            }
            let values = Dictionary(attributes.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            let resource = Resource(type: endpoint.type, id: id, attributes: names.map { name in
                name == "created_at" || name == "updated_at" ? JSONMember(name, .string(now)) : JSONMember(name, values[name] ?? .null)
            })
            let serialized = Collection.serialize(resource, endpoint: endpoint)
            let position = collection.resources.firstIndex { ValueSemantics.compareBytes($0.id, id) >= 0 } ?? collection.resources.count
            collection.resources.insert(resource, at: position)
            collection.serialized.insert(serialized, at: position)
            state.collections[endpoint.path] = collection
            return serialized
        }
        guard let bytes = created else {
            throw APIError(status: 409, title: "Conflict", detail: "a \(endpoint.type) resource with id '\(givenID ?? "")' exists", pointer: "/data/id")
        }
        let id = (try? JSONParser.parse(bytes))?["id"]?.stringValue ?? ""
        let url = collectionURL + "/" + PercentEncoding.pathSegment(id)
        return .document(201, single(bytes, url: url), extraHeaders: [("Location", url)])
    }

    private func update(_ endpoint: SandboxData.Endpoint, id: String, request: SandboxRequest, collectionURL: String) throws(APIError) -> SandboxResponse {
        let (names, kinds) = state.withLock { ($0.collections[endpoint.path]!.attributeNames, $0.collections[endpoint.path]!.attributeKinds) }
        let (givenID, attributes) = try document(request, endpoint: endpoint, attributeNames: names, kinds: kinds)
        guard givenID == id else {
            throw APIError(status: 409, title: "Conflict", detail: "'data.id' must be '\(id)', the id in the URL", pointer: "/data/id")
        }
        let now = options.now()
        let bytes: [UInt8]? = state.withLock { state in
            var collection = state.collections[endpoint.path]!
            guard let index = collection.index(of: id) else { return nil }
            var resource = collection.resources[index]
            for member in attributes + [JSONMember("updated_at", .string(now))] {
                if let position = resource.attributes.firstIndex(where: { $0.key == member.key }) {
                    resource.attributes[position].value = member.value
                }
            }
            collection.resources[index] = resource
            collection.serialized[index] = Collection.serialize(resource, endpoint: endpoint)
            state.collections[endpoint.path] = collection
            return collection.serialized[index]
        }
        guard let bytes else { throw notFound(endpoint, id) }
        return .document(200, single(bytes, url: collectionURL + "/" + PercentEncoding.pathSegment(id)))
    }

    private func delete(_ endpoint: SandboxData.Endpoint, id: String) throws(APIError) -> SandboxResponse {
        let deleted = state.withLock { state in
            guard let index = state.collections[endpoint.path]!.index(of: id) else { return false }
            state.collections[endpoint.path]!.resources.remove(at: index)
            state.collections[endpoint.path]!.serialized.remove(at: index)
            return true
        }
        guard deleted else { throw notFound(endpoint, id) }
        return SandboxResponse(status: 204, headers: [], body: [])
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
