import CBQCore
import CBQRuntime
import CBQSandbox
import Testing
@testable import CBQShell

/// Output that must mean exactly what the data means (found by a review): a nested value a
/// server spread over lines, numbers a double cannot hold, NULL against empty text, and
/// control characters in data that a terminal would obey.
@Suite struct OutputFidelityTests {
    /// A server that spreads a nested attribute over lines, with numbers beyond a double.
    static let spread = InProcessTransport(alter: { body in
        Array(String(decoding: body, as: UTF8.self)
            .replacing(#""first_name":"#, with: "\"tags\":{\n  \"k\": [ 9007199254740993 ,\n 1.10, 1E400, \"a b\" ]\n},\"first_name\":").utf8)
    })

    @Test(arguments: [OutputFormat.ndjson, .json])
    func aNestedValueIsOneCompactLineWithItsDigits(format: OutputFormat) async throws {
        for statement in ["SELECT * FROM people.people LIMIT 3", "SELECT id, tags FROM people.people LIMIT 3",
                          "SELECT id, tags FROM people.people ORDER BY lower(last_name) LIMIT 3"] {
            let shell = ShellHarness(format: format, transport: Self.spread)
            #expect(await shell.run(statement) == 0, "\(shell.errorText)")
            let lines = shell.output.split(separator: "\n").filter { $0.hasPrefix("{") }
            #expect(lines.count == 3, "\(statement): \(shell.output)")
            for line in lines {
                #expect(line.contains(#""tags":{"k":[9007199254740993,1.10,1E400,"a b"]}"#), "\(statement): \(line)")
                #expect((try? JSONParser.parse(String(line.trimmingSuffix(",")))) != nil, "\(line)")
            }
        }
    }

    @Test(arguments: [(OutputFormat.csv, #","{""k"":[9007199254740993,1.10,1E400,""a b""]}""#),
                      (.table, #" | {"k":[9007199254740993,1.10,1E400,"a b"]}"#)])
    func aNestedCellKeepsItsDigits(format: OutputFormat, cell: String) async {
        let shell = ShellHarness(format: format, transport: Self.spread)
        #expect(await shell.run("SELECT id, tags FROM people.people LIMIT 1") == 0)
        #expect(shell.output.contains(cell), "\(shell.output)")
    }

    /// NULL is an empty field; empty text a quoted one, as PostgreSQL's and DuckDB's CSV have it.
    @Test func csvTellsNullFromEmptyText() async {
        let shell = ShellHarness(format: .csv)
        #expect(await shell.run("SELECT id, middle_name, '' AS e, 'x' AS x FROM people.people WHERE middle_name IS NULL LIMIT 1") == 0)
        let line = shell.output.split(separator: "\r\n").dropFirst().first.map(String.init) ?? ""
        #expect(line.hasSuffix(#",,"",x"#), "\(line)")
    }

    /// Control characters in data are shown, not sent to the terminal: table, vertical,
    /// Markdown, column names, and notes and errors on standard error.
    @Test func controlCharactersAreShownNotObeyed() async {
        let statement = "SELECT 'ab\u{1B}[2Jc' AS x, 'b\u{07}\u{7F}' AS \"y\u{1B}]0;t\u{07}\" FROM people.people LIMIT 1"
        for format in [OutputFormat.table, .markdown] {
            let shell = ShellHarness(format: format)
            #expect(await shell.run(statement) == 0, "\(shell.errorText)")
            #expect(!shell.output.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" } && !shell.output.contains("\u{7F}"), "\(shell.output)")
            // Markdown also escapes the `[` (its link syntax).
            let shown = format == .markdown ? "ab\u{241B}\\[2Jc" : "ab\u{241B}[2Jc"
            #expect(shell.output.contains(shown) && shell.output.contains("b\u{2407}\u{2421}"), "\(shell.output)")
        }
        #expect(VisibleText.of("a\u{1B}]0;t\u{07}b\u{9B}c\n\t") == "a\u{241B}]0;t\u{2407}b\\u{9b}c\n\t")
        #expect(VisibleText.of("plain é 山") == "plain é 山")
        let formatter = DiagnosticFormatter(style: .rich)
        let text = formatter.format(Diagnostic(.semantic, "bad \u{1B}[31m", at: SourceRange(0, 1)), in: SourceText("x\u{1B}y"))
        #expect(!text.contains("\u{1B}"), "\(text)")
    }

    /// `SELECT *` in a format whose columns are the first row's: a later row's attribute the
    /// first lacked (a server may leave nulls out) is named in a note, not dropped unseen.
    @Test func columnsTheFirstRowLackedAreNamed() async {
        // The first person of each page leaves out last_name and gains nothing; others keep it.
        let sparse = InProcessTransport(alter: { body in
            var text = String(decoding: body, as: UTF8.self)
            if let range = text.firstRange(of: /"last_name":"[^"]*",/) { text.removeSubrange(range) }
            return Array(text.utf8)
        })
        for format in [OutputFormat.csv, .table, .markdown] {
            let shell = ShellHarness(format: format, transport: sparse)
            #expect(await shell.run("SELECT * FROM people.people LIMIT 3") == 0)
            #expect(shell.errorText.contains("note: rows after the first had columns it did not, which are not shown: last_name"), "\(format): \(shell.errorText)")
        }
        for format in [OutputFormat.json, .ndjson] {
            let shell = ShellHarness(format: format, transport: sparse)
            #expect(await shell.run("SELECT * FROM people.people LIMIT 3") == 0)
            #expect(shell.errorText == "" && shell.output.contains(#""last_name":"#))
        }
        let whole = ShellHarness(format: .csv)
        #expect(await whole.run("SELECT * FROM people.people LIMIT 3") == 0)
        #expect(whole.errorText == "")
    }

    /// Two columns of one name: a table or CSV shows both; a JSON object would keep one.
    @Test func aNameTwiceIsAnErrorInJSON() async {
        for format in [OutputFormat.json, .ndjson] {
            let shell = ShellHarness(format: format)
            #expect(await shell.run("SELECT first_name AS x, last_name AS x FROM people.people LIMIT 1") == SysExit.dataError)
            #expect(shell.errorText.contains("two columns are named 'x', and a JSON object keeps only one of them"), "\(shell.errorText)")
        }
        // EXPLAIN ANALYZE renders to nowhere: no object is read, so no error.
        let analyzed = ShellHarness(format: .json)
        #expect(await analyzed.run("EXPLAIN ANALYZE SELECT first_name AS x, last_name AS x FROM people.people LIMIT 1") == 0, "\(analyzed.errorText)")
        let csv = ShellHarness(format: .csv)
        #expect(await csv.run("SELECT first_name AS x, last_name AS x FROM people.people LIMIT 1") == 0)
        #expect(csv.output.hasPrefix("x,x\r\n"))
    }

    /// Markdown shows a value, not its rendering: inline markup is escaped (found by a review:
    /// `A &amp; B <b>x</b> *y*` rendered as "A & B **x** *y*").
    @Test func markdownEscapesInlineMarkup() async {
        let shell = ShellHarness(format: .markdown)
        #expect(await shell.run("SELECT 'A &amp; B <b>x</b> *y* `z` [l](u) a|b a\\b ~~s~~ #1 x_y' AS v FROM people.people LIMIT 1") == 0)
        #expect(shell.output == "| v |\n| --- |\n| A \\&amp; B \\<b\\>x\\</b\\> \\*y\\* \\`z\\` \\[l\\](u) a\\|b a\\\\b \\~\\~s\\~\\~ #1 x_y |\n",
                "\(shell.output)")
    }

    @Test func markdownBreaksALoneCarriageReturn() async {
        let shell = ShellHarness(format: .markdown)
        #expect(await shell.run("SELECT 'a\rb' AS x FROM people.people LIMIT 1") == 0)
        #expect(shell.output.contains("| a<br>b |"), "\(shell.output)")
    }
}

private extension Substring {
    func trimmingSuffix(_ suffix: String) -> Substring { hasSuffix(suffix) ? dropLast(suffix.count) : self }
}
