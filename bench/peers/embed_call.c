/* The embed benchmark's C side: ph_host_execute and its leaner forms called from C through
 * libplugin_host.so, in one process, on math.add {"a":2,"b":3}.
 *
 *   cc -O2 -I sdk/include embed_call.c -L DIR -lplugin_host -Wl,-rpath,DIR -o embed_call
 *   ./embed_call PLUGIN_DIR [CALLS] [BATCHES]
 *
 * Figures (ns per call, median over batches of batch time / calls, result freed each call):
 *   execute.full          ph_host_execute: the whole result document
 *   execute_as.compact    ph_host_execute_as with PH_RESULT_COMPACT
 *   execute_as.output     ph_host_execute_as with PH_RESULT_OUTPUT
 *   node_call.output      ph_node_call_execute (prepared) with PH_RESULT_OUTPUT
 * Prints {"figures": {NAME: NS, …}}. Run by plugin-host-bench; never part of CI. */
#define _POSIX_C_SOURCE 200809L
#include <plugin_host/embed.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static ph_host *host;
static ph_node_call *prepared;
static const char *params = "{\"a\":2,\"b\":3}";

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void fail(const char *what, ph_status status, char *error) {
    fprintf(stderr, "%s returned %d: %s\n", what, (int)status, error ? error : "(no error document)");
    exit(1);
}

static void full(void) {
    char *out = NULL, *error = NULL;
    ph_status st = ph_host_execute(host, NULL, "math.add", params, NULL, &out, &error);
    if (st != PH_OK) fail("ph_host_execute", st, error);
    ph_free(out);
}

static void compact(void) {
    char *out = NULL, *error = NULL;
    ph_status st = ph_host_execute_as(host, NULL, "math.add", params, NULL, PH_RESULT_COMPACT, &out, &error);
    if (st != PH_OK) fail("ph_host_execute_as", st, error);
    ph_free(out);
}

static void output(void) {
    char *out = NULL, *error = NULL;
    ph_status st = ph_host_execute_as(host, NULL, "math.add", params, NULL, PH_RESULT_OUTPUT, &out, &error);
    if (st != PH_OK) fail("ph_host_execute_as", st, error);
    ph_free(out);
}

static void node_call(void) {
    char *out = NULL, *error = NULL;
    ph_status st = ph_node_call_execute(prepared, NULL, PH_RESULT_OUTPUT, &out, &error);
    if (st != PH_OK) fail("ph_node_call_execute", st, error);
    ph_free(out);
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_ns(void (*call)(void), int calls, int batches) {
    for (int i = 0; i < 2000; i++) call();
    double samples[64];
    if (batches > 64) batches = 64;
    for (int b = 0; b < batches; b++) {
        long long start = now_ns();
        for (int i = 0; i < calls; i++) call();
        samples[b] = (double)(now_ns() - start) / calls;
    }
    qsort(samples, (size_t)batches, sizeof samples[0], compare);
    return samples[batches / 2];
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PLUGIN_DIR [CALLS] [BATCHES]\n", argv[0]); return 2; }
    int calls = argc > 2 ? atoi(argv[2]) : 20000, batches = argc > 3 ? atoi(argv[3]) : 11;
    char options[4096], *error = NULL;
    snprintf(options, sizeof options, "{\"pluginPath\":[\"%s\"],\"defaultPlugins\":false}", argv[1]);
    ph_status st = ph_host_create(options, &host, &error);
    if (st != PH_OK) fail("ph_host_create", st, error);
    st = ph_host_load(host, NULL, &error);
    if (st != PH_OK) fail("ph_host_load", st, error);
    char *out = NULL;
    st = ph_host_execute_as(host, NULL, "math.add", params, NULL, PH_RESULT_OUTPUT, &out, &error);
    if (st != PH_OK) fail("math.add", st, error);
    if (strcmp(out, "{\"result\":5}") != 0) { fprintf(stderr, "math.add answered %s\n", out); return 1; }
    ph_free(out);
    st = ph_host_prepare(host, NULL, "math.add", params, &prepared, &error);
    if (st != PH_OK) fail("ph_host_prepare", st, error);

    double f = median_ns(full, calls, batches), c = median_ns(compact, calls, batches);
    double o = median_ns(output, calls, batches), n = median_ns(node_call, calls, batches);
    printf("{\"figures\":{\"execute.full\":%.1f,\"execute_as.compact\":%.1f,\"execute_as.output\":%.1f,"
           "\"node_call.output\":%.1f}}\n", f, c, o, n);
    ph_node_call_destroy(prepared);
    ph_host_destroy(host);
    return 0;
}
