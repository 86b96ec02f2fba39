import CBQCore
import Testing
@testable import CBQRuntime

/// `\x auto`: a table wider than the terminal prints as vertical records instead.
struct ExpandedAutoTests {
    static let columns = [ResultColumn(name: "id", field: "id"), ResultColumn(name: "subject", field: "subject")]
    static let rows: [[SQLValue]] = [[.text("NTE-1"), .text("Follow-up visit scheduled with the family")],
                                      [.text("NTE-2"), .text("Short")]]

    /// What the table renderer writes for `rows` on a terminal `width` cells wide.
    static func render(_ rows: [[SQLValue]], width: Int, columns: [ResultColumn] = columns, auto: Bool = true, bold: Bool = false) throws -> String {
        let sink = MemorySink()
        let output = OutputStream(sink)
        let renderer = Renderers.make(.table, output: output, terminalWidth: width, allColumns: false, expandedAuto: auto, bold: bold)
        renderer.begin(columns)
        for row in rows { renderer.write(.values(row)) }
        renderer.finish(rowCount: rows.count)
        output.flush()
        return sink.text
    }

    @Test func aTableThatFitsStaysATable() throws {
        let output = try Self.render(Self.rows, width: 80)
        #expect(output == "  id   |                  subject                 \n"
                        + "-------+-------------------------------------------\n"
                        + " NTE-1 | Follow-up visit scheduled with the family\n"
                        + " NTE-2 | Short\n"
                        + "(2 rows)\n")
    }

    /// As `\x on` prints them: values cut to the terminal, and no row-count footer (as psql).
    @Test func aTableTooWideBecomesRecords() throws {
        let output = try Self.render(Self.rows, width: 30)
        #expect(output == "-[ RECORD 1 ]-----------------\n"
                        + "id      | NTE-1\n"
                        + "subject | Follow-up visit sch…\n"
                        + "-[ RECORD 2 ]--\n"
                        + "id      | NTE-2\n"
                        + "subject | Short\n")
    }

    @Test func noRowsGiveOneFooter() throws {
        #expect(try Self.render([], width: 10) == "(0 rows)\n")
    }

    static let wide = ["id", "first_name", "last_name", "city", "state", "created_at"].map { ResultColumn(name: $0, field: $0) }
    static let wideRows: [[SQLValue]] = [["PER-1", "Zoë", "Nguyễn", "Boise", "ID", "2025-01-02T03:04:05Z"].map { SQLValue.text($0) },
                                         ["PER-2", "Ada", "Lovelace", "Seattle", "WA", "2025-02-03T04:05:06Z"].map { SQLValue.text($0) }]

    /// Too wide for the terminal: whole columns from both ends, one `…` for the rest, and a
    /// footer that says how many are hidden (DuckDB's rule); no value is cut.
    @Test func aWideTableKeepsWholeColumnsFromBothEnds() throws {
        let output = try Self.render(Self.wideRows, width: 56, columns: Self.wide, auto: false)
        #expect(output == "  id   | first_name | … | state |      created_at     \n"
                        + "-------+------------+---+-------+----------------------\n"
                        + " PER-1 | Zoë        | … | ID    | 2025-01-02T03:04:05Z\n"
                        + " PER-2 | Ada        | … | WA    | 2025-02-03T04:05:06Z\n"
                        + "(2 rows)\n"
                        + "2 columns of 6 hidden (…); \\x shows every column\n")
        for line in output.split(separator: "\n") { #expect(DisplayWidth.of(String(line)) <= 56) }
        // With `\x auto`, hiding a third of the columns is still a table; half or more is records.
        #expect(try Self.render(Self.wideRows, width: 56, columns: Self.wide, auto: true) == output)
        #expect(try Self.render(Self.wideRows, width: 30, columns: Self.wide, auto: true).hasPrefix("-[ RECORD 1 ]"))
    }

    /// One column wider than the screen is the only thing cut.
    @Test func aSingleColumnWiderThanTheScreenIsCut() throws {
        let output = try Self.render(Self.rows, width: 30, auto: false)
        #expect(output == "  id   | …\n-------+---\n NTE-1 | …\n NTE-2 | …\n(2 rows)\n1 column of 2 hidden (…); \\x shows every column\n")
        let alone = try Self.render([[.text(String(repeating: "x", count: 40))]], width: 20, columns: [ResultColumn(name: "body", field: "body")], auto: false)
        #expect(alone.split(separator: "\n").allSatisfy { DisplayWidth.of(String($0)) <= 20 })
        #expect(alone.contains(" xxxxxxxxxxxxxxxxx…\n"))
    }

    /// On a terminal that takes colour the header is bold; the padding stays outside the codes,
    /// so columns line up as without them.
    @Test func aBoldHeaderKeepsItsAlignment() throws {
        let plain = try Self.render(Self.rows, width: 80)
        let bold = try Self.render(Self.rows, width: 80, bold: true)
        #expect(bold.hasPrefix("  \u{1B}[1mid\u{1B}[0m   |                  \u{1B}[1msubject\u{1B}[0m                 \n"))
        #expect(bold.replacing("\u{1B}[1m", with: "").replacing("\u{1B}[0m", with: "") == plain)
    }

    /// When the first column is too wide to show, the `…` stands first, where the hidden column is.
    @Test func theEllipsisStandsWhereTheHiddenColumnsAre() {
        #expect(TableRenderer.columnsThatFit([100, 5, 5], into: 30) == [1, 2])
        let columns = ["note", "a", "b"].map { ResultColumn(name: $0, field: $0) }
        let output = try? Self.render([[.text(String(repeating: "x", count: 100)), .text("1"), .text("2")]], width: 30, columns: columns, auto: false)
        #expect(output?.hasPrefix(" … | a | b\n") == true, "\(output ?? "")")
    }

    /// A table renderer with a small sample, fed `rows`; what it had written before `finish`
    /// and in all.
    static func stream(_ rows: [[SQLValue]], sample: Int, width: Int?, auto: Bool = false) -> (beforeFinish: String, all: String) {
        let sink = MemorySink()
        let output = OutputStream(sink)
        let renderer = TableRenderer(output: output, terminalWidth: width, verticalWhenTooWide: auto, sampleSize: sample)
        renderer.begin(columns)
        for row in rows { renderer.write(.values(row)) }
        output.flush()
        let before = sink.text
        renderer.finish(rowCount: rows.count)
        output.flush()
        return (before, sink.text)
    }

    static let manyRows: [[SQLValue]] = (1...6).map { [.text("NTE-\($0)"), .text($0 == 5 ? "a much longer subject than the sample's" : "short \($0)")] }

    /// Widths come from the first rows; the rest stream in that layout, so rows are written
    /// before the result ends (memory stays flat), and a later, wider value is cut on a
    /// terminal, with a footer that counts it.
    @Test func aTableStreamsAfterItsSample() {
        let (before, all) = Self.stream(Self.manyRows, sample: 2, width: 80)
        #expect(before == "  id   | subject\n-------+---------\n NTE-1 | short 1\n NTE-2 | short 2\n NTE-3 | short 3\n NTE-4 | short 4\n"
                        + " NTE-5 | a much…\n NTE-6 | short 6\n")
        #expect(all == before + "(6 rows)\n1 value after the first 2 rows cut to their column's width (…); \\x shows them whole\n")
        // Fewer rows than the sample: laid out at the end, from every row, nothing cut.
        let (none, whole) = Self.stream(Self.manyRows, sample: 10, width: 80)
        #expect(none.isEmpty)
        #expect(whole.contains(" NTE-5 | a much longer subject than the sample's\n"))
        #expect(!whole.contains("cut"))
    }

    /// Off a terminal nothing is lost to the layout: a later, wider value is written whole.
    @Test func offATerminalALaterWideValueIsWrittenWhole() {
        let (_, all) = Self.stream(Self.manyRows, sample: 2, width: nil)
        #expect(all.contains(" NTE-5 | a much longer subject than the sample's\n"))
        #expect(all.hasSuffix(" NTE-6 | short 6\n(6 rows)\n"))
    }

    /// `\x auto` decides on the sample; the rows after it stream as records too.
    @Test func recordsChosenFromTheSampleStream() {
        let wide: [[SQLValue]] = (1...4).map { [.text("NTE-\($0)"), .text(String(repeating: "w", count: 40))] }
        let (before, all) = Self.stream(wide, sample: 2, width: 30, auto: true)
        #expect(before.components(separatedBy: "-[ RECORD").count - 1 == 4)
        #expect(all.hasSuffix("id      | NTE-4\nsubject | wwwwwwwwwwwwwwwwwww…\n"))
    }
}
