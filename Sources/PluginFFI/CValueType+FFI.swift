import CFFI
import PluginMetadata

extension CValueType {
    /// libffi's description of the type. `bool` is C's one-byte `_Bool`, passed as `uint8`;
    /// `string` is a pointer.
    var ffiType: UnsafeMutablePointer<ffi_type> {
        switch self {
        case .int8: ph_ffi_type_sint8()
        case .int16: ph_ffi_type_sint16()
        case .int32: ph_ffi_type_sint32()
        case .int64: ph_ffi_type_sint64()
        case .uint8, .bool: ph_ffi_type_uint8()
        case .uint16: ph_ffi_type_uint16()
        case .uint32: ph_ffi_type_uint32()
        case .uint64: ph_ffi_type_uint64()
        case .float: ph_ffi_type_float()
        case .double: ph_ffi_type_double()
        case .string: ph_ffi_type_pointer()
        case .void: ph_ffi_type_void()
        }
    }
}
