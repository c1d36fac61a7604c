import Foundation
import Logging
import PluginHostCore
import Synchronization

/// `serve --log-format json`: one JSON object per line on stderr, for log shippers —
/// `{"time", "level", "label", "message", …metadata}` (metadata keys as they are, values as
/// strings; a key that would shadow one of the four is prefixed with `meta.`).
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    /// One lock for every handler of the process: lines from several threads never interleave.
    private static let output = Mutex<Void>(())

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: JSONObject = [
            "time": .string(WallClock.iso8601(WallClock.now())), "level": .string(event.level.rawValue),
            "label": .string(label), "message": .string(event.message.description),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            object[object[key] == nil ? key : "meta." + key] = .string(value.description)
        }
        let line = JSONWriter.bytes(.object(object)) + [10]
        Self.output.withLock { _ in
            var written = 0
            while written < line.count {
                let count = line[written...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                written += count
            }
        }
    }
}
