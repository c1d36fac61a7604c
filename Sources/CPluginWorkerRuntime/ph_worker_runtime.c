#define _GNU_SOURCE
#include "ph_worker_runtime.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <unistd.h>

int ph_worker_set_parent_death_signal(int sig) {
    prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0);
    return (int)getppid();
}

static int crash_fd = -1;
static _Atomic uint32_t current_tag = 0;
static _Atomic uint64_t allocation_failures = 0;

void ph_worker_begin_request(uint32_t tag) {
    atomic_store_explicit(&current_tag, tag, memory_order_relaxed);
    atomic_store_explicit(&allocation_failures, 0, memory_order_relaxed);
}

uint64_t ph_worker_allocation_failures(void) { return atomic_load_explicit(&allocation_failures, memory_order_relaxed); }

static void put_u32(unsigned char *at, uint32_t value) {
    for (int i = 0; i < 4; i++) at[i] = (unsigned char)(value >> (8 * i));
}

static void crash_handler(int sig) {
    if (crash_fd >= 0) {
        /* Header: magic, kind << 24 | tag, payload length; payload: int32 signal, uint64 failures. */
        unsigned char frame[12 + 12];
        uint32_t tag = atomic_load_explicit(&current_tag, memory_order_relaxed) & 0xFFFFFFu;
        put_u32(frame, PH_WORKER_FRAME_MAGIC);
        put_u32(frame + 4, ((uint32_t)PH_WORKER_FRAME_CRASH << 24) | tag);
        put_u32(frame + 8, 12);
        put_u32(frame + 12, (uint32_t)sig);
        uint64_t failures = atomic_load_explicit(&allocation_failures, memory_order_relaxed);
        put_u32(frame + 16, (uint32_t)failures);
        put_u32(frame + 20, (uint32_t)(failures >> 32));
        ssize_t ignored = send(crash_fd, frame, sizeof frame, MSG_NOSIGNAL);
        (void)ignored;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void ph_worker_install_crash_reporter(int fd) {
    crash_fd = fd;
    static char alternate_stack[64 * 1024];
    stack_t stack = {.ss_sp = alternate_stack, .ss_size = sizeof alternate_stack, .ss_flags = 0};
    sigaltstack(&stack, NULL);
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGXCPU};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = crash_handler;
        action.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        sigaction(fatal[i], &action, NULL);
    }
}

/*
 * malloc, calloc and realloc, counting failures. Defined in the executable, they take the place
 * of glibc's for every library the worker loads (symbol interposition); each forwards to
 * glibc's own implementation, so the allocator and free stay glibc's. Sanitizer runtimes
 * replace malloc themselves, so these are left out of sanitizer builds.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define PH_WORKER_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define PH_WORKER_SANITIZED 1
#endif

#ifndef PH_WORKER_SANITIZED
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);

static void *counted(void *pointer) {
    if (pointer == NULL) atomic_fetch_add_explicit(&allocation_failures, 1, memory_order_relaxed);
    return pointer;
}

__attribute__((visibility("default"))) void *malloc(size_t size) { return counted(__libc_malloc(size)); }

__attribute__((visibility("default"))) void *calloc(size_t count, size_t size) {
    void *pointer = __libc_calloc(count, size);
    return count == 0 || size == 0 ? pointer : counted(pointer);
}

__attribute__((visibility("default"))) void *realloc(void *pointer, size_t size) {
    void *moved = __libc_realloc(pointer, size);
    return size == 0 ? moved : counted(moved);
}
#endif

int ph_worker_runtime_sanitized(void) {
#ifdef PH_WORKER_SANITIZED
    return 1;
#else
    return 0;
#endif
}
