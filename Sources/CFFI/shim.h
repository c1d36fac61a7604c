/* libffi for Swift. Swift 6 cannot take the address of libffi's global ffi_type_* objects
 * (`&ffi_type_double` is rejected), so each is exposed through a static inline accessor. */
#ifndef PLUGIN_HOST_CFFI_SHIM_H
#define PLUGIN_HOST_CFFI_SHIM_H
#include <ffi.h>

static inline ffi_type *ph_ffi_type_void(void) { return &ffi_type_void; }
static inline ffi_type *ph_ffi_type_uint8(void) { return &ffi_type_uint8; }
static inline ffi_type *ph_ffi_type_sint8(void) { return &ffi_type_sint8; }
static inline ffi_type *ph_ffi_type_uint16(void) { return &ffi_type_uint16; }
static inline ffi_type *ph_ffi_type_sint16(void) { return &ffi_type_sint16; }
static inline ffi_type *ph_ffi_type_uint32(void) { return &ffi_type_uint32; }
static inline ffi_type *ph_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *ph_ffi_type_uint64(void) { return &ffi_type_uint64; }
static inline ffi_type *ph_ffi_type_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *ph_ffi_type_float(void) { return &ffi_type_float; }
static inline ffi_type *ph_ffi_type_double(void) { return &ffi_type_double; }
static inline ffi_type *ph_ffi_type_pointer(void) { return &ffi_type_pointer; }

/* ffi_prep_cif with the platform's default ABI. FFI_DEFAULT_ABI is an enumerator on some
 * targets and a macro on others, so Swift is not relied on to import it. */
static inline ffi_status ph_ffi_prep_cif(ffi_cif *cif, unsigned int nargs, ffi_type *rtype, ffi_type **atypes) {
    return ffi_prep_cif(cif, FFI_DEFAULT_ABI, nargs, rtype, atypes);
}

/* ffi_call taking the function as a plain data pointer (what dlsym returns), so Swift needs
 * no unsafeBitCast to libffi's `void (*)(void)`. POSIX guarantees the two convert. */
static inline void ph_ffi_call(ffi_cif *cif, void *function, void *rvalue, void **avalue) {
    ffi_call(cif, (void (*)(void))function, rvalue, avalue);
}

#endif
