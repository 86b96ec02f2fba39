import CBQCore
import Testing
@testable import CBQShell

/// Dates and timestamps compare as instants everywhere `=` and `<` do: MIN and MAX, GROUP BY,
/// DISTINCT, a local ORDER BY, a long IN list and a hash join (found by a review: those
/// compared bytes, so `…12:00+05:00` was the largest of four times it is the smallest of).
@Suite struct TimeOrderTests {
    static let setup = """
        UPDATE cases.cases SET closed_at = '2025-03-01T12:00:00+05:00' WHERE id = 'CAS-00001';
        UPDATE cases.cases SET closed_at = '2025-03-01T08:00:00Z' WHERE id = 'CAS-00002';
        UPDATE cases.cases SET closed_at = '2025-03-01T07:30:00.5Z' WHERE id = 'CAS-00003';
        UPDATE cases.cases SET closed_at = '2025-03-01T07:00:00Z' WHERE id = 'CAS-00004';
        """
    static let four = "id IN ('CAS-00001', 'CAS-00002', 'CAS-00003', 'CAS-00004')"

    private func csv(_ statement: String) async -> String {
        let shell = ShellHarness(format: .csv)
        #expect(await shell.run(Self.setup) == 0)
        let screen = shell.output
        #expect(await shell.run(statement) == 0, "\(shell.errorText)")
        return String(shell.output.dropFirst(screen.count))
    }

    @Test func minMaxDistinctAndGroupsAreByInstant() async {
        #expect(await csv("SELECT min(closed_at) AS lo, max(closed_at) AS hi, count(DISTINCT closed_at) AS n FROM cases.cases WHERE \(Self.four)")
                == "lo,hi,n\r\n2025-03-01T12:00:00+05:00,2025-03-01T08:00:00Z,3\r\n")
        #expect(await csv("SELECT closed_at, count(*) AS n FROM cases.cases WHERE \(Self.four) GROUP BY closed_at ORDER BY n DESC, closed_at")
                == "closed_at,n\r\n2025-03-01T12:00:00+05:00,2\r\n2025-03-01T07:30:00.5Z,1\r\n2025-03-01T08:00:00Z,1\r\n")
    }

    @Test func aLocalSortIsByInstant() async {
        #expect(await csv("SELECT id FROM cases.cases WHERE \(Self.four) ORDER BY closed_at NULLS LAST, id")
                == "id\r\nCAS-00001\r\nCAS-00004\r\nCAS-00003\r\nCAS-00002\r\n")
    }

    /// Eight strings or more are looked up in a set: by instant too.
    @Test func aLongInListIsByInstant() async {
        let shell = ShellHarness(format: .csv)
        #expect(await shell.run("""
            SELECT id FROM people.people WHERE date_of_birth IN ('1980-01-31T00:00:00Z', '2020-01-01', '2020-01-02', '2020-01-03',
                '2020-01-04', '2020-01-05', '2020-01-06', '2020-01-07') ORDER BY id
            """) == 0)
        let short = ShellHarness(format: .csv)
        #expect(await short.run("SELECT id FROM people.people WHERE date_of_birth IN ('1980-01-31T00:00:00Z', '2020-01-01') ORDER BY id") == 0)
        #expect(shell.output == short.output && shell.output.contains("PER-"), "\(shell.output)")
    }

    @Test func aHashJoinMatchesADateWithItsMidnight() async {
        let shell = ShellHarness(format: .csv)
        #expect(await shell.run("SELECT c.id, n.id AS note FROM cases.cases c JOIN attachments.notes n ON n.created_at = c.closed_at") == 0)
        let loop = ShellHarness(format: .csv)
        #expect(await loop.run("SELECT c.id, n.id AS note FROM cases.cases c JOIN attachments.notes n ON n.created_at <= c.closed_at AND n.created_at >= c.closed_at") == 0)
        #expect(shell.output == loop.output && shell.output.split(separator: "\r\n").count > 1, "\(shell.output)")
    }

    /// The key agrees with the comparison it stands for, over dates, offsets and fractions.
    @Test func theTextKeyOrdersAsTheComparisonDoes() {
        let texts = ["2025-03-01", "2025-03-01T00:00:00Z", "2025-02-28T19:00:00-05:00", "2025-03-01T00:00:00.5Z", "2025-03-01T00:00:00.50+00:00",
                     "2025-03-01T05:30:00+05:30", "2025-03-01T00:00:00.123456789012Z", "2025-03-01T00:00:00.1234567891Z", "2025-12-31T23:59:59Z",
                     "1999-01-01", "not a time", "2025-03-01X", "2025-13-01", "2025-03-01 00:00:00Z", "2025-03-01t00:00:00Z",
                     "2025-03-01T00:00:00.500Z", "2025-02-28T23:59:59.999999999Z"]
        for a in texts {
            for b in texts {
                let keys = ValueSemantics.compareBytes(ValueSemantics.textKey(a), ValueSemantics.textKey(b))
                if ValueSemantics.compareText(a, b) == 0 {
                    #expect(GroupValue(.text(a)).hashValue == GroupValue(.text(b)).hashValue, "\(a) hashes as \(b)")
                }
                if Instant(a) != nil, Instant(b) != nil || a == b {
                    #expect(keys == ValueSemantics.compareText(a, b), "\(a) against \(b)")
                } else {
                    #expect((keys == 0) == (ValueSemantics.compareText(a, b) == 0), "\(a) against \(b)")
                }
            }
        }
    }
}
