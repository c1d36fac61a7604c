/// C source of a scriptable embed.h client: each command-line "op" makes one call and prints
/// one JSON line, `{"op", "status", "doc", "error"}`, where doc and error are the documents the
/// host returned (raw JSON, or null). Tests run a sequence of ops on one handle and assert
/// on the lines.
///
/// Arguments spelled `@null` are passed as NULL; `@bytes:TEXT` passes TEXT with each `%XX`
/// replaced by that byte (how a test hands over invalid UTF-8). Out parameters start as a garbage sentinel,
/// so a function that forgets to set one to NULL shows up as the string "NOT_CLEARED" instead
/// of going unnoticed.
///
/// Ops: `create OPTIONS`, `create-no-out OPTIONS`, `scan DIRS`, `load`, `list`,
/// `exec TENANT TYPE PARAMS INPUT`, `exec-no-outs TENANT TYPE PARAMS INPUT` (NULL out params),
/// `run TENANT WORKFLOW`, `policy POLICY`, `stats`, `destroy` (the handle stays in the
/// variable, so later ops use a stale pointer), `null-host FUNCTION`, `no-outs FUNCTION`
/// (every out parameter NULL), `version`, `free-null`, `rename FROM TO` (rename(2) between
/// calls, to change the files under a host; status is rename's return value),
/// `exec-as TENANT TYPE PARAMS INPUT FORM` (ph_host_execute_as), `prepare TENANT TYPE PARAMS`
/// (ph_host_prepare; the call stays in a variable like the handle), `call-exec INPUT FORM`
/// (ph_node_call_execute), `call-destroy` (the pointer stays in the variable).
let embedDriverSource = #"""
#include <plugin_host/embed.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char sentinel_byte;
#define SENTINEL (&sentinel_byte)

static const char *arg(const char *text) {
    if (strcmp(text, "@null") == 0) return NULL;
    if (strncmp(text, "@bytes:", 7) != 0) return text;
    const char *in = text + 7;
    char *out = malloc(strlen(in) + 1), *next = out;  /* kept until the process exits */
    while (*in) {
        unsigned int byte;
        if (in[0] == '%' && sscanf(in + 1, "%2x", &byte) == 1) { *next++ = (char)byte; in += 3; }
        else *next++ = *in++;
    }
    *next = 0;
    return out;
}

static void print_doc(const char *name, char *doc) {
    printf(",\"%s\":", name);
    if (doc == SENTINEL) printf("\"NOT_CLEARED\"");
    else if (doc == NULL) printf("null");
    else printf("%s", doc);
    if (doc != SENTINEL) ph_free(doc);
}

static void report(const char *op, ph_status status, char *doc, char *error) {
    printf("{\"op\":\"%s\",\"status\":%d", op, (int)status);
    print_doc("doc", doc);
    print_doc("error", error);
    printf("}\n");
    fflush(stdout);
}

/* Calls FUNCTION with the handle `host` and every out parameter NULL; returns its status. */
static ph_status call_without_outs(ph_host *host, const char *function) {
    if (strcmp(function, "scan") == 0) return ph_host_scan(host, NULL, NULL, NULL);
    if (strcmp(function, "load") == 0) return ph_host_load(host, NULL, NULL);
    if (strcmp(function, "list") == 0) return ph_host_list(host, NULL, NULL);
    if (strcmp(function, "exec") == 0) return ph_host_execute(host, NULL, "math.add", "{\"a\":1,\"b\":2}", NULL, NULL, NULL);
    if (strcmp(function, "exec-fail") == 0) return ph_host_execute(host, NULL, "math.div", "{\"a\":1,\"b\":0}", NULL, NULL, NULL);
    if (strcmp(function, "run") == 0) return ph_host_run_workflow(host, NULL, "{\"nodes\":[{\"name\":\"D\",\"type\":\"math.div\",\"typeVersion\":1,\"parameters\":{\"a\":1,\"b\":0}}]}", NULL, NULL);
    if (strcmp(function, "policy") == 0) return ph_host_set_policy(host, NULL, NULL);
    if (strcmp(function, "stats") == 0) return ph_host_stats(host, NULL, NULL);
    fprintf(stderr, "unknown function %s\n", function);
    exit(2);
}

/* Calls FUNCTION with a NULL handle, reporting status and error document. */
static void call_null_host(const char *function) {
    char *doc = SENTINEL, *error = SENTINEL;
    ph_status st;
    if (strcmp(function, "scan") == 0) st = ph_host_scan(NULL, NULL, &doc, &error);
    else if (strcmp(function, "load") == 0) st = ph_host_load(NULL, &doc, &error);
    else if (strcmp(function, "list") == 0) st = ph_host_list(NULL, &doc, &error);
    else if (strcmp(function, "exec") == 0) st = ph_host_execute(NULL, NULL, "math.add", "{}", NULL, &doc, &error);
    else if (strcmp(function, "run") == 0) st = ph_host_run_workflow(NULL, NULL, "{}", &doc, &error);
    else if (strcmp(function, "policy") == 0) { doc = NULL; st = ph_host_set_policy(NULL, NULL, &error); }
    else if (strcmp(function, "stats") == 0) st = ph_host_stats(NULL, &doc, &error);
    else if (strcmp(function, "destroy") == 0) { ph_host_destroy(NULL); report("null-host", 0, NULL, NULL); return; }
    else { fprintf(stderr, "unknown function %s\n", function); exit(2); }
    report("null-host", st, doc, error);
}

int main(int argc, char **argv) {
    ph_host *host = NULL;
    ph_node_call *call = NULL;
    int i = 1;
    while (i < argc) {
        const char *op = argv[i++];
        char *doc = SENTINEL, *error = SENTINEL;
        ph_status st;
#define NEED(n) do { if (i + (n) > argc) { fprintf(stderr, "%s needs %d arguments\n", op, (n)); return 2; } } while (0)
        if (strcmp(op, "create") == 0) {
            NEED(1);
            ph_host *created = (ph_host *)SENTINEL;
            st = ph_host_create(arg(argv[i++]), &created, &error);
            if (created == (ph_host *)SENTINEL) { fprintf(stderr, "out_host not set\n"); return 3; }
            if (st == PH_OK) host = created;
            else if (created != NULL) { fprintf(stderr, "out_host not NULL after failure\n"); return 3; }
            report(op, st, NULL, error);
        } else if (strcmp(op, "create-no-out") == 0) {
            NEED(1);
            st = ph_host_create(arg(argv[i++]), NULL, &error);
            report(op, st, NULL, error);
        } else if (strcmp(op, "scan") == 0) {
            NEED(1);
            st = ph_host_scan(host, arg(argv[i++]), &doc, &error);
            report(op, st, doc, error);
        } else if (strcmp(op, "load") == 0) {
            st = ph_host_load(host, &doc, &error);
            report(op, st, doc, error);
        } else if (strcmp(op, "list") == 0) {
            st = ph_host_list(host, &doc, &error);
            report(op, st, doc, error);
        } else if (strcmp(op, "exec") == 0 || strcmp(op, "exec-no-outs") == 0) {
            NEED(4);
            const char *tenant = arg(argv[i]), *type = arg(argv[i + 1]);
            const char *params = arg(argv[i + 2]), *input = arg(argv[i + 3]);
            i += 4;
            if (strcmp(op, "exec") == 0) {
                st = ph_host_execute(host, tenant, type, params, input, &doc, &error);
                report(op, st, doc, error);
            } else {
                st = ph_host_execute(host, tenant, type, params, input, NULL, NULL);
                report(op, st, NULL, NULL);
            }
        } else if (strcmp(op, "exec-as") == 0) {
            NEED(5);
            st = ph_host_execute_as(host, arg(argv[i]), arg(argv[i + 1]), arg(argv[i + 2]), arg(argv[i + 3]),
                                    atoi(argv[i + 4]), &doc, &error);
            i += 5;
            report(op, st, doc, error);
        } else if (strcmp(op, "prepare") == 0) {
            NEED(3);
            ph_node_call *prepared = (ph_node_call *)SENTINEL;
            st = ph_host_prepare(host, arg(argv[i]), arg(argv[i + 1]), arg(argv[i + 2]), &prepared, &error);
            i += 3;
            if (prepared == (ph_node_call *)SENTINEL) { fprintf(stderr, "out_call not set\n"); return 3; }
            if (st == PH_OK) call = prepared;
            else if (prepared != NULL) { fprintf(stderr, "out_call not NULL after failure\n"); return 3; }
            report(op, st, NULL, error);
        } else if (strcmp(op, "call-exec") == 0) {
            NEED(2);
            st = ph_node_call_execute(call, arg(argv[i]), atoi(argv[i + 1]), &doc, &error);
            i += 2;
            report(op, st, doc, error);
        } else if (strcmp(op, "call-destroy") == 0) {
            ph_node_call_destroy(call);
            report(op, 0, NULL, NULL);
        } else if (strcmp(op, "run") == 0) {
            NEED(2);
            const char *tenant = arg(argv[i]), *workflow = arg(argv[i + 1]);
            i += 2;
            st = ph_host_run_workflow(host, tenant, workflow, &doc, &error);
            report(op, st, doc, error);
        } else if (strcmp(op, "policy") == 0) {
            NEED(1);
            st = ph_host_set_policy(host, arg(argv[i++]), &error);
            report(op, st, NULL, error);
        } else if (strcmp(op, "stats") == 0) {
            st = ph_host_stats(host, &doc, &error);
            report(op, st, doc, error);
        } else if (strcmp(op, "destroy") == 0) {
            ph_host_destroy(host);
            report(op, 0, NULL, NULL);
        } else if (strcmp(op, "null-host") == 0) {
            NEED(1);
            call_null_host(argv[i++]);
        } else if (strcmp(op, "no-outs") == 0) {
            NEED(1);
            st = call_without_outs(host, argv[i++]);
            report(op, st, NULL, NULL);
        } else if (strcmp(op, "version") == 0) {
            const char *version = ph_version();
            printf("{\"op\":\"version\",\"status\":0,\"doc\":\"%s\",\"error\":null,\"same\":%s}\n", version,
                   version == ph_version() ? "true" : "false");
        } else if (strcmp(op, "rename") == 0) {
            NEED(2);
            int renamed = rename(argv[i], argv[i + 1]);
            i += 2;
            report(op, renamed, NULL, NULL);
        } else if (strcmp(op, "free-null") == 0) {
            ph_free(NULL);
            report(op, 0, NULL, NULL);
        } else {
            fprintf(stderr, "unknown op %s\n", op);
            return 2;
        }
    }
    return 0;
}
"""#
