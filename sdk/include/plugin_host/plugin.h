/*
 * plugin_host/plugin.h — what a plugin implements. ABI 1.0.
 *
 * A plugin is a shared library that exports exactly one function, ph_plugin_entry(), and
 * embeds its metadata JSON with PH_PLUGIN_METADATA(...) so the host can read and check it from
 * the file without running any plugin code. Build with -fvisibility=hidden; PH_EXPORT marks the
 * one symbol that must stay visible.
 *
 * Tags used below (CLAP style); every callback carries one:
 *   [thread-safe]  may be called from any thread, at the same time as other calls.
 *   [init-thread]  called on the thread running this plugin's init; never concurrently.
 *   [call-thread]  called on the thread running this execute(); valid only until it returns.
 *   [serialized]   called from any host thread, but never at the same time as another call
 *                  into the same plugin instance.
 *   [host-owned]   memory the host owns; the plugin reads it and never frees it.
 *   [plugin-owned] memory the plugin owns; it must stay valid for as long as stated.
 *
 * Ownership in one sentence: the host copies whatever it is handed, and nothing is ever freed
 * across the boundary. All strings are UTF-8. JSON strings are passed with explicit lengths
 * where they may be large; they are also NUL-terminated for convenience.
 *
 * Structs only grow at the end. Each starts with struct_size so the reader can tell which
 * fields exist: check struct_size before touching a field added in a later minor version,
 * with PH_HAS_FIELD(ptr, type, field).
 *
 * C++ plugins: no exception may leave a callback (execute, init, shutdown, ph_plugin_entry).
 * Catch everything at the boundary and report it with set_error / set_init_error; an exception
 * that unwinds into the host terminates the process.
 */
#ifndef PLUGIN_HOST_PLUGIN_H
#define PLUGIN_HOST_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "version.h"

#ifdef __cplusplus
#define PH_EXTERN_C extern "C"
extern "C" {
#else
#define PH_EXTERN_C
#endif

/** Marks the entry point so it stays visible when the plugin is built -fvisibility=hidden. */
#define PH_EXPORT PH_EXTERN_C __attribute__((visibility("default")))

/**
 * Non-zero when the struct at ptr (whose first member is struct_size) is large enough to hold
 * type's field, i.e. the side that filled it in knew that field. Read a field added after
 * ABI 1.0 only when this is true; fields of 1.0 are always there.
 *   if (PH_HAS_FIELD(info, ph_ext_host_info, plugin_path)) use(info->plugin_path);
 */
#define PH_HAS_FIELD(ptr, type, field) \
    ((ptr) != NULL && (size_t)(ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/** Log levels for ph_host_api.log and ph_call.log. */
#define PH_LOG_DEBUG 0
#define PH_LOG_INFO 1
#define PH_LOG_WARNING 2
#define PH_LOG_ERROR 3

/* ---------------------------------------------------------------------------------------- */
/* Metadata embedded in the file                                                            */
/* ---------------------------------------------------------------------------------------- */

/** The ELF section, note owner name and note type that carry the metadata JSON. */
#define PH_METADATA_SECTION ".note.plugin_host"
#define PH_METADATA_NOTE_NAME "plugin-host"
#define PH_METADATA_NOTE_TYPE 0x50480001u

/*
 * Keeps clang's AddressSanitizer from padding the note with a redzone (and raising the
 * section's alignment to 32), which would corrupt the note section in sanitizer builds.
 * GCC never instruments variables placed in a named section, so it needs nothing.
 */
#if defined(__clang__)
#define PH_NOTE_NO_SANITIZE __attribute__((no_sanitize("address")))
#else
#define PH_NOTE_NO_SANITIZE
#endif

/**
 * Embeds the plugin's metadata JSON (a string literal) as an ELF note the host reads from the
 * file without loading it. Use it once, at file scope, in one source file of the plugin.
 * PH_PLUGIN_METADATA_JSON then names the same bytes, for ph_plugin.metadata_json.
 * Keep the note: do not strip it, and pass -Wl,--undefined=ph_plugin_entry with --gc-sections.
 */
#define PH_PLUGIN_METADATA(json)                                                            \
    __attribute__((section(PH_METADATA_SECTION), used, aligned(4))) PH_NOTE_NO_SANITIZE     \
    static const struct {                                                                   \
        uint32_t namesz;                                                                    \
        uint32_t descsz;                                                                    \
        uint32_t type;                                                                      \
        char name[12];                                                                      \
        char desc[sizeof(json)];                                                            \
    } ph_plugin_metadata_note = {12u, (uint32_t)sizeof(json), PH_METADATA_NOTE_TYPE,        \
                                 PH_METADATA_NOTE_NAME, json}

/** The metadata bytes embedded by PH_PLUGIN_METADATA, NUL-terminated. */
#define PH_PLUGIN_METADATA_JSON (ph_plugin_metadata_note.desc)

/* ---------------------------------------------------------------------------------------- */
/* What the host gives the plugin                                                           */
/* ---------------------------------------------------------------------------------------- */

typedef struct ph_host_api ph_host_api;
typedef struct ph_call ph_call;

/**
 * The host, as one plugin sees it. [host-owned] valid from init until after shutdown; each
 * loaded plugin gets its own instance, so the host knows who is calling.
 */
struct ph_host_api {
    /** sizeof(ph_host_api) as the host compiled it; check it before reading later fields. */
    uint32_t struct_size;
    /** The host's ABI major version. */
    uint16_t abi_major;
    /** The host's ABI minor version. */
    uint16_t abi_minor;
    /** Opaque to the plugin; the host's own bookkeeping. [host-owned] */
    void *host_data;
    /**
     * Looks up a host service by versioned name (PH_EXT_HOST_INFO, "ph.host-info/1", is the
     * one this ABI defines). Returns a [host-owned] table valid until shutdown, or NULL when
     * this host does not offer it. [thread-safe]
     */
    const void *(*get_extension)(const ph_host_api *host, const char *name);
    /** Writes a log line attributed to this plugin; the host copies message. [thread-safe] */
    void (*log)(const ph_host_api *host, int32_t level, const char *message);
    /**
     * Records why init is failing; the host copies message and reports it with INIT_FAILED.
     * Call it before returning a non-zero status from init. [init-thread]
     */
    void (*set_init_error)(const ph_host_api *host, const char *message);
};

/**
 * One node execution. [host-owned] every pointer in it is valid only until execute returns;
 * copy anything you keep. The callbacks are [call-thread] unless marked otherwise.
 */
struct ph_call {
    /** sizeof(ph_call) as the host compiled it. */
    uint32_t struct_size;
    /** 1 for the first attempt, 2 for the first retry, and so on. */
    uint32_t attempt;
    /** The node type being executed, e.g. "math.add". */
    const char *node_type;
    /** The node's parameters: a JSON object, already validated against the node's schema. */
    const char *params_json;
    /** Length of params_json in bytes, without the terminating NUL. */
    size_t params_len;
    /** The node's input items: a JSON array (its parents' outputs), "[]" when there are none. */
    const char *input_json;
    /** Length of input_json in bytes, without the terminating NUL. */
    size_t input_len;
    /** The tenant the call runs for; "" in single-tenant mode. */
    const char *tenant_id;
    /** Unique id of this execution (shared by its retries), for logs and idempotency keys. */
    const char *execution_id;
    /** Opaque to the plugin; the host's own bookkeeping. [host-owned] */
    void *host_data;
    /**
     * Sets the node's output: a JSON value of len bytes (NUL not needed). The host copies it;
     * a later call replaces an earlier one. Output that is not valid JSON is an EXECUTION_ERROR.
     * [call-thread]
     */
    void (*set_output)(ph_call *call, const char *json, size_t len);
    /**
     * Describes the failure reported by a non-zero return from execute; the host copies
     * message (may be NULL). The returned status decides that the call failed; code decides
     * which error it is (PH_ERR_TRANSIENT is retried, PH_ERR_INVALID_PARAMETERS is not, ...),
     * so a plugin may return one generic failure status. A code outside PH_ERR_INVALID_PARAMETERS
     * .. PH_ERR_CANCELLED (PH_OK, or the host-side codes) is ignored and the returned status
     * stands. Ignored when execute returns PH_OK. [call-thread]
     */
    void (*set_error)(ph_call *call, ph_status code, const char *message);
    /**
     * Returns non-zero once the host has stopped waiting (timeout or cancellation); a long
     * node should poll it and return PH_ERR_CANCELLED. [thread-safe]
     */
    int32_t (*is_cancelled)(const ph_call *call);
    /** Writes a log line attributed to this execution; the host copies message. [call-thread] */
    void (*log)(ph_call *call, int32_t level, const char *message);
};

/* ---------------------------------------------------------------------------------------- */
/* What the plugin gives the host                                                           */
/* ---------------------------------------------------------------------------------------- */

/**
 * The plugin's descriptor. [plugin-owned] must stay valid, unchanged, for the life of the
 * process (make it a static const). Every callback must be non-NULL.
 */
typedef struct ph_plugin {
    /** sizeof(ph_plugin) as the plugin compiled it. */
    uint32_t struct_size;
    /** PH_ABI_VERSION_MAJOR the plugin was built against. */
    uint16_t abi_major;
    /** PH_ABI_VERSION_MINOR the plugin was built against. */
    uint16_t abi_minor;
    /**
     * The metadata JSON, NUL-terminated: exactly the bytes embedded in the file
     * (PH_PLUGIN_METADATA_JSON) or in the sidecar. The host checks they match after loading.
     */
    const char *metadata_json;
    /**
     * Called once per lifetime, before any execute, with the plugin's configuration as a JSON object
     * ("{}" when none). Keep it quick: the host waits a bounded time, then abandons the call
     * and quarantines the plugin. Store per-instance state in *out_state. On failure call
     * host->set_init_error and return non-zero. [init-thread]
     */
    ph_status (*init)(const ph_host_api *host, const char *config_json, void **out_state);
    /**
     * Runs one node. Report the result with call->set_output, or call->set_error plus a
     * non-zero status. [thread-safe] when the metadata says "threadSafe": true; otherwise
     * [serialized]: the host never runs two calls into this plugin at once.
     */
    ph_status (*execute)(void *state, ph_call *call);
    /**
     * Releases what init acquired. Called once per successful init, after the last execute
     * has returned: when plugin-host exits cleanly (the command finished, whatever its exit
     * status), when the last embed handle of a process is destroyed (embed.h), and when a worker
     * process's host goes away. Dependents are shut down before the plugins they depend on. It
     * does not run when the process crashes, is killed or a plugin calls exit(), nor for a
     * plugin with a call still running past its time limit. After shutdown the same process may
     * call init again (a new embed handle): keep state in *out_state, not in globals that init
     * assumes are fresh. [serialized]
     */
    void (*shutdown)(void *state);
} ph_plugin;

/**
 * The one symbol a plugin exports. Returns a [plugin-owned] descriptor valid for the life of
 * the process. Must not allocate, block or call back into the host. [thread-safe]
 */
PH_EXPORT const ph_plugin *ph_plugin_entry(void);

/** Signature of ph_plugin_entry, for hosts that bind it with dlsym. */
typedef const ph_plugin *(*ph_plugin_entry_fn)(void);

/* ---------------------------------------------------------------------------------------- */
/* Host services, reached with ph_host_api.get_extension                                    */
/* ---------------------------------------------------------------------------------------- */

/** Name of the host-information service, version 1. */
#define PH_EXT_HOST_INFO "ph.host-info/1"

/** ph.host-info/1: facts about the running host. [host-owned] valid until shutdown. */
typedef struct ph_ext_host_info {
    /** sizeof(ph_ext_host_info) as the host compiled it. */
    uint32_t struct_size;
    /** The host's version string, e.g. "0.1.0". */
    const char *host_version;
    /** Absolute path of the plugin's own file. */
    const char *plugin_path;
} ph_ext_host_info;

#ifdef __cplusplus
}
#endif

#endif /* PLUGIN_HOST_PLUGIN_H */
