import CBQCore
import Testing
@testable import CBQRuntime

/// Page N's URL is made from the `next` link without parsing text again; it must be the URL
/// that parsing the link with N in place of its page number gives.
struct PageTemplateTests {
    /// Links with `{N}` where the page number goes.
    @Test(arguments: [
        ("http://127.0.0.1:18765/people/people?page={N}&page%5Bsize%5D=100", "guide"),
        ("https://API.example.org/people/people?filter%5Blast_name%5D%5Blike%5D=Doe&page={N}", "guide"),
        ("https://api.example.org:8443/a/b?page={N}", "guide"),
        ("http://[::1]:8080/people/people?sort=-created_at&page[number]={N}&page[size]=50", "jsonapi"),
        ("http://localhost/people/people?page%5Bnumber%5D={N}", "jsonapi"),
    ])
    func pageNIsTheLinkWithNInPlaceOfItsNumber(link: String, dialectName: String) throws {
        let dialect = try #require(Dialect.named.first { $0.name == dialectName }?.dialect)
        func spelled(_ page: Int) -> String { link.split(separator: "{N}", omittingEmptySubsequences: false).joined(separator: String(page)) }
        let next = try #require(RequestURL(spelled(2)))
        let template = try #require(PageTemplate(next: next, expectedPage: 2, dialect: dialect))
        for page in [1, 2, 9, 10, 1234] {
            let expected = try #require(RequestURL(spelled(page)))
            #expect(template.url(page: page) == expected)
            #expect(template.url(page: page).description == expected.description)
        }
    }

    @Test func aLinkWhosePageIsNotTheOneExpectedMakesNoTemplate() throws {
        let next = try #require(RequestURL("http://127.0.0.1/people/people?page=3"))
        #expect(PageTemplate(next: next, expectedPage: 2, dialect: .guide) == nil)
    }
}
