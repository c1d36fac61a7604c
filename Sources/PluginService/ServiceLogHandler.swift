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
        let line = line(for: event, at: WallClock.now())
        Self.output.withLock { _ in
            var written = 0
            while written < line.count {
                let count = line[written...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                written += count
            }
        }
    }

    /// The event's line at `time` (epoch seconds), with its newline.
    func line(for event: LogEvent, at time: Double) -> [UInt8] {
        // The handler's metadata with the event's over it, by key: a few entries, so an array.
        var fields = Array(metadata)
        for (key, value) in event.metadata ?? [:] {
            if let index = fields.firstIndex(where: { $0.key == key }) { fields[index].value = value } else { fields.append((key, value)) }
        }
        fields.sort { $0.key < $1.key }
        var line: [UInt8]
        switch format {
        case .json:
            var object: JSONObject = [
                "time": .string(WallClock.iso8601(time)), "level": .string(event.level.rawValue), "label": .string(label),
                "message": .string(event.message.description),
            ]
            for (key, value) in fields { object[object[key] == nil ? key : "meta." + key] = .string(value.description) }
            line = JSONWriter.bytes(.object(object))
        case .text:
            // Bytes straight away: this runs for every answered request.
            line = []
            line.reserveCapacity(192)
            WallClock.writeISO8601(time, into: &line, quoted: false)
            line.append(32)
            line += event.level.rawValue.utf8
            line.append(32)
            line += label.utf8
            line += ": ".utf8
            line += event.message.description.utf8
            for (key, value) in fields {
                line.append(32)
                line += key.utf8
                line.append(UInt8(ascii: "="))
                let text = value.description
                if text.utf8.contains(where: { $0 == 32 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") }) {
                    JSONWriter.writeString(text, into: &line)
                } else {
                    line += text.utf8
                }
            }
        }
        line.append(10)
        return line
    }
}
