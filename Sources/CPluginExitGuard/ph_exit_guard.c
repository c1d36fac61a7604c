/* The exit handler of ph_exit_guard.h. It runs inside exit(), possibly while other threads
 * still run plugin code, so it allocates nothing, takes no lock and writes with write(2). */
#define _DEFAULT_SOURCE
#include "ph_exit_guard.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

_Thread_local ph_exit_guard_mark ph_exit_guard_current = {NULL, NULL};

/* The phases' `what`, told apart from node types by address (a node type may be any text). */
static const char phase_load[] = "load";
static const char phase_init[] = "init";
static const char phase_shutdown[] = "shutdown";

const char *ph_exit_guard_phase_name(ph_exit_guard_phase phase) {
    return phase == PH_EXIT_GUARD_LOAD ? phase_load : phase == PH_EXIT_GUARD_INIT ? phase_init : phase_shutdown;
}

ph_exit_guard_mark ph_exit_guard_enter_phase(const char *plugin, ph_exit_guard_phase phase) {
    return ph_exit_guard_enter(plugin, ph_exit_guard_phase_name(phase));
}

static atomic_int installed;
static atomic_int host_exiting;
/* Written once by the installing call, before the handler is registered; read by the handler. */
static const char *message_prefix = "plugin-host";
static const char *message_advice = "";
static ph_exit_guard_scanner other_threads;

typedef struct {
    char bytes[1024];
    size_t length;
} message_line;

static void append(message_line *line, const char *text) {
    if (text == NULL) text = "?";
    while (*text != '\0' && line->length < sizeof line->bytes - 1) line->bytes[line->length++] = *text++;
}

static void append_int(message_line *line, int value) {
    char digits[16];
    size_t count = 0;
    unsigned magnitude = value < 0 ? 0u - (unsigned)value : (unsigned)value;
    do {
        digits[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0) digits[count++] = '-';
    while (count > 0 && line->length < sizeof line->bytes - 1) line->bytes[line->length++] = digits[--count];
}

static void append_exit_call(message_line *line, int status, int status_known) {
    append(line, "exit(");
    if (status_known) append_int(line, status);
    append(line, ")");
}

/* What the message says a plugin was running when `what` is the mark's. */
static void append_activity(message_line *line, const char *what, int own_thread) {
    if (what == phase_load) append(line, own_thread ? "while it was being loaded" : "its loading");
    else if (what == phase_init) append(line, own_thread ? "during init" : "its init");
    else if (what == phase_shutdown) append(line, own_thread ? "during shutdown" : "its shutdown");
    else if (what == NULL) append(line, own_thread ? "during a node call" : "a node call");
    else {
        append(line, own_thread ? "during node " : "node ");
        append(line, what);
    }
}

static void handle_exit(int status, int status_known) {
    ph_exit_guard_mark mark = ph_exit_guard_current;
    int own_thread = mark.plugin != NULL;
    if (!own_thread) {
        if (other_threads == NULL || atomic_load(&host_exiting)) return;
        const char *what = NULL;
        mark.plugin = other_threads(&what);
        if (mark.plugin == NULL) return;
        mark.what = what;
    }
    message_line line = {.length = 0};
    append(&line, message_prefix);
    append(&line, ": EXECUTION_CRASHED: ");
    if (own_thread) {
        append(&line, "plugin ");
        append(&line, mark.plugin);
        append(&line, " called ");
        append_exit_call(&line, status, status_known);
        append(&line, " ");
        append_activity(&line, mark.what, 1);
    } else {
        append_exit_call(&line, status, status_known);
        append(&line, " was called on another thread while plugin ");
        append(&line, mark.plugin);
        append(&line, " was running ");
        append_activity(&line, mark.what, 0);
    }
    append(&line, "; the host stops because a plugin ended the process.");
    if (message_advice[0] != '\0') {
        append(&line, " ");
        append(&line, message_advice);
    }
    line.bytes[line.length++] = '\n';
    size_t written = 0;
    while (written < line.length) {
        ssize_t count = write(STDERR_FILENO, line.bytes + written, line.length - written);
        if (count < 0) {
            if (errno == EINTR) continue;
            break;
        }
        written += (size_t)count;
    }
    _exit(PH_EXIT_GUARD_STATUS);
}

#if defined(__GLIBC__)
static void on_exit_handler(int status, void *argument) {
    (void)argument;
    handle_exit(status, 1);
}
#else
static void atexit_handler(void) { handle_exit(0, 0); }
#endif

int ph_exit_guard_install(const char *prefix, const char *advice, ph_exit_guard_scanner scanner) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&installed, &expected, 1)) return 0;
    if (prefix != NULL) message_prefix = prefix;
    if (advice != NULL) message_advice = advice;
    other_threads = scanner;
#if defined(__GLIBC__)
    on_exit(on_exit_handler, NULL);
#else
    atexit(atexit_handler);
#endif
    return 1;
}

void ph_exit_guard_host_exits(void) { atomic_store(&host_exiting, 1); }
