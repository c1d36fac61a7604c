import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// The rollback example and `plugin-host rollback`, as a user runs them on the bundled plugins.
@Suite("CLI: rollback", .enabled(if: FileManager.default.fileExists(atPath: BuildProducts.plugin("demo"))))
struct RollbackCLITests {
    @Test("the example ends rolledBack with each compensation's result; manual saves a plan that `rollback` runs")
    func example() throws {
        let example = WorkflowFiles.example("rollback")
        let automatic = try CLI.json(["run", example, "--json"])
        #expect(automatic.status == 1)
        #expect(automatic.value["status"] == "rolledBack")
        #expect(automatic.value["rollback"]?["compensations"]?["ReserveStock"]?["output"] == ["result": 100])
        #expect(automatic.value["rollback"]?["compensations"]?["CreateOrder"]?["output"] == ["result": "cancelled order-1042"])
        let table = try CLI.run(["run", example])
        #expect(table.stdout.contains("rollback (automatic): rolledBack"), "\(table.stdout)")
        #expect(table.stdout.contains("UNDOES"))

        let directory = try TemporaryDirectory(prefix: "rollback-cli")
        let text = try String(contentsOfFile: example, encoding: .utf8).replacingOccurrences(of: "\"automatic\"", with: "\"manual\"")
        let manual = try directory.write("manual.workflow.json", text)
        let degraded = try CLI.run(["run", manual, "--json"])
        #expect(degraded.status == 1)
        let saved = try directory.write("degraded.json", degraded.stdout)
        #expect(try JSONParser.parse(degraded.stdout)["status"] == "degraded")
        let later = try CLI.json(["rollback", saved, "--json"])
        #expect(later.status == 0, "\(later.stderr)")
        #expect(later.value["status"] == "rolledBack")
        #expect(later.value["compensations"]?.objectValue?.keys == ["ReserveStock", "CreateOrder"])

        // Already rolled back, or not a result at all: refused with a sentence saying why.
        let done = try directory.write("done.json", JSONWriter.string(automatic.value))
        let again = try CLI.run(["rollback", done])
        #expect(again.status == 1 && again.stderr.contains("COMPENSATION_INVALID"), "\(again.stderr)")
        let notJSON = try directory.write("not.json", "hello")
        #expect(try CLI.run(["rollback", notJSON]).status == 2)
    }
}
