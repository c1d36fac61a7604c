import Foundation
import Logging
import PluginHostCore
import Synchronization

/// `serve`'s log lines on stderr, one per event, written with a single write(2):
///
/// - `text` (the default): `TIME LEVEL LABEL: MESSAGE key=value …`, metadata sorted by key,
///   values quoted as JSON strings when they hold a space, `"` or `=` (logfmt's convention);
/// - `json`: `{"time", "level", "label", "message", …metadata}` per line, for log shippers
///   (values as strings; a key that would shadow one of the four is prefixed with `meta.`).
///
/// Why not swift-log's `StreamLogHandler`: every answered request is a line, and its per-line
/// cost (a Foundation date format, a stdio lock and flush) was a tenth of a `GET`'s time under
/// load. Times are the project's one timestamp format (``WallClock/iso8601(_:)``, UTC).
public struct ServiceLogHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable { case text, json }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: Format
    /// One lock for every handler of the process: lines from several threads never interleave.
    private static let output = Mutex<Void>(())

    public init(label: String, format: Format) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = (event.metadata.map { metadata.merging($0, uniquingKeysWith: { $1 }) } ?? metadata).sorted { $0.key < $1.key }
        let time = WallClock.iso8601(WallClock.now())
        var line: [UInt8]
        switch format {
        case .json:
            var object: JSONObject = [
                "time": .string(time), "level": .string(event.level.rawValue), "label": .string(label), "message": .string(event.message.description),
            ]
            for (key, value) in fields { object[object[key] == nil ? key : "meta." + key] = .string(value.description) }
            line = JSONWriter.bytes(.object(object))
        case .text:
            var text = "\(time) \(event.level.rawValue) \(label): \(event.message.description)"
            for (key, value) in fields {
                let value = value.description
                text += " \(key)=" + (value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? JSONWriter.string(.string(value)) : value)
            }
            line = Array(text.utf8)
        }
        line.append(10)
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
