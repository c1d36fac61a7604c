/*
 * A complete plugin in one file: copy this directory, rename things, run `make`.
 *
 * It provides one node, `example.scale`: {"value": 3, "factor": 2} → {"result": 6}.
 * `factor` is optional; its default comes from the plugin's configuration ({"factor": 10}),
 * else 1. This shows every part of a plugin: the metadata note, init with state, execute
 * reading parameters with params.h, errors, logging, cancellation, shutdown.
 *
 * Build: cc -std=c11 -shared -fPIC -fvisibility=hidden -Wall -Wextra -O2 -I<sdk>/include \
 *           plugin.c -o libexample.so
 * Check: plugin-host scan --strict .
 */
#include <plugin_host/params.h> /* small JSON helpers, header-only */
#include <plugin_host/plugin.h> /* the ABI */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * 1. Metadata, embedded as an ELF note the host reads WITHOUT loading the file. Strict mode
 *    (the default of `plugin-host scan`) wants every field shown here; unknown keys are errors.
 */
PH_PLUGIN_METADATA(
    "{\"id\":\"org.example.scale\",\"name\":\"Scale\",\"version\":\"1.0.0\",\"abi\":\"1.0\","
    "\"author\":\"Example Author\",\"license\":\"MIT\","
    "\"description\":\"Multiplies a number by a factor.\","
    "\"threadSafe\":true,\"dependencies\":{},\"nodes\":["
    "{\"nodeType\":\"example.scale\",\"version\":\"1.0.0\",\"category\":\"math\","
    "\"description\":\"Returns value * factor.\",\"requiredFields\":[\"value\"],"
    "\"schema\":{\"type\":\"object\",\"properties\":{"
    "\"value\":{\"type\":\"number\",\"description\":\"The number to scale.\"},"
    "\"factor\":{\"type\":\"number\",\"description\":\"Defaults to the configured factor, else 1.\"}},"
    "\"required\":[\"value\"],\"additionalProperties\":false},"
    "\"supportedVersions\":[1],\"tags\":[\"example\"]}"
    "]}");

/* 2. Per-instance state, made by init and released by shutdown. Read-only after init, so
 *    concurrent executes are safe ("threadSafe": true above). */
typedef struct example_state {
    double default_factor;
} example_state;

/* init: once, before any execute, on the host's init thread. Quick; no blocking work. */
static ph_status example_init(const ph_host_api *host, const char *config_json, void **out_state) {
    example_state *state;
    double factor = 1.0;
    char line[160];
    const ph_ext_host_info *info;
    ph_json_status st = ph_json_get_double(config_json, strlen(config_json), "factor", &factor);
    if (st != PH_JSON_OK && st != PH_JSON_NOT_FOUND) {
        host->set_init_error(host, "configuration: \"factor\" must be a number");
        return PH_ERR_INVALID_PARAMETERS;
    }
    state = (example_state *)malloc(sizeof *state);
    if (state == NULL) {
        host->set_init_error(host, "out of memory");
        return PH_ERR_EXECUTION;
    }
    state->default_factor = factor;
    *out_state = state;

    /* Host services are looked up by name; NULL means this host does not offer one. Check
     * with PH_HAS_FIELD before reading a field that a later ABI minor version added. */
    info = (const ph_ext_host_info *)host->get_extension(host, PH_EXT_HOST_INFO);
    if (PH_HAS_FIELD(info, ph_ext_host_info, host_version)) {
        snprintf(line, sizeof line, "example.scale ready (host %s, default factor %g)", info->host_version, factor);
        host->log(host, PH_LOG_INFO, line); /* the host copies the message */
    }
    return PH_OK;
}

/* execute: one node run. Every pointer in `call` is valid only until this returns. */
static ph_status example_execute(void *opaque, ph_call *call) {
    const example_state *state = (const example_state *)opaque;
    double value = 0, factor = state->default_factor, result;
    ph_json_buf out = PH_JSON_BUF_INIT;
    ph_json_status st;

    /* The host validated params against the schema, but reading can still fail (e.g. a
     * number beyond a double's range): report it as the caller's error, never crash. */
    st = ph_json_get_double(call->params_json, call->params_len, "value", &value);
    if (st != PH_JSON_OK) {
        call->set_error(call, PH_ERR_INVALID_PARAMETERS, "parameter 'value' must be a finite number");
        return PH_ERR_INVALID_PARAMETERS; /* never retried */
    }
    st = ph_json_get_double(call->params_json, call->params_len, "factor", &factor);
    if (st != PH_JSON_OK && st != PH_JSON_NOT_FOUND) {
        call->set_error(call, PH_ERR_INVALID_PARAMETERS, "parameter 'factor' must be a finite number");
        return PH_ERR_INVALID_PARAMETERS;
    }

    /* A long-running node polls call->is_cancelled(call) between steps and, once it returns
     * non-zero (timeout or cancellation), stops and returns PH_ERR_CANCELLED. */
    if (call->is_cancelled(call)) return PH_ERR_CANCELLED;

    result = value * factor;
    if (!isfinite(result)) {
        call->set_error(call, PH_ERR_EXECUTION, "the result overflows a double");
        return PH_ERR_EXECUTION; /* retried only if the node's retry policy allows */
    }
    if (call->attempt > 1) call->log(call, PH_LOG_DEBUG, "retry attempt");

    /* Output: a JSON value. Build it, hand it over (the host copies it), free it. */
    ph_json_buf_append_cstr(&out, "{\"result\":");
    ph_json_buf_double(&out, result);
    ph_json_buf_append_cstr(&out, "}");
    if (out.failed) {
        ph_json_buf_free(&out);
        call->set_error(call, PH_ERR_EXECUTION, "out of memory");
        return PH_ERR_EXECUTION;
    }
    call->set_output(call, out.data, out.len);
    ph_json_buf_free(&out);
    return PH_OK;
}

/* shutdown: at most once, after the last execute. The library itself is never unloaded. */
static void example_shutdown(void *opaque) { free(opaque); }

/* 3. The descriptor: static, constant, valid for the life of the process. */
static const ph_plugin example_plugin = {
    sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR,
    PH_PLUGIN_METADATA_JSON, /* the same bytes as the note; the host checks */
    example_init, example_execute, example_shutdown,
};

/* 4. The one exported symbol. No allocation, no blocking, no host calls here. */
PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &example_plugin; }
