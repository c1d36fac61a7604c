import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

@Suite("plugin-host inspect")
struct InspectCLITests {
    @Test("shows a bundled plugin's metadata from its ELF note")
    func inspectsBundledPlugin() throws {
        let (status, value, _) = try CLI.json(["inspect", "--json", BuildProducts.plugin("math")])
        #expect(status == 0)
        #expect(value["status"] == "ok")
        #expect(value["metadataSource"] == "elf-note")
        #expect(value["metadata"]?["id"] == "org.plugin-host.math")
        #expect(value["problems"] == [])
    }

    @Test("a file that is not a plugin exits 1 with its code")
    func inspectsNonPlugin() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("notes.so", "plain text")
        let (status, value, _) = try CLI.json(["inspect", "--json", path])
        #expect(status == 1)
        #expect(value.problemCodes == ["NOT_ELF"])
    }

    @Test("the text form lists each parameter with its type, required or default, constraints and description")
    func inspectsParameters() throws {
        let dir = try TemporaryDirectory()
        let metadata = CPluginBuilder.validMetadata(id: "org.test.echo", nodeTypes: ["test.echo"])
            .replacingOccurrences(of: #""properties":{"value":{"type":"number"}}"#, with: """
                "properties":{"value":{"type":"number","minimum":0,"maximum":10,"description":"How much."},                "unit":{"type":"string","default":"ms","enum":["ms","s"]}}
                """)
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata), name: "echo.so", in: dir)
        let result = try CLI.run(["inspect", path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains { $0.hasPrefix("value") && $0.contains("number, required, 0…10") && $0.hasSuffix("How much.") }, "\(result.stdout)")
        #expect(lines.contains("unit   string, default \"ms\", one of \"ms\", \"s\""), "\(result.stdout)")
        #expect(lines.contains("typeVersion 1"), "\(result.stdout)")
    }

    @Test("a missing file or a directory is FILE_UNREADABLE saying which, exit 1")
    func inspectsMissingFileAndDirectory() throws {
        let dir = try TemporaryDirectory()
        let missing = try CLI.run(["inspect", dir.path + "/absent.so"])
        #expect(missing.status == 1 && missing.stderr.contains("FILE_UNREADABLE: \(dir.path)/absent.so does not exist"), "\(missing.stderr)")
        let directory = try CLI.run(["inspect", dir.path])
        #expect(directory.status == 1 && directory.stderr.contains("is a directory") && directory.stderr.contains("plugin-host scan"),
                "\(directory.stderr)")
    }
}

@Suite("plugin-host exec")
struct ExecCLITests {
    @Test("math.add of 2 and 3 prints a success result whose output holds 5")
    func addsNumbers() throws {
        let (status, result, stderr) = try CLI.json(["exec", "math.add", "--params", #"{"a":2,"b":3}"#, "--json"])
        #expect(status == 0, "stderr: \(stderr)")
        #expect(result["status"] == "success")
        #expect(result["output"] == ["result": 5])
        #expect(result["errorCode"] == JSONValue.null)
        #expect(result["attempts"] == 1)
        #expect(result["nodeType"] == "math.add")
    }

    @Test("human output is the node's output JSON")
    func humanOutput() throws {
        let result = try CLI.run(["exec", "string.upper", "--params", #"{"text":"hello"}"#])
        #expect(result.status == 0)
        #expect(try JSONParser.parse(result.stdout) == ["result": "HELLO"])
    }

    @Test("the Swift plugin runs like the C ones",
          .disabled(if: BuildProducts.pluginsAreSanitized, "a sanitizer-built Swift plugin needs sanitizer symbols the host executable does not export"))
    func swiftPlugin() throws {
        let (status, result, stderr) = try CLI.json(["exec", "greeter.hello", "--params", #"{"name":"world"}"#, "--json"])
        #expect(status == 0, "stderr: \(stderr)")
        #expect(result["output"] == ["result": "Hello, world!"])
    }

    @Test("division by zero is a node error with a code, exit 1, not a crash")
    func divisionByZero() throws {
        let (status, result, _) = try CLI.json(["exec", "math.div", "--params", #"{"a":1,"b":0}"#, "--json"])
        #expect(status == 1)
        #expect(result["status"] == "error")
        #expect(result["errorCode"] == "INVALID_PARAMETERS")
        #expect(result["error"]?.stringValue?.contains("division by zero") == true)
    }

    @Test("an unknown node type is NODE_TYPE_NOT_FOUND with a suggestion")
    func unknownNodeType() throws {
        let (status, result, _) = try CLI.json(["exec", "math.ad", "--json"])
        #expect(status == 1)
        #expect(result["errorCode"] == "NODE_TYPE_NOT_FOUND")
        #expect(result["error"]?.stringValue?.contains("did you mean math.add") == true)
    }

    @Test("invalid JSON in --params is a usage error naming the option, exit 2")
    func invalidParams() throws {
        let result = try CLI.run(["exec", "math.add", "--params", "{a:2}"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--params is not valid JSON"))
        #expect(try CLI.run(["exec", "math.add", "--params", "[1]"]).status == 2)
        #expect(try CLI.run(["exec", "math.add", "--input", "{}"]).status == 2)
    }

    @Test("a plugin returning garbage output is EXECUTION_ERROR, not a crash")
    func garbageOutput() throws {
        let dir = try TemporaryDirectory()
        let source = CPluginBuilder.echoPluginSource(id: "org.test.garbage", nodeType: "test.garbage")
            .replacingOccurrences(of: "call->set_output(call, call->params_json, call->params_len);",
                                  with: "call->set_output(call, \"{oops\", 5);")
        try CPluginBuilder.build(source: source, name: "garbage.so", in: dir)
        let (status, result, _) = try CLI.json(
            ["exec", "test.garbage", "--params", #"{"value":1}"#, "--plugin-dir", dir.path, "--json"])
        #expect(status == 1)
        #expect(result["errorCode"] == "EXECUTION_ERROR")
        #expect(result["error"]?.stringValue?.contains("not valid JSON") == true)
    }
}

@Suite("plugin-host exec: plugin directories add up")
struct ExecPluginDirectoryCLITests {
    @Test("--plugin-dir adds a directory before the bundled plugins: both its nodes and the bundled ones run")
    func pluginDirAddsUp() throws {
        let dir = try TemporaryDirectory()
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(id: "org.test.extra", nodeType: "test.extra"),
                                 name: "extra.so", in: dir)
        let extra = try CLI.json(["exec", "test.extra", "--params", #"{"value":1}"#, "--plugin-dir", dir.path, "--json"])
        #expect(extra.status == 0, "stderr: \(extra.stderr)")
        let bundled = try CLI.json(["exec", "math.add", "--params", #"{"a":1,"b":2}"#, "--plugin-dir", dir.path, "--json"])
        #expect(bundled.status == 0, "stderr: \(bundled.stderr)")
        #expect(bundled.value["output"] == ["result": 3])
    }

    @Test("--no-default-plugins leaves the bundled plugins out: math.add is NODE_TYPE_NOT_FOUND")
    func noDefaultPlugins() throws {
        let dir = try TemporaryDirectory()
        let result = try CLI.json(["exec", "math.add", "--params", #"{"a":1,"b":2}"#, "--plugin-dir", dir.path,
                                   "--no-default-plugins", "--json"])
        #expect(result.status == 1)
        #expect(result.value["errorCode"] == "NODE_TYPE_NOT_FOUND")
    }
}

@Suite("plugin-host exec parameter validation")
struct ExecValidationCLITests {
    @Test("parameters that break the schema fail with VALIDATION_FAILED listing every violation, before the plugin runs")
    func everyViolation() throws {
        let (status, result, _) = try CLI.json(["exec", "math.add", "--params", #"{"a":"2","c":1}"#, "--json"])
        #expect(status == 1)
        #expect(result["errorCode"] == "VALIDATION_FAILED")
        let paths = result["validationErrors"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []
        #expect(Set(paths) == ["/a", "/b", "/c"])
        #expect(result["attempts"] == 0)  // the plugin was never called
    }

    @Test("schema defaults are filled in before the call: the plugin receives them")
    func defaultsApplied() throws {
        let dir = try TemporaryDirectory()
        let metadata = CPluginBuilder.validMetadata(id: "org.test.echo", nodeTypes: ["test.echo"])
            .replacingOccurrences(of: #""properties":{"value":{"type":"number"}}"#,
                                  with: #""properties":{"value":{"type":"number"},"unit":{"type":"string","default":"ms"}}"#)
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata), name: "echo.so", in: dir)
        let (status, result, stderr) = try CLI.json(
            ["exec", "test.echo", "--params", #"{"value":1}"#, "--plugin-dir", dir.path, "--json"])
        #expect(status == 0, "stderr: \(stderr)")
        #expect(result["output"] == ["value": 1, "unit": "ms"])
    }
}
