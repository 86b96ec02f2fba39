import Foundation
import Testing
@testable import CBQCore

/// Keeps `grammar/cbq.ebnf`, the parser and the examples in step.
struct GrammarTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `name = body ;` rules, bodies with white space folded.
    static func rules(in text: String) -> [String: String] {
        var rules: [String: String] = [:]
        var current: (name: String, body: String)?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if var rule = current {
                rule.body += " " + line.trimmingCharacters(in: .whitespaces)
                current = rule
            } else if let match = line.firstMatch(of: /^([a-z_]+) = (.*)$/) {
                current = (String(match.1), String(match.2))
            }
            if let rule = current, rule.body.hasSuffix(";") {
                rules[rule.name] = rule.body.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                current = nil
            }
        }
        return rules
    }

    /// The lexer and the parser, which is split over `Parser.swift` and `Parser+….swift`.
    static func syntaxFiles() throws -> [String] {
        let folder = root.appendingPathComponent("Sources/CBQCore/Syntax")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0 == "Lexer.swift" || $0 == "Parser.swift" || ($0.hasPrefix("Parser+") && $0.hasSuffix(".swift")) }
            .sorted()
    }

    /// Rules quoted in `///` doc comments of the lexer and parser.
    static func documentedRules() throws -> [String: String] {
        var text = ""
        let files = try syntaxFiles()
        #expect(files.contains("Parser.swift") && files.contains("Lexer.swift"))
        for file in files {
            let source = try String(contentsOf: root.appendingPathComponent("Sources/CBQCore/Syntax/\(file)"), encoding: .utf8)
            for line in source.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("/// ") { text += String(trimmed.dropFirst(4)) + "\n" } else { text += "\n" }
            }
        }
        return rules(in: text)
    }

    @Test func everyGrammarRuleIsImplementedAsWritten() throws {
        let grammar = Self.rules(in: try String(contentsOf: Self.root.appendingPathComponent("grammar/cbq.ebnf"), encoding: .utf8))
        let documented = try Self.documentedRules()
        #expect(grammar.count >= 30)
        for (name, body) in grammar.sorted(by: { $0.key < $1.key }) {
            #expect(documented[name] == body, "rule '\(name)': grammar says «\(body)», the code says «\(documented[name] ?? "nothing")»")
        }
        for name in Set(documented.keys).subtracting(grammar.keys) {
            Issue.record("rule '\(name)' is in the code's doc comments but not in grammar/cbq.ebnf")
        }
    }

    @Test func everyRuleIsReachableFromScript() throws {
        let grammar = Self.rules(in: try String(contentsOf: Self.root.appendingPathComponent("grammar/cbq.ebnf"), encoding: .utf8))
        var reached: Set<String> = ["script", "comment"]  // comments may appear anywhere
        var queue = ["script"]
        while let name = queue.popLast() {
            for word in (grammar[name] ?? "").split(whereSeparator: { !$0.isLetter && $0 != "_" }).map(String.init)
            where grammar[word] != nil && !reached.contains(word) {
                reached.insert(word)
                queue.append(word)
            }
        }
        #expect(Set(grammar.keys).subtracting(reached) == [])
    }

    static func examples() throws -> [URL] {
        let folder = root.appendingPathComponent("examples")
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "cbq" }.sorted { $0.path < $1.path }
    }

    /// Parameters an example uses are declared in it: `-- var: name=value`.
    static func declaredParameters(_ text: String) -> [String: Literal] {
        var parameters: [String: Literal] = [:]
        for match in text.matches(of: /-- var: ([a-z_]+)=(.*)/) {
            parameters[String(match.1)] = Literal(parameterValue: String(match.2).trimmingCharacters(in: .whitespaces))
        }
        return parameters
    }

    @Test func everyExampleParsesAndPlans() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 5)
        for example in examples {
            let text = try String(contentsOf: example, encoding: .utf8)
            let source = SourceText(text, name: example.lastPathComponent)
            var options = PlannerOptions()
            options.parameters = Self.declaredParameters(text)
            let statements = Parser.parseScript(source)
            #expect(!statements.isEmpty, "\(example.lastPathComponent) has no statement")
            for statement in statements {
                do {
                    _ = try Planner(options).plan(try statement.result.get(), source: source)
                } catch {
                    Issue.record("\(DiagnosticFormatter(style: .oneLine).format(error, in: source))")
                }
            }
        }
    }

    /// The guide's three examples are among the examples, translating as the guide writes them.
    @Test func theGuidesExamplesAreExamples() throws {
        var urls: [String] = []
        for example in try Self.examples() {
            let text = try String(contentsOf: example, encoding: .utf8)
            var options = PlannerOptions()
            options.parameters = Self.declaredParameters(text)
            for statement in Parser.parseScript(SourceText(text)) {
                if let parsed = try? statement.result.get(), let plan = try? Planner(options).plan(parsed, source: SourceText(text)) {
                    urls += plan.initialURLs()
                }
            }
        }
        for expected in [
            "https://api.casebook.net/services/service_offerings?filter[provider_id]=PRV-0001&filter[archived]=false&page[size]=100",
            "https://api.casebook.net/attachments/notes?filter[created_at][ge]=2025-01-01T00:00:00Z&filter[created_at][le]=2025-06-30T23:59:59Z&page[size]=100",
            "https://api.casebook.net/people/people?filter[last_name][like]=Doe&page[size]=100",
        ] {
            #expect(urls.contains(expected), "no example translates to \(expected)")
        }
    }
}
