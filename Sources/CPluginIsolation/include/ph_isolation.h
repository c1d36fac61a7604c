#ifndef PH_ISOLATION_H
#define PH_ISOLATION_H
/*
 * The host's side of starting worker processes, in C because the calls need flags and
 * attributes Swift cannot express cleanly (posix_spawn attributes, closefrom file actions).
 * Every symbol is prefixed ph_isolation_.
 */
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The descriptor number a worker finds its socket on. */
#define PH_ISOLATION_WORKER_FD 3

/*
 * A connected pair of stream sockets, both close-on-exec. Returns 0 or an errno value.
 * Why: the worker's end is handed over by ph_isolation_spawn's dup2 (which clears the flag
 * on the copy only), so no other child the host starts ever inherits either end.
 */
int ph_isolation_socketpair(int fds[2]);

/*
 * Starts `path` with `argv` and `envp` (NULL-terminated) as a worker: `child_fd` becomes
 * descriptor 3, every other descriptor from 3 up is closed, the child leads a process group
 * of its own (so killing the group stops whatever the plugin started), and its signal mask is
 * empty with every signal at its default action (the host may ignore SIGPIPE or block
 * signals; a worker must not inherit that). Returns 0 and sets *out_pid, or an errno value.
 * Why posix_spawn rather than fork: the host is multi-threaded, and a forked copy of it may
 * only call async-signal-safe functions before exec.
 */
int ph_isolation_spawn(const char *path, char *const argv[], char *const envp[], int child_fd, pid_t *out_pid);

/*
 * The path of the file (executable or shared library) this code was linked into, or NULL.
 * Why: an embedder's process is python or node, so the worker executable is looked for beside
 * libplugin_host.so rather than beside /proc/self/exe. Static storage; never freed.
 */
const char *ph_isolation_image_path(void);

#ifdef __cplusplus
}
#endif
#endif
