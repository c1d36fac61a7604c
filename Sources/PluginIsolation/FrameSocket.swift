#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore

/// Blocking frame I/O on a worker socket, the same for both ends of the connection.
///
/// Sends use `MSG_NOSIGNAL`: a peer that died must turn into an error here, never into a
/// `SIGPIPE` that kills the sender (the host must not die of a worker's death).
public struct FrameSocket: Sendable {
    public let descriptor: Int32
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    public init(descriptor: Int32) { self.descriptor = descriptor }

    /// The longest a ``receive(into:yields:)`` polls before it blocks.
    public static let pollingNanoseconds: UInt64 = 200_000

    /// Sends all of `bytes`; false when the connection is broken.
    public func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += sent
            }
            return true
        }
    }

    /// Waits for bytes and appends them to `frames`; false at the end of the stream or on an
    /// error (the peer is gone).
    ///
    /// With `yields` above zero it first polls up to that many times — and for at most
    /// ``pollingNanoseconds`` — yielding the core between polls, before it blocks: a peer that
    /// answers within microseconds is then read without a sleep and a wake-up (which on a
    /// virtual machine cost more than the exchange itself). The time bound matters on a busy
    /// machine, where one yield can give the core away for milliseconds.
    public mutating func receive(into frames: inout FrameBuffer, yields: Int = 0) -> Bool {
        var polls = yields
        let stopPolling = WallClock.monotonicNanoseconds() &+ Self.pollingNanoseconds
        while true {
            let flags = polls > 0 ? Int32(MSG_DONTWAIT) : 0
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, flags) }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK, polls > 0 {
                polls = WallClock.monotonicNanoseconds() < stopPolling ? polls - 1 : 0
                sched_yield()
                continue
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            chunk.withUnsafeBytes { frames.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            return true
        }
    }
}

/// The process's environment, read from `environ` (no Foundation in these layers).
public enum ProcessEnvironment {
    /// Every `NAME=value` entry, in order.
    public static var entries: [String] {
        var entries: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            entries.append(String(cString: entry))
            cursor += 1
        }
        return entries
    }

    /// The entries as a table (the first of a repeated name wins, as `getenv` does).
    public static var table: [String: String] {
        var table: [String: String] = [:]
        for entry in entries {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let name = String(entry[..<equals])
            if table[name] == nil { table[name] = String(entry[entry.index(after: equals)...]) }
        }
        return table
    }
}
