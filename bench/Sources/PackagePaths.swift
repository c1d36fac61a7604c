import Foundation

/// Where the package's own files are, found from this source file's path so the runner works
/// from any working directory (it is always run from a checkout: `swift run`).
enum PackagePaths {
    /// The package root: bench/Sources/PackagePaths.swift, three levels up.
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var sdkInclude: String { root + "/sdk/include" }
    /// The Python peer scripts.
    static var peers: String { root + "/bench/peers" }
    /// The peers' virtual environment made by `bench/peers/setup.sh` (dask installed).
    static var peerVenv: String { root + "/.build/bench-venv" }
}

/// Runs a program to completion and returns its exit status and standard output (standard
/// error passes through to the terminal, so a failing peer explains itself).
func runProgram(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: [UInt8]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, Array(data))
}

/// Where a product of this package sits beside the running plugin-host-bench
/// (`<scratch>/<triple>/<configuration>/NAME`).
func besideRunner(_ product: String) -> String {
    URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path + "/" + product
}

/// Builds `product` with the runner's own configuration and scratch path (a no-op when it is up
/// to date) and returns where it is, beside the runner; a failed build is logged and what is
/// there is used.
func buildBesideRunner(_ product: String, log: (String) -> Void) -> String {
    let products = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    let configuration = products.lastPathComponent
    let scratch = products.deletingLastPathComponent().deletingLastPathComponent().path
    if configuration == "release" || configuration == "debug" {
        log("swift build -c \(configuration) --scratch-path \(scratch) --product \(product)…")
        let status = try? runProgram("/usr/bin/env", [
            "swift", "build", "-c", configuration, "--scratch-path", scratch, "--package-path", PackagePaths.root, "--product", product,
        ]).status
        if status != 0 { log("the build of \(product) did not succeed (\(status.map(String.init) ?? "could not run swift")); using what is there") }
    }
    return besideRunner(product)
}
