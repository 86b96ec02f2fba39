import CBQCore
import Testing
@testable import CBQRuntime

/// `\x auto`: a table wider than the terminal prints as vertical records instead.
struct ExpandedAutoTests {
    static let columns = [ResultColumn(name: "id", field: "id"), ResultColumn(name: "subject", field: "subject")]
    static let rows: [[SQLValue]] = [[.text("NTE-1"), .text("Follow-up visit scheduled with the family")],
                                      [.text("NTE-2"), .text("Short")]]

    /// What the table renderer writes for `rows` on a terminal `width` cells wide.
    static func render(_ rows: [[SQLValue]], width: Int) throws -> String {
        let sink = MemorySink()
        let output = OutputStream(sink)
        let renderer = Renderers.make(.table, output: output, terminalWidth: width, allColumns: false, expandedAuto: true)
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
}
