import CFFI
import Glibc

/// The function-node benchmark's libffi floor: `pow` called through `ffi_call` with a call
/// interface prepared once and the two `double` arguments already in place, with no JSON on
/// either side. What a function node costs beyond this is the host's own work (reading the
/// parameters, checking them, writing `{"result":…}`).
///
/// The cif, its type table and the argument cells are allocated once and never freed: one
/// instance lives for the whole run.
final class RawFFICall {
    private let function: UnsafeMutableRawPointer
    private let cif: UnsafeMutablePointer<ffi_cif>
    private let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>
    /// The argument values (base, exp) and the pointers to them that ffi_call reads.
    private let values: UnsafeMutablePointer<Double>
    private let pointers: UnsafeMutablePointer<UnsafeMutableRawPointer?>

    /// Prepares `double function(double, double)` for the function at `address`, with
    /// arguments `base` and `exp`.
    init(address: UnsafeMutableRawPointer, base: Double, exp: Double) throws {
        function = address
        argumentTypes = .allocate(capacity: 2)
        argumentTypes[0] = ph_ffi_type_double()
        argumentTypes[1] = ph_ffi_type_double()
        cif = .allocate(capacity: 1)
        guard ph_ffi_prep_cif(cif, 2, ph_ffi_type_double(), argumentTypes) == FFI_OK else {
            throw BenchError("ffi_prep_cif refused double(double,double)")
        }
        values = .allocate(capacity: 2)
        values[0] = base
        values[1] = exp
        pointers = .allocate(capacity: 2)
        pointers[0] = UnsafeMutableRawPointer(values)
        pointers[1] = UnsafeMutableRawPointer(values + 1)
    }

    /// One `ffi_call`; returns what the function returned.
    @inline(__always)
    func callOnce() -> Double {
        var result = 0.0
        ph_ffi_call(cif, function, &result, pointers)
        return result
    }
}
