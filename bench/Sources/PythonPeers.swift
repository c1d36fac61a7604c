import Foundation
import PluginHostCore

/// The Python peers (bench/peers/*.py), measured in the same run as our figures.
///
/// Prefers the interpreter of `.build/bench-venv` (made by `--setup-peers`, with dask) and
/// falls back to `python3` on PATH; with neither, every Python peer is skipped and the figure
/// says why instead of showing a number. Peers are never run by `swift test` or CI.
struct PythonPeers {
    /// The interpreter to run, or nil when there is none.
    let interpreter: String?
    /// What a skipped peer says instead of a value.
    let missingNote = "skipped: python3 not found"

    static func locate() -> PythonPeers {
        let venvPython = PackagePaths.peerVenv + "/bin/python"
        if access(venvPython, X_OK) == 0 { return PythonPeers(interpreter: venvPython) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where access("\(directory)/python3", X_OK) == 0 {
            return PythonPeers(interpreter: "\(directory)/python3")
        }
        return PythonPeers(interpreter: nil)
    }

    /// Creates `.build/bench-venv` with dask (bench/peers/setup.sh), for `--setup-peers`.
    static func setUp(log: (String) -> Void) throws {
        log("setting up the Python peers (.build/bench-venv with dask)…")
        let (status, output) = try runProgram("/bin/sh", [PackagePaths.peers + "/setup.sh"])
        log(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        guard status == 0 else { throw BenchError("bench/peers/setup.sh failed (exit \(status))") }
    }

    /// Runs `bench/peers/<script>` and parses the one JSON object it prints; the failure is
    /// the note to show in place of the peer's value.
    func run(_ script: String, _ arguments: [String] = []) -> Result<JSONValue, PeerSkipped> {
        guard let interpreter else { return .failure(PeerSkipped(missingNote)) }
        do {
            let (status, output) = try runProgram(interpreter, [PackagePaths.peers + "/" + script] + arguments)
            guard status == 0 else { return .failure(PeerSkipped("skipped: \(script) exited with \(status)")) }
            return .success(try JSONParser.parse(output))
        } catch {
            return .failure(PeerSkipped("skipped: \(script) failed (\(error))"))
        }
    }
}

/// Why a peer has no value in this run (shown where its name would be).
struct PeerSkipped: Error {
    let note: String
    init(_ note: String) { self.note = note }
}
