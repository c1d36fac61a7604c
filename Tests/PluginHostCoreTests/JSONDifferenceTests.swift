import Testing
@testable import PluginHostCore

@Suite("JSONValue.firstDifference: where two documents first disagree")
struct JSONDifferenceTests {
    @Test("equal documents, however formatted and ordered, have no difference", arguments: [
        (#"{"a":1,"b":[1,2]}"#, #"{ "b" : [1, 2], "a" : 1 }"#),
        ("[]", " [ ] \n"),
        (#"{"x":1.0}"#, #"{"x":1.0}"#),
    ])
    func equal(a: String, b: String) throws {
        #expect(try JSONParser.parse(a).firstDifference(from: JSONParser.parse(b)) == nil)
    }

    @Test("the pointer of the first difference", arguments: [
        (#"{"a":1,"b":[1,2]}"#, #"{"a":1,"b":[1,3]}"#, "/b/1"),
        (#"{"a":1}"#, #"{"a":1,"z":0}"#, "/z"),
        (#"{"a":1,"b":0}"#, #"{"a":1}"#, "/b"),
        ("[1,2]", "[1,2,3]", "/2"),
        (#"{"a/b":{"c~":1}}"#, #"{"a/b":{"c~":2}}"#, "/a~1b/c~0"),
        ("1", "\"1\"", ""),
    ])
    func located(a: String, b: String, pointer: String) throws {
        #expect(try JSONParser.parse(a).firstDifference(from: JSONParser.parse(b)) == pointer)
    }
}
