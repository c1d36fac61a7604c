/*
 * org.plugin-host.hazard — nodes that crash, exit, hang and exhaust memory on purpose, to show
 * (and test) what process isolation does with them. Run them only with `--isolation process`:
 * in the host's own process they do exactly what they say, to the host (which turns an exit during
 * a call into status 70 with a line naming the plugin, never a silent success).
 *
 * hazard.segfault writes through a NULL pointer (SIGSEGV); hazard.abort calls abort() (SIGABRT);
 * hazard.exit calls exit(status); hazard.spin burns CPU forever and never polls is_cancelled;
 * hazard.allocate allocates and touches `mb` MiB in 64 MiB steps (with `checked` it fails
 * cleanly when an allocation fails, without it it writes through the NULL pointer);
 * hazard.print writes to stdout and stderr, then succeeds.
 * Stateless, hence threadSafe. This is a demo, not a tool.
 */
#define _POSIX_C_SOURCE 200809L
#include <plugin_host/params.h>
#include <plugin_host/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PH_HAZARD_NODE(type, what, properties)                                                  \
    "{\"nodeType\":\"" type "\",\"version\":\"1.0.0\",\"category\":\"demo\","                   \
    "\"description\":\"" what "\",\"requiredFields\":[],"                                       \
    "\"schema\":{\"type\":\"object\",\"properties\":{" properties "},"                          \
    "\"additionalProperties\":false},\"supportedVersions\":[1],\"tags\":[\"demo\",\"isolation\"]}"

PH_PLUGIN_METADATA(
    "{\"id\":\"org.plugin-host.hazard\",\"name\":\"Hazard\",\"version\":\"1.0.0\",\"abi\":\"1.0\","
    "\"author\":\"plugin-host\",\"license\":\"MIT\","
    "\"description\":\"Demo nodes that crash, exit, hang and exhaust memory on purpose, to show process isolation.\","
    "\"threadSafe\":true,\"dependencies\":{},\"nodes\":["
    PH_HAZARD_NODE("hazard.segfault", "Writes through a NULL pointer (SIGSEGV).", "") ","
    PH_HAZARD_NODE("hazard.abort", "Calls abort() (SIGABRT).", "") ","
    PH_HAZARD_NODE("hazard.exit", "Calls exit(status) in the middle of the call.",
                   "\"status\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":255,\"default\":0,"
                   "\"description\":\"The exit status.\"}") ","
    PH_HAZARD_NODE("hazard.spin", "Burns CPU forever and never polls is_cancelled.", "") ","
    PH_HAZARD_NODE("hazard.allocate", "Allocates and touches `mb` MiB in 64 MiB steps; returns {allocatedMb}.",
                   "\"mb\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1048576,\"default\":10240,"
                   "\"description\":\"How many MiB to allocate and touch.\"},"
                   "\"checked\":{\"type\":\"boolean\",\"default\":true,"
                   "\"description\":\"Fail cleanly when an allocation fails (false: write through the NULL pointer).\"}") ","
    PH_HAZARD_NODE("hazard.print", "Writes a line to stdout and one to stderr, then returns {}.", "")
    "]}");

static int64_t hazard_int(const ph_call *call, const char *key, int64_t fallback) {
    int64_t value = fallback;
    if (ph_json_get_int64(call->params_json, call->params_len, key, &value) != PH_JSON_OK) return fallback;
    return value;
}

/* Kept in a global the optimizer cannot see through, so the NULL write really happens. */
volatile int *hazard_null_target = NULL;
volatile unsigned long hazard_sink = 0;

static ph_status hazard_allocate(ph_call *call) {
    int64_t mb = hazard_int(call, "mb", 10240);
    bool checked = true;
    ph_json_get_bool(call->params_json, call->params_len, "checked", &checked);
    const size_t step = (size_t)64 << 20;
    int64_t allocated = 0;
    while (allocated < mb) {
        char *block = malloc(step);
        if (block == NULL && checked) {
            char message[160];
            snprintf(message, sizeof message, "hazard.allocate: out of memory after %lld of %lld MiB",
                     (long long)allocated, (long long)mb);
            call->set_error(call, PH_ERR_EXECUTION, message);
            return PH_ERR_EXECUTION; /* the blocks leak on purpose: the worker is the one to pay */
        }
        memset(block, 1, step); /* touching it makes it resident; NULL here is the unchecked crash */
        allocated += 64;
    }
    char output[64];
    int length = snprintf(output, sizeof output, "{\"allocatedMb\":%lld}", (long long)allocated);
    call->set_output(call, output, (size_t)length);
    return PH_OK;
}

static ph_status hazard_init(const ph_host_api *host, const char *config_json, void **out_state) {
    (void)host;
    (void)config_json;
    *out_state = NULL;
    return PH_OK;
}

static ph_status hazard_execute(void *state, ph_call *call) {
    (void)state;
    const char *type = call->node_type;
    if (strcmp(type, "hazard.segfault") == 0) {
        *hazard_null_target = 1;
        return PH_OK;
    }
    if (strcmp(type, "hazard.abort") == 0) abort();
    if (strcmp(type, "hazard.exit") == 0) exit((int)hazard_int(call, "status", 0));
    if (strcmp(type, "hazard.spin") == 0) {
        for (;;) hazard_sink++;
    }
    if (strcmp(type, "hazard.allocate") == 0) return hazard_allocate(call);
    if (strcmp(type, "hazard.print") == 0) {
        printf("hazard.print: a line on stdout\n");
        fflush(stdout);
        fprintf(stderr, "hazard.print: a line on stderr\n");
        call->set_output(call, "{}", 2);
        return PH_OK;
    }
    call->set_error(call, PH_ERR_UNSUPPORTED, "this plugin has no such node type");
    return PH_ERR_UNSUPPORTED;
}

static void hazard_shutdown(void *state) { (void)state; }

static const ph_plugin hazard_plugin = {
    sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR, PH_PLUGIN_METADATA_JSON,
    hazard_init, hazard_execute, hazard_shutdown,
};

PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &hazard_plugin; }
