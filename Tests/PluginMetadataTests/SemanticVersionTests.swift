import PluginMetadata
import Testing

@Suite("SemanticVersion: semver 2.0 parsing and precedence")
struct SemanticVersionTests {
    @Test("valid versions parse and print back", arguments: [
        "0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7", "1.0.0-x.7.z.92",
        "1.0.0-alpha+001", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0--1", "1.0.0-x-y-z.--",
    ])
    func valid(text: String) throws {
        #expect(try #require(SemanticVersion(text)).description == text)
    }

    @Test("invalid versions are rejected", arguments: [
        "", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "v1.2.3", "+1.2.3", "-1.2.3", "1.2.3-", "1.2.3+",
        "1.2.3-01", "1.2.3-a..b", "1.2.3-a_b", "1.2.3+a..b", " 1.2.3", "1.2.3 ", "1.2.3-ä", "１.2.3",
        "99999999999999999999.0.0", "1.2.-3", "a.b.c", "1.0.0+\u{301}", "1.0.0-\u{301}a", "1.0.0\u{301}", "1..0",
    ])
    func invalid(text: String) {
        #expect(SemanticVersion(text) == nil)
    }

    @Test("components are read")
    func components() throws {
        let version = try #require(SemanticVersion("1.2.3-rc.1+build.5"))
        #expect((version.major, version.minor, version.patch) == (1, 2, 3))
        #expect(version.prerelease == ["rc", "1"])
        #expect(version.build == ["build", "5"])
        #expect(version.isPrerelease)
    }

    @Test("precedence follows the semver 2.0 example chain")
    func precedence() throws {
        let chain = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0",
        ].map { SemanticVersion($0)! }
        for (lower, higher) in zip(chain, chain.dropFirst()) {
            #expect(lower < higher, "\(lower) < \(higher)")
            #expect(!(higher < lower), "\(higher) ≮ \(lower)")
        }
    }

    @Test("an identifier with a hyphen is alphanumeric, above numeric ones")
    func hyphenIsAlphanumeric() {
        #expect(SemanticVersion("1.0.0-1")! < SemanticVersion("1.0.0--1")!)
        #expect(SemanticVersion("1.0.0-Z")! < SemanticVersion("1.0.0-a")!, "ASCII order")
    }

    @Test("build metadata does not affect equality or order")
    func buildIgnored() {
        #expect(SemanticVersion("1.0.0+a")! == SemanticVersion("1.0.0+b")!)
        #expect(!(SemanticVersion("1.0.0+a")! < SemanticVersion("1.0.0+b")!))
        #expect(Set([SemanticVersion("1.0.0+a")!, SemanticVersion("1.0.0")!]).count == 1)
    }
}
