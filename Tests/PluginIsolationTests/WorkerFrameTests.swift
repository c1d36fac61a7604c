import PluginDiscovery
import PluginHostCore
import PluginIsolation
import PluginLoader
import PluginMetadata
import Testing

@Suite("Worker protocol: frames and payloads")
struct WorkerFrameTests {
    /// The frames `encoder` holds, split again by a ``FrameBuffer`` fed `chunk` bytes at a time.
    static func frames(_ encoder: FrameEncoder, chunk: Int = .max) throws -> [ReceivedFrame] {
        var buffer = FrameBuffer()
        var frames: [ReceivedFrame] = []
        var offset = 0
        let bytes = encoder.bytes
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            bytes[offset..<end].withUnsafeBytes { buffer.append($0) }
            offset = end
            while let frame = try buffer.next() { frames.append(frame) }
        }
        return frames
    }

    static let identity = FileIdentity(device: 1, inode: 2, size: 3, modificationTimeNanoseconds: 4, mode: 0o100644, owner: 0)

    @Test("every message survives a round trip, split at any byte")
    func roundTrip() throws {
        var encoder = FrameEncoder()
        WorkerHello(pid: 4242).encode(into: &encoder)
        let load = WorkerLoadRequest(slot: 7, plugin: WorkerPluginSpec(
            path: "/p/libx.so", pluginID: "org.x", identity: Self.identity, mode: .loose, allowUnsafePermissions: true, config: #"{"k":"é"}"#))
        load.encode(into: &encoder, tag: 5)
        WorkerLoadReply(slot: 7, problem: Problem(.initFailed, .error, "no database")).encode(into: &encoder, tag: 5)
        let request = PluginCallRequest(nodeType: "math.add", params: #"{"a":1}"#, input: "[]", tenantID: "acme", executionID: "id-1", attempt: 3, maximumOutputBytes: 99)
        WorkerExecuteRequest(slot: 7, request: request, remainingNanoseconds: 123).encode(into: &encoder, tag: 0xFF_FFFF)
        var outcome = PluginCallOutcome(status: 3, output: Array(#"{"r":2}"#.utf8), errorCode: 3, errorMessage: "later",
                                        logs: [PluginLogLine(level: .warning, message: "careful")])
        outcome.refusedOutputBytes = 17
        WorkerExecuteReply(.called(outcome, allocationFailed: true)).encode(into: &encoder, tag: 6)
        WorkerExecuteReply(.expired).encode(into: &encoder, tag: 8)

        for chunk in [1, 3, 12, 13, .max] {
            let frames = try Self.frames(encoder, chunk: chunk)
            #expect(frames.map(\.kind) == [.hello, .load, .loaded, .execute, .result, .result])
            #expect(frames.map(\.tag) == [0, 5, 5, 0xFF_FFFF, 6, 8])
            #expect(try WorkerHello(decoding: frames[0].payload) == WorkerHello(pid: 4242))
            #expect(try WorkerLoadRequest(decoding: frames[1].payload) == load)
            let reply = try WorkerLoadReply(decoding: frames[2].payload, file: "/p/libx.so")
            #expect(reply.problem?.code == .initFailed && reply.problem?.message == "no database" && reply.problem?.file == "/p/libx.so")
            let decoded = try WorkerExecuteRequest(decoding: frames[3].payload)
            #expect(decoded.slot == 7 && decoded.remainingNanoseconds == 123)
            #expect(decoded.request.nodeType == "math.add" && decoded.request.params == #"{"a":1}"#)
            #expect(decoded.request.tenantID == "acme" && decoded.request.executionID == "id-1")
            #expect(decoded.request.attempt == 3 && decoded.request.maximumOutputBytes == 99)
            guard case .called(let back, let allocationFailed) = try WorkerExecuteReply(decoding: frames[4].payload, file: nil).ending else {
                Issue.record("not a called result")
                return
            }
            #expect(back == outcome)
            #expect(allocationFailed)
            guard case .expired = try WorkerExecuteReply(decoding: frames[5].payload, file: nil).ending else {
                Issue.record("not an expired result")
                return
            }
        }
    }

    @Test("a truncated payload throws instead of reading past it")
    func truncated() throws {
        var encoder = FrameEncoder()
        WorkerLoadRequest(slot: 1, plugin: WorkerPluginSpec(
            path: "/x", pluginID: "org.x", identity: Self.identity, mode: .strict, allowUnsafePermissions: false, config: "{}"))
            .encode(into: &encoder, tag: 1)
        let payload = try #require(try Self.frames(encoder).first).payload
        for cut in [0, 4, payload.count / 2, payload.count - 1] {
            #expect(throws: WorkerProtocolError.self) { try WorkerLoadRequest(decoding: payload.prefix(cut)) }
        }
    }

    @Test("a bad magic, an unknown kind or an oversized length is refused before any payload is read")
    func badHeaders() throws {
        func header(_ magic: UInt32, _ kindAndTag: UInt32, _ length: UInt32) -> [UInt8] {
            var encoder = FrameEncoder()
            encoder.u32(magic)
            encoder.u32(kindAndTag)
            encoder.u32(length)
            return encoder.bytes
        }
        for bytes in [header(0xDEAD_BEEF, 1 << 24, 0), header(WorkerFrame.magic, 99 << 24, 0),
                      header(WorkerFrame.magic, 1 << 24, UInt32(WorkerFrame.maximumPayload + 1))] {
            var buffer = FrameBuffer()
            bytes.withUnsafeBytes { buffer.append($0) }
            #expect(throws: WorkerProtocolError.self) { _ = try buffer.next() }
        }
    }

    @Test("a too-long log list in a result is a protocol error, not an allocation")
    func logFlood() throws {
        var encoder = FrameEncoder()
        encoder.begin(.result, tag: 1)
        encoder.u8(0)  // called
        encoder.bool(false)
        encoder.i32(0)
        encoder.bool(false); encoder.data([UInt8]())
        encoder.bool(false); encoder.u64(0)
        encoder.bool(false); encoder.i32(0)
        encoder.bool(false); encoder.string("")
        encoder.u32(UInt32.max)
        encoder.end()
        let payload = try #require(try Self.frames(encoder).first).payload
        #expect(throws: WorkerProtocolError.self) { _ = try WorkerExecuteReply(decoding: payload, file: nil) }
    }

    @Test("wait statuses are told in words: signal names, exit statuses")
    func exits() {
        #expect(WorkerExit(waitStatus: 11) == .signaled(11))
        #expect(WorkerExit(waitStatus: 11).description == "was killed by SIGSEGV (signal 11)")
        #expect(WorkerExit(waitStatus: 0x86) == .signaled(6), "core dumped flag ignored")
        #expect(WorkerExit(waitStatus: 3 << 8) == .exited(3))
        #expect(WorkerExit(waitStatus: 0).description == "exited with status 0")
        #expect(WorkerExit.signalName(64) == "signal 64")
    }
}
