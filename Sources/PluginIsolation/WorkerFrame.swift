/// The wire format between the host and its worker processes: length-prefixed binary frames
/// over a stream socket.
///
/// A frame is a 12-byte header — the magic `PHW1`, one word holding the kind (top 8 bits) and
/// a 24-bit tag, and the payload length — then the payload. All integers are little-endian.
/// The tag pairs a reply with its request, so when a worker dies the host knows which request
/// it was working on (GStreamer's plugin loader uses the same layout for the same reason).
/// Frames larger than ``maximumPayload`` are refused: a worker running plugin code is not
/// trusted, and a bogus length must not make the host allocate gigabytes.
///
/// The protocol number in ``WorkerHello`` is bumped whenever a payload changes shape, so a
/// host never talks to a worker executable from another build.
public enum WorkerFrame {
    /// "PHW1", little-endian.
    public static let magic: UInt32 = 0x3157_4850
    public static let headerSize = 12
    /// Bumped on any change to a payload's layout.
    public static let protocolVersion: UInt32 = 2
    /// The largest payload accepted: the largest output a call may return plus room for the
    /// rest of a result.
    public static let maximumPayload = (64 << 20) + 4096
}

/// What a frame carries.
public enum WorkerFrameKind: UInt8, Sendable {
    /// Worker → host, once, first: the protocol version and the worker's pid.
    case hello = 1
    /// Host → worker: load and initialize a plugin into a slot.
    case load = 2
    /// Worker → host: how a `load` ended.
    case loaded = 3
    /// Host → worker: run one node.
    case execute = 4
    /// Worker → host: how an `execute` ended.
    case result = 5
    /// Worker → host, from its fatal-signal handler: the signal and the allocation failures.
    /// Its layout is written by C as well (`ph_worker_runtime.c`).
    case crash = 6
}

/// A malformed frame or payload: the peer is broken or lying, and the connection is dropped.
public struct WorkerProtocolError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Builds frames into one byte buffer, so a batch of requests leaves in one `send`.
public struct FrameEncoder: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var payloadStart = 0

    public init() {}

    public var isEmpty: Bool { bytes.isEmpty }

    /// Starts a frame; fields appended until ``end()`` are its payload.
    public mutating func begin(_ kind: WorkerFrameKind, tag: UInt32) {
        u32(WorkerFrame.magic)
        u32(UInt32(kind.rawValue) << 24 | (tag & 0xFF_FFFF))
        u32(0)  // the length, patched by end()
        payloadStart = bytes.count
    }

    /// Finishes the frame begun last by writing its payload length.
    public mutating func end() {
        let length = UInt32(bytes.count - payloadStart)
        for index in 0..<4 { bytes[payloadStart - 4 + index] = UInt8(truncatingIfNeeded: length >> (8 * index)) }
    }

    public mutating func u8(_ value: UInt8) { bytes.append(value) }
    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func u32(_ value: UInt32) {
        for index in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }

    public mutating func u64(_ value: UInt64) {
        for index in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }

    public mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }
    public mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    /// A length-prefixed byte string.
    public mutating func data<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        u32(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func string(_ value: String) { data(value.utf8) }

    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
}

/// Reads one payload's fields in order; every read is bounds-checked and throws on overrun.
public struct FrameDecoder {
    private let bytes: ArraySlice<UInt8>
    private var cursor: Int

    public init(_ payload: ArraySlice<UInt8>) {
        bytes = payload
        cursor = payload.startIndex
    }

    private mutating func take(_ count: Int) throws(WorkerProtocolError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.endIndex - cursor >= count else {
            throw WorkerProtocolError("a frame ended \(count - (bytes.endIndex - cursor)) bytes early")
        }
        defer { cursor += count }
        return bytes[cursor..<cursor + count]
    }

    public mutating func u8() throws(WorkerProtocolError) -> UInt8 { try take(1).first! }
    public mutating func bool() throws(WorkerProtocolError) -> Bool { try u8() != 0 }

    public mutating func u32() throws(WorkerProtocolError) -> UInt32 {
        let slice = try take(4)
        var value: UInt32 = 0
        for (index, byte) in slice.enumerated() { value |= UInt32(byte) << (8 * index) }
        return value
    }

    public mutating func u64() throws(WorkerProtocolError) -> UInt64 {
        let slice = try take(8)
        var value: UInt64 = 0
        for (index, byte) in slice.enumerated() { value |= UInt64(byte) << (8 * index) }
        return value
    }

    public mutating func i32() throws(WorkerProtocolError) -> Int32 { Int32(bitPattern: try u32()) }
    public mutating func i64() throws(WorkerProtocolError) -> Int64 { Int64(bitPattern: try u64()) }

    public mutating func data() throws(WorkerProtocolError) -> ArraySlice<UInt8> { try take(Int(try u32())) }

    /// A length-prefixed string; invalid UTF-8 is replaced, never trusted.
    public mutating func string() throws(WorkerProtocolError) -> String { String(decoding: try data(), as: UTF8.self) }
}

/// One frame as received: its kind, tag and payload.
public struct ReceivedFrame: Sendable {
    public var kind: WorkerFrameKind
    public var tag: UInt32
    public var payload: ArraySlice<UInt8>
}

/// Splits a byte stream into frames: append what `recv` returned, then take complete frames.
public struct FrameBuffer: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 16 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Whether at least one complete frame is buffered.
    public var hasCompleteFrame: Bool {
        guard buffer.count - start >= WorkerFrame.headerSize else { return false }
        return buffer.count - start - WorkerFrame.headerSize >= Int(word(at: start + 8))
    }

    /// The next complete frame, nil when none is buffered yet; throws on a bad header.
    public mutating func next() throws(WorkerProtocolError) -> ReceivedFrame? {
        guard buffer.count - start >= WorkerFrame.headerSize else { return nil }
        guard word(at: start) == WorkerFrame.magic else {
            throw WorkerProtocolError("a frame did not start with the protocol's magic number")
        }
        let kindAndTag = word(at: start + 4)
        let length = Int(word(at: start + 8))
        guard length <= WorkerFrame.maximumPayload else {
            throw WorkerProtocolError("a frame announced \(length) bytes, more than the \(WorkerFrame.maximumPayload) allowed")
        }
        guard let kind = WorkerFrameKind(rawValue: UInt8(kindAndTag >> 24)) else {
            throw WorkerProtocolError("a frame has the unknown kind \(kindAndTag >> 24)")
        }
        guard buffer.count - start - WorkerFrame.headerSize >= length else { return nil }
        let payloadStart = start + WorkerFrame.headerSize
        start = payloadStart + length
        return ReceivedFrame(kind: kind, tag: kindAndTag & 0xFF_FFFF, payload: buffer[payloadStart..<start])
    }

    private func word(at index: Int) -> UInt32 {
        UInt32(buffer[index]) | UInt32(buffer[index + 1]) << 8 | UInt32(buffer[index + 2]) << 16 | UInt32(buffer[index + 3]) << 24
    }
}
