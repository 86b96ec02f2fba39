import CBQCore
import Testing
@testable import CBQSandbox

struct SandboxDataTests {
    static let data = SandboxData.generate(seed: 1)

    @Test func theSameSeedGivesTheSameData() {
        #expect(SandboxData.generate(seed: 1) == Self.data)
        #expect(SandboxData.generate(seed: 2)[SandboxData.people.path] != Self.data[SandboxData.people.path])
    }

    /// `cbq sandbox --rows endpoint=n` takes any n from 1: the generator never assumes a size
    /// (cases picked person 42 by position, and crashed with fewer people).
    @Test(arguments: Array(SandboxData.counts.keys).sorted())
    func anyEndpointMayHaveOneRow(path: String) {
        let data = SandboxData.generate(seed: 1, counts: [path: 1])
        #expect(data[path]?.count == 1)
    }

    @Test func everyEndpointMayHaveOneRow() {
        let data = SandboxData.generate(seed: 1, counts: SandboxData.counts.mapValues { _ in 1 })
        #expect(data.values.allSatisfy { $0.count == 1 })
    }

    @Test func sizesNeedPaging() {
        #expect(Self.data[SandboxData.people.path]!.count >= 1_000)
        for endpoint in SandboxData.endpoints { #expect(Self.data[endpoint.path]!.count > 10, "\(endpoint.path)") }
    }

    @Test func peopleIncludeTheHardCases() {
        let people = Self.data[SandboxData.people.path]!
        let lastNames = people.map { $0[attribute: "last_name"].stringValue ?? "" }
        #expect(lastNames.filter { $0 == "Doe" }.count >= 3)
        #expect(lastNames.contains("doe"))
        #expect(lastNames.contains("Doeson"))
        #expect(lastNames.contains("O'Brien"))
        #expect(lastNames.contains("Nguyễn"))
        #expect(lastNames.contains("山田"))
        #expect(people.contains { $0[attribute: "first_name"] == "Zoë" })
        #expect(people.contains { $0[attribute: "middle_name"].isNull })
        #expect(people.contains { $0[attribute: "email"].isNull })
        let hispanic = Set(people.compactMap { $0[attribute: "hispanic_or_latino"].stringValue })
        #expect(hispanic == ["yes", "no", "unable to determine", "unknown"])
        #expect(people.map(\.attributes).allSatisfy { $0.map(\.key) == [
            "first_name", "middle_name", "last_name", "date_of_birth", "gender", "race", "hispanic_or_latino",
            "primary_language", "email", "phone", "city", "state", "created_at", "updated_at"] })
    }

    @Test func formatsAreISO8601() {
        for person in Self.data[SandboxData.people.path]! {
            #expect(person[attribute: "date_of_birth"].stringValue?.wholeMatch(of: /\d{4}-\d\d-\d\d/) != nil)
            #expect(person[attribute: "created_at"].stringValue?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
            #expect(person.id.wholeMatch(of: /PER-\d{5}/) != nil)
        }
    }

    @Test func offeringsReferToRealProviders() {
        let providers = Set(Self.data[SandboxData.providers.path]!.map(\.id))
        let offerings = Self.data[SandboxData.offerings.path]!
        #expect(offerings.allSatisfy { providers.contains($0[attribute: "provider_id"].stringValue ?? "") })
        #expect(Set(offerings.map { $0[attribute: "archived"] }) == [.bool(true), .bool(false)])
        #expect(offerings.allSatisfy {
            guard case .number(let used) = $0[attribute: "capacity_usage"], case .number(let max) = $0[attribute: "max_capacity"] else { return false }
            return used <= max
        })
    }

    @Test func notesHaveAwkwardBodiesAndSpanThreeYears() {
        let notes = Self.data[SandboxData.notes.path]!
        let bodies = notes.compactMap { $0[attribute: "body"].stringValue }
        #expect(bodies.contains { $0.contains("\n") })
        #expect(bodies.contains { $0.contains(",") })
        #expect(bodies.contains { $0.contains("\"") })
        let years = Set(notes.compactMap { $0[attribute: "created_at"].stringValue?.prefix(4) })
        #expect(years == ["2024", "2025", "2026"])
    }

    @Test(arguments: [(0, "1970-01-01"), (19_786, "2024-03-04"), (-1, "1969-12-31"), (20_513, "2026-03-01")])
    func civilDates(days: Int, text: String) {
        #expect(CivilDate.string(days: days) == text)
        let parts = text.split(separator: "-").map { Int($0)! }
        #expect(CivilDate.days(year: parts[0], month: parts[1], day: parts[2]) == days)
    }

    @Test func timestamps() {
        #expect(CivilDate.timestamp(seconds: 1_741_083_300) == "2025-03-04T10:15:00Z")
    }
}

/// The data is consistent, and current to the day it is asked for.
struct SandboxDataCurrencyTests {
    static let dateNames: Set<String> = ["date_of_birth", "created_at", "updated_at", "received_at", "opened_at", "closed_at",
                                         "license_expires_on"]

    @Test(arguments: [nil, "2026-06-30T00:00:00Z", "2031-01-15"])
    func nothingLiesInTheFutureOfItsDay(today: String?) throws {
        let day = today.flatMap(Instant.init) ?? SandboxData.generatedThrough
        let data = SandboxData.generate(seed: 1, today: today.flatMap(Instant.init))
        for (_, resources) in data {
            for resource in resources {
                for member in resource.attributes where Self.dateNames.contains(member.key) && member.key != "license_expires_on" {
                    guard case .string(let text) = member.value else { continue }
                    let instant = try #require(Instant(text), "\(member.key) = \(text)")
                    #expect(instant.seconds < day.seconds, "\(resource.id).\(member.key) = \(text) is not before \(day.text)")
                }
                let value = { (name: String) in resource[attribute: name].stringValue.flatMap(Instant.init) }
                if let opened = value("opened_at"), let closed = value("closed_at") { #expect(closed.seconds >= opened.seconds, "\(resource.id)") }
                if let created = value("created_at"), let updated = value("updated_at") { #expect(updated.seconds >= created.seconds, "\(resource.id)") }
            }
        }
    }

    @Test func movingTheDayMovesEveryDateByWholeDays() throws {
        let base = SandboxData.generate(seed: 1)
        let later = SandboxData.generate(seed: 1, today: SandboxData.generatedThrough.adding(30, .day))
        let before = try #require(base[SandboxData.cases.path]?.first), after = try #require(later[SandboxData.cases.path]?.first)
        #expect(Instant(after[attribute: "opened_at"].stringValue!)!.days == Instant(before[attribute: "opened_at"].stringValue!)!.days + 30)
        #expect(after[attribute: "case_number"] == before[attribute: "case_number"])
        // A day before the data's own changes nothing but dates.
        #expect(SandboxData.generate(seed: 1, today: nil) == base)
    }
}
