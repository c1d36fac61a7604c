import Foundation
import PluginHostTestSupport

/// Runs one node of a plugin file through the C driver (see `pluginDriverSource`).
enum PluginDriver {
    /// What the plugin did with one call.
    struct Outcome: Equatable, CustomStringConvertible {
        /// The note in the loaded image equals `ph_plugin_entry()->metadata_json`, NUL included.
        var noteMatchesDescriptor: Bool
        var status: Int32
        /// The JSON passed to `set_output`, if any.
        var output: String?
        /// The code and message passed to `set_error`, printed only for a non-zero status.
        var error: String?

        var description: String {
            "status=\(status) output=\(output ?? "nil") error=\(error ?? "nil") note=\(noteMatchesDescriptor)"
        }
    }

    private static let program = Result { try CProgram(name: "ph_drive", source: pluginDriverSource, libraries: ["-ldl"]) }

    /// Loads `plugin`, initializes it with "{}" and executes `nodeType` with `params`.
    static func execute(_ plugin: String, _ nodeType: String, _ params: String) throws -> Outcome {
        let result = try program.get().result([plugin, nodeType, params])
        guard result.status == 0 else {
            throw TestSupportError("driver failed (\(result.status)): \(result.stdout)\(result.stderr)")
        }
        var outcome = Outcome(noteMatchesDescriptor: false, status: -1, output: nil, error: nil)
        for line in result.stdout.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals], value = String(line[line.index(after: equals)...])
            switch key {
            case "note_matches_descriptor": outcome.noteMatchesDescriptor = value == "1"
            case "status": outcome.status = Int32(value) ?? -1
            case "output": outcome.output = value
            case "error": outcome.error = value
            default: break
            }
        }
        return outcome
    }
}
