#ifndef PH_WORKER_RUNTIME_H
#define PH_WORKER_RUNTIME_H
/*
 * What the worker process (plugin-host-worker) needs below Swift: linked into the worker
 * executable only, never into the host, because it replaces malloc for the whole process.
 * Every symbol is prefixed ph_worker_.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The frame kind of a crash report (must match WorkerFrameKind.crash in Swift). */
#define PH_WORKER_FRAME_CRASH 6
/* The frame magic, "PHW1" little-endian (must match WorkerFrame.magic in Swift). */
#define PH_WORKER_FRAME_MAGIC 0x31574850u

/*
 * Asks the kernel to send `sig` when the parent thread that started this process dies, and
 * returns the parent pid seen afterwards (compare it with the expected one: the parent may
 * have died before the request). Why C: prctl is variadic.
 */
int ph_worker_set_parent_death_signal(int sig);

/*
 * Installs handlers for the fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP,
 * SIGSYS, SIGXCPU) that write one crash frame to `fd` (the call's tag, the signal, and how many
 * allocations had failed), then die of the same signal with the default action, so the host
 * sees both the report and the real wait status. Runs on an alternate stack, so a stack
 * overflow is reported too. Async-signal-safe: one write(2) of a prepared buffer.
 */
void ph_worker_install_crash_reporter(int fd);

/*
 * Marks the start of the request with `tag` (written into a crash frame) and zeroes the count
 * of failed allocations, so the count belongs to this request alone.
 */
void ph_worker_begin_request(uint32_t tag);

/*
 * How many malloc, calloc or realloc calls have returned NULL since the request began.
 * Under an address-space limit, a call during which this grows ran out of memory; that is how
 * the host tells RESOURCE_EXHAUSTED from an ordinary crash. Always 0 in sanitizer builds,
 * whose runtimes own malloc.
 */
uint64_t ph_worker_allocation_failures(void);

/*
 * 1 when this worker was built with a sanitizer (ASan, TSan). Their runtimes reserve terabytes
 * of address space and own malloc, so the worker then sets no address-space limit and counts
 * no allocation failures.
 */
int ph_worker_runtime_sanitized(void);

#ifdef __cplusplus
}
#endif
#endif
