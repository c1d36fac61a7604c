import FuzzHarness

/// libFuzzer's entry point for the `workflow` target (built only by scripts/fuzz.sh).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.workflow(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
