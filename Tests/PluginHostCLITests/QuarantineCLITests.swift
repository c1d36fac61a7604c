import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// `plugin-host quarantine list|clear`, and INIT_FAILED keyed by its `--plugin-config` entry,
/// across host starts (each `plugin-host` run is a new host process). Each test has its own
/// XDG_CACHE_HOME, so its quarantine file is its own.
@Suite("plugin-host quarantine, and INIT_FAILED retried when its configuration changes")
struct QuarantineCLITests {
    /// A plugin whose init succeeds only when its configuration says `"password": "right"`.
    static let pickySource = CPluginBuilder.echoPluginSource(id: "org.test.picky", nodeType: "test.picky")
        .replacingOccurrences(
            of: "(void)host; (void)config; *state = 0; return PH_OK;",
            with: """
                *state = 0;
                if (strstr(config, "\\"password\\":\\"right\\"") != NULL) return PH_OK;
                host->set_init_error(host, "wrong password"); return PH_ERR_EXECUTION;
                """)

    /// A test's plugin directory with the picky plugin, its cache home and two configurations.
    struct Setup {
        let directory: TemporaryDirectory
        let cache: TemporaryDirectory
        let plugin: String
        let wrong: String
        let right: String
        var environment: [String: String] { ["XDG_CACHE_HOME": cache.path] }
        var quarantineFile: String { cache.path + "/plugin-host/quarantine.json" }

        init() throws {
            directory = try TemporaryDirectory(prefix: "quarantine-cli")
            cache = try TemporaryDirectory(prefix: "quarantine-cli-cache")
            plugin = try CPluginBuilder.build(source: QuarantineCLITests.pickySource, name: "picky.so", in: directory)
            wrong = try cache.write("wrong.json", #"{"org.test.picky": {"password": "wrong", "retries": 3}}"#)
            right = try cache.write("right.json", #"{"org.test.picky": {"password": "right"}}"#)
        }

        /// `plugin-host load --json DIR --plugin-config CONFIG`: the picky plugin's outcome. Without
        /// the bundled plugins, so the status is the picky plugin's alone (in a sanitizer build
        /// the Swift one cannot load).
        func load(_ config: String) throws -> (status: Int32, outcome: JSONValue) {
            let (status, report, stderr) = try CLI.json(["load", "--json", "--no-default-plugins", directory.path, "--plugin-config", config],
                                                        environment: environment)
            let outcome = try #require(report["plugins"]?.arrayValue?.first { $0["id"] == "org.test.picky" }, "\(stderr)")
            return (status, outcome)
        }
    }

    @Test("An init failure is printed once: in load's table and problem line, as exec's error; never again as a log line")
    func initFailurePrintedOnce() throws {
        let setup = try Setup()
        let load = try CLI.run(["load", setup.directory.path, "--plugin-config", setup.wrong], environment: setup.environment)
        #expect(load.status == 1)
        #expect((load.stdout + load.stderr).components(separatedBy: "wrong password").count - 1 == 1, "\(load.stdout)\(load.stderr)")
        #expect(!load.stderr.contains("[PluginRuntime]"), "\(load.stderr)")

        let clear = try CLI.run(["quarantine", "clear", "--all"], environment: setup.environment)
        #expect(clear.status == 0, "\(clear.stderr)")
        let exec = try CLI.run(["exec", "test.picky", "--plugin-dir", setup.directory.path, "--plugin-config", setup.wrong],
                               environment: setup.environment)
        #expect(exec.status == 1)
        #expect((exec.stdout + exec.stderr).components(separatedBy: "wrong password").count - 1 == 1, "\(exec.stdout)\(exec.stderr)")
        #expect(exec.stderr.hasPrefix("INIT_FAILED: "), "\(exec.stderr)")

        // The log line is still there for whoever asks for it.
        let logged = try CLI.run(["quarantine", "clear", "--all"], environment: setup.environment)
        #expect(logged.status == 0)
        let verbose = try CLI.run(["load", setup.directory.path, "--plugin-config", setup.wrong],
                                  environment: setup.environment.merging(["PLUGIN_HOST_LOG": "notice"]) { _, new in new })
        #expect(verbose.stderr.contains("notice plugin-host: [PluginRuntime] INIT_FAILED"), "\(verbose.stderr)")
    }

    @Test("INIT_FAILED with config A is quarantined; A again is refused as QUARANTINED; config B retries init, which succeeds")
    func configurationChangeRetries() throws {
        let setup = try Setup()
        let first = try setup.load(setup.wrong)
        #expect(first.status == 1)
        #expect(first.outcome["code"] == "INIT_FAILED")
        let message = try #require(first.outcome["message"]?.stringValue)
        #expect(message.contains("wrong password"))
        #expect(message.contains("change the plugin's configuration (its --plugin-config entry)"), "\(message)")
        #expect(message.contains("`plugin-host quarantine clear org.test.picky`"), "\(message)")

        // The same configuration, its members reordered and a number written 3.0: still A.
        let reordered = try setup.cache.write("reordered.json", #"{"org.test.picky": {"retries": 3.0, "password": "wrong"}}"#)
        let again = try setup.load(reordered)
        #expect(again.status == 1)
        #expect(again.outcome["status"] == "quarantined")
        #expect(again.outcome["code"] == "QUARANTINED")
        #expect(again.outcome["message"]?.stringValue?.contains("`plugin-host quarantine clear org.test.picky`") == true)

        let fixed = try setup.load(setup.right)
        #expect(fixed.status == 0)
        #expect(fixed.outcome["status"] == "initialized")
        let list = try CLI.json(["quarantine", "list", "--json"], environment: setup.environment)
        #expect(list.value["entries"]?.arrayValue?.isEmpty == true)
    }

    @Test("list shows file, id, version, why, since when and which configuration; clear by id lifts it")
    func listAndClearByID() throws {
        let setup = try Setup()
        _ = try setup.load(setup.wrong)

        let (status, list, stderr) = try CLI.json(["quarantine", "list", "--json"], environment: setup.environment)
        #expect(status == 0, "\(stderr)")
        #expect(list["file"]?.stringValue == setup.quarantineFile)
        let entry = try #require(list["entries"]?.arrayValue?.first)
        #expect(entry["path"]?.stringValue == setup.plugin)
        #expect(entry["id"] == "org.test.picky")
        #expect(entry["version"] == "1.0.0")
        #expect(entry["code"] == "INIT_FAILED")
        #expect(entry["message"]?.stringValue?.contains("wrong password") == true)
        #expect(entry["keyedBy"] == "configuration")
        #expect(entry["configurationDigest"]?.stringValue?.utf8.count == 16)
        #expect(entry["since"]?.stringValue?.hasSuffix("Z") == true)
        #expect(entry["fileChanged"] == false)
        let human = try CLI.run(["quarantine", "list"], environment: setup.environment)
        #expect(human.stdout.contains("org.test.picky"))
        #expect(human.stdout.contains("INIT_FAILED"))
        #expect(human.stdout.contains(entry["configurationDigest"]?.stringValue ?? "?"))

        let cleared = try CLI.run(["quarantine", "clear", "org.test.picky"], environment: setup.environment)
        #expect(cleared.status == 0, "\(cleared.stderr)")
        #expect(cleared.stdout.contains("cleared org.test.picky 1.0.0"))
        // Lifted: the same wrong configuration runs init again (and fails again) instead of QUARANTINED.
        #expect(try setup.load(setup.wrong).outcome["code"] == "INIT_FAILED")
    }

    @Test("clear by file path, and --all, lift entries; the next start tries again")
    func clearByPathAndAll() throws {
        let setup = try Setup()
        _ = try setup.load(setup.wrong)

        let byPath = try CLI.json(["quarantine", "clear", setup.plugin, "--json"], environment: setup.environment)
        #expect(byPath.status == 0, "\(byPath.stderr)")
        #expect(byPath.value["cleared"]?.arrayValue?.map { $0["id"] } == ["org.test.picky"])
        #expect(try setup.load(setup.wrong).outcome["code"] == "INIT_FAILED")

        let all = try CLI.run(["quarantine", "clear", "--all"], environment: setup.environment)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("cleared org.test.picky"))
        #expect(try CLI.json(["quarantine", "list", "--json"], environment: setup.environment).value["entries"]?.arrayValue?.isEmpty == true)
    }

    @Test("clear of something not quarantined is NOT_QUARANTINED, exit 1; no argument and no --all is a usage error")
    func clearErrors() throws {
        let setup = try Setup()
        let missing = try CLI.run(["quarantine", "clear", "org.test.nothing"], environment: setup.environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("NOT_QUARANTINED: org.test.nothing is not quarantined"), "\(missing.stderr)")
        #expect(missing.stderr.contains("plugin-host quarantine list"))

        let bare = try CLI.run(["quarantine", "clear"], environment: setup.environment)
        #expect(bare.status == 2)
        #expect(bare.stderr.contains("or --all"), "\(bare.stderr)")
        #expect(try CLI.run(["quarantine", "clear", "org.test.picky", "--all"], environment: setup.environment).status == 2)
    }

    @Test("with nothing quarantined, list says so and exits 0")
    func emptyList() throws {
        let setup = try Setup()
        let human = try CLI.run(["quarantine", "list"], environment: setup.environment)
        #expect(human.status == 0)
        #expect(human.stdout.contains("nothing is quarantined"))
    }
}
