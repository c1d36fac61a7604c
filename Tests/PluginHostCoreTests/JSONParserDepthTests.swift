import Testing
@testable import PluginHostCore

@Suite("JSON parser: the depth option")
struct JSONParserDepthTests {
    static func nested(_ levels: Int) -> String { String(repeating: "[", count: levels) + String(repeating: "]", count: levels) }

    @Test("exactly maximumDepth levels parse; one more fails with exceededDepth set to the limit")
    func boundary() throws {
        #expect((try? JSONParser.parse(Self.nested(5), maximumDepth: 5)) != nil)
        do {
            _ = try JSONParser.parse(Self.nested(6), maximumDepth: 5)
            Issue.record("six levels parsed under a limit of five")
        } catch {
            #expect(error.exceededDepth == 5)
            #expect(error.reason == "nesting deeper than 5 levels")
        }
        // Objects count as levels too, and the default stays 256.
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"a":{"b":[1]}}"#, maximumDepth: 2) }
        #expect((try? JSONParser.parse(Self.nested(256))) != nil)
        #expect((try? JSONParser.parse(Self.nested(257))) == nil)
    }

    @Test("a syntax error leaves exceededDepth nil")
    func otherErrors() {
        do {
            _ = try JSONParser.parse("[1,", maximumDepth: 5)
        } catch {
            #expect(error.exceededDepth == nil)
        }
    }
}
