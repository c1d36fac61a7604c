import PluginHostCore
import Synchronization

/// A value read on every execution and replaced rarely (the tenant policies), read without a
/// lock: read-copy-update through an atomic pointer.
///
/// Every value ever published is kept alive by ``kept``, so a reader that loaded the pointer
/// can never see freed memory, whatever a writer does meanwhile. Memory grows by one box per
/// ``set(_:)``, which is fine for values replaced by a person or a file watcher.
final class PublishedValue<Value: Sendable>: Sendable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private let current: Atomic<UInt>
    private let kept: Locked<[Box]>

    init(_ value: Value) {
        let box = Box(value)
        kept = Locked([box])
        current = Atomic(UInt(bitPattern: Unmanaged.passUnretained(box).toOpaque()))
    }

    /// The value published last (acquiring: its contents were written before it was stored).
    var value: Value {
        let bits = current.load(ordering: .acquiring)
        return Unmanaged<Box>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).takeUnretainedValue().value
    }

    /// Identifies the value published last: a different number after every ``set(_:)``, never
    /// reused (it is the address of a box that is kept alive), so a reader can tell that what it
    /// derived from an earlier value is stale without comparing the values.
    var version: UInt { current.load(ordering: .acquiring) }

    /// Publishes `value`; readers that already loaded the old one keep using it.
    func set(_ value: Value) {
        let box = Box(value)
        kept.withLock { kept in
            kept.append(box)
            current.store(UInt(bitPattern: Unmanaged.passUnretained(box).toOpaque()), ordering: .releasing)
        }
    }
}
