/*
 * plugin_host/embed.h — run the plugin host inside another program (Python, Go, Rust, Node, C).
 *
 * Exported by libplugin_host.so. Every function takes and returns JSON text (UTF-8, NUL-
 * terminated) in the same shapes as the CLI's `--json` output, so whatever a script learns
 * from `plugin-host … --json` holds here too. sdk/EMBEDDING.md documents each function, each
 * document's shape and how to ship the library (the README's "JSON shapes" section shows the
 * documents); sdk/python is a ctypes binding of this header and examples/embed a complete C
 * client.
 *
 * Conventions for every function below:
 *
 * - Status: each returns a ph_status (status.h). PH_OK means the call did what it says;
 *   anything else comes with an error document in *out_error (when out_error is not NULL).
 *   The host never aborts the process over a bad argument: a NULL handle, a NULL required
 *   string, malformed JSON or a JSON value of the wrong shape is PH_ERR_INVALID_ARGUMENT.
 * - Error document: a JSON object {"code": "<stable code>", "message": "<one sentence>"}, plus
 *   "node" or "file" when the error concerns one. Codes are the host's stable problem codes
 *   (README, "Error codes"), e.g. INVALID_ARGUMENT, NODE_TYPE_NOT_FOUND, POLICY_INVALID.
 * - Status from a code: NODE_TYPE_NOT_FOUND and TENANT_UNKNOWN → PH_ERR_NOT_FOUND;
 *   VALIDATION_FAILED and INVALID_PARAMETERS → PH_ERR_INVALID_PARAMETERS;
 *   NODE_TYPE_DISABLED_FOR_TENANT, TENANT_VIOLATION, AUDIT_FAILED → PH_ERR_POLICY;
 *   INVALID_ARGUMENT, POLICY_INVALID, POLICY_TOO_LARGE, WORKFLOW_TOO_LARGE and JSON_TOO_DEEP →
 *   PH_ERR_INVALID_ARGUMENT; EXECUTION_TIMEOUT → PH_ERR_TIMEOUT;
 *   TRANSIENT_ERROR → PH_ERR_TRANSIENT; CREDENTIAL_MISSING → PH_ERR_CREDENTIAL_MISSING;
 *   UNSUPPORTED → PH_ERR_UNSUPPORTED; CANCELLED → PH_ERR_CANCELLED; any other → PH_ERR_EXECUTION.
 *   (One exception, documented there: a workflow refused by validation.)
 * - Ownership: every `char *` the host returns through an out parameter is allocated by the
 *   host and owned by the caller, who frees it with ph_free() (never with free(): the host may
 *   use another allocator). An out parameter is set to NULL when there is nothing to return,
 *   so freeing unconditionally is always correct. Any out parameter may itself be NULL: the
 *   host then does not produce that document (and does not spend time writing it). Input
 *   strings are only read during the call. Returned strings are malloc'd copies: ph_free is
 *   free(), but call ph_free so the library stays free to change allocators.
 * - Threads: one ph_host may be used from many threads at once; every function except
 *   ph_host_destroy is safe to call concurrently on the same handle. Node executions and
 *   workflow runs on one handle proceed in parallel (plugins declared `threadSafe: false`
 *   are serialized by the host). Calls block the calling thread until they finish; they are
 *   meant for the embedder's own threads (not for threads of Swift's concurrency pool).
 * - Handles: a handle that is NULL, already destroyed or never created is reported as
 *   PH_ERR_INVALID_ARGUMENT rather than dereferenced (a destroyed handle's address may be
 *   reused by a later ph_host_create, so do not rely on this to find use-after-destroy bugs).
 */
#ifndef PLUGIN_HOST_EMBED_H
#define PLUGIN_HOST_EMBED_H

#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A running host: its plugin directories, scan report, loaded plugins, policies, statistics.
 *  Opaque; created by ph_host_create, released by ph_host_destroy. */
typedef struct ph_host ph_host;

/**
 * Creates a host. Nothing is scanned or loaded yet.
 *
 * options_json: NULL for the defaults, or an object with any of
 *   "pluginPath": ["dir", …]   plugin directories, searched first; then PLUGIN_HOST_PATH,
 *                              then the default directories (the one holding
 *                              libplugin_host.so, files libph-*.so, and the per-user and system
 *                              plugin directories), as the CLI does; earlier directories win
 *                              when two files declare the same plugin id
 *   "defaultPlugins": true     false leaves the default directories out (pluginPath and
 *                              PLUGIN_HOST_PATH only), like the CLI's --no-default-plugins
 *   "mode": "strict"|"loose"   metadata checking (default "strict")
 *   "initConcurrency": 5       plugins initialized at the same time (≥ 1)
 *   "initTimeoutMs": 5000      time limit of each plugin's init
 *   "policy": {…}              tenant policies, the policy-file format (default: single tenant)
 *   "isolation": "none"|"process"  where node calls run for tenants whose policy does not say
 *                              (default "none": in this process; "process": in worker processes,
 *                              so a plugin that crashes or hangs costs only its call; the
 *                              plugin-host-worker executable must sit beside libplugin_host.so or
 *                              be named by PLUGIN_HOST_WORKER)
 *   "limits": {"memoryMb": N, "cpuSecondsPerCall": N, "outputBytes": N}  worker limits for
 *                              tenants whose policy sets none (default memoryMb 2048)
 *   "inputLimits": {"maximumWorkflowNodes": N, …}  caps on what the host reads (README, "Input
 *                              limits"): maximumWorkflowNodes, maximumWorkflowConnections,
 *                              maximumWorkflowBytes, maximumJSONDepth, maximumPolicyBytes,
 *                              maximumPolicyEntries; each a whole number ≥ 1
 * "pluginPath": [] counts as absent. Unknown keys, values of the wrong type or out of range are
 * PH_ERR_INVALID_ARGUMENT (a misspelt option must not be silently ignored); an invalid policy is
 * POLICY_INVALID (also PH_ERR_INVALID_ARGUMENT). The scan cache and quarantine are kept in
 * memory: the library writes no files of its own (audit logs are written where the policy says).
 * out_host is required (NULL is PH_ERR_INVALID_ARGUMENT). On success *out_host is the new
 * handle; on failure it is set to NULL.
 * The first call installs an exit handler: a plugin that calls exit() while its code runs in
 * this process (a node, its init or shutdown, its constructors) ends the process with status 70
 * and a line on stderr naming the plugin, not with the status it chose. Use "isolation":
 * "process" to keep plugins' exits out of your process altogether.
 */
ph_status ph_host_create(const char *options_json, ph_host **out_host, char **out_error);

/**
 * Releases the handle. NULL is a no-op. Calls already running on it finish normally; later
 * calls with the same pointer are PH_ERR_INVALID_ARGUMENT. Do not start calls on a handle you
 * are destroying (its address may be reused by the next ph_host_create).
 * Plugins are process-wide: every handle shares each loaded library and its initialized
 * instance, and libraries are never unloaded. Destroying the last handle of the process (once
 * no call still uses it) runs every initialized plugin's shutdown once, dependents first; a
 * plugin with a call still running (abandoned after its time limit) is skipped. A handle
 * created after that initializes the plugins again when it loads them. Plugins are not shut
 * down at process exit while a handle is alive: destroy your handles to have them run.
 */
void ph_host_destroy(ph_host *host);

/**
 * Scans plugin directories without running plugin code and remembers the report.
 * dirs_json: a JSON array of directory paths (pattern *.so), or NULL (or []) for the host's
 * configured directories. Given directories take pluginPath's place: they are searched first,
 * then PLUGIN_HOST_PATH, then the defaults unless "defaultPlugins" is false. Other directories
 * become the host's directories from then on: later
 * scans, loads and executions use them; node types and statistics gathered from the previous
 * directories start afresh (policies carry over; plugins already initialized are not
 * initialized again). *out_report_json: the `plugin-host scan --json` document. Returns PH_OK
 * when the scan ran, even if some files were rejected (they are in the report with their problems).
 */
ph_status ph_host_scan(ph_host *host, const char *dirs_json, char **out_report_json, char **out_error);

/**
 * Loads and initializes every plugin the last scan accepted (scanning first if there was
 * none): dependencies first, initConcurrency at a time, each under initTimeoutMs.
 * *out_report_json: the `plugin-host load --json` document plus "problems", the scan's
 * directory problems (DIRECTORY_NOT_FOUND for a plugin directory that does not exist, with its
 * "path"). Returns PH_OK when the load ran, even if some plugins failed to initialize or a
 * directory is missing (the report names them and why).
 */
ph_status ph_host_load(ph_host *host, char **out_report_json, char **out_error);

/**
 * Lists the node types of initialized plugins.
 * *out_nodes_json: an array of {"nodeType", "pluginId", "pluginVersion", "description",
 * "category", "tags", "supportedVersions", "schema"} sorted by node type.
 */
ph_status ph_host_list(ph_host *host, char **out_nodes_json, char **out_error);

/**
 * Executes one node: tenant check, lookup (loading its plugin on demand), parameter
 * validation, call, result — the same pipeline as `plugin-host exec`.
 * tenant: NULL for none (single-tenant mode, or the policy's defaultPolicy).
 * params_json: a JSON object (required). input_json: a JSON array of items, NULL for [].
 * Returns PH_OK exactly when the node succeeded. *out_result_json is the node result
 * (`exec --json` shape) whenever one exists, failures included; *out_error is set too when
 * the node did not succeed.
 */
ph_status ph_host_execute(ph_host *host, const char *tenant, const char *node_type,
                          const char *params_json, const char *input_json,
                          char **out_result_json, char **out_error);

/**
 * Validates and runs a workflow (the JSON `plugin-host run` reads) with its recovery settings.
 * tenant: NULL for none. Returns PH_OK exactly when the run succeeded. *out_result_json is
 * the `plugin-host run --json` document whenever a run result exists, failures included; a
 * workflow that fails validation is not run: PH_ERR_INVALID_PARAMETERS whatever the problems'
 * codes (the result document lists them all; the error document names the first, e.g.
 * WORKFLOW_CYCLE). A run that fails reports the first node (in workflow order) that ended in
 * error: the error document has its code and name ("node"), the status follows from the code.
 * workflow_json that is not a JSON object is PH_ERR_INVALID_ARGUMENT (no result). A workflow past
 * the host's "inputLimits" is refused like an invalid one (WORKFLOW_TOO_LARGE, JSON_TOO_DEEP).
 */
ph_status ph_host_run_workflow(ph_host *host, const char *tenant, const char *workflow_json,
                               char **out_result_json, char **out_error);

/**
 * Replaces the tenant policies (the policy-file format); NULL returns to single-tenant mode.
 * Executions already past their tenant check finish under the previous policies.
 * A malformed policy is rejected (POLICY_INVALID, PH_ERR_INVALID_ARGUMENT) and the previous
 * policies stay in force.
 */
ph_status ph_host_set_policy(ph_host *host, const char *policy_json, char **out_error);

/**
 * Statistics since the host was created: per node type calls, errors and latency
 * percentiles, validation-cache hits and misses, circuit breakers, error metrics (by code,
 * node type and tenant; recent errors). *out_stats_json: the same document as the CLI's.
 */
ph_status ph_host_stats(ph_host *host, char **out_stats_json, char **out_error);

/* Result forms (result_form below): how much of a node result to return. Each is a JSON text. */
enum {
    /** The whole node result, as ph_host_execute returns it (the `exec --json` shape). */
    PH_RESULT_FULL = 0,
    /** {"status": STATUS, "output": OUTPUT}, plus "errorCode" and "error" when the node did not
     *  succeed (STATUS "error"); OUTPUT is null then. */
    PH_RESULT_COMPACT = 1,
    /** The node's output alone (what the full result's "output" would be) when the node
     *  succeeded; no result (NULL) when it did not: *out_error says why. */
    PH_RESULT_OUTPUT = 2
};

/**
 * ph_host_execute with the result in result_form (PH_RESULT_FULL, PH_RESULT_COMPACT or
 * PH_RESULT_OUTPUT): the same pipeline, statistics, status and *out_error; only the result
 * document differs, and the smaller forms cost less to write and to read. Another result_form
 * is PH_ERR_INVALID_ARGUMENT.
 */
ph_status ph_host_execute_as(ph_host *host, const char *tenant, const char *node_type,
                             const char *params_json, const char *input_json, int result_form,
                             char **out_result_json, char **out_error);

/** One node type with its tenant and parameters, read once, to execute many times with
 *  different input: see ph_host_prepare. Opaque. */
typedef struct ph_node_call ph_node_call;

/**
 * Prepares calls of node_type with params_json (a JSON object) for tenant (NULL for none),
 * so each ph_node_call_execute parses only its input. Only the arguments are read here (NULL,
 * malformed JSON or invalid UTF-8: PH_ERR_INVALID_ARGUMENT); every check of the pipeline — the
 * tenant's policy, the lookup, isolation, validation — happens at each execute, under the
 * policies then in force, exactly as ph_host_execute does it (validation of the same
 * parameters is remembered, so it costs a comparison). out_call is required; on failure
 * *out_call is NULL.
 * The call keeps its host alive: ph_host_destroy on the host makes its calls fail with
 * PH_ERR_INVALID_ARGUMENT, and plugins shut down once the host and all its calls are destroyed.
 * A ph_node_call may be executed from many threads at once.
 */
ph_status ph_host_prepare(ph_host *host, const char *tenant, const char *node_type, const char *params_json,
                          ph_node_call **out_call, char **out_error);

/**
 * Executes the prepared call with input_json (a JSON array of items, NULL for []), returning
 * the result in result_form (see PH_RESULT_FULL and the others). Status, result and
 * *out_error as ph_host_execute_as. A call that is NULL or destroyed, or whose host was
 * destroyed, is PH_ERR_INVALID_ARGUMENT.
 */
ph_status ph_node_call_execute(ph_node_call *call, const char *input_json, int result_form,
                               char **out_result_json, char **out_error);

/** Releases a prepared call. NULL is a no-op; later use of the pointer is PH_ERR_INVALID_ARGUMENT. */
void ph_node_call_destroy(ph_node_call *call);

/** Frees a string returned by any function above. NULL is a no-op. */
void ph_free(void *ptr);

/**
 * The host's release and ABI, "VERSION (ABI MAJOR.MINOR)": "0.1.0 (ABI 1.0)" for this release,
 * the same VERSION as `plugin-host --version`. Static storage: never free it.
 */
const char *ph_version(void);

#ifdef __cplusplus
}
#endif

#endif /* PLUGIN_HOST_EMBED_H */
