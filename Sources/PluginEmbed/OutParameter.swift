import PluginHostCore

/// One `char **out_*` parameter of an embed.h function.
///
/// embed.h promises that every out parameter may be NULL (the document is then not produced —
/// and not even serialized, which keeps a hot `ph_host_execute` cheap when the caller only wants
/// the status) and that a non-NULL one is NULL whenever there is nothing to return, so freeing
/// unconditionally is always correct. Creating an `OutParameter` clears the caller's slot.
struct OutParameter {
    private let slot: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    init(_ slot: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        self.slot = slot
        slot?.pointee = nil
    }

    /// Whether the caller asked for this document.
    var isWanted: Bool { slot != nil }

    /// Hands the caller a `malloc`'d copy of `bytes` (JSON text already written).
    func set(bytes: [UInt8]) {
        guard let slot else { return }
        slot.pointee = CText.allocate(bytes)
    }

    /// Hands the caller a `malloc`'d copy of `make()` (evaluated only when wanted).
    func set(_ make: @autoclosure () -> JSONValue) {
        guard let slot else { return }
        slot.pointee = CText.allocate(json: make())
    }
}
