import Testing
@testable import CBQCore

struct LexerTests {
    private func kinds(_ text: String) throws -> [Token.Kind] {
        var lexer = Lexer(SourceText(text))
        return try lexer.tokenize().map(\.kind)
    }

    private func values(_ text: String) throws -> [String] {
        var lexer = Lexer(SourceText(text))
        return try lexer.tokenize().dropLast().map(\.value)
    }

    @Test func keywordsAreCaseInsensitive() throws {
        #expect(try kinds("select FROM wHeRe") == [.keyword(.select), .keyword(.from), .keyword(.where), .end])
    }

    @Test func countIsNotReserved() throws {
        #expect(try kinds("count") == [.identifier, .end])
    }

    @Test func stringsUnescapeDoubledQuotes() throws {
        #expect(try values("'O''Brien' ''") == ["O'Brien", ""])
    }

    @Test func quotedIdentifiersKeepCaseAndSpaces() throws {
        #expect(try values("\"Last Name\" \"a\"\"b\"") == ["Last Name", "a\"b"])
        #expect(try kinds("\"select\"") == [.identifier, .end])
    }

    @Test(arguments: [("42", "42"), ("3", "3"), ("1.50", "1.50"), ("0.5", "0.5"), (".5", ".5"), ("1e3", "1e3"), ("2E-2", "2E-2")])
    func numbersKeepTheirSpelling(text: String, spelling: String) throws {
        #expect(try kinds(text) == [.number, .end])
        #expect(try values(text) == [spelling])
    }

    @Test func operators() throws {
        #expect(try kinds("= != <> < <= > >= ( ) , . ; *") == [
            .symbol(.equal), .symbol(.notEqual), .symbol(.notEqualSQL), .symbol(.less), .symbol(.lessOrEqual),
            .symbol(.greater), .symbol(.greaterOrEqual), .symbol(.leftParen), .symbol(.rightParen), .symbol(.comma),
            .symbol(.dot), .symbol(.semicolon), .symbol(.star), .end,
        ])
    }

    @Test func commentsAreSkipped() throws {
        #expect(try kinds("SELECT -- a comment ; here\n* /* block\n ; */ FROM") == [.keyword(.select), .symbol(.star), .keyword(.from), .end])
    }

    @Test func parameters() throws {
        #expect(try kinds(":last_name") == [.parameter, .end])
        #expect(try values(":last_name") == ["last_name"])
    }

    @Test func rangesAreByteOffsets() throws {
        var lexer = Lexer(SourceText("'Zoë' x"))
        let tokens = try lexer.tokenize()
        #expect(tokens[0].range == SourceRange(0, 6))
        #expect(tokens[1].range == SourceRange(7, 8))
    }

    @Test(arguments: [
        ("SELECT 'abc1️⃣", "unterminated string", true),
        ("SELECT \"abc1️⃣", "unterminated quoted name", true),
        ("SELECT /* abc1️⃣", "unterminated comment", true),
        ("SELECT 1️⃣#", "unexpected character '#'", false),
        ("WHERE a 1️⃣! b", "unexpected character '!'", false),
        ("WHERE a = 1️⃣‘x’", "unexpected character '‘'", false),
        ("WHERE Zo1️⃣ë = 1", "unexpected character 'ë'", false),
        ("WHERE a = 1️⃣1st", "a name cannot start with a digit", false),
        ("WHERE a = 1 1️⃣| 1", "unexpected character '|'", false),
        ("WHERE a = 1️⃣: b", "expected a parameter name after ':'", false),
        ("SELECT 1️⃣\"\"", "a quoted name cannot be empty", false),
    ])
    func errors(text: String, message: String, incomplete: Bool) {
        let (source, offset) = marked(text)
        var lexer = Lexer(SourceText(source))
        do {
            _ = try lexer.tokenize()
            Issue.record("expected an error for \(source)")
        } catch {
            #expect(error.message == message)
            #expect(error.isIncomplete == incomplete)
            // Unterminated tokens point at where they open; others at the offending character.
            if incomplete {
                #expect(error.range.start < offset)
            } else {
                #expect(error.range.start == offset)
            }
        }
    }
}
