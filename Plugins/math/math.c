/*
 * org.plugin-host.math — the four arithmetic operations as nodes.
 *
 * Each node takes numbers `a` and `b` and answers {"result": a OP b}. The host validates the
 * parameters against the schema below before calling, so execute only re-checks what the
 * schema cannot say (b != 0 for division, a finite result). Stateless, hence threadSafe.
 */
#include <plugin_host/params.h>
#include <plugin_host/plugin.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define PH_MATH_SCHEMA                                                                          \
    "\"requiredFields\":[\"a\",\"b\"],"                                                         \
    "\"schema\":{\"type\":\"object\",\"properties\":{"                                          \
    "\"a\":{\"type\":\"number\",\"description\":\"Left operand.\"},"                           \
    "\"b\":{\"type\":\"number\",\"description\":\"Right operand.\"}},"                          \
    "\"required\":[\"a\",\"b\"],\"additionalProperties\":false},"                               \
    "\"supportedVersions\":[1],\"tags\":[\"arithmetic\"]"

#define PH_MATH_NODE(type, what)                                                                \
    "{\"nodeType\":\"" type "\",\"version\":\"1.0.0\",\"category\":\"math\","                   \
    "\"description\":\"" what "\"," PH_MATH_SCHEMA "}"

PH_PLUGIN_METADATA(
    "{\"id\":\"org.plugin-host.math\",\"name\":\"Math\",\"version\":\"1.0.0\",\"abi\":\"1.0\","
    "\"author\":\"plugin-host\",\"license\":\"MIT\","
    "\"description\":\"Adds, subtracts, multiplies and divides two numbers.\","
    "\"threadSafe\":true,\"dependencies\":{},\"nodes\":["
    PH_MATH_NODE("math.add", "Returns a + b.") ","
    PH_MATH_NODE("math.sub", "Returns a - b.") ","
    PH_MATH_NODE("math.mul", "Returns a * b.") ","
    PH_MATH_NODE("math.div", "Returns a / b; b must not be 0.")
    "]}");

/**
 * Reads number `key` from the call's parameters. The host has validated them against the
 * schema, so this fails only for numbers beyond a double's range (e.g. 1e400) or when the
 * plugin is called by a host that skipped validation; either way it is the caller's input.
 */
static ph_status math_operand(ph_call *call, const char *key, double *out) {
    char message[128];
    ph_json_status st = ph_json_get_double(call->params_json, call->params_len, key, out);
    if (st == PH_JSON_OK) return PH_OK;
    if (st == PH_JSON_NOT_FOUND) snprintf(message, sizeof message, "parameter '%s' is required", key);
    else snprintf(message, sizeof message, "parameter '%s' must be a finite number (%s)", key, ph_json_status_name(st));
    call->set_error(call, PH_ERR_INVALID_PARAMETERS, message);
    return PH_ERR_INVALID_PARAMETERS;
}

static ph_status math_init(const ph_host_api *host, const char *config_json, void **out_state) {
    (void)host;
    (void)config_json;
    *out_state = NULL;
    return PH_OK;
}

static ph_status math_execute(void *state, ph_call *call) {
    const char *op = call->node_type;
    double a = 0, b = 0, result;
    ph_json_buf out = PH_JSON_BUF_INIT;
    ph_status st;
    (void)state;
    if ((st = math_operand(call, "a", &a)) != PH_OK) return st;
    if ((st = math_operand(call, "b", &b)) != PH_OK) return st;
    if (strcmp(op, "math.add") == 0) result = a + b;
    else if (strcmp(op, "math.sub") == 0) result = a - b;
    else if (strcmp(op, "math.mul") == 0) result = a * b;
    else if (strcmp(op, "math.div") == 0) {
        if (b == 0) {
            call->set_error(call, PH_ERR_INVALID_PARAMETERS, "division by zero: b must not be 0");
            return PH_ERR_INVALID_PARAMETERS;
        }
        result = a / b;
    } else {
        call->set_error(call, PH_ERR_UNSUPPORTED, "this plugin has no such node type");
        return PH_ERR_UNSUPPORTED;
    }
    if (!isfinite(result)) {
        call->set_error(call, PH_ERR_EXECUTION, "the result is too large to represent (overflow to infinity)");
        return PH_ERR_EXECUTION;
    }
    ph_json_buf_append_cstr(&out, "{\"result\":");
    ph_json_buf_double(&out, result);
    ph_json_buf_append_cstr(&out, "}");
    if (out.failed) {
        ph_json_buf_free(&out);
        call->set_error(call, PH_ERR_EXECUTION, "out of memory while writing the result");
        return PH_ERR_EXECUTION;
    }
    call->set_output(call, out.data, out.len); /* the host copies it */
    ph_json_buf_free(&out);
    return PH_OK;
}

static void math_shutdown(void *state) { (void)state; }

static const ph_plugin math_plugin = {
    sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR, PH_PLUGIN_METADATA_JSON,
    math_init, math_execute, math_shutdown,
};

PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &math_plugin; }
