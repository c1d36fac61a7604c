/// UTF-8 bytes followed by one NUL, prepared once and handed to C many times.
///
/// The call path passes node types, parameters and input items to plugins as `const char *`
/// plus a length. Building a C string per call would allocate on the hot path; this keeps the
/// terminated bytes in a `ContiguousArray` that copies share (copy-on-write), so a caller
/// prepares a value once and every call borrows its storage. ``count`` excludes the NUL, and the
/// bytes may contain NULs of their own (C readers of `params_json` use the length).
public struct NulTerminatedUTF8: Sendable, Hashable, CustomStringConvertible {
    /// The bytes and the trailing NUL; never empty.
    @usableFromInline let storage: ContiguousArray<UInt8>

    /// The UTF-8 of `string`, terminated.
    public init(_ string: String) {
        var storage = ContiguousArray<UInt8>()
        storage.reserveCapacity(string.utf8.count + 1)
        storage.append(contentsOf: string.utf8)
        storage.append(0)
        self.storage = storage
    }

    /// `bytes` as given (not checked to be UTF-8; the plugin or the runtime judges), terminated.
    public init(bytes: some Collection<UInt8>) {
        var storage = ContiguousArray<UInt8>()
        storage.reserveCapacity(bytes.count + 1)
        storage.append(contentsOf: bytes)
        storage.append(0)
        self.storage = storage
    }

    /// `count` bytes written by `initializer` into fresh storage, terminated: one allocation and
    /// no per-byte generic copying, for values built on the hot path (execution ids).
    @inlinable
    public init(count: Int, initializingWith initializer: (UnsafeMutableBufferPointer<UInt8>) -> Void) {
        storage = ContiguousArray(unsafeUninitializedCapacity: count + 1) { buffer, initialized in
            initializer(UnsafeMutableBufferPointer(rebasing: buffer[..<count]))
            buffer[count] = 0
            initialized = count + 1
        }
    }

    /// The shared empty string, so defaulted fields cost no allocation.
    public static let empty = NulTerminatedUTF8("")
    /// `[]`, the input of a node without parents.
    public static let emptyArray = NulTerminatedUTF8("[]")

    /// Number of bytes before the terminating NUL.
    public var count: Int { storage.count - 1 }

    /// The bytes without the terminating NUL (a copy).
    public var bytes: [UInt8] { Array(storage.dropLast()) }

    /// The bytes without the terminating NUL, sharing the storage (no copy).
    public var unterminated: ArraySlice<UInt8> { storage.dropLast() }

    /// Calls `body` with a pointer to the terminated bytes and their length without the NUL.
    /// The pointer is valid only inside `body`.
    @inlinable
    public func withCString<Result, Failure: Error>(
        _ body: (UnsafePointer<CChar>, Int) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try storage.withUnsafeBufferPointer { (buffer) throws(Failure) -> Result in
            try buffer.withMemoryRebound(to: CChar.self) { (chars) throws(Failure) -> Result in
                try body(chars.baseAddress!, chars.count - 1)
            }
        }
    }

    public var description: String { String(decoding: storage.dropLast(), as: UTF8.self) }
}

extension NulTerminatedUTF8: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(value) }
}
