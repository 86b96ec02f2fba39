/// An endpoint of Casebook's API that cbq knows by name: the guide's six. The sandbox serves
/// exactly these, and the shell lists and completes them; any other `service.endpoint` may
/// still be queried.
public struct KnownEndpoint: Hashable, Sendable {
    public let service: String
    public let name: String
    /// The JSON:API resource type of its records.
    public let type: String

    public init(service: String, name: String, type: String) {
        self.service = service
        self.name = name
        self.type = type
    }

    /// `people.people`, as a statement names it.
    public var qualifiedName: String { "\(service).\(name)" }
    /// `people/people`, as a URL names it.
    public var path: String { "\(service)/\(name)" }

    public static let people = KnownEndpoint(service: "people", name: "people", type: "people")
    public static let reports = KnownEndpoint(service: "intake", name: "reports", type: "reports")
    public static let cases = KnownEndpoint(service: "cases", name: "cases", type: "cases")
    public static let providers = KnownEndpoint(service: "providers", name: "providers", type: "providers")
    public static let offerings = KnownEndpoint(service: "services", name: "service_offerings", type: "service_offerings")
    public static let notes = KnownEndpoint(service: "attachments", name: "notes", type: "notes")

    /// In the guide's order.
    public static let all = [people, reports, cases, providers, offerings, notes]
}
