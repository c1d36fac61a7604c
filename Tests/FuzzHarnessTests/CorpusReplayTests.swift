import Foundation
import FuzzHarness
import Testing

/// Every committed seed and every input a fuzzer ever crashed on goes through its target's
/// harness on each test run: the seeds keep parsing as the formats grow, and a fixed crasher
/// stays fixed (`scripts/fuzz.sh` copies each new crash into Tests/Fuzz/crashers/TARGET/).
@Suite struct CorpusReplayTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ kind: String, _ target: String) -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzHarness.targets.map(\.name))
    func seedsAndCrashersRunClean(target: String) throws {
        let run = try #require(FuzzHarness.targets.first { $0.name == target }?.run)
        let seeds = Self.inputs("corpus", target)
        #expect(seeds.count >= 2, "the \(target) target has a committed seed corpus")
        for file in seeds + Self.inputs("crashers", target) {
            run(Array(try Data(contentsOf: file)))
        }
    }

    @Test func everyTargetHasAnExecutableAndACorpus() throws {
        for (name, _) in FuzzHarness.targets {
            let executables = try FileManager.default.contentsOfDirectory(atPath: Self.fuzzDirectory.path)
            #expect(executables.contains { $0.lowercased() == "fuzz" + name }, "Tests/Fuzz has an executable for \(name)")
            #expect(!Self.inputs("corpus", name).isEmpty)
        }
    }
}
