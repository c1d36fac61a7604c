#if canImport(Glibc)
import Glibc
#endif

/// Reads what a pipe holds right now, without waiting for more (the descriptor is made
/// non-blocking): for tests that fill a pipe to make a writer fail, then look at what arrived.
public enum PipeDrain {
    public static func drain(_ fd: Int32) -> [UInt8] {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            out += buffer[..<count]
        }
        return out
    }
}
