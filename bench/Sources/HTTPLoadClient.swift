import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client for the service load figures: one keep-alive TCP connection per
/// client, blocking reads and writes on a thread of its own, `Content-Length` bodies only (what
/// `plugin-host serve` sends). Small on purpose: the figures measure the server, so the client
/// must cost little next to it — no parsing beyond the status line and the length.
final class HTTPConnection {
    private let socket: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw BenchError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw BenchError("connect to 127.0.0.1:\(port): errno \(errno)")
        }
    }

    deinit { close(socket) }

    /// Sends one request and returns the status and body of its answer.
    func request(_ method: String, _ path: String, body: String = "", headers: [String] = []) throws -> (status: Int, body: [UInt8]) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\n"
        if !body.isEmpty { head += "Content-Type: application/json\r\n" }
        for header in headers { head += header + "\r\n" }
        let bytes = Array((head + "\r\n" + body).utf8)
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
            guard written > 0 else { throw BenchError("write: errno \(errno)") }
            sent += written
        }
        // Head: up to the blank line; then Content-Length bytes of body. Parsed as bytes, with
        // no String work: at 10 000 requests a second on the server's own cores, the client's
        // cost shows in the figure.
        var scanned = 0
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.blankLine(in: buffer, from: scanned)
            if headEnd == nil {
                scanned = max(0, buffer.count - 3)
                try fill()
            }
        }
        let answerHead = buffer[..<headEnd!]
        // "HTTP/1.1 200 OK": the three digits after the first space.
        var status = 0
        if let space = answerHead.firstIndex(of: 32) {
            for byte in answerHead[(space + 1)...].prefix(3) where byte >= 48 && byte <= 57 { status = status * 10 + Int(byte - 48) }
        }
        let length = Self.contentLength(answerHead)
        let start = headEnd! + 4
        while buffer.count < start + length { try fill() }
        let answer = Array(buffer[start..<(start + length)])
        buffer.removeSubrange(..<(start + length))
        return (status, answer)
    }

    private var chunk = [UInt8](repeating: 0, count: 65_536)

    private func fill() throws {
        let count = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
        guard count > 0 else { throw BenchError("the server closed the connection") }
        buffer.append(contentsOf: chunk[..<count])
    }

    /// Where `\r\n\r\n` starts, looking from `start`.
    private static func blankLine(in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return bytes.withUnsafeBufferPointer { bytes -> Int? in
            var index = start
            while index + 3 < bytes.count {
                if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index }
                index += 1
            }
            return nil
        }
    }

    /// The `Content-Length` header's value (its name in any case), 0 without one.
    private static func contentLength(_ head: ArraySlice<UInt8>) -> Int {
        let name = Array("content-length:".utf8)
        var lineStart = head.startIndex
        while lineStart < head.endIndex {
            let lineEnd = head[lineStart...].firstIndex(of: 13) ?? head.endIndex
            let line = head[lineStart..<lineEnd]
            if line.count > name.count, zip(line, name).allSatisfy({ ($0 | 0x20) == $1 }) {
                var value = 0
                for byte in line.dropFirst(name.count) where byte >= 48 && byte <= 57 { value = value * 10 + Int(byte - 48) }
                return value
            }
            lineStart = lineEnd + 2
        }
        return 0
    }
}

/// `clients` connections, each on its own thread, sending `requests` requests one after the
/// other (`make(client, n)` says which); returns each answer's latency in ms and its body.
func runLoad(
    port: Int, clients: Int, requests: Int, _ make: @escaping @Sendable (Int, Int) -> (method: String, path: String, body: String, headers: [String])
) throws -> (latencies: [Double], answers: [(status: Int, body: [UInt8])], seconds: Double) {
    final class Results: @unchecked Sendable {
        let lock = NSLock()
        var latencies: [Double] = []
        var answers: [(status: Int, body: [UInt8])] = []
        var failure: (any Error)?
    }
    let results = Results()
    let group = DispatchGroup()
    let start = WallClockNanos.now()
    for client in 0..<clients {
        group.enter()
        let thread = Thread {
            defer { group.leave() }
            var latencies: [Double] = [], answers: [(status: Int, body: [UInt8])] = []
            do {
                let connection = try HTTPConnection(port: port)
                for number in 0..<requests {
                    let request = make(client, number)
                    let sent = WallClockNanos.now()
                    answers.append(try connection.request(request.method, request.path, body: request.body, headers: request.headers))
                    latencies.append(Double(WallClockNanos.now() - sent) / 1e6)
                }
            } catch {
                results.lock.withLock { results.failure = error }
            }
            results.lock.withLock {
                results.latencies += latencies
                results.answers += answers
            }
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }
    group.wait()
    let seconds = Double(WallClockNanos.now() - start) / 1e9
    if let failure = results.failure { throw failure }
    return (results.latencies, results.answers, seconds)
}

/// The `fraction` quantile of `values` (nearest rank).
func quantile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
}
