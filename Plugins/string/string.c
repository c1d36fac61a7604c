/*
 * org.plugin-host.string — text nodes: upper, lower, concat, length.
 *
 * Strings arrive as JSON (any size) and are decoded into malloc'ed buffers sized from the
 * input, transformed, escaped into a growable output buffer, handed to set_output (the host
 * copies it) and freed. No fixed-size buffers, so nothing is ever truncated. Case mapping is
 * ASCII-only on purpose: it is locale-independent and byte-exact, and every non-ASCII byte
 * (the whole of any multi-byte UTF-8 sequence) passes through unchanged, so valid UTF-8 stays
 * valid. Stateless, hence threadSafe.
 */
#include <plugin_host/params.h>
#include <plugin_host/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PH_STRING_TEXT_NODE(type, what)                                                         \
    "{\"nodeType\":\"" type "\",\"version\":\"1.0.0\",\"category\":\"string\","                 \
    "\"description\":\"" what "\",\"requiredFields\":[\"text\"],"                               \
    "\"schema\":{\"type\":\"object\",\"properties\":{"                                          \
    "\"text\":{\"type\":\"string\",\"description\":\"The input text.\"}},"                      \
    "\"required\":[\"text\"],\"additionalProperties\":false},"                                  \
    "\"supportedVersions\":[1],\"tags\":[\"text\"]}"

PH_PLUGIN_METADATA(
    "{\"id\":\"org.plugin-host.string\",\"name\":\"String\",\"version\":\"1.0.0\",\"abi\":\"1.0\","
    "\"author\":\"plugin-host\",\"license\":\"MIT\","
    "\"description\":\"Changes ASCII case, joins strings and counts characters.\","
    "\"threadSafe\":true,\"dependencies\":{},\"nodes\":["
    PH_STRING_TEXT_NODE("string.upper", "Returns text with ASCII letters upper-cased; other bytes unchanged.") ","
    PH_STRING_TEXT_NODE("string.lower", "Returns text with ASCII letters lower-cased; other bytes unchanged.") ","
    "{\"nodeType\":\"string.concat\",\"version\":\"1.0.0\",\"category\":\"string\","
    "\"description\":\"Joins values with separator between them.\",\"requiredFields\":[\"values\"],"
    "\"schema\":{\"type\":\"object\",\"properties\":{"
    "\"values\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"description\":\"The strings to join, in order.\"},"
    "\"separator\":{\"type\":\"string\",\"default\":\"\",\"description\":\"Put between two values.\"}},"
    "\"required\":[\"values\"],\"additionalProperties\":false},"
    "\"supportedVersions\":[1],\"tags\":[\"text\"]},"
    PH_STRING_TEXT_NODE("string.length", "Returns the number of Unicode scalar values (not bytes) in text.")
    "]}");

/** Reports a parameter problem: the host validated the schema, so this is rare but possible. */
static ph_status string_bad_param(ph_call *call, const char *key, ph_json_status st) {
    char message[160];
    if (st == PH_JSON_NO_MEMORY) {
        call->set_error(call, PH_ERR_EXECUTION, "out of memory while reading the parameters");
        return PH_ERR_EXECUTION;
    }
    if (st == PH_JSON_NOT_FOUND) snprintf(message, sizeof message, "parameter '%s' is required", key);
    else snprintf(message, sizeof message, "parameter '%s' has the wrong type (%s)", key, ph_json_status_name(st));
    call->set_error(call, PH_ERR_INVALID_PARAMETERS, message);
    return PH_ERR_INVALID_PARAMETERS;
}

/** Hands {"result": <out's JSON value>} to the host, or reports that memory ran out. */
static ph_status string_finish(ph_call *call, ph_json_buf *out) {
    ph_json_buf_append_cstr(out, "}");
    if (out->failed) {
        ph_json_buf_free(out);
        call->set_error(call, PH_ERR_EXECUTION, "out of memory while writing the result");
        return PH_ERR_EXECUTION;
    }
    call->set_output(call, out->data, out->len); /* the host copies it */
    ph_json_buf_free(out);
    return PH_OK;
}

/** string.upper / string.lower: ASCII letters only; every other byte is copied unchanged. */
static ph_status string_case(ph_call *call, int upper) {
    char *text = NULL;
    size_t len = 0, i;
    ph_json_buf out = PH_JSON_BUF_INIT;
    ph_json_status st = ph_json_get_string_alloc(call->params_json, call->params_len, "text", &text, &len);
    if (st != PH_JSON_OK) return string_bad_param(call, "text", st);
    for (i = 0; i < len; i++) {
        char c = text[i];
        if (upper && c >= 'a' && c <= 'z') text[i] = (char)(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z') text[i] = (char)(c - 'A' + 'a');
    }
    ph_json_buf_append_cstr(&out, "{\"result\":");
    ph_json_buf_string(&out, text, len);
    free(text);
    return string_finish(call, &out);
}

/** string.concat: values joined with separator ("" when absent). */
static ph_status string_concat(ph_call *call) {
    const char *values = NULL, *elem = NULL;
    size_t values_len = 0, elem_len = 0, sep_len = 0, count = 0;
    char *separator = NULL;
    ph_json_iter it;
    ph_json_buf joined = PH_JSON_BUF_INIT, out = PH_JSON_BUF_INIT;
    ph_json_status st = ph_json_find(call->params_json, call->params_len, "values", &values, &values_len);
    if (st == PH_JSON_OK) st = ph_json_array_begin(&it, values, values_len);
    if (st != PH_JSON_OK) return string_bad_param(call, "values", st);
    st = ph_json_get_string_alloc(call->params_json, call->params_len, "separator", &separator, &sep_len);
    if (st != PH_JSON_OK && st != PH_JSON_NOT_FOUND) return string_bad_param(call, "separator", st);
    while ((st = ph_json_array_next(&it, &elem, &elem_len)) == PH_JSON_OK) {
        char *text = NULL;
        size_t len = 0;
        ph_json_status vs = ph_json_value_string_alloc(elem, elem_len, &text, &len);
        if (vs != PH_JSON_OK) {
            free(separator);
            ph_json_buf_free(&joined);
            return string_bad_param(call, "values", vs);
        }
        if (count++ > 0 && sep_len > 0) ph_json_buf_append(&joined, separator, sep_len);
        ph_json_buf_append(&joined, text, len);
        free(text);
    }
    free(separator);
    ph_json_buf_append_cstr(&out, "{\"result\":");
    ph_json_buf_string(&out, joined.data != NULL ? joined.data : "", joined.len);
    if (joined.failed) out.failed = true;
    ph_json_buf_free(&joined);
    return string_finish(call, &out);
}

/** string.length: counts scalar values, i.e. bytes that do not continue a UTF-8 sequence. */
static ph_status string_length(ph_call *call) {
    char *text = NULL;
    size_t len = 0, i;
    int64_t scalars = 0;
    ph_json_buf out = PH_JSON_BUF_INIT;
    ph_json_status st = ph_json_get_string_alloc(call->params_json, call->params_len, "text", &text, &len);
    if (st != PH_JSON_OK) return string_bad_param(call, "text", st);
    for (i = 0; i < len; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80) scalars++;
    }
    free(text);
    ph_json_buf_append_cstr(&out, "{\"result\":");
    ph_json_buf_int64(&out, scalars);
    return string_finish(call, &out);
}

static ph_status string_init(const ph_host_api *host, const char *config_json, void **out_state) {
    (void)host;
    (void)config_json;
    *out_state = NULL;
    return PH_OK;
}

static ph_status string_execute(void *state, ph_call *call) {
    const char *op = call->node_type;
    (void)state;
    if (strcmp(op, "string.upper") == 0) return string_case(call, 1);
    if (strcmp(op, "string.lower") == 0) return string_case(call, 0);
    if (strcmp(op, "string.concat") == 0) return string_concat(call);
    if (strcmp(op, "string.length") == 0) return string_length(call);
    call->set_error(call, PH_ERR_UNSUPPORTED, "this plugin has no such node type");
    return PH_ERR_UNSUPPORTED;
}

static void string_shutdown(void *state) { (void)state; }

static const ph_plugin string_plugin = {
    sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR, PH_PLUGIN_METADATA_JSON,
    string_init, string_execute, string_shutdown,
};

PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &string_plugin; }
