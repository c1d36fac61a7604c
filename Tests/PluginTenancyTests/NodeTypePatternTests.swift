import PluginTenancy
import Testing

@Suite("Node type patterns: exact names and prefix.* only")
struct NodeTypePatternTests {
    @Test("an exact pattern is read as exact")
    func exact() {
        #expect(NodeTypePattern("math.add") == .exact("math.add"))
        #expect(NodeTypePattern("math") == .exact("math"))
    }

    @Test("prefix.* is read as a prefix without the .*")
    func prefix() {
        #expect(NodeTypePattern("math.*") == .prefix("math"))
        #expect(NodeTypePattern("org.math.*") == .prefix("org.math"))
        #expect(NodeTypePattern("math.*")?.description == "math.*")
    }

    static let invalid = [
        "*", "ma*", "math*", "math.?", "math.a?d", "*.add", ".*", "math.*.add", "math.**", "math.* ", "math. *",
        "Math.*", "MATH.ADD", "math.add ", " math.add", "math.add\u{200B}", "\u{FF4D}ath.*", "math.", "", "math..*",
        "math.a\u{301}dd", "math/add", "math.add\t", "**",
    ]

    @Test("anything else is not a pattern", arguments: invalid)
    func notAPattern(text: String) {
        #expect(NodeTypePattern(text) == nil)
    }

    @Test("math.* matches math.add and deeper names", arguments: ["math.add", "math.x.y", "math.add.extra", "math.0"])
    func prefixMatches(nodeType: String) {
        #expect(NodeTypePattern.prefix("math").matches(nodeType))
    }

    @Test("math.* does not match math itself, a longer first segment, or another root", arguments: ["math", "mathx.add", "mat.add", "xmath.add", "math.", "amath.add"])
    func prefixDoesNotMatch(nodeType: String) {
        #expect(!NodeTypePattern.prefix("math").matches(nodeType))
    }

    @Test("an exact pattern matches only itself, byte for byte")
    func exactMatchesOnlyItself() {
        let pattern = NodeTypePattern.exact("math.add")
        #expect(pattern.matches("math.add"))
        #expect(!pattern.matches("math.add.extra"))
        #expect(!pattern.matches("math.ad"))
        #expect(!pattern.matches("Math.add"))
    }

    @Test("byte comparison: a canonically equivalent spelling does not match")
    func canonicalEquivalenceDoesNotMatch() {
        #expect("caf\u{E9}" == "cafe\u{301}")  // Swift's == equates them; patterns must not
        #expect(!NodeTypePattern.exact("caf\u{E9}").matches("cafe\u{301}"))
    }

    @Test("a prefix covers its own exact names and deeper prefixes, but not its stem or siblings")
    func covers() {
        let math = NodeTypePattern.prefix("math")
        #expect(math.covers(.exact("math.add")))
        #expect(math.covers(.prefix("math.x")))
        #expect(math.covers(.prefix("math")))
        #expect(!math.covers(.exact("math")))
        #expect(!math.covers(.exact("mathx.add")))
        #expect(!math.covers(.prefix("mathx")))
        #expect(!NodeTypePattern.exact("math.add").covers(.prefix("math")))
        #expect(NodeTypePattern.exact("math.add").covers(.exact("math.add")))
    }

    @Test("a pattern list matches exact names and prefixes, whether short or long")
    func listMatches() {
        let short = NodeTypePatternList([.exact("string.upper"), .prefix("math")])
        #expect(short.matches("string.upper"))
        #expect(short.matches("math.add"))
        #expect(!short.matches("string.lower"))
        #expect(!short.matches("math"))

        // More exact names than the linear limit: the set path must agree.
        let names = (0..<20).map { NodeTypePattern.exact("node.n\($0)") }
        let long = NodeTypePatternList(names + [.prefix("math")])
        #expect(long.matches("node.n0"))
        #expect(long.matches("node.n19"))
        #expect(!long.matches("node.n20"))
        #expect(long.matches("math.x"))
        #expect(!long.matches("node"))
    }

    @Test("firstMatch names the first pattern in file order")
    func firstMatch() {
        let list = NodeTypePatternList([.exact("http.get"), .prefix("http")])
        #expect(list.firstMatch("http.get") == .exact("http.get"))
        #expect(list.firstMatch("http.post") == .prefix("http"))
        #expect(list.firstMatch("math.add") == nil)
    }
}
