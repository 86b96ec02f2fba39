import Foundation
@testable import CBQCore

/// Splits a source with a `1️⃣` marker into the text and the marker's byte offset, so a test can
/// say where an error must point: `"SELECT * FROM people.people WHERE age >1️⃣"`.
func marked(_ text: String) -> (source: String, offset: Int) {
    guard let range = text.range(of: "1️⃣") else { return (text, -1) }
    let offset = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
    return (text.replacingCharacters(in: range, with: ""), offset)
}

/// The diagnostic for a statement that must fail to parse or plan.
func diagnostic(_ text: String, options: PlannerOptions = PlannerOptions()) -> Diagnostic? {
    do {
        _ = try Planner(options).planSelect(text)
        return nil
    } catch {
        return error
    }
}

/// The first request URL of a statement, readable form.
func url(_ text: String, options: PlannerOptions = PlannerOptions()) throws -> String {
    try Planner(options).planSelect(text).initialURLs().joined(separator: "\n")
}
