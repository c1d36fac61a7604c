/// C source of a minimal host for one call, used to run the example plugins in tests.
///
/// It loads PLUGIN the way the host does (`RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE`, never
/// unloaded), finds the plugin's metadata note in the loaded image (`dl_iterate_phdr`) and
/// compares it with `metadata_json`, runs `init` and one `execute`, and prints what the plugin
/// handed back, one `key=value` line each. The host's own loader is tested elsewhere; this lets
/// the SDK tests check the plugins against the ABI alone. PARAMS may be `@FILE` to read them
/// from a file (argv is limited to 128 KiB per argument).
let pluginDriverSource = #"""
#define _GNU_SOURCE
#include <plugin_host/plugin.h>
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *output; size_t output_len; int has_output; ph_status code; char *message; } result;

static void set_output(ph_call *call, const char *json, size_t len) {
    result *r = (result *)call->host_data;
    free(r->output);
    r->output = (char *)malloc(len + 1);
    memcpy(r->output, json, len);
    r->output[len] = 0;
    r->output_len = len;
    r->has_output = 1;
}
static void set_error(ph_call *call, ph_status code, const char *message) {
    result *r = (result *)call->host_data;
    r->code = code;
    free(r->message);
    r->message = message ? strdup(message) : NULL;
}
static int32_t is_cancelled(const ph_call *call) { (void)call; return 0; }
static void call_log(ph_call *call, int32_t level, const char *message) { (void)call; fprintf(stderr, "log %d %s\n", level, message); }
static const void *get_extension(const ph_host_api *host, const char *name) { (void)host; (void)name; return NULL; }
static void host_log(const ph_host_api *host, int32_t level, const char *message) { (void)host; fprintf(stderr, "hostlog %d %s\n", level, message); }
static void set_init_error(const ph_host_api *host, const char *message) { (void)host; printf("init_error=%s\n", message); }

static const char *wanted_path;
static const char *note_desc;
static size_t note_len;

static int find_note(struct dl_phdr_info *info, size_t size, void *data) {
    int i;
    (void)size; (void)data;
    if (info->dlpi_name == NULL || strcmp(info->dlpi_name, wanted_path) != 0) return 0;
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        const char *p, *end;
        if (ph->p_type != PT_NOTE) continue;
        p = (const char *)(info->dlpi_addr + ph->p_vaddr);
        end = p + ph->p_memsz;
        while (p + 12 <= end) {
            const uint32_t *h = (const uint32_t *)(const void *)p;
            uint32_t namesz = h[0], descsz = h[1], type = h[2];
            const char *name = p + 12;
            const char *desc = name + ((namesz + 3u) & ~3u);
            if (type == PH_METADATA_NOTE_TYPE && namesz == 12 && memcmp(name, PH_METADATA_NOTE_NAME, 12) == 0) {
                note_desc = desc;
                note_len = descsz;
            }
            p = desc + ((descsz + 3u) & ~3u);
        }
    }
    return 1;
}

/* Reads the whole of path into a malloc'ed, NUL-terminated buffer (NULL on failure). */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *data;
    long size;
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = (char *)malloc((size_t)size + 1);
    if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) { free(data); data = NULL; }
    fclose(f);
    if (data != NULL) { data[size] = 0; *len = (size_t)size; }
    return data;
}

int main(int argc, char **argv) {
    void *lib, *state = NULL;
    ph_plugin_entry_fn entry;
    const ph_plugin *plugin;
    ph_host_api host;
    ph_call call;
    result r;
    ph_status st;
    if (argc != 4) { fprintf(stderr, "usage: drive PLUGIN NODE_TYPE PARAMS\n"); return 2; }
    wanted_path = argv[1];
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (lib == NULL) { printf("dlopen failed: %s\n", dlerror()); return 1; }
    *(void **)(&entry) = dlsym(lib, "ph_plugin_entry");
    if (entry == NULL) { printf("no entry\n"); return 1; }
    plugin = entry();
    dl_iterate_phdr(find_note, NULL);
    printf("abi=%u.%u struct_size_ok=%d\n", plugin->abi_major, plugin->abi_minor, plugin->struct_size == sizeof(ph_plugin));
    printf("note_matches_descriptor=%d\n", note_desc != NULL && note_len == strlen(plugin->metadata_json) + 1
           && memcmp(note_desc, plugin->metadata_json, note_len) == 0);
    memset(&host, 0, sizeof host);
    host.struct_size = sizeof host; host.abi_major = 1; host.abi_minor = 0;
    host.get_extension = get_extension; host.log = host_log; host.set_init_error = set_init_error;
    st = plugin->init(&host, "{}", &state);
    printf("init=%d\n", st);
    if (st != PH_OK) return 1;
    memset(&r, 0, sizeof r);
    memset(&call, 0, sizeof call);
    call.struct_size = sizeof call; call.attempt = 1; call.node_type = argv[2];
    if (argv[3][0] == '@') {
        char *params = read_file(argv[3] + 1, &call.params_len);
        if (params == NULL) { printf("cannot read %s\n", argv[3] + 1); return 1; }
        call.params_json = params;
    } else {
        call.params_json = argv[3];
        call.params_len = strlen(argv[3]);
    }
    call.input_json = "[]"; call.input_len = 2; call.tenant_id = ""; call.execution_id = "test-1";
    call.host_data = &r; call.set_output = set_output; call.set_error = set_error;
    call.is_cancelled = is_cancelled; call.log = call_log;
    st = plugin->execute(state, &call);
    printf("status=%d\n", st);
    if (r.has_output) printf("output=%s\n", r.output);
    if (st != PH_OK) printf("error=%d %s\n", r.code, r.message ? r.message : "(none)");
    plugin->shutdown(state);
    free(r.output); free(r.message);
    return 0;
}
"""#
