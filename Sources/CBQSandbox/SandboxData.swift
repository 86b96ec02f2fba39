import CBQCore

/// One JSON:API resource: its type, id and attributes in a fixed order.
public struct Resource: Hashable, Sendable {
    public var type: String
    public var id: String
    public var attributes: [JSONMember]

    /// The resource with every date and timestamp attribute moved by whole days.
    func shifted(byDays days: Int) -> Resource {
        var copy = self
        copy.attributes = attributes.map { member in
            guard case .string(let text) = member.value, text.utf8.count >= 10, let instant = Instant(text),
                  let moved = instant.adding(days, .day) else { return member }
            return JSONMember(member.key, .string(moved.text))
        }
        return copy
    }

    public subscript(attribute name: String) -> JSONValue {
        if name == "id" { return .string(id) }
        return attributes.first { $0.key == name }?.value ?? .null
    }
}

/// The sandbox's endpoints and their generated records, deterministic for a seed.
///
/// Realistic enough to exercise a client: non-ASCII names (Zoë, Nguyễn, 山田), apostrophes
/// (O'Brien), several Does in both cases plus a Doeson (so LIKE 'Doe' must match the whole
/// value), nulls, note bodies with newlines, commas and quotes, and more than enough rows to page.
public enum SandboxData {
    /// A known endpoint, with the prefix of its generated ids.
    public struct Endpoint: Hashable, Sendable {
        public var known: KnownEndpoint
        public var idPrefix: String
        public var service: String { known.service }
        public var name: String { known.name }
        public var type: String { known.type }
        public var path: String { known.path }

        init(_ known: KnownEndpoint) {
            self.known = known
            switch known {
            case .people: idPrefix = "PER"
            case .reports: idPrefix = "RPT"
            case .cases: idPrefix = "CAS"
            case .providers: idPrefix = "PRV"
            case .offerings: idPrefix = "SVC"
            case .notes: idPrefix = "NTE"
            default: idPrefix = String(known.type.prefix(3)).uppercased()
            }
        }
    }

    /// A link from a resource to another, as JSON:API `relationships` carry it. To-one links
    /// keep their `*_id` attribute too, so clients of both styles can be tested.
    public struct Relationship: Hashable, Sendable {
        public var name: String
        /// The attribute holding the related id; nil for a links-only (to-many) relationship.
        public var attribute: String?
        /// The related type, or the attribute that names it (a note's `record_type`).
        public var type: String
        public var typeAttribute: String?
        /// Where the related resources live, for `include` and the `related` link.
        public var target: String?
    }

    /// Each endpoint's relationships, in the order they are written.
    public static func relationships(of endpoint: Endpoint) -> [Relationship] {
        switch endpoint.known {
        case .reports, .cases:
            return [Relationship(name: "person", attribute: "person_id", type: "people", target: people.path)]
        case .offerings:
            return [Relationship(name: "provider", attribute: "provider_id", type: "providers", target: providers.path)]
        case .notes:
            return [Relationship(name: "record", attribute: "record_id", type: "people", typeAttribute: "record_type")]
        case .providers:
            // To-many, and (as many servers send those) links only: no `data`, so a NULL column.
            return [Relationship(name: "offerings", attribute: nil, type: "service_offerings", target: offerings.path)]
        default:
            return []
        }
    }

    /// The core's list of known endpoints: the sandbox serves exactly those.
    public static let endpoints = KnownEndpoint.all.map(Endpoint.init)
    public static let people = Endpoint(.people)
    public static let reports = Endpoint(.reports)
    public static let cases = Endpoint(.cases)
    public static let providers = Endpoint(.providers)
    public static let offerings = Endpoint(.offerings)
    public static let notes = Endpoint(.notes)

    public static let counts: [String: Int] = [
        people.path: 1_200, reports.path: 800, cases.path: 600, providers.path: 60, offerings.path: 240, notes.path: 2_000,
    ]

    /// Every generated date and timestamp is before this day (2026-11-15).
    public static let generatedThrough = Instant("2026-11-15")!

    /// Every endpoint's records, ids ascending, with their dates moved so the data is current
    /// to `today` (see ``SandboxOptions/today``).
    public static func generate(seed: UInt64, today: Instant?, counts: [String: Int] = [:]) -> [String: [Resource]] {
        let data = generate(seed: seed, counts: counts)
        guard let today else { return data }
        let days = today.days - generatedThrough.days
        guard days != 0 else { return data }
        return data.mapValues { resources in resources.map { $0.shifted(byDays: days) } }
    }

    /// Every endpoint's records, ids ascending.
    /// - Parameter counts: rows per endpoint path, where not the usual ``counts`` (a large
    ///   people table for benchmarks); ids are padded wide enough to stay in order.
    public static func generate(seed: UInt64, counts custom: [String: Int] = [:]) -> [String: [Resource]] {
        let counts = self.counts.merging(custom) { $1 }
        var random = SeededGenerator(seed: seed)
        var data: [String: [Resource]] = [:]
        data[people.path] = makePeople(&random, counts: counts)
        data[providers.path] = makeProviders(&random, counts: counts)
        data[offerings.path] = makeOfferings(&random, counts: counts, providers: data[providers.path]!)
        data[reports.path] = makeReports(&random, counts: counts, people: data[people.path]!)
        data[cases.path] = makeCases(&random, counts: counts, people: data[people.path]!)
        data[notes.path] = makeNotes(&random, counts: counts, people: data[people.path]!, cases: data[cases.path]!)
        return data
    }

    /// `PER-00042`: zero-padded so id order is number order, wider when `count` needs it.
    static func id(_ endpoint: Endpoint, _ number: Int, of count: Int = 0) -> String {
        let usual = endpoint.idPrefix == "PRV" || endpoint.idPrefix == "SVC" ? 4 : 5
        return "\(endpoint.idPrefix)-\(CivilDate.pad(number, max(usual, String(count).count)))"
    }

    // MARK: - Vocabulary

    static let firstNames = ["Ava", "Liam", "Olivia", "Noah", "Emma", "Mateo", "Sofia", "Elijah", "Zoë", "José", "Siobhán",
                             "Amara", "Kai", "Maya", "Ethan", "Chloé", "Luis", "Aaliyah", "Hiroshi", "Thảo", "Omar", "Fatima",
                             "Lucas", "Isabella", "Jamal", "Priya", "Diego", "Hannah", "Wyatt", "Leilani", "太郎", "Björn"]
    static let lastNames = ["Smith", "Johnson", "Garcia", "Williams", "Brown", "Jones", "Miller", "Davis", "Martinez", "Lopez",
                            "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Nguyễn", "O'Brien",
                            "Hernández", "Kim", "Patel", "Yazzie", "Begay", "Kealoha", "山田", "Okafor", "D'Angelo", "Schmidt"]
    static let places: [(city: String, state: String)] = [
        ("Seattle", "WA"), ("Spokane", "WA"), ("Tacoma", "WA"), ("Yakima", "WA"), ("Portland", "OR"), ("Eugene", "OR"),
        ("Salem", "OR"), ("Boise", "ID"), ("Sacramento", "CA"), ("Fresno", "CA"), ("Oakland", "CA"), ("Reno", "NV"),
        ("Phoenix", "AZ"), ("Tucson", "AZ"), ("Albuquerque", "NM"), ("Denver", "CO"),
    ]
    static let counties = ["King", "Pierce", "Spokane", "Yakima", "Multnomah", "Lane", "Ada", "Sacramento", "Washoe", "Maricopa"]
    static let races = ["White", "Black or African American", "Asian", "American Indian or Alaska Native",
                        "Native Hawaiian or Other Pacific Islander", "Two or more races"]
    static let languages = ["English", "Spanish", "Vietnamese", "Somali", "Russian", "Japanese", "Tagalog", "Navajo"]
    static let caseworkers = ["R. Alvarez", "K. Chen", "M. O'Neil", "D. Okafor", "S. Nguyễn", "T. Brooks", "J. Whitehorse"]

    // MARK: - Records

    static func timestamp(_ random: inout SeededGenerator, from: (Int, Int, Int), to: (Int, Int, Int)) -> Int {
        let start = CivilDate.days(year: from.0, month: from.1, day: from.2) * 86_400
        let end = CivilDate.days(year: to.0, month: to.1, day: to.2) * 86_400
        // Whole minutes, as a person would record them.
        return start + random.int(0...(end - start) / 60) * 60
    }

    static func stamps(_ random: inout SeededGenerator) -> (created: String, updated: String) {
        let created = timestamp(&random, from: (2024, 1, 1), to: (2026, 10, 31))
        let updated = random.chance(0.4) ? created : created + random.int(0...200) * 3_600
        return (CivilDate.timestamp(seconds: created), CivilDate.timestamp(seconds: updated))
    }

    static func makePeople(_ random: inout SeededGenerator, counts: [String: Int]) -> [Resource] {
        (1...counts[people.path]!).map { number in
            var first = random.pick(firstNames)
            var last = random.pick(lastNames)
            // A fixed handful of Does, so examples and tests always find some.
            switch number % 97 {
            case 3, 41, 77: last = "Doe"
            case 59: last = "doe"
            case 88: last = "Doeson"
            default: break
            }
            if number == 5 { first = "Zoë"; last = "Nguyễn" }
            if number == 6 { first = "花子"; last = "山田" }
            if number == 7 { first = "Siobhán"; last = "O'Brien" }
            let place = random.pick(places)
            let dob = CivilDate.string(days: CivilDate.days(year: 1945, month: 1, day: 1) + random.int(0...(79 * 365)))
            let (created, updated) = stamps(&random)
            let emailName = [first, last].map(asciiFolded).map { $0.isEmpty ? "person" : $0 }.joined(separator: ".")
            return Resource(type: people.type, id: id(people, number, of: counts[people.path]!), attributes: [
                JSONMember("first_name", .string(first)),
                JSONMember("middle_name", random.chance(0.45) ? .string(random.pick(firstNames)) : .null),
                JSONMember("last_name", .string(last)),
                JSONMember("date_of_birth", .string(dob)),
                JSONMember("gender", .string(random.pick(["female", "male", "female", "male", "nonbinary", "unknown"]))),
                JSONMember("race", random.chance(0.9) ? .string(random.pick(races)) : .null),
                JSONMember("hispanic_or_latino", .string(random.pick(["yes", "no", "no", "unable to determine", "unknown"]))),
                JSONMember("primary_language", random.chance(0.92) ? .string(random.pick(["English", "English", "English"] + languages)) : .null),
                JSONMember("email", random.chance(0.7) ? .string("\(emailName)\(number)@example.org") : .null),
                JSONMember("phone", random.chance(0.8) ? .string("+1-555-\(CivilDate.pad(random.int(100...999), 3))-\(CivilDate.pad(random.int(0...9999), 4))") : .null),
                JSONMember("city", .string(place.city)),
                JSONMember("state", .string(place.state)),
                JSONMember("created_at", .string(created)),
                JSONMember("updated_at", .string(updated)),
            ])
        }
    }

    /// "Zoë" → "zoe", "Nguyễn" → "nguyen", "O'Brien" → "obrien", "山田" → "" (for e-mail addresses).
    static func asciiFolded(_ name: String) -> String {
        var output = ""
        for scalar in name.lowercased().unicodeScalars {
            if scalar.isASCII {
                if scalar.properties.isAlphabetic { output.unicodeScalars.append(scalar) }
                continue
            }
            if let folded = folds[scalar] { output += folded }
        }
        return output
    }

    /// Latin letters with diacritics (as precomposed, NFC scalars) to their base letters.
    private static let folds: [Unicode.Scalar: String] = {
        let groups: [(String, String)] = [
            ("àáâãäåāăąạảấầẩẫậắằẳẵặ", "a"), ("çćč", "c"), ("ďđ", "d"), ("èéêëēėęěẹẻẽếềểễệ", "e"), ("ğ", "g"),
            ("ìíîïīįịỉĩ", "i"), ("ł", "l"), ("ñńň", "n"), ("òóôõöøōőơọỏốồổỗộớờởỡợ", "o"), ("ř", "r"), ("śšș", "s"),
            ("ț", "t"), ("ùúûüūůűųưụủứừửữự", "u"), ("ýÿỳỵỷỹ", "y"), ("źżž", "z"), ("æ", "ae"), ("ß", "ss"),
        ]
        var table: [Unicode.Scalar: String] = [:]
        for (letters, base) in groups { for scalar in letters.unicodeScalars { table[scalar] = base } }
        return table
    }()

    static func makeProviders(_ random: inout SeededGenerator, counts: [String: Int]) -> [Resource] {
        let kinds = ["foster_home", "foster_home", "agency", "clinic", "residential"]
        let names = ["Harbor", "Cedar", "Riverbend", "Summit", "Willow", "Evergreen", "Lakeside", "Sunrise", "Bridgeway", "Juniper"]
        return (1...counts[providers.path]!).map { number in
            let kind = random.pick(kinds)
            let place = random.pick(places)
            let base = random.pick(names)
            let name: String
            switch kind {
            case "foster_home": name = "\(random.pick(lastNames)) Family Foster Home"
            case "agency": name = "\(base) Family Services"
            case "clinic": name = "\(base) Counseling Clinic"
            default: name = "\(base) House"
            }
            let licensed = random.chance(0.85)
            let (created, updated) = stamps(&random)
            return Resource(type: providers.type, id: id(providers, number, of: counts[providers.path]!), attributes: [
                JSONMember("name", .string(name)),
                JSONMember("provider_type", .string(kind)),
                JSONMember("licensed", .bool(licensed)),
                JSONMember("license_expires_on", licensed ? .string(CivilDate.string(days: CivilDate.days(year: 2026, month: 1, day: 1) + random.int(0...900))) : .null),
                JSONMember("city", .string(place.city)),
                JSONMember("state", .string(place.state)),
                JSONMember("phone", .string("+1-555-\(CivilDate.pad(random.int(100...999), 3))-\(CivilDate.pad(random.int(0...9999), 4))")),
                JSONMember("created_at", .string(created)),
                JSONMember("updated_at", .string(updated)),
            ])
        }
    }

    static func makeOfferings(_ random: inout SeededGenerator, counts: [String: Int], providers: [Resource]) -> [Resource] {
        let services = ["Family Counseling", "Parenting Class", "Respite Care", "Substance Use Assessment", "Tutoring",
                        "Emergency Shelter", "Mentoring", "Transportation", "Mental Health Therapy", "Independent Living Skills"]
        return (1...counts[offerings.path]!).map { number in
            // The first provider always has a few offerings, two of them archived.
            let provider = number <= 6 ? providers[0] : random.pick(providers)
            let capacity = random.pick([5, 8, 10, 12, 15, 20, 25, 40])
            let (created, updated) = stamps(&random)
            return Resource(type: offerings.type, id: id(offerings, number, of: counts[offerings.path]!), attributes: [
                JSONMember("provider_id", .string(provider.id)),
                JSONMember("name", .string(random.pick(services))),
                JSONMember("archived", .bool(number <= 6 ? number % 3 == 0 : random.chance(0.2))),
                JSONMember("max_capacity", .number(Double(capacity))),
                JSONMember("capacity_usage", .number(Double(random.int(0...capacity)))),
                JSONMember("created_at", .string(created)),
                JSONMember("updated_at", .string(updated)),
            ])
        }
    }

    static func makeReports(_ random: inout SeededGenerator, counts: [String: Int], people: [Resource]) -> [Resource] {
        (1...counts[reports.path]!).map { number in
            let received = timestamp(&random, from: (2024, 1, 1), to: (2026, 11, 1))
            let (_, updated) = stamps(&random)
            let year = CivilDate.timestamp(seconds: received).prefix(4)
            return Resource(type: reports.type, id: id(reports, number, of: counts[reports.path]!), attributes: [
                JSONMember("report_number", .string("R\(year)-\(CivilDate.pad(number, 5))")),
                JSONMember("status", .string(random.pick(["new", "screening", "screened_in", "screened_out", "screened_out"]))),
                JSONMember("source", .string(random.pick(["hotline", "school", "law_enforcement", "medical", "relative", "anonymous"]))),
                JSONMember("allegation", .string(random.pick(["neglect", "physical_abuse", "emotional_abuse", "sexual_abuse", "abandonment"]))),
                JSONMember("person_id", .string(random.pick(people).id)),
                JSONMember("county", .string(random.pick(counties))),
                JSONMember("received_at", .string(CivilDate.timestamp(seconds: received))),
                JSONMember("created_at", .string(CivilDate.timestamp(seconds: received + 600))),
                JSONMember("updated_at", .string(max(updated, CivilDate.timestamp(seconds: received + 600)))),
            ])
        }
    }

    static func makeCases(_ random: inout SeededGenerator, counts: [String: Int], people: [Resource]) -> [Resource] {
        (1...counts[cases.path]!).map { number in
            let openedDays = CivilDate.days(year: 2022, month: 1, day: 1) + random.int(0...1_750)
            let closed = random.chance(0.45)
            let status = closed ? "closed" : random.pick(["open", "open", "pending"])
            // Person 42 has open cases, for the examples.
            let person = number % 50 == 0 ? people[min(41, people.count - 1)] : random.pick(people)
            let (created, updated) = stamps(&random)
            return Resource(type: cases.type, id: id(cases, number, of: counts[cases.path]!), attributes: [
                JSONMember("case_number", .string("C-\(CivilDate.pad(100_000 + number * 7, 6))")),
                JSONMember("case_type", .string(random.pick(["child_welfare", "in_home", "foster_care", "adoption", "family_support"]))),
                JSONMember("status", .string(number % 50 == 0 ? "open" : status)),
                JSONMember("person_id", .string(person.id)),
                JSONMember("caseworker", .string(random.pick(caseworkers))),
                JSONMember("county", .string(random.pick(counties))),
                JSONMember("opened_at", .string(CivilDate.string(days: openedDays))),
                // Closed on a day before the data's end, never in its future.
                JSONMember("closed_at", closed && number % 50 != 0
                    ? .string(CivilDate.string(days: min(openedDays + random.int(30...600), generatedThrough.days - 1))) : .null),
                JSONMember("created_at", .string(created)),
                JSONMember("updated_at", .string(updated)),
            ])
        }
    }

    static func makeNotes(_ random: inout SeededGenerator, counts: [String: Int], people: [Resource], cases: [Resource]) -> [Resource] {
        let subjects = ["Home visit", "Phone call with parent", "School check-in", "Court hearing", "Safety plan review",
                        "Medical appointment", "Placement update", "Team meeting"]
        let bodies = [
            "Visited the home at 3pm.\nChildren present, both well.\nFollow-up in two weeks.",
            "Parent said \"we're doing better\", and asked about the parenting class.",
            "Teacher reports attendance improved; grades steady, math, reading, science.",
            "Hearing continued to next month, per judge's order.",
            "Reviewed safety plan, items 1, 2 and 3 with the family.\nAll agreed.",
            "Note: call back re: transportation, \"Tuesday or Thursday\".",
        ]
        return (1...counts[notes.path]!).map { number in
            let onPerson = random.chance(0.5)
            let record = onPerson ? random.pick(people) : random.pick(cases)
            let created = timestamp(&random, from: (2024, 1, 1), to: (2026, 11, 1))
            return Resource(type: notes.type, id: id(notes, number, of: counts[notes.path]!), attributes: [
                JSONMember("subject", .string(random.pick(subjects))),
                JSONMember("body", .string(random.pick(bodies))),
                JSONMember("note_type", random.chance(0.9) ? .string(random.pick(["contact", "visit", "court", "general"])) : .null),
                JSONMember("record_type", .string(onPerson ? "people" : "cases")),
                JSONMember("record_id", .string(record.id)),
                JSONMember("created_at", .string(CivilDate.timestamp(seconds: created))),
                JSONMember("updated_at", .string(CivilDate.timestamp(seconds: created + random.int(0...48) * 3_600))),
            ])
        }
    }
}
