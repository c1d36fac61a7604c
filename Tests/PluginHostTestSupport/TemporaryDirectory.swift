import Foundation

/// A directory under the system temp dir that tests fill and then delete.
///
/// Created with mode 0700 so the host's permission checks (UNSAFE_PERMISSIONS) see a safe
/// directory unless a test loosens it on purpose.
public final class TemporaryDirectory: @unchecked Sendable {
    /// Absolute path, without a trailing slash.
    public let path: String

    public init(prefix: String = "plugin-host-test") throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else { throw TestSupportError("mkdtemp failed: errno \(errno)") }
        path = URL(fileURLWithPath: String(cString: made)).standardizedFileURL.path
    }

    /// `path/name`.
    public func url(_ name: String) -> String { path + "/" + name }

    /// Writes `contents` to `path/name` (creating parent directories) and returns the path.
    @discardableResult
    public func write(_ name: String, _ contents: String, mode: mode_t = 0o644) throws -> String {
        try write(name, Array(contents.utf8), mode: mode)
    }

    /// Writes `bytes` to `path/name` (creating parent directories) and returns the path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws -> String {
        let full = url(name)
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        guard FileManager.default.createFile(atPath: full, contents: Data(bytes)) else {
            throw TestSupportError("could not write \(full)")
        }
        chmod(full, mode)
        return full
    }

    /// Creates `path/name` as a directory (mode 0755 unless given) and returns its path.
    @discardableResult
    public func makeDirectory(_ name: String, mode: mode_t = 0o755) throws -> String {
        let full = url(name)
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        chmod(full, mode)
        return full
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A failure in the test scaffolding itself (not in the code under test).
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
