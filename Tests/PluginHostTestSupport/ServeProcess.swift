import Foundation

/// A `plugin-host serve` process on a free loopback port, stopped with SIGTERM: the CLI tests'
/// and the service benchmark's.
public final class ServeProcess {
    public let process = Process()
    public let port: Int
    /// Where its standard error goes (its log).
    public let log: String

    /// Starts `executable serve --listen 127.0.0.1:0 ARGUMENTS`, its stderr in `log`, and waits
    /// (up to a minute) for the line naming its address.
    public init(executable: String, arguments: [String], log: String) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--listen", "127.0.0.1:0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"listening on http://127\.0\.0\.1:\d+"#, options: .regularExpression),
               let port = Int(text[range].split(separator: ":").last ?? "") {
                self.port = port
                return
            }
            usleep(10_000)
        }
        process.terminate()
        throw TestSupportError("serve did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    public var base: String { "http://127.0.0.1:\(port)" }

    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
