/// Metadata the header probe embeds; the tests read it back from the note.
let headerProbeMetadata = #"{"id":"org.test.probe","version":"1.0.0","abi":"1.0","nodes":[{"nodeType":"probe.run"}]}"#

/// A translation unit that uses every SDK header the way a plugin does: all headers, the
/// metadata macro, a full descriptor, the entry point, host services and the params.h
/// helpers. Valid as C11 and as C++17, so one source checks both languages.
let headerProbeSource = #"""
#include <plugin_host/plugin.h>
#include <plugin_host/params.h>
#include <plugin_host/status.h>
#include <plugin_host/version.h>

PH_PLUGIN_METADATA("{\"id\":\"org.test.probe\",\"version\":\"1.0.0\",\"abi\":\"1.0\",\"nodes\":[{\"nodeType\":\"probe.run\"}]}");

static ph_status probe_init(const ph_host_api *host, const char *config_json, void **out_state) {
    const ph_ext_host_info *info = (const ph_ext_host_info *)host->get_extension(host, PH_EXT_HOST_INFO);
    if (info != NULL && info->struct_size >= sizeof *info) host->log(host, PH_LOG_INFO, info->host_version);
    (void)config_json;
    *out_state = NULL;
    return PH_OK;
}

static ph_status probe_execute(void *state, ph_call *call) {
    double d = 0;
    int64_t n = 0;
    bool b = false;
    char text[16];
    size_t len = 0;
    char *owned = NULL;
    const char *tok = NULL, *elem = NULL;
    size_t tok_len = 0, elem_len = 0;
    ph_json_iter it;
    ph_json_buf out = PH_JSON_BUF_INIT;
    (void)state;
    if (call->is_cancelled(call)) return PH_ERR_CANCELLED;
    if (ph_json_get_double(call->params_json, call->params_len, "a", &d) != PH_JSON_OK) {
        call->set_error(call, PH_ERR_INVALID_PARAMETERS, "a must be a number");
        return PH_ERR_INVALID_PARAMETERS;
    }
    (void)ph_json_get_int64(call->params_json, call->params_len, "n", &n);
    (void)ph_json_get_bool(call->params_json, call->params_len, "b", &b);
    (void)ph_json_get_string(call->params_json, call->params_len, "s", text, sizeof text, &len);
    (void)ph_json_get_string_alloc(call->params_json, call->params_len, "s", &owned, &len);
    free(owned);
    if (ph_json_find(call->params_json, call->params_len, "list", &tok, &tok_len) == PH_JSON_OK &&
        ph_json_array_begin(&it, tok, tok_len) == PH_JSON_OK) {
        while (ph_json_array_next(&it, &elem, &elem_len) == PH_JSON_OK) call->log(call, PH_LOG_DEBUG, "element");
    }
    ph_json_buf_append_cstr(&out, "{\"result\":");
    ph_json_buf_double(&out, d);
    ph_json_buf_append_cstr(&out, ",\"n\":");
    ph_json_buf_int64(&out, n);
    ph_json_buf_append_cstr(&out, ",\"s\":");
    ph_json_buf_string(&out, text, len < sizeof text ? len : 0);
    ph_json_buf_append(&out, "}", 1);
    if (out.failed) {
        call->set_error(call, PH_ERR_EXECUTION, ph_json_status_name(PH_JSON_NO_MEMORY));
        ph_json_buf_free(&out);
        return PH_ERR_EXECUTION;
    }
    call->set_output(call, out.data, out.len);
    ph_json_buf_free(&out);
    return b ? PH_OK : PH_ERR_TRANSIENT;
}

static void probe_shutdown(void *state) { (void)state; }

static const ph_plugin probe_plugin = {
    sizeof(ph_plugin), PH_ABI_VERSION_MAJOR, PH_ABI_VERSION_MINOR, PH_PLUGIN_METADATA_JSON,
    probe_init, probe_execute, probe_shutdown,
};

PH_EXPORT const ph_plugin *ph_plugin_entry(void) { return &probe_plugin; }

/* The typedef a host binds the entry with must accept the exported function. */
static const ph_plugin_entry_fn probe_entry_check = ph_plugin_entry;
const ph_plugin *probe_entry_again(void);
const ph_plugin *probe_entry_again(void) { return probe_entry_check(); }
static const char probe_abi[] = PH_ABI_VERSION_STRING;
static const char probe_section[] = PH_METADATA_SECTION;
const char *probe_names(int which);
const char *probe_names(int which) { return which ? probe_abi : probe_section; }
"""#
