import Logging
import PluginHostCore
@testable import PluginService
import Testing

/// `serve`'s log lines, byte for byte: the text form operators read and grep, the JSON form
/// log shippers parse.
@Suite("Service: log lines")
struct ServiceLogHandlerTests {
    static let time = 1_796_400_000.25   // 2026-12-04T16:00:00.250Z

    static func event(_ message: Logger.Message, _ metadata: Logger.Metadata?) -> LogEvent {
        LogEvent(level: .info, message: message, metadata: metadata, source: nil, file: #fileID, function: #function, line: #line)
    }

    @Test("text: time, level, label, message, then metadata by key, the event's over the handler's, quoted when it must be")
    func text() {
        var handler = ServiceLogHandler(label: "plugin-host.serve", format: .text)
        handler[metadataKey: "hb.request.id"] = "abc"
        handler[metadataKey: "path"] = "/old"
        let line = handler.line(for: Self.event("request", ["path": "/v1/a b", "status": "200", "note": "x=\"y\""]), at: Self.time)
        #expect(String(decoding: line, as: UTF8.self) == """
            2026-12-04T16:00:00.250Z info plugin-host.serve: request hb.request.id=abc note="x=\\"y\\"" path="/v1/a b" status=200

            """)
        let bare = ServiceLogHandler(label: "l", format: .text).line(for: Self.event("started", nil), at: 0)
        #expect(String(decoding: bare, as: UTF8.self) == "1970-01-01T00:00:00.000Z info l: started\n")
    }

    @Test("json: one object per line; a key that would shadow a field is prefixed with meta.")
    func json() throws {
        var handler = ServiceLogHandler(label: "plugin-host.serve", format: .json)
        handler[metadataKey: "tenant"] = "acme"
        let line = handler.line(for: Self.event("request", ["message": "shadow", "status": "404"]), at: Self.time)
        #expect(line.last == 10 && line.dropLast().allSatisfy { $0 != 10 })
        let object = try JSONParser.parse(Array(line.dropLast()))
        #expect(object["time"]?.stringValue == "2026-12-04T16:00:00.250Z")
        #expect(object["level"]?.stringValue == "info" && object["label"]?.stringValue == "plugin-host.serve")
        #expect(object["message"]?.stringValue == "request" && object["meta.message"]?.stringValue == "shadow")
        #expect(object["status"]?.stringValue == "404" && object["tenant"]?.stringValue == "acme")
    }
}
