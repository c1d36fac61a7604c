#ifndef PH_EXIT_GUARD_H
#define PH_EXIT_GUARD_H
/*
 * What the host knows when a plugin running in its own process calls exit(): which plugin's
 * code this thread is running, and an exit handler that turns such an exit into a failure
 * naming it. Without it, a plugin's exit(0) ends the host with status 0 and no output, as if
 * the run had succeeded.
 *
 * The call path (PluginLoader's LoadedPlugin) marks the thread with ph_exit_guard_enter before
 * it runs plugin code and restores the mark with ph_exit_guard_leave after: two thread-local
 * stores each way, no atomic, no lock, no allocation (in an executable the variable is at a
 * fixed %fs offset; in libplugin_host.so one __tls_get_addr call finds it, about 2 ns).
 * Only hosts install the handler
 * (ph_exit_guard_install); in plugin-host-worker an exit is already the host's
 * EXECUTION_CRASHED. Every symbol is prefixed ph_exit_guard_.
 */

#ifdef __cplusplus
extern "C" {
#endif

/* The exit status the host ends with when plugin code called exit() (EX_SOFTWARE). */
#define PH_EXIT_GUARD_STATUS 70

/* What a thread is running: `plugin` (a plugin id) and `what` (a node type, or "init",
 * "shutdown", "load"), both NUL-terminated and valid while the mark is set; plugin NULL when
 * the thread runs no plugin code. */
typedef struct ph_exit_guard_mark {
    const char *plugin;
    const char *what;
} ph_exit_guard_mark;

/* This thread's mark. Read only by this thread (the exit handler runs on the thread that
 * called exit), so plain thread-local stores suffice. */
extern _Thread_local ph_exit_guard_mark ph_exit_guard_current;

/* Marks this thread as running `plugin`'s `what`; returns the previous mark for
 * ph_exit_guard_leave (calls nest: a plugin's callback may reach code that marks again). */
static inline ph_exit_guard_mark ph_exit_guard_enter(const char *plugin, const char *what) {
    ph_exit_guard_mark *current = &ph_exit_guard_current;
    ph_exit_guard_mark previous = *current;
    current->plugin = plugin;
    current->what = what;
    return previous;
}

/* Restores the mark ph_exit_guard_enter returned. */
static inline void ph_exit_guard_leave(ph_exit_guard_mark previous) {
    ph_exit_guard_current = previous;
}

/* What a plugin runs outside node calls. */
typedef enum ph_exit_guard_phase {
    PH_EXIT_GUARD_LOAD = 1, /* its constructors and ph_plugin_entry, inside dlopen */
    PH_EXIT_GUARD_INIT = 2,
    PH_EXIT_GUARD_SHUTDOWN = 3,
} ph_exit_guard_phase;

/* ph_exit_guard_enter for a phase: `what` becomes the phase's own static name, which the
 * handler tells apart from a node type by address. Not on the hot path. */
ph_exit_guard_mark ph_exit_guard_enter_phase(const char *plugin, ph_exit_guard_phase phase);

/* The phase's static name, as a scanner answers it. */
const char *ph_exit_guard_phase_name(ph_exit_guard_phase phase);

/* This thread's mark (tests check that calls set and restore it). */
static inline ph_exit_guard_mark ph_exit_guard_mark_now(void) { return ph_exit_guard_current; }

/* Answers, for an exit() on a thread with no mark, which plugin's code was running on another
 * thread: returns its id (static or process-lifetime storage) and sets *what (a phase's
 * name from ph_exit_guard_phase_name, or NULL for a node call), or returns NULL when none
 * was. Called from the exit
 * handler: it must not allocate or lock. */
typedef const char *(*ph_exit_guard_scanner)(const char **what);

/*
 * Installs the exit handler, once per process (later calls do nothing and return 0; returns
 * 1 when this call installed it). `prefix` starts the message ("plugin-host"), `advice` ends
 * it ("Run it with --isolation process to contain it."); both must be static strings.
 * `scanner`, when not NULL, also attributes an exit() called on another thread while plugin
 * code runs; pass it only from a host that announces its own exits (ph_exit_guard_host_exits),
 * since otherwise the host's own exit while a call is still running (an abandoned, timed-out
 * call) would be blamed on the plugin.
 *
 * At exit, when plugin code is running (the exiting thread's mark, or the scanner's answer
 * while the host has not announced its exit), the handler writes one line to stderr naming the
 * plugin, what it was running and the status exit() was given (glibc's on_exit tells it;
 * elsewhere the line says "called exit()"), then _exit(PH_EXIT_GUARD_STATUS). Otherwise it
 * returns and the exit goes on with its own status.
 */
int ph_exit_guard_install(const char *prefix, const char *advice, ph_exit_guard_scanner scanner);

/* The host itself is about to exit: from now on only an exit() on a marked thread is a
 * plugin's. */
void ph_exit_guard_host_exits(void);

#ifdef __cplusplus
}
#endif

#endif
