import CBQCore
@testable import CBQSandbox

/// A GET against an in-process sandbox, returning the response and its JSON.
func get(_ api: SandboxAPI, _ target: String, headers: [String: String] = ["authorization": "Bearer t"]) -> (SandboxResponse, JSONValue) {
    let response = api.handle(SandboxRequest(target: target, headers: headers), baseURL: "http://sandbox.test")
    return (response, response.json ?? .null)
}

/// The ids of a collection response's rows.
func ids(_ document: JSONValue) -> [String] {
    guard case .array(let rows)? = document["data"] else { return [] }
    return rows.compactMap { $0["id"]?.stringValue }
}

func rows(_ document: JSONValue) -> [JSONValue] {
    guard case .array(let rows)? = document["data"] else { return [] }
    return rows
}

/// Every row of a filtered collection, fetched page by page at the largest size.
func all(_ api: SandboxAPI, _ path: String, _ query: String = "") -> [JSONValue] {
    var result: [JSONValue] = []
    var page = 1
    while true {
        let separator = query.isEmpty ? "" : "&"
        let (_, document) = get(api, "/\(path)?\(query)\(separator)page[size]=100&page=\(page)")
        let batch = rows(document)
        result += batch
        if batch.count < 100 { return result }
        page += 1
    }
}

func error(_ document: JSONValue) -> (status: String?, detail: String?, parameter: String?, pointer: String?) {
    guard case .array(let errors)? = document["errors"], let first = errors.first else { return (nil, nil, nil, nil) }
    return (first["status"]?.stringValue, first["detail"]?.stringValue,
            first[path: ["source", "parameter"]]?.stringValue, first[path: ["source", "pointer"]]?.stringValue)
}

extension JSONValue {
    func attribute(_ name: String) -> JSONValue { self[path: ["attributes", name]] ?? .null }
}
