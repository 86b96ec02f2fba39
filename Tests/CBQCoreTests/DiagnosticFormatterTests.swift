import Testing
@testable import CBQCore

struct DiagnosticFormatterTests {
    @Test func richFormShowsTheLineAndACaret() throws {
        let source = SourceText("-- ages\nSELECT * FROM people.people WHERE age >", name: "report.cbq")
        let error = try #require(diagnostic(source.text))
        #expect(DiagnosticFormatter(style: .rich).format(error, in: source) == """
            report.cbq:2:40: error: expected a value after '>'
              |
            2 | SELECT * FROM people.people WHERE age >
              |                                        ^ expected a number, string or column name
            """)
    }

    @Test func richFormUnderlinesTheWholeTokenAndShowsTheHint() throws {
        let source = SourceText("SELECT * FORM people.people")
        let error = try #require(diagnostic(source.text))
        #expect(DiagnosticFormatter(style: .rich).format(error, in: source) == """
            <query>:1:10: error: expected 'FROM' after the select list, found 'FORM'
              |
            1 | SELECT * FORM people.people
              |          ^^^^
              = hint: did you mean 'FROM'?
            """)
    }

    @Test func caretsLineUpUnderWideCharacters() throws {
        let source = SourceText("SELECT * FROM a.b WHERE \"山田\" = 'Zoë' AND x >")
        let error = try #require(diagnostic(source.text))
        let lines = DiagnosticFormatter(style: .rich).format(error, in: source).split(separator: "\n")
        // "山田" takes four cells, "ë" one: the caret sits right after the '>', in cell 46.
        #expect(lines.count == 4)
        #expect(lines.last.map(String.init) == "  | " + String(repeating: " ", count: 46) + "^ expected a number, string or column name")
    }

    /// A megabyte statement on one line prints a window around the caret, not the megabyte.
    @Test func aLongLineIsShownAsAWindowAroundTheCaret() throws {
        let filler = String(repeating: "1, ", count: 100_000)
        let source = SourceText("SELECT * FROM a.b WHERE a IN (" + filler + "1) AND x > AND y = 2 AND b IN (" + filler + "3)")
        let error = try #require(diagnostic(source.text))
        let text = DiagnosticFormatter(style: .rich).format(error, in: source)
        #expect(text.utf8.count < 600)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[2].hasPrefix("1 | …") && lines[2].hasSuffix("…"))
        // The caret still sits under the token after '>'.
        let caret = lines[3].firstIndex(of: "^")!
        let column = lines[3].distance(from: lines[3].startIndex, to: caret)
        #expect(lines[2].dropFirst(column).hasPrefix("AND y"), "\(lines[2])\n\(lines[3])")
    }

    @Test func oneLineFormForLogsAndEditors() throws {
        let source = SourceText("SELECT *\nFROM people.people\nWHERE age >", name: "report.cbq")
        let error = try #require(diagnostic(source.text))
        #expect(DiagnosticFormatter(style: .oneLine).format(error, in: source) == "report.cbq:3:12: error: expected a value after '>'")
        #expect(DiagnosticFormatter(style: .oneLine, lineOffset: 10).format(error, in: source) == "report.cbq:13:12: error: expected a value after '>'")
    }

    @Test func colorsOnlyWhenAsked() throws {
        let source = SourceText("SELECT * FORM a.b")
        let error = try #require(diagnostic(source.text))
        #expect(!DiagnosticFormatter(style: .rich).format(error, in: source).contains("\u{1B}["))
        #expect(DiagnosticFormatter(style: .rich, colors: true).format(error, in: source).contains("\u{1B}[1;31merror"))
    }

    @Test(arguments: [("a", 1), ("ë", 1), ("e\u{301}", 1), ("山", 2), ("Ｆ", 2), ("\u{200B}", 0), ("👍", 2),
                      ("🇨🇦", 2), ("❤️", 2), ("❤", 1), ("🫶", 2), ("👩‍👩‍👧", 2), ("a🇺🇸b", 4),
                      ("✅", 2), ("☕", 2), ("⭐", 2), ("🫠", 2), ("✓", 1)])
    func displayWidths(text: String, width: Int) {
        #expect(DisplayWidth.of(text) == width)
    }

    @Test func locationsCountCharactersNotBytes() {
        let source = SourceText("'Zoë'\n  山田 x")
        #expect(source.location(of: 6) == SourceLocation(line: 1, column: 6))
        #expect(source.location(of: 9) == SourceLocation(line: 2, column: 3))
        #expect(source.location(of: 15) == SourceLocation(line: 2, column: 5))
    }
}
