/*
 * org.plugin-host.demo — nodes that misbehave on purpose, to show the host's error recovery.
 *
 * demo.flaky fails with PH_ERR_TRANSIENT for its first `failures` attempts (the host passes the
 * attempt number in call->attempt), then succeeds: with a retry policy it recovers. demo.slow
 * sleeps `ms` milliseconds in 1 ms steps, polling is_cancelled, so a timeout stops it promptly.
 * demo.fail always fails, to show onError (fallback, skip, continue) and the circuit breaker.
 * demo.echo does nothing and returns {}: its schema is only {"type":"object"}, so timing it
 * measures the host's dispatch cost rather than any work of the plugin's. Stateless (everything
 * comes from the call), hence threadSafe. This is a demo, not a tool.
 */
#define _POSIX_C_SOURCE 200809L
#include <plugin_host/params.h>
#include <plugin_host/plugin.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PH_DEMO_NODE(type, what, properties)                                                    \
    "{\"nodeType\":\"" type "\",\"version\":\"1.0.0\",\"category\":\"demo\","                   \
    "\"description\":\"" what "\",\"requiredFields\":[],"                                       \
    "\"schema\":{\"type\":\"object\",\"properties\":{" properties "},"                          \
    "\"additionalProperties\":false},\"supportedVersions\":[1],\"tags\":[\"demo\",\"recovery\"]}"

PH_PLUGIN_METADATA(
    "{\"id\":\"org.plugin-host.demo\",\"name\":\"Demo\",\"version\":\"1.0.0\",\"abi\":\"1.0\","
    "\"author\":\"plugin-host\",\"license\":\"MIT\","
    "\"description\":\"Demo nodes that fail, recover and hang on purpose, to show retries, timeouts and onError.\","
    "\"threadSafe\":true,\"dependencies\":{},\"nodes\":["
    PH_DEMO_NODE("demo.flaky", "Fails with a transient error for its first `failures` attempts, then returns {attempt, value}.",
                 "\"failures\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100,\"default\":2,"
                 "\"description\":\"Attempts that fail before one succeeds.\"},"
                 "\"value\":{\"description\":\"Any JSON value, echoed in the output.\"}") ","
    PH_DEMO_NODE("demo.slow", "Sleeps `ms` milliseconds, stopping early when cancelled; returns {sleptMs}.",
                 "\"ms\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":600000,\"default\":100,"
                 "\"description\":\"How long to sleep, in milliseconds.\"}") ","
    PH_DEMO_NODE("demo.fail", "Always fails with `message`, as a transient or a permanent error.",
                 "\"message\":{\"type\":\"string\",\"default\":\"demo failure\","
                 "\"description\":\"The error message.\"},"
                 "\"transient\":{\"type\":\"boolean\",\"default\":false,"
                 "\"description\":\"Fail with PH_ERR_TRANSIENT (retried by default) instead of PH_ERR_EXECUTION.\"}") ","
    "{\"nodeType\":\"demo.echo\",\"version\":\"1.0.0\",\"category\":\"demo\","
    "\"description\":\"Does nothing and returns {}: a trivial node for measuring the host's dispatch cost.\","
    "\"requiredFields\":[],\"schema\":{\"type\":\"object\"},\"supportedVersions\":[1],"
    "\"tags\":[\"demo\",\"benchmark\"]}"
    "]}");

/** Hands `out` to the host as the output, or fails with a message if it could not be built. */
static ph_status demo_output(ph_call *call, ph_json_buf *out) {
    if (out->failed) {
        ph_json_buf_free(out);
        call->set_error(call, PH_ERR_EXECUTION, "out of memory while writing the result");
        return PH_ERR_EXECUTION;
    }
    call->set_output(call, out->data, out->len); /* the host copies it */
    ph_json_buf_free(out);
    return PH_OK;
}

/** Reads integer `key`, or `fallback` when absent (the host fills schema defaults anyway). */
static int64_t demo_int(const ph_call *call, const char *key, int64_t fallback) {
    int64_t value = fallback;
    if (ph_json_get_int64(call->params_json, call->params_len, key, &value) != PH_JSON_OK) return fallback;
    return value;
}

static ph_status demo_flaky(ph_call *call) {
    int64_t failures = demo_int(call, "failures", 2);
    if ((int64_t)call->attempt <= failures) {
        char message[128];
        snprintf(message, sizeof message, "demo.flaky: attempt %u of the %lld planned failures",
                 (unsigned)call->attempt, (long long)failures);
        call->set_error(call, PH_ERR_TRANSIENT, message);
        return PH_ERR_TRANSIENT;
    }
    ph_json_buf out = PH_JSON_BUF_INIT;
    ph_json_buf_append_cstr(&out, "{\"attempt\":");
    ph_json_buf_int64(&out, (int64_t)call->attempt);
    ph_json_buf_append_cstr(&out, ",\"value\":");
    const char *value = NULL;
    size_t value_len = 0;
    if (ph_json_find(call->params_json, call->params_len, "value", &value, &value_len) == PH_JSON_OK) {
        ph_json_buf_append(&out, value, value_len); /* already valid JSON: the host validated it */
    } else {
        ph_json_buf_append_cstr(&out, "null");
    }
    ph_json_buf_append_cstr(&out, "}");
    return demo_output(call, &out);
}

static ph_status demo_slow(ph_call *call) {
    int64_t ms = demo_int(call, "ms", 100);
    int64_t slept = 0;
    while (slept < ms) {
        if (call->is_cancelled(call)) {
            char message[128];
            snprintf(message, sizeof message, "demo.slow: cancelled after %lld of %lld ms",
                     (long long)slept, (long long)ms);
            call->set_error(call, PH_ERR_CANCELLED, message);
            return PH_ERR_CANCELLED;
        }
        struct timespec step = {0, 1000000L}; /* 1 ms, so cancellation is seen within ~1 ms */
        while (nanosleep(&step, &step) != 0 && errno == EINTR) {
        }
        slept += 1;
    }
    ph_json_buf out = PH_JSON_BUF_INIT;
    ph_json_buf_append_cstr(&out, "{\"sleptMs\":");
    ph_json_buf_int64(&out, slept);
    ph_json_buf_append_cstr(&out, "}");
    return demo_output(call, &out);
}

static ph_status demo_fail(ph_call *call) {
    char *message = NULL;
    size_t message_len = 0;
    bool transient = false;
    ph_json_get_bool(call->params_json, call->params_len, "transient", &transient);
    ph_status status = transient ? PH_ERR_TRANSIENT : PH_ERR_EXECUTION;
    if (ph_json_get_string_alloc(call->params_json, call->params_len, "message", &message, &message_len) == PH_JSON_OK) {
        call->set_error(call, status, message);
        free(message);
    } else {
        call->set_error(call, status, "demo failure");
    }
    return status;
}

static ph_status demo_echo(ph_call *call) {
    call->set_output(call, "{}", 2);
    return PH_OK;
}

static ph_status demo_init(const ph_host_api *host, const char *config_json, void **out_state) {
    (void)host;
    (void)config_json;
    *out_state = NULL;
    return PH_OK;
}

static ph_status demo_execute(void *state, ph_call *call) {
    (void)state;
    if (strcmp(call->node_type, "demo.flaky") == 0) return demo_flaky(call);
    if (strcmp(call->node_type, "demo.slow") == 0) return demo_slow(call);
    if (strcmp(call->node_type, "demo.fail") == 0) return demo_fail(call);
    if (strcmp(call->node_type, "demo.echo") == 0) return demo_echo(call);
    call->set_error(call, PH_ERR_UNSUPPORTED, "this plugin has no such node type");
    return PH_ERR_UNSUPPORTED;
}

static void demo_shutdown(void *state) { (void)state; }

static const ph_plugin demo_plugin = {
    sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR, PH_PLUGIN_METADATA_JSON,
    demo_init, demo_execute, demo_shutdown,
};

PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &demo_plugin; }
