/// C source of a program that exercises `plugin_host/params.h` and prints what it sees.
///
/// `params_test GROUP` runs one group of cases; the Swift tests assert the exact lines. Inputs
/// are copied into exact-size heap blocks without a NUL, so a helper reading past the length
/// it was given would read garbage (and fail the expected output) instead of a terminator.
let paramsProgramSource = #"""
#include <plugin_host/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *exact(const char *text, size_t len) {
    char *copy = (char *)malloc(len ? len : 1);
    memcpy(copy, text, len);
    return copy;
}

static void show_bytes(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F) putchar(c); else printf("<%02X>", c);
    }
}

static void dbl(const char *label, const char *json, const char *key) {
    double d = 0;
    char *j = exact(json, strlen(json));
    ph_json_status st = ph_json_get_double(j, strlen(json), key, &d);
    printf("%s: %s", label, ph_json_status_name(st));
    if (st == PH_JSON_OK) printf(" %.17g", d);
    printf("\n");
    free(j);
}

static void i64(const char *label, const char *json, const char *key) {
    int64_t v = 0;
    char *j = exact(json, strlen(json));
    ph_json_status st = ph_json_get_int64(j, strlen(json), key, &v);
    printf("%s: %s", label, ph_json_status_name(st));
    if (st == PH_JSON_OK) printf(" %lld", (long long)v);
    printf("\n");
    free(j);
}

static void boo(const char *label, const char *json, const char *key) {
    bool v = false;
    char *j = exact(json, strlen(json));
    ph_json_status st = ph_json_get_bool(j, strlen(json), key, &v);
    printf("%s: %s", label, ph_json_status_name(st));
    if (st == PH_JSON_OK) printf(" %s", v ? "true" : "false");
    printf("\n");
    free(j);
}

/* Reads member key of json[0..len) (len 0 = strlen) into a 64-byte buffer offered as cap bytes. */
static void str(const char *label, const char *json, size_t len, const char *key, size_t cap) {
    char buf[64];
    size_t n = 99;
    char *j;
    ph_json_status st;
    if (len == 0) len = strlen(json);
    j = exact(json, len);
    memset(buf, 'Z', sizeof buf);
    st = ph_json_get_string(j, len, key, cap ? buf : NULL, cap, &n);
    printf("%s: %s", label, ph_json_status_name(st));
    if (st == PH_JSON_OK) { printf(" len=%zu [", n); show_bytes(buf, n); printf("] nul=%d", buf[n] == 0); }
    if (st == PH_JSON_TOO_SMALL) printf(" need=%zu beyond_cap_untouched=%d", n, buf[cap] == 'Z');
    printf("\n");
    free(j);
}

static void fmt(const char *label, double v) {
    char out[PH_JSON_NUMBER_MAX];
    size_t n = ph_json_format_double(v, out, sizeof out);
    printf("%s: %s (%zu)\n", label, n ? out : "-", n);
}

static void esc(const char *label, const char *s, size_t n) {
    ph_json_buf b = PH_JSON_BUF_INIT;
    bool ok = ph_json_buf_string(&b, s, n);
    printf("%s: %d ", label, ok);
    show_bytes(b.data, b.len);
    printf("\n");
    ph_json_buf_free(&b);
}

static void group_find(void) {
    i64("nested key ignored", "{\"outer\":{\"a\":1},\"a\":2}", "a");
    i64("only nested", "{\"outer\":{\"a\":1},\"list\":[{\"a\":3}]}", "a");
    i64("key text inside a string value", "{\"s\":\"\\\"a\\\":5\",\"a\":3}", "a");
    i64("value equal to key", "{\"s\":\"a\"}", "a");
    i64("escaped key", "{\"\\u0061\":7}", "a");
    i64("key with escaped quote", "{\"a\\\"b\":8}", "a\"b");
    i64("key prefix not a match", "{\"ab\":1}", "a");
    i64("duplicate key, last wins", "{\"a\":1,\"a\":2}", "a");
    i64("missing key", "{\"b\":1}", "a");
    i64("empty object", " { } ", "a");
    i64("not an object", "[1,2]", "a");
    i64("whitespace everywhere", " \t\r\n{ \"a\" :\n 4 , \"b\" : [ ] }\n", "a");
}

static void group_numbers(void) {
    dbl("double", "{\"a\": -12.5e1 }", "a");
    dbl("double from integer", "{\"a\":3}", "a");
    dbl("double overflow", "{\"a\":1e400}", "a");
    dbl("double from string", "{\"a\":\"1\"}", "a");
    dbl("double from null", "{\"a\":null}", "a");
    dbl("number longer than 63 characters", "{\"a\":0.1000000000000000000000000000000000000000000000000000000000000000000000001}", "a");
    i64("int64 max", "{\"a\":9223372036854775807}", "a");
    i64("int64 min", "{\"a\":-9223372036854775808}", "a");
    i64("int64 max + 1", "{\"a\":9223372036854775808}", "a");
    i64("int64 min - 1", "{\"a\":-9223372036854775809}", "a");
    i64("int64 30 digits", "{\"a\":123456789012345678901234567890}", "a");
    i64("int64 fraction", "{\"a\":1.5}", "a");
    i64("int64 integral exponent", "{\"a\":1e3}", "a");
    i64("int64 integral fraction", "{\"a\":-7.0}", "a");
    i64("int64 exponent overflow", "{\"a\":1e19}", "a");
    i64("int64 negative zero", "{\"a\":-0}", "a");
    i64("int64 from bool", "{\"a\":true}", "a");
    boo("bool true", "{\"a\":true}", "a");
    boo("bool false", "{\"a\":false}", "a");
    boo("bool from null", "{\"a\":null}", "a");
    boo("bool from number", "{\"a\":0}", "a");
}

static void group_strings(void) {
    str("simple escapes", "{\"s\":\"say \\\"hi\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}", 0, "s", 64);
    str("unicode escapes", "{\"s\":\"\\u00e9\\u4E2D\"}", 0, "s", 64);
    str("surrogate pair", "{\"s\":\"\\ud83d\\ude00\"}", 0, "s", 64);
    str("lone high surrogate", "{\"s\":\"\\ud83d\"}", 0, "s", 64);
    str("lone low surrogate", "{\"s\":\"\\ude00x\"}", 0, "s", 64);
    str("high surrogate then non-low", "{\"s\":\"\\ud83d\\u0041\"}", 0, "s", 64);
    str("raw utf-8", "{\"s\":\"\xc3\xa9t\xc3\xa9\"}", 0, "s", 64);
    str("escaped nul", "{\"s\":\"a\\u0000b\"}", 0, "s", 64);
    str("unknown escape", "{\"s\":\"\\x\"}", 0, "s", 64);
    str("short hex escape", "{\"s\":\"\\u12\"}", 0, "s", 64);
    str("raw control character", "{\"s\":\"a\nb\"}", 0, "s", 64);
    str("fits exactly", "{\"s\":\"hello\"}", 0, "s", 6);
    str("one byte short", "{\"s\":\"hello\"}", 0, "s", 5);
    str("measure only", "{\"s\":\"h\\u00e9llo\"}", 0, "s", 0);
    str("from number", "{\"s\":42}", 0, "s", 64);
    str("missing", "{\"t\":\"x\"}", 0, "s", 64);
}

static void group_malformed(void) {
    i64("truncated after value", "{\"a\":1", "a");
    i64("truncated in string", "{\"a\":1,\"b\":\"x", "a");
    i64("trailing comma", "{\"a\":1,}", "a");
    i64("mismatched bracket", "{\"b\":[1,2},\"a\":1}", "a");
    i64("trailing garbage", "{\"a\":1} x", "a");
    i64("bad literal", "{\"b\":tru,\"a\":1}", "a");
    i64("leading zero", "{\"a\":01}", "a");
    i64("missing colon", "{\"a\" 1}", "a");
    i64("unquoted key", "{a:1}", "a");
    i64("empty text", "", "a");
    str("length ends before closing brace", "{\"s\":\"x\"}", 8, "s", 64);
    str("length ends inside an escape", "{\"s\":\"\\u00e9\"}", 10, "s", 64);
}

static void group_depth(void) {
    static char deep[2000];
    size_t i, d;
    for (d = 0; d < 2; d++) {
        size_t levels = d == 0 ? 300 : 600, n = 0;
        n += (size_t)sprintf(deep + n, "{\"x\":");
        for (i = 0; i < levels; i++) deep[n++] = '[';
        for (i = 0; i < levels; i++) deep[n++] = ']';
        n += (size_t)sprintf(deep + n, ",\"a\":%zu}", levels);
        i64(d == 0 ? "300 levels" : "600 levels", deep, "a");
    }
}

static void group_arrays(void) {
    const char *json = "{\"values\":[ \"a\" , \"b\\n\", 3 ,[\"c\"]],\"empty\":[]}";
    const char *tok = NULL, *elem = NULL;
    size_t tok_len = 0, elem_len = 0;
    ph_json_iter it;
    ph_json_status st = ph_json_find(json, strlen(json), "values", &tok, &tok_len);
    printf("find: %s\n", ph_json_status_name(st));
    printf("begin: %s\n", ph_json_status_name(ph_json_array_begin(&it, tok, tok_len)));
    while ((st = ph_json_array_next(&it, &elem, &elem_len)) == PH_JSON_OK) {
        char *s = NULL;
        size_t n = 0;
        ph_json_status vs = ph_json_value_string_alloc(elem, elem_len, &s, &n);
        printf("element [");
        show_bytes(elem, elem_len);
        printf("] %s", ph_json_status_name(vs));
        if (s != NULL) { printf(" ["); show_bytes(s, n); printf("]"); }
        printf("\n");
        free(s);
    }
    printf("after last: %s\n", ph_json_status_name(st));
    ph_json_find(json, strlen(json), "empty", &tok, &tok_len);
    ph_json_array_begin(&it, tok, tok_len);
    printf("empty array: %s\n", ph_json_status_name(ph_json_array_next(&it, &elem, &elem_len)));
    printf("begin on a string: %s\n", ph_json_status_name(ph_json_array_begin(&it, "\"x\"", 3)));
    printf("begin on truncated: %s\n", ph_json_status_name(ph_json_array_begin(&it, "[1,", 3)));
}

static void group_format(void) {
    fmt("integral", 5.0);
    fmt("negative zero", -0.0);
    fmt("one tenth", 0.1);
    fmt("0.1 + 0.2", 0.1 + 0.2);
    fmt("one and a half", 1.5);
    fmt("small", -2.5e-7);
    fmt("huge", 1e300);
    fmt("2^53 + 1 rounds", 9007199254740993.0);
    fmt("int64 min", -9223372036854775808.0);
    fmt("2^63", 9223372036854775808.0);
    fmt("smallest subnormal", 5e-324);
    fmt("largest double", 1.7976931348623157e308);
    fmt("nan", strtod("nan", NULL));
    fmt("infinity", strtod("inf", NULL));
}

static void group_escape(void) {
    esc("plain", "hello", 5);
    esc("quote backslash controls", "a\"b\\c\n\t\x01\x1f\x7f", 10);
    esc("embedded nul", "a\0b", 3);
    esc("valid utf-8", "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", 9);
    esc("invalid byte", "a\xff" "b", 3);
    esc("overlong nul", "\xc0\x80", 2);
    esc("truncated sequence", "\xe4\xb8", 2);
    esc("truncated then ascii", "\xe4\xb8z", 3);
    esc("encoded surrogate", "\xed\xa0\x80", 3);
    esc("above U+10FFFF", "\xf4\x90\x80\x80", 4);
}

static void group_buffer(void) {
    ph_json_buf b = PH_JSON_BUF_INIT;
    bool ok;
    size_t i;
    for (i = 0; i < 1000; i++) ph_json_buf_append_cstr(&b, "0123456789");
    ph_json_buf_int64(&b, INT64_MIN);
    printf("grow: len=%zu failed=%d tail=%s\n", b.len, b.failed, b.data + 10000);
    ok = ph_json_buf_double(&b, strtod("nan", NULL));
    printf("nan: ok=%d failed=%d\n", ok, b.failed);
    ok = ph_json_buf_append_cstr(&b, "x");
    printf("after failure: ok=%d len=%zu\n", ok, b.len);
    ph_json_buf_free(&b);
    ph_json_buf_free(&b);
    printf("freed twice: data_null=%d len=%zu failed=%d\n", b.data == NULL, b.len, b.failed);
}

int main(int argc, char **argv) {
    const char *group = argc > 1 ? argv[1] : "";
    if (strcmp(group, "find") == 0) group_find();
    else if (strcmp(group, "numbers") == 0) group_numbers();
    else if (strcmp(group, "strings") == 0) group_strings();
    else if (strcmp(group, "malformed") == 0) group_malformed();
    else if (strcmp(group, "depth") == 0) group_depth();
    else if (strcmp(group, "arrays") == 0) group_arrays();
    else if (strcmp(group, "format") == 0) group_format();
    else if (strcmp(group, "escape") == 0) group_escape();
    else if (strcmp(group, "buffer") == 0) group_buffer();
    else { fprintf(stderr, "unknown group '%s'\n", group); return 2; }
    return 0;
}
"""#
