import Foundation
import Testing
@testable import PluginHostCore

@Suite("Error code documentation")
struct ErrorCodeDocumentationTests {
    static let readme: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return (try? String(contentsOf: url.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
    }()

    @Test("every code has a distinct spelling in SCREAMING_SNAKE_CASE")
    func codesAreWellFormed() {
        let codes = ProblemCode.all.map(\.code.rawValue)
        #expect(Set(codes).count == codes.count)
        for code in codes {
            #expect(code.allSatisfy { $0.isUppercase || $0 == "_" }, "\(code)")
        }
    }

    @Test("the README's error-code table lists exactly the codes the host reports")
    func readmeTableMatches() {
        let documented = Self.readme.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            guard let cell = line.dropFirst(3).split(separator: "`").first,
                  cell.allSatisfy({ $0.isUppercase || $0 == "_" }) else { return nil }
            return String(cell)
        }
        let known = ProblemCode.all.map(\.code.rawValue)
        #expect(Set(documented) == Set(known), "missing from README: \(Set(known).subtracting(documented).sorted()); unknown in README: \(Set(documented).subtracting(known).sorted())")
    }
}
