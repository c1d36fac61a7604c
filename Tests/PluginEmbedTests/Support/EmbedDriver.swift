import PluginHostCore
import PluginHostTestSupport

/// Runs a script of embed.h calls through the C driver (`embedDriverSource`) and returns one
/// ``Call`` per op.
enum EmbedDriver {
    /// What one call returned.
    struct Call: CustomStringConvertible {
        var op: String
        var status: Int32
        /// The document returned through the out parameter (parsed), or nil for NULL.
        var doc: JSONValue?
        /// The error document, or nil for NULL.
        var error: JSONValue?
        var line: String

        var errorCode: String? { error?["code"]?.stringValue }
        var description: String { line }
    }

    private static let program = Result { try CompiledProgram(name: "embed_driver", source: embedDriverSource) }

    /// Runs `ops` in one process and returns how the process ended, whatever its status.
    static func runProcess(_ ops: [String], environment: [String: String] = EmbedLibrary.environment()) throws -> ProcessRunner.Result {
        try program.get().run(ops, environment: environment)
    }

    /// Runs `ops` (see `embedDriverSource`) in one process; throws when the driver itself fails.
    static func run(_ ops: [String], environment: [String: String] = EmbedLibrary.environment()) throws -> [Call] {
        let result = try program.get().run(ops, environment: environment)
        guard result.status == 0 else {
            throw TestSupportError("embed driver exited \(result.status)\nstdout: \(result.stdout)\nstderr: \(result.stderr)")
        }
        return try result.stdout.split(separator: "\n").map { line in
            let value = try JSONParser.parse(String(line))
            func document(_ key: String) -> JSONValue? {
                guard let found = value[key], found != .null else { return nil }
                return found
            }
            return Call(op: value["op"]?.stringValue ?? "?", status: Int32(value["status"]?.intValue ?? -1),
                        doc: document("doc"), error: document("error"), line: String(line))
        }
    }
}

/// ph_status values (status.h), for readable assertions.
enum Status {
    static let ok: Int32 = 0
    static let invalidParameters: Int32 = 1
    static let execution: Int32 = 2
    static let notFound: Int32 = 8
    static let invalidArgument: Int32 = 9
    static let policy: Int32 = 10
}
