import Testing
@testable import CBQCore

struct DiagnosticFormatterTests {
    @Test func richFormShowsTheLineAndACaret() throws {
        let source = SourceText("-- ages\nSELECT * FROM people.people WHERE age >", name: "report.cbq")
        let error = try #require(diagnostic(source.text))
        #expect(DiagnosticFormatter(style: .rich).format(error, in: source) == """
            error: expected a value after '>'
             --> report.cbq:2:40
              |
            2 | SELECT * FROM people.people WHERE age >
              |                                        ^ expected a number, string or column name
            """)
    }

    @Test func richFormUnderlinesTheWholeTokenAndShowsTheHint() throws {
        let source = SourceText("SELECT * FORM people.people")
        let error = try #require(diagnostic(source.text))
        #expect(DiagnosticFormatter(style: .rich).format(error, in: source) == """
            error: expected 'FROM' after the select list, found 'FORM'
             --> <query>:1:10
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
        #expect(lines[4] == "  | " + String(repeating: " ", count: 46) + "^ expected a number, string or column name")
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

    @Test(arguments: [("a", 1), ("ë", 1), ("e\u{301}", 1), ("山", 2), ("Ｆ", 2), ("\u{200B}", 0), ("👍", 2)])
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
