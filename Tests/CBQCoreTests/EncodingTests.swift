import Testing
@testable import CBQCore

struct EncodingTests {
    /// Each character a form decoder would misread, and non-ASCII, is percent-encoded in values.
    @Test(arguments: [
        ("a&b", "a%26b"), ("a=b", "a%3Db"), ("a#b", "a%23b"), ("100%", "100%25"), ("a+b", "a%2Bb"),
        ("a b", "a%20b"), ("[x]", "%5Bx%5D"), ("O'Brien", "O%27Brien"), ("say \"hi\"", "say%20%22hi%22"),
        ("Zoë", "Zo%C3%AB"), ("山田", "%E5%B1%B1%E7%94%B0"), ("Nguyễn", "Nguy%E1%BB%85n"), ("a,b", "a%2Cb"),
        ("2025-01-01T00:00:00+02:00", "2025-01-01T00:00:00%2B02:00"), ("2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        ("ann@example.org", "ann@example.org"), ("a/b", "a/b"), ("a~b_c-d.e", "a~b_c-d.e"), ("", ""),
    ])
    func valuesRoundTripThroughFormDecoding(value: String, encoded: String) throws {
        #expect(PercentEncoding.queryComponent(value) == encoded)
        #expect(PercentEncoding.decode(encoded, plusIsSpace: true) == value)
    }

    @Test func encodedValuesInFullURLs() throws {
        #expect(try url("SELECT * FROM a.b WHERE t >= '2025-01-01T00:00:00+02:00' AND n = 'a&b=c#d' AND s LIKE '50% off'")
                == "https://api.casebook.net/a/b?filter[t][ge]=2025-01-01T00:00:00%2B02:00&filter[n]=a%26b%3Dc%23d&filter[s][like]=50%25%20off&page[size]=100")
    }

    @Test func fieldNamesAreEncodedToo() throws {
        #expect(try url("SELECT * FROM a.b WHERE \"odd name[1]\" = 1 ORDER BY \"odd name[1]\" DESC")
                == "https://api.casebook.net/a/b?filter[odd%20name%5B1%5D]=1&sort=-odd%20name%5B1%5D&page[size]=100")
    }

    @Test func wireStyleEncodesBrackets() throws {
        let plan = try Planner().planSelect("SELECT * FROM services.service_offerings WHERE archived = false AND created_at >= '2025-01-01'")
        #expect(plan.initialURLs(style: .wire) == [
            "https://api.casebook.net/services/service_offerings?filter%5Barchived%5D=false&filter%5Bcreated_at%5D%5Bge%5D=2025-01-01&page%5Bsize%5D=100"
        ])
        #expect(plan.url(page: 2, style: .wire).hasSuffix("&page%5Bsize%5D=100&page=2"))
    }

    @Test func pathSegmentsEncodeSlashes() {
        #expect(PercentEncoding.pathSegment("a/b c") == "a%2Fb%20c")
    }

    @Test(arguments: ["%", "%4", "%zz", "%FF"])
    func malformedEscapesDecodeToNil(text: String) {
        #expect(PercentEncoding.decode(text) == nil)
    }
}

struct MeasuresTests {
    @Test(arguments: [(0.125, 2, "0.13"), (4.902, 3, "4.902"), (0.05, 2, "0.05"), (12, 2, "12.00"), (1.999, 2, "2.00"), (-1.5, 1, "-1.5"), (7.4, 0, "7")])
    func fixedDecimals(value: Double, places: Int, text: String) {
        #expect(fixed(value, places) == text)
    }

    @Test func durations() {
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.milliseconds(1500).inNanoseconds == 1_500_000_000)
    }
}

struct TextTests {
    @Test func countsTakeTheSingularForOneOnly() {
        #expect(counted(0, "row") == "0 rows")
        #expect(counted(1, "row") == "1 row")
        #expect(counted(2, "row") == "2 rows")
        #expect(counted(1, "retry", plural: "retries") == "1 retry")
        #expect(counted(3, "retry", plural: "retries") == "3 retries")
    }
}
