import PluginHostCore

/// The objects behind one kind of opaque embed.h pointer that were handed out and not yet
/// destroyed, by address; the table owns them.
///
/// Resolving through the table instead of dereferencing lets a NULL, stale or foreign pointer be
/// reported as INVALID_ARGUMENT, and hands the call a strong reference, so a call racing the
/// pointer's destroy function finishes on a live object instead of freed memory.
final class LiveHandles<Object: AnyObject & Sendable>: Sendable {
    private let live = Locked<[UInt: Object]>([:])

    /// Stores `object` and returns the pointer the caller gets.
    func register(_ object: Object) -> OpaquePointer {
        let address = UnsafeMutableRawPointer(Unmanaged.passUnretained(object).toOpaque())
        live.withLock { $0[UInt(bitPattern: address)] = object }
        return OpaquePointer(address)
    }

    /// The live object at `pointer`, or nil.
    func resolve(_ pointer: OpaquePointer) -> Object? {
        live.withLock { $0[UInt(bitPattern: UnsafeRawPointer(pointer))] }
    }

    /// Removes the object at `pointer` (nothing when it is not live); it is freed when the last
    /// call using it ends. Returns it.
    @discardableResult
    func unregister(_ pointer: OpaquePointer) -> Object? {
        live.withLock { $0.removeValue(forKey: UInt(bitPattern: UnsafeRawPointer(pointer))) }
    }
}
