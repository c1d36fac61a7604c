#if canImport(Glibc)
import Glibc
#endif
import PluginELF
import PluginHostCore
import PluginMetadata
import PluginTenancy
import PluginWorkflow

/// What each fuzz target does with one input, in a normal library so that the regular test
/// suite replays every committed corpus file and crasher through exactly the code the fuzzers
/// run (a fuzz executable is one line that calls in here).
///
/// Each harness drives one parser the host applies to untrusted bytes and then checks what must
/// hold for any input, beyond "does not crash": a rejected input comes back as a problem with a
/// code, never as a trap; a parsed document written back out parses to the same value. A
/// violated invariant calls `fatalError`, which libFuzzer reports as a crash with the input.
public enum FuzzHarness {
    /// The targets by name, as `scripts/fuzz.sh` and the corpus directories spell them.
    public static let targets: [(name: String, run: @Sendable ([UInt8]) -> Void)] = [
        ("elf", elf),
        ("metadata", metadata),
        ("json", json),
        ("workflow", workflow),
        ("policy", policy),
        ("schema", schema),
    ]

    /// Inputs longer than this are cut: every parser here is linear, and libFuzzer explores
    /// structure, not size (the input limits have tests of their own).
    static let maximumInput = 1 << 16

    /// The ELF reader over the bytes as a file: headers, segments, sections, the note, symbols.
    public static func elf(_ bytes: [UInt8]) {
        let input = bytes.prefix(maximumInput)
        let descriptor = scratchFile
        guard ftruncate(descriptor, 0) == 0 else { fatalError("ftruncate failed: errno \(errno)") }
        let written = input.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == input.count else { fatalError("short write to the scratch file") }
        switch ELFReader.inspect(fileDescriptor: descriptor, fileSize: input.count, path: "fuzz.so") {
        case .success(let inspection):
            if let note = inspection.metadataNote, note.count > ELFReader.maximumMetadataSize {
                fatalError("a metadata note of \(note.count) bytes passed the \(ELFReader.maximumMetadataSize)-byte limit")
            }
        case .failure(let problem):
            expectCoded(problem)
        }
    }

    /// The file the ELF target's inputs are written to (the reader reads a descriptor, as the
    /// scanner gives it): created once, unlinked at once, rewritten for every input.
    static let scratchFile: Int32 = {
        var template = Array("/tmp/plugin-host-fuzz-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { fatalError("cannot create a scratch file in /tmp: errno \(errno)") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return descriptor
    }()

    /// The manifest check, strict and loose, as a plugin's note and as a standalone manifest.
    public static func metadata(_ bytes: [UInt8]) {
        let input = Array(bytes.prefix(maximumInput))
        for mode in [ValidationMode.strict, .loose] {
            for kind in [ManifestKind.pluginLibrary, .standalone] {
                let (manifest, problems) = ManifestValidator.validate(input, mode: mode, file: "fuzz.json", kind: kind)
                problems.forEach(expectCoded)
                if manifest == nil && problems.isEmpty { fatalError("no manifest and no problem saying why") }
                // Every schema the check accepted must compile: scan and execution share a dialect.
                if let manifest, !problems.contains(where: { $0.severity == .error }) {
                    for node in manifest.nodes {
                        guard let schema = node.schema else { continue }
                        do { _ = try ParameterSchema(schema) } catch {
                            fatalError("\(node.nodeType)'s schema passed the scan but does not compile: \(error)")
                        }
                    }
                }
            }
        }
    }

    /// The JSON parser: accepted documents round-trip through the writer to an equal value.
    public static func json(_ bytes: [UInt8]) {
        let input = Array(bytes.prefix(maximumInput))
        let parsed: JSONParser.Result
        do { parsed = try JSONParser.parseReportingDuplicates(input) } catch { return }
        let written = JSONWriter.bytes(parsed.value)
        let again: JSONValue
        do { again = try JSONParser.parse(written) } catch {
            fatalError("the writer's output does not parse: \(error)")
        }
        if !sameDocument(again, parsed.value) { fatalError("a document changed across write and parse") }
        if JSONWriter.bytes(again) != written { fatalError("writing is not deterministic") }
    }

    /// The workflow parser and validator against a small catalog with real schemas.
    public static func workflow(_ bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix(maximumInput), as: UTF8.self)
        let parsed = Workflow.parse(text: text)
        for tenant in [nil, "acme", "restricted"] {
            let report = WorkflowValidator(catalog: FuzzCatalog.shared, tenant: tenant).validate(parsed)
            report.problems.forEach(expectCoded)
        }
        _ = WorkflowValidator().validate(parsed)
    }

    /// The tenant policy reader, then a lookup of each tenant it defines and of a stranger.
    public static func policy(_ bytes: [UInt8]) {
        let input = Array(bytes.prefix(maximumInput))
        let document: JSONValue
        do { document = try JSONParser.parseReportingDuplicates(input).value } catch { return }
        let (policy, problems) = TenantPolicySet.parse(document, file: "/fuzz/policy.json")
        problems.forEach(expectCoded)
        if policy == nil && !problems.contains(where: { $0.severity == .error }) {
            fatalError("no policy and no error saying why")
        }
        guard let policy else { return }
        for tenant in policy.tenantIDs + ["stranger", ""] {
            if case .failure(let problem) = policy.policy(for: tenant) { expectCoded(problem) }
        }
    }

    /// The schema compiler and validator: the input is `[schema, value]` (or just a schema,
    /// which is then checked against a few fixed values).
    public static func schema(_ bytes: [UInt8]) {
        let input = Array(bytes.prefix(maximumInput))
        let document: JSONValue
        do { document = try JSONParser.parse(input) } catch { return }
        var schemaJSON = document
        var values: [JSONValue] = [.object([:]), .string("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), .int(0), .array([.null])]
        if case .array(let pair) = document, pair.count == 2 {
            schemaJSON = pair[0]
            values = [pair[1]]
        }
        let compiled: ParameterSchema
        do { compiled = try ParameterSchema(schemaJSON) } catch { return }
        for value in values {
            let (applied, violations) = compiled.validate(value)
            for violation in violations where violation.message.isEmpty { fatalError("a violation without a message") }
            // Defaults are filled once: validating the result again fills nothing new.
            if violations.isEmpty && compiled.validate(applied).parameters != applied {
                fatalError("applying defaults is not idempotent")
            }
        }
    }

    /// Equal as JSON documents: numbers by value (the writer prints an integral double such as
    /// `1.0` as `1`, which reads back as an integer), everything else exactly.
    static func sameDocument(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { sameDocument($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.members.allSatisfy { member in y[member.key].map { sameDocument(member.value, $0) } ?? false }
        default: return a == b
        }
    }

    /// Every problem a parser returns has a stable code and a sentence.
    static func expectCoded(_ problem: Problem) {
        if problem.code.rawValue.isEmpty || problem.message.isEmpty {
            fatalError("a problem without a code or a message: \(problem)")
        }
    }
}
