import CBQCore
import Testing
@testable import CBQShell

/// Casts to DECIMAL and DOUBLE change the type, folding keeps it, and exact arithmetic stays
/// exact or fails: each divided or summed as PostgreSQL would (found by a review, where a cast
/// to a float left an integer, and `count(*)::float / 7` truncated).
@Suite struct NumericTypeTests {
    private func json(_ statement: String) async -> (status: Int32, output: String, errors: String) {
        let shell = ShellHarness(format: .ndjson)
        let status = await shell.run(statement)
        return (status, shell.output, shell.errorText)
    }

    @Test func castsToDecimalAndDoubleDivideAsThoseTypes() async {
        let result = await json("""
            SELECT CAST(7 AS REAL) / 2 AS a, '7'::numeric / 2 AS b, CAST('7' AS DOUBLE) / 2 AS c, count(*)::float / 7 AS d,
                   CAST(count(*) AS DECIMAL) / 4 AS e, CAST(7 AS DECIMAL) AS f, CAST(2.5 AS FLOAT8) AS g FROM cases.cases
            """)
        #expect(result.output == #"{"a":3.5,"b":3.5,"c":3.5,"d":85.71428571428571,"e":150,"f":7,"g":2.5}"# + "\n", "\(result.errors)")
        let perRow = await json("SELECT max_capacity, CAST(max_capacity AS NUMERIC) / 2 AS half FROM services.service_offerings WHERE max_capacity = 5 LIMIT 1")
        #expect(perRow.output == #"{"max_capacity":5,"half":2.5}"# + "\n")
    }

    /// A constant folded at plan time is read back by its spelling: a whole double or decimal
    /// stays one (it came back an integer, and the division around it truncated).
    @Test func foldingKeepsAWholeDoubleADouble() async {
        let result = await json("SELECT max_capacity / (3 / 1.5) AS a, max_capacity / round(2.4) AS b, max_capacity / 2.0 AS c FROM services.service_offerings WHERE max_capacity = 5 LIMIT 1")
        #expect(result.output == #"{"a":2.5,"b":2.5,"c":2.5}"# + "\n", "\(result.errors)")
    }

    /// A double past its range is an error, as in PostgreSQL: an infinity printed as null in
    /// JSON and inf in CSV, and was not NULL to IS NULL (found by a review).
    @Test func aDoubleOverflowIsAnError() async {
        let product = await json("SELECT CAST(max_capacity AS DOUBLE) * 1e308 AS big FROM services.service_offerings LIMIT 1")
        #expect(product.status == SysExit.dataError && product.errors.contains("error: the result is beyond a double's range"), "\(product.errors)")
        let sum = await json("SELECT sum(CAST(max_capacity AS DOUBLE) * 1e306) AS s FROM services.service_offerings")
        #expect(sum.status == SysExit.dataError && sum.errors.contains("error: the result is beyond a double's range"), "\(sum.errors)")
    }

    /// Decimals past 18 digits become doubles (JSON floats have many places); a constant
    /// double is not folded into a decimal, so it computes as a double (found by reviews:
    /// `CAST(0.1 AS DOUBLE) + CAST(0.2 AS DOUBLE)` was an exact 0.3).
    @Test func doublesStayDoublesAndLongDecimalsBecomeThem() async {
        let floats = await json("SELECT CAST(0.1 AS DOUBLE) + CAST(0.2 AS DOUBLE) AS a, 0.1::float + 0.2::float = 0.3 AS b FROM cases.cases LIMIT 1")
        #expect(floats.output == #"{"a":0.30000000000000004,"b":false}"# + "\n", "\(floats.errors)")
        let sum = await json("SELECT sum(LENGTH(id) * 0 + 0.30000000000000004) > 179 AS s FROM cases.cases")
        #expect(sum.output == #"{"s":true}"# + "\n", "\(sum.errors)")
        let big = await json("SELECT (LENGTH(id) * 1000) * CAST(1.0 / 3 AS DOUBLE) > 2000 AS p FROM cases.cases LIMIT 1")
        #expect(big.output == #"{"p":true}"# + "\n", "\(big.errors)")
    }
}
