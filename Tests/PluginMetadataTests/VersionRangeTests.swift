import PluginMetadata
import Testing

@Suite("VersionRange: npm/Cargo ranges")
struct VersionRangeTests {
    /// (range, version, contained)
    static let table: [(String, String, Bool)] = [
        // caret
        ("^1.2.3", "1.2.3", true), ("^1.2.3", "1.9.9", true), ("^1.2.3", "2.0.0", false), ("^1.2.3", "1.2.2", false),
        ("^0.2.3", "0.2.3", true), ("^0.2.3", "0.2.9", true), ("^0.2.3", "0.3.0", false), ("^0.2.3", "0.2.2", false),
        ("^0.0.3", "0.0.3", true), ("^0.0.3", "0.0.4", false), ("^0.0.3", "0.0.2", false),
        ("^1.2", "1.2.0", true), ("^1.2", "1.9.0", true), ("^1.2", "2.0.0", false), ("^1", "1.9.9", true),
        ("^0.0", "0.0.9", true), ("^0.0", "0.1.0", false), ("^0", "0.9.0", true), ("^0", "1.0.0", false),
        ("^1.x", "1.5.0", true), ("^1.x", "2.0.0", false),
        // tilde
        ("~1.2.3", "1.2.3", true), ("~1.2.3", "1.2.9", true), ("~1.2.3", "1.3.0", false), ("~1.2.3", "1.2.2", false),
        ("~1.2", "1.2.0", true), ("~1.2", "1.2.99", true), ("~1.2", "1.3.0", false), ("~1.2", "1.1.9", false),
        ("~1", "1.9.0", true), ("~1", "2.0.0", false), ("~0.2.3", "0.2.5", true), ("~0.2.3", "0.3.0", false),
        // comparisons
        (">=1.0.0", "1.0.0", true), (">=1.0.0", "0.9.9", false), ("<2.0.0", "1.9.9", true), ("<2.0.0", "2.0.0", false),
        (">1", "1.9.9", false), (">1", "2.0.0", true), (">1.2", "1.2.9", false), (">1.2", "1.3.0", true),
        (">1.2.3", "1.2.3", false), (">1.2.3", "1.2.4", true), ("<=1.2", "1.2.9", true), ("<=1.2", "1.3.0", false),
        ("<=1.2.3", "1.2.3", true), ("<1.2", "1.1.9", true), ("<1.2", "1.2.0", false), (">= 1.2.0", "1.2.0", true),
        // exact and wildcards
        ("1.2.3", "1.2.3", true), ("1.2.3", "1.2.4", false), ("=1.2.3", "1.2.3", true), ("=1.2.3", "1.2.2", false),
        ("1.2.3", "1.2.3+build", true), ("1.2", "1.2.7", true), ("1.2", "1.3.0", false), ("1.x", "1.9.0", true),
        ("*", "0.0.1", true), ("*", "99.0.0", true),
        // combinations and alternatives
        (">=1.2.0 <2.0.0", "1.5.0", true), (">=1.2.0 <2.0.0", "2.0.0", false), (">=1.2.0 <2.0.0", "1.1.0", false),
        (">=1.0.0 <=1.0.0", "1.0.0", true), ("^1.0.0 || ^3.0.0", "3.1.0", true), ("^1.0.0 || ^3.0.0", "2.1.0", false),
        ("<1.0.0 || >=2.0.0", "0.5.0", true), ("<1.0.0 || >=2.0.0", "1.5.0", false), ("1.0.0||2.0.0", "2.0.0", true),
        // prereleases: only when the range names one of the same MAJOR.MINOR.PATCH
        ("^1.2.3", "1.3.0-beta", false), ("^1.2.3", "2.0.0-alpha", false), (">=1.0.0", "1.5.0-rc.1", false),
        ("^1.2.3-beta.2", "1.2.3-beta.3", true), ("^1.2.3-beta.2", "1.2.3-beta.1", false),
        ("^1.2.3-beta.2", "1.2.3", true), ("^1.2.3-beta.2", "1.2.4-beta", false), ("^1.2.3-beta.2", "1.9.0", true),
        (">=1.0.0-rc.1 <2.0.0", "1.0.0-rc.2", true), (">=1.0.0-rc.1 <2.0.0", "1.0.1-rc.1", false),
        ("<2.0.0", "2.0.0-rc.1", false), ("1.0.0-rc.1", "1.0.0-rc.1", true), ("~1.2.3-alpha", "1.2.3-beta", true),
        ("<2.0.0 || >=1.0.0-alpha", "1.0.0-beta", true),
    ]

    @Test("ranges contain exactly the versions npm and Cargo say", arguments: table)
    func contains(range: String, version: String, expected: Bool) throws {
        let parsed = try #require(VersionRange(range))
        let candidate = try #require(SemanticVersion(version))
        #expect(parsed.contains(candidate) == expected)
    }

    @Test("unsupported or malformed ranges are rejected", arguments: [
        "", " ", "^", "^^1.0.0", "~>1.2", "latest", "1.2.3.4", "01.2.3", "1.0.0 ||", "|| 1.0.0", "1.0.0 || || 2.0.0",
        "1 - 2", ">=", "=>1.0.0", "<>1.0.0", "1.2-beta", "1.x.3", "^1.2.3+build", "1.0.0 | 2.0.0", "^ä", "ｖ1.0.0",
        "^9223372036854775807", ">=a.b.c", "1.2.3-", "==1.2.3",
    ])
    func invalid(range: String) {
        #expect(VersionRange(range) == nil)
    }

    @Test("the description is the range with its whitespace normalized")
    func description() {
        #expect(VersionRange(">=1.2.0   <2.0.0||^3.0.0")?.description == ">=1.2.0 <2.0.0 || ^3.0.0")
    }
}
