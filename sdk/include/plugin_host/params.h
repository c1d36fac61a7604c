/*
 * plugin_host/params.h — small JSON helpers for C plugins. Header-only; not part of the ABI.
 *
 * A node receives its parameters as the text of a JSON object (ph_call.params_json, already
 * validated by the host against the node's schema) and answers with JSON (ph_call.set_output).
 * These helpers read top-level members of that object and build output text, so a plugin needs
 * no JSON library. Everything is `static inline`: nothing here is exported, nothing calls the
 * host, and the header may change between SDK releases without affecting the ABI.
 *
 * Reading:
 *   - Every reader takes the text and its length and never reads past that length; the text
 *     need not be NUL-terminated.
 *   - ph_json_find returns the raw text of a top-level member's value ("token"); a key that
 *     occurs only inside a nested object or array never matches. If a key repeats, the last
 *     occurrence wins (as the host's own parser does). The whole object is checked, so a
 *     truncated or malformed text is PH_JSON_MALFORMED, never a partial answer.
 *   - ph_json_value_* convert a token; ph_json_get_* are find + convert in one call.
 *   - Strings are unescaped to UTF-8 (\" \\ \/ \b \f \n \r \t \uXXXX, surrogate pairs joined;
 *     an unpaired surrogate is PH_JSON_MALFORMED). Other bytes are copied as they are (the host
 *     has already checked that the text is UTF-8). A decoded string may contain NUL bytes
 *     ("\u0000"); use the returned length, not strlen, when that matters.
 *   - Numbers are converted with strtod; a decimal comma locale is handled.
 *
 * Writing:
 *   - ph_json_buf is a growable, malloc'ed output buffer owned by the caller. Appends never
 *     fail silently: an append that cannot allocate (or a non-finite number) returns false and
 *     sets the sticky `failed` flag, so a plugin may check once at the end. Hand the bytes to
 *     set_output (the host copies them) and then call ph_json_buf_free.
 *   - Strings are escaped so the output is always valid JSON: quote and backslash; control
 *     characters as \b \f \n \r \t or \u00XX; invalid UTF-8 sequences become U+FFFD.
 *   - Numbers: integral values below 2^63 in magnitude print as integers ("5", not "5.0" or
 *     "5e+00"); others print with the shortest of %.15g, %.16g, %.17g that reads back as the
 *     same double, so 0.1 prints as "0.1" and every double round-trips.
 *
 * Compiles as C11 and C++17 with -Wall -Wextra -pedantic -Werror (gcc and clang); needs only
 * libc (no libm). Not thread-affine: every function works on its arguments only.
 */
#ifndef PLUGIN_HOST_PARAMS_H
#define PLUGIN_HOST_PARAMS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Outcome of every reader. New values may be added; treat unknown ones as errors. */
typedef enum ph_json_status {
    /** The value was found and converted. */
    PH_JSON_OK = 0,
    /** The object has no top-level member with that key. */
    PH_JSON_NOT_FOUND = 1,
    /** The member exists but holds another type (null included). */
    PH_JSON_WRONG_TYPE = 2,
    /** The caller's buffer is too small; *out_len holds the length needed (without the NUL). */
    PH_JSON_TOO_SMALL = 3,
    /** The text is not valid JSON (truncated, bad escape, unpaired surrogate, ...). */
    PH_JSON_MALFORMED = 4,
    /** The number does not fit the requested type (e.g. 1e19 as int64, 1e400 as double). */
    PH_JSON_OUT_OF_RANGE = 5,
    /** ph_json_array_next: there are no more elements. */
    PH_JSON_END = 6,
    /** An allocation failed (the *_alloc readers, or a number longer than 63 characters). */
    PH_JSON_NO_MEMORY = 7
} ph_json_status;

/** Deepest nesting of arrays and objects the readers walk through (the host allows 256). */
#define PH_JSON_MAX_DEPTH 512

/** Buffer size that always holds ph_json_format_double's output, NUL included. */
#define PH_JSON_NUMBER_MAX 32

/** Returns a static, NUL-terminated name for status, e.g. "PH_JSON_MALFORMED". Never freed. */
static inline const char *ph_json_status_name(ph_json_status status) {
    switch (status) {
    case PH_JSON_OK: return "PH_JSON_OK";
    case PH_JSON_NOT_FOUND: return "PH_JSON_NOT_FOUND";
    case PH_JSON_WRONG_TYPE: return "PH_JSON_WRONG_TYPE";
    case PH_JSON_TOO_SMALL: return "PH_JSON_TOO_SMALL";
    case PH_JSON_MALFORMED: return "PH_JSON_MALFORMED";
    case PH_JSON_OUT_OF_RANGE: return "PH_JSON_OUT_OF_RANGE";
    case PH_JSON_END: return "PH_JSON_END";
    case PH_JSON_NO_MEMORY: return "PH_JSON_NO_MEMORY";
    }
    return "PH_JSON_UNKNOWN";
}

/* ---------------------------------------------------------------------------------------- */
/* Internals (ph_json_impl_*): not for plugins to call; they may change without notice.     */
/* ---------------------------------------------------------------------------------------- */

/** Returns p advanced past JSON whitespace, never beyond end. */
static inline const char *ph_json_impl_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/** Reads four hex digits at p (bounded by end) into *out; false when they are not there. */
static inline bool ph_json_impl_hex4(const char *p, const char *end, uint32_t *out) {
    uint32_t value = 0;
    int i;
    if (end - p < 4) return false;
    for (i = 0; i < 4; i++) {
        char c = p[i];
        uint32_t digit;
        if (c >= '0' && c <= '9') digit = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f') digit = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') digit = (uint32_t)(c - 'A' + 10);
        else return false;
        value = (value << 4) | digit;
    }
    *out = value;
    return true;
}

/** Encodes scalar value cp (≤ 0x10FFFF, not a surrogate) as UTF-8 into out; returns 1–4. */
static inline int ph_json_impl_utf8(uint32_t cp, unsigned char out[4]) {
    if (cp < 0x80) { out[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/**
 * Decodes the next unit of a string body at *pp (just after the opening quote or a previous
 * unit) into out (1–4 bytes, *n). Returns PH_JSON_END at the closing quote (*pp then points
 * past it), PH_JSON_OK for a unit, PH_JSON_MALFORMED for a bad escape, a raw control
 * character or a missing closing quote. Raw bytes are passed through one at a time.
 */
static inline ph_json_status ph_json_impl_string_unit(const char **pp, const char *end,
                                                      unsigned char out[4], int *n) {
    const char *p = *pp;
    unsigned char c;
    uint32_t cp, low;
    if (p >= end) return PH_JSON_MALFORMED;
    c = (unsigned char)*p;
    if (c == '"') { *pp = p + 1; return PH_JSON_END; }
    if (c < 0x20) return PH_JSON_MALFORMED;
    if (c != '\\') { out[0] = c; *n = 1; *pp = p + 1; return PH_JSON_OK; }
    if (end - p < 2) return PH_JSON_MALFORMED;
    switch (p[1]) {
    case '"': out[0] = '"'; break;
    case '\\': out[0] = '\\'; break;
    case '/': out[0] = '/'; break;
    case 'b': out[0] = '\b'; break;
    case 'f': out[0] = '\f'; break;
    case 'n': out[0] = '\n'; break;
    case 'r': out[0] = '\r'; break;
    case 't': out[0] = '\t'; break;
    case 'u':
        if (!ph_json_impl_hex4(p + 2, end, &cp)) return PH_JSON_MALFORMED;
        p += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return PH_JSON_MALFORMED;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u') return PH_JSON_MALFORMED;
            if (!ph_json_impl_hex4(p + 2, end, &low)) return PH_JSON_MALFORMED;
            if (low < 0xDC00 || low > 0xDFFF) return PH_JSON_MALFORMED;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            p += 6;
        }
        *n = ph_json_impl_utf8(cp, out);
        *pp = p;
        return PH_JSON_OK;
    default:
        return PH_JSON_MALFORMED;
    }
    *n = 1;
    *pp = p + 2;
    return PH_JSON_OK;
}

/** Returns the end of the string token starting at p (a quote), or NULL when malformed. */
static inline const char *ph_json_impl_skip_string(const char *p, const char *end) {
    unsigned char unit[4];
    int n = 0;
    ph_json_status st;
    p++;
    /* Fast path over plain bytes; the unit decoder handles escapes and the closing quote. */
    for (;;) {
        while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) p++;
        st = ph_json_impl_string_unit(&p, end, unit, &n);
        if (st == PH_JSON_END) return p;
        if (st != PH_JSON_OK) return NULL;
    }
}

/** Returns the end of the number token starting at p, or NULL when it is not a JSON number. */
static inline const char *ph_json_impl_skip_number(const char *p, const char *end) {
    if (p < end && *p == '-') p++;
    if (p >= end || *p < '0' || *p > '9') return NULL;
    if (*p == '0') p++;
    else while (p < end && *p >= '0' && *p <= '9') p++;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9') return NULL;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p >= end || *p < '0' || *p > '9') return NULL;
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    return p;
}

/** Returns the end of the scalar (string, number, literal) at p, or NULL when malformed. */
static inline const char *ph_json_impl_skip_scalar(const char *p, const char *end) {
    size_t left = (size_t)(end - p);
    if (p >= end) return NULL;
    if (*p == '"') return ph_json_impl_skip_string(p, end);
    if (*p == 't') return left >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
    if (*p == 'f') return left >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
    if (*p == 'n') return left >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
    return ph_json_impl_skip_number(p, end);
}

/**
 * Returns the end of the JSON value starting at p (no leading whitespace), or NULL when it is
 * malformed or nested deeper than PH_JSON_MAX_DEPTH. Iterative, so hostile nesting cannot
 * exhaust the stack; a bit per level remembers whether it is an object or an array.
 */
static inline const char *ph_json_impl_skip_value(const char *p, const char *end) {
    unsigned char is_object[PH_JSON_MAX_DEPTH / 8] = {0};
    size_t depth = 0;
    for (;;) {
        /* Expect a value at p. */
        p = ph_json_impl_ws(p, end);
        if (p >= end) return NULL;
        if (*p == '{' || *p == '[') {
            bool object = *p == '{';
            if (depth == PH_JSON_MAX_DEPTH) return NULL;
            if (object) is_object[depth / 8] = (unsigned char)(is_object[depth / 8] | (1u << (depth % 8)));
            else is_object[depth / 8] = (unsigned char)(is_object[depth / 8] & ~(1u << (depth % 8)));
            depth++;
            p = ph_json_impl_ws(p + 1, end);
            if (p < end && *p == (object ? '}' : ']')) {
                depth--;
                p++;
            } else if (object) {
                if (p >= end || *p != '"') return NULL;
                p = ph_json_impl_skip_string(p, end);
                if (p == NULL) return NULL;
                p = ph_json_impl_ws(p, end);
                if (p >= end || *p != ':') return NULL;
                p++;
                continue;
            } else {
                continue;
            }
        } else {
            p = ph_json_impl_skip_scalar(p, end);
            if (p == NULL) return NULL;
        }
        /* A value ended: close containers or move to the next member/element. */
        for (;;) {
            bool object;
            if (depth == 0) return p;
            object = (is_object[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1u;
            p = ph_json_impl_ws(p, end);
            if (p >= end) return NULL;
            if (*p == (object ? '}' : ']')) { depth--; p++; continue; }
            if (*p != ',') return NULL;
            p = ph_json_impl_ws(p + 1, end);
            if (object) {
                if (p >= end || *p != '"') return NULL;
                p = ph_json_impl_skip_string(p, end);
                if (p == NULL) return NULL;
                p = ph_json_impl_ws(p, end);
                if (p >= end || *p != ':') return NULL;
                p++;
            }
            break;
        }
    }
}

/**
 * Trims whitespace around *tok and checks it holds exactly one JSON value; returns
 * PH_JSON_OK or PH_JSON_MALFORMED.
 */
static inline ph_json_status ph_json_impl_token(const char **tok, size_t *len) {
    const char *p, *end, *stop;
    if (*tok == NULL) return PH_JSON_MALFORMED;
    end = *tok + *len;
    p = ph_json_impl_ws(*tok, end);
    stop = ph_json_impl_skip_value(p, end);
    if (stop == NULL || ph_json_impl_ws(stop, end) != end) return PH_JSON_MALFORMED;
    *tok = p;
    *len = (size_t)(stop - p);
    return PH_JSON_OK;
}

/** True when the string token tok (quotes included, well-formed) decodes to key[0..key_len). */
static inline bool ph_json_impl_key_equals(const char *tok, size_t tok_len, const char *key, size_t key_len) {
    const char *p = tok + 1, *end = tok + tok_len;
    size_t i = 0;
    unsigned char unit[4];
    int n = 0, k;
    for (;;) {
        ph_json_status st = ph_json_impl_string_unit(&p, end, unit, &n);
        if (st == PH_JSON_END) return i == key_len;
        if (st != PH_JSON_OK) return false;
        for (k = 0; k < n; k++, i++) {
            if (i >= key_len || (unsigned char)key[i] != unit[k]) return false;
        }
    }
}

/**
 * strtod on a number token (not NUL-terminated) into *out, tolerant of a decimal-comma
 * locale. False only when a long token's copy cannot be allocated.
 */
static inline bool ph_json_impl_strtod(const char *tok, size_t len, double *out) {
    char small[64];
    char *copy = small, *stop = NULL;
    if (len >= sizeof small) {
        copy = (char *)malloc(len + 1);
        if (copy == NULL) return false;
    }
    memcpy(copy, tok, len);
    copy[len] = '\0';
    *out = strtod(copy, &stop);
    if (*stop != '\0') {
        /* strtod follows LC_NUMERIC; if it stopped at '.', use the locale's decimal point. */
        char point[8];
        int written = snprintf(point, sizeof point, "%.1f", 1.5);
        if (written == 3 && point[1] != '.') {
            char *dot = strchr(copy, '.');
            if (dot != NULL) *dot = point[1];
            *out = strtod(copy, &stop);
        }
    }
    if (copy != small) free(copy);
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Reading                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/**
 * Finds the top-level member `key` (NUL-terminated) of the JSON object in json[0..len) and sets
 * *value / *value_len to its value's text, which points into json (borrowed, no copy).
 * Returns PH_JSON_OK, PH_JSON_NOT_FOUND, PH_JSON_WRONG_TYPE (json is not an object) or
 * PH_JSON_MALFORMED.
 */
static inline ph_json_status ph_json_find(const char *json, size_t len, const char *key,
                                          const char **value, size_t *value_len) {
    const char *p, *end, *found = NULL;
    size_t found_len = 0, key_len;
    if (json == NULL || key == NULL) return PH_JSON_MALFORMED;
    key_len = strlen(key);
    end = json + len;
    p = ph_json_impl_ws(json, end);
    if (p >= end) return PH_JSON_MALFORMED;
    if (*p != '{') {
        const char *tok = json;
        size_t tok_len = len;
        return ph_json_impl_token(&tok, &tok_len) == PH_JSON_OK ? PH_JSON_WRONG_TYPE : PH_JSON_MALFORMED;
    }
    p = ph_json_impl_ws(p + 1, end);
    if (p < end && *p == '}') {
        p++;
    } else {
        for (;;) {
            const char *key_start, *value_start;
            if (p >= end || *p != '"') return PH_JSON_MALFORMED;
            key_start = p;
            p = ph_json_impl_skip_string(p, end);
            if (p == NULL) return PH_JSON_MALFORMED;
            {
                const char *key_end = p;
                p = ph_json_impl_ws(p, end);
                if (p >= end || *p != ':') return PH_JSON_MALFORMED;
                p = ph_json_impl_ws(p + 1, end);
                value_start = p;
                p = ph_json_impl_skip_value(p, end);
                if (p == NULL) return PH_JSON_MALFORMED;
                if (ph_json_impl_key_equals(key_start, (size_t)(key_end - key_start), key, key_len)) {
                    found = value_start;
                    found_len = (size_t)(p - value_start);
                }
            }
            p = ph_json_impl_ws(p, end);
            if (p >= end) return PH_JSON_MALFORMED;
            if (*p == '}') { p++; break; }
            if (*p != ',') return PH_JSON_MALFORMED;
            p = ph_json_impl_ws(p + 1, end);
        }
    }
    if (ph_json_impl_ws(p, end) != end) return PH_JSON_MALFORMED;
    if (found == NULL) return PH_JSON_NOT_FOUND;
    if (value != NULL) *value = found;
    if (value_len != NULL) *value_len = found_len;
    return PH_JSON_OK;
}

/**
 * Converts the value text tok[0..len) (as from ph_json_find) to a double in *out.
 * PH_JSON_WRONG_TYPE when it is not a number, PH_JSON_OUT_OF_RANGE when it overflows a double.
 */
static inline ph_json_status ph_json_value_double(const char *tok, size_t len, double *out) {
    double value;
    ph_json_status st = ph_json_impl_token(&tok, &len);
    if (st != PH_JSON_OK) return st;
    if (*tok != '-' && (*tok < '0' || *tok > '9')) return PH_JSON_WRONG_TYPE;
    if (!ph_json_impl_strtod(tok, len, &value)) return PH_JSON_NO_MEMORY;
    if (!isfinite(value)) return PH_JSON_OUT_OF_RANGE;
    *out = value;
    return PH_JSON_OK;
}

/**
 * Converts the value text tok[0..len) to an int64 in *out. Accepts any integral number
 * ("5", "-0", "5.0", "1e3"); PH_JSON_WRONG_TYPE for a fraction or a non-number,
 * PH_JSON_OUT_OF_RANGE outside [INT64_MIN, INT64_MAX]. Plain integers are converted exactly.
 */
static inline ph_json_status ph_json_value_int64(const char *tok, size_t len, int64_t *out) {
    const char *p, *end;
    bool negative;
    uint64_t magnitude = 0;
    ph_json_status st = ph_json_impl_token(&tok, &len);
    if (st != PH_JSON_OK) return st;
    if (*tok != '-' && (*tok < '0' || *tok > '9')) return PH_JSON_WRONG_TYPE;
    p = tok;
    end = tok + len;
    negative = *p == '-';
    if (negative) p++;
    while (p < end && *p >= '0' && *p <= '9') {
        uint64_t digit = (uint64_t)(*p - '0');
        if (magnitude > (UINT64_MAX - digit) / 10) { magnitude = UINT64_MAX; break; }
        magnitude = magnitude * 10 + digit;
        p++;
    }
    if (p == end) {
        const uint64_t limit = negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
        if (magnitude > limit) return PH_JSON_OUT_OF_RANGE;
        if (negative) *out = magnitude == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)magnitude;
        else *out = (int64_t)magnitude;
        return PH_JSON_OK;
    }
    {
        /* A fraction, an exponent, or too many digits: decide on the double's value. */
        double value = 0.0;
        if (!ph_json_impl_strtod(tok, len, &value)) return PH_JSON_NO_MEMORY;
        if (!isfinite(value)) return PH_JSON_OUT_OF_RANGE;
        if (value >= 9223372036854775808.0 || value < -9223372036854775808.0) {
            /* Out of range if integral; a huge double is always integral. */
            return PH_JSON_OUT_OF_RANGE;
        }
        if ((double)(int64_t)value != value) return PH_JSON_WRONG_TYPE;
        *out = (int64_t)value;
        return PH_JSON_OK;
    }
}

/** Converts the value text tok[0..len) to a bool in *out; PH_JSON_WRONG_TYPE unless true/false. */
static inline ph_json_status ph_json_value_bool(const char *tok, size_t len, bool *out) {
    ph_json_status st = ph_json_impl_token(&tok, &len);
    if (st != PH_JSON_OK) return st;
    if (*tok == 't') { *out = true; return PH_JSON_OK; }
    if (*tok == 'f') { *out = false; return PH_JSON_OK; }
    return PH_JSON_WRONG_TYPE;
}

/**
 * Unescapes the string value text tok[0..len) to UTF-8 in the caller's buf (cap bytes) and
 * NUL-terminates it. *out_len (may be NULL) receives the decoded length without the NUL, also
 * on PH_JSON_TOO_SMALL (then allocate *out_len + 1 bytes and call again; buf's contents are
 * unspecified but nothing beyond cap was written). buf may be NULL when cap is 0, to measure.
 */
static inline ph_json_status ph_json_value_string(const char *tok, size_t len, char *buf, size_t cap, size_t *out_len) {
    const char *p, *end;
    size_t n = 0;
    unsigned char unit[4];
    int units = 0, k;
    ph_json_status st = ph_json_impl_token(&tok, &len);
    if (st != PH_JSON_OK) return st;
    if (*tok != '"') return PH_JSON_WRONG_TYPE;
    p = tok + 1;
    end = tok + len;
    for (;;) {
        while (p < end && *p != '"' && *p != '\\') {
            if (n < cap) buf[n] = *p;
            n++;
            p++;
        }
        st = ph_json_impl_string_unit(&p, end, unit, &units);
        if (st == PH_JSON_END) break;
        if (st != PH_JSON_OK) return st; /* cannot happen: the token was validated */
        for (k = 0; k < units; k++, n++) {
            if (n < cap) buf[n] = (char)unit[k];
        }
    }
    if (out_len != NULL) *out_len = n;
    if (n >= cap) return PH_JSON_TOO_SMALL;
    buf[n] = '\0';
    return PH_JSON_OK;
}

/**
 * Like ph_json_value_string, but into a new malloc'ed, NUL-terminated buffer in *out that the
 * caller owns and frees with free(). *out is NULL unless the result is PH_JSON_OK.
 */
static inline ph_json_status ph_json_value_string_alloc(const char *tok, size_t len, char **out, size_t *out_len) {
    size_t needed = 0;
    char *buf;
    ph_json_status st = ph_json_value_string(tok, len, NULL, 0, &needed);
    *out = NULL;
    if (st != PH_JSON_TOO_SMALL) return st;
    buf = (char *)malloc(needed + 1);
    if (buf == NULL) return PH_JSON_NO_MEMORY;
    st = ph_json_value_string(tok, len, buf, needed + 1, out_len);
    if (st != PH_JSON_OK) { free(buf); return st; }
    *out = buf;
    return PH_JSON_OK;
}

/** ph_json_find + ph_json_value_double: reads member `key` of the object json[0..len). */
static inline ph_json_status ph_json_get_double(const char *json, size_t len, const char *key, double *out) {
    const char *tok = NULL;
    size_t tok_len = 0;
    ph_json_status st = ph_json_find(json, len, key, &tok, &tok_len);
    return st == PH_JSON_OK ? ph_json_value_double(tok, tok_len, out) : st;
}

/** ph_json_find + ph_json_value_int64: reads member `key` of the object json[0..len). */
static inline ph_json_status ph_json_get_int64(const char *json, size_t len, const char *key, int64_t *out) {
    const char *tok = NULL;
    size_t tok_len = 0;
    ph_json_status st = ph_json_find(json, len, key, &tok, &tok_len);
    return st == PH_JSON_OK ? ph_json_value_int64(tok, tok_len, out) : st;
}

/** ph_json_find + ph_json_value_bool: reads member `key` of the object json[0..len). */
static inline ph_json_status ph_json_get_bool(const char *json, size_t len, const char *key, bool *out) {
    const char *tok = NULL;
    size_t tok_len = 0;
    ph_json_status st = ph_json_find(json, len, key, &tok, &tok_len);
    return st == PH_JSON_OK ? ph_json_value_bool(tok, tok_len, out) : st;
}

/** ph_json_find + ph_json_value_string: member `key` into the caller's buf (see there). */
static inline ph_json_status ph_json_get_string(const char *json, size_t len, const char *key,
                                                char *buf, size_t cap, size_t *out_len) {
    const char *tok = NULL;
    size_t tok_len = 0;
    ph_json_status st = ph_json_find(json, len, key, &tok, &tok_len);
    return st == PH_JSON_OK ? ph_json_value_string(tok, tok_len, buf, cap, out_len) : st;
}

/** ph_json_find + ph_json_value_string_alloc: member `key` into a malloc'ed *out (caller frees). */
static inline ph_json_status ph_json_get_string_alloc(const char *json, size_t len, const char *key,
                                                      char **out, size_t *out_len) {
    const char *tok = NULL;
    size_t tok_len = 0;
    ph_json_status st = ph_json_find(json, len, key, &tok, &tok_len);
    if (st != PH_JSON_OK) { *out = NULL; return st; }
    return ph_json_value_string_alloc(tok, tok_len, out, out_len);
}

/**
 * Walks the elements of an array value. Borrowed: it points into the caller's text, which must
 * outlive it. Start with ph_json_array_begin, then call ph_json_array_next until PH_JSON_END.
 */
typedef struct ph_json_iter {
    /** Where the next element (or the closing bracket) starts. */
    const char *pos;
    /** One past the array's closing bracket. */
    const char *end;
} ph_json_iter;

/**
 * Starts walking the array value text tok[0..len) (as from ph_json_find). Returns PH_JSON_OK,
 * PH_JSON_WRONG_TYPE when it is not an array, or PH_JSON_MALFORMED.
 */
static inline ph_json_status ph_json_array_begin(ph_json_iter *it, const char *tok, size_t len) {
    ph_json_status st = ph_json_impl_token(&tok, &len);
    if (st != PH_JSON_OK) return st;
    if (*tok != '[') return PH_JSON_WRONG_TYPE;
    it->pos = ph_json_impl_ws(tok + 1, tok + len);
    it->end = tok + len;
    return PH_JSON_OK;
}

/**
 * Sets *elem / *elem_len to the next element's value text (borrowed; convert it with
 * ph_json_value_*) and returns PH_JSON_OK, or PH_JSON_END after the last element.
 */
static inline ph_json_status ph_json_array_next(ph_json_iter *it, const char **elem, size_t *elem_len) {
    const char *p = it->pos, *stop;
    /* ph_json_array_begin validated the whole array, so the structure is known to be sound. */
    if (p >= it->end || *p == ']') return PH_JSON_END;
    stop = ph_json_impl_skip_value(p, it->end);
    if (stop == NULL) return PH_JSON_MALFORMED;
    *elem = p;
    *elem_len = (size_t)(stop - p);
    p = ph_json_impl_ws(stop, it->end);
    if (p < it->end && *p == ',') p = ph_json_impl_ws(p + 1, it->end);
    it->pos = p;
    return PH_JSON_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/**
 * Formats v as JSON number text into out (cap bytes, PH_JSON_NUMBER_MAX always suffices),
 * NUL-terminated. Returns the length, or 0 when v is NaN or infinite (JSON cannot say those)
 * or cap is too small. Integral values below 2^63 print as integers; others as the shortest
 * of %.15g/%.16g/%.17g that reads back exactly. Independent of the LC_NUMERIC locale.
 */
static inline size_t ph_json_format_double(double v, char *out, size_t cap) {
    char tmp[PH_JSON_NUMBER_MAX + 8];
    size_t i, n = 0;
    int written = 0, precision;
    if (!isfinite(v)) return 0;
    if (v >= -9223372036854775808.0 && v < 9223372036854775808.0 && (double)(int64_t)v == v) {
        written = snprintf(tmp, sizeof tmp, "%lld", (long long)(int64_t)v);
    } else {
        for (precision = 15; precision <= 17; precision++) {
            written = snprintf(tmp, sizeof tmp, "%.*g", precision, v);
            if (written <= 0 || (size_t)written >= sizeof tmp) return 0;
            if (strtod(tmp, NULL) == v) break;
        }
    }
    if (written <= 0 || (size_t)written >= sizeof tmp) return 0;
    /* Copy, turning the locale's decimal point (maybe "," or several bytes) into ".". */
    for (i = 0; i < (size_t)written; i++) {
        char c = tmp[i];
        bool plain = (c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e';
        if (!plain) {
            while (i + 1 < (size_t)written && !((tmp[i + 1] >= '0' && tmp[i + 1] <= '9'))) i++;
            c = '.';
        }
        if (n + 1 >= cap) return 0;
        out[n++] = c;
    }
    out[n] = '\0';
    return n;
}

/**
 * A growable output buffer. The caller owns it: start it with PH_JSON_BUF_INIT (or zero it),
 * append, pass data/len to set_output, then ph_json_buf_free. `data` is NUL-terminated
 * whenever it is non-NULL. `failed` is sticky: once an append fails, later appends do nothing.
 */
typedef struct ph_json_buf {
    /** The bytes written so far; malloc'ed, NULL until the first append. */
    char *data;
    /** Bytes written, without the terminating NUL. */
    size_t len;
    /** Bytes allocated. */
    size_t cap;
    /** True once an allocation failed or a number could not be written. */
    bool failed;
} ph_json_buf;

/** An empty ph_json_buf, for initialization (valid in C and C++). */
#define PH_JSON_BUF_INIT {NULL, 0, 0, false}

/** Makes room for `extra` more bytes plus the NUL; false (and `failed`) when it cannot. */
static inline bool ph_json_buf_reserve(ph_json_buf *b, size_t extra) {
    size_t need, cap;
    char *grown;
    if (b->failed) return false;
    if (extra > SIZE_MAX - b->len - 1) { b->failed = true; return false; }
    need = b->len + extra + 1;
    if (need <= b->cap) return true;
    cap = b->cap < 64 ? 64 : b->cap;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    grown = (char *)realloc(b->data, cap);
    if (grown == NULL) { b->failed = true; return false; }
    b->data = grown;
    b->cap = cap;
    return true;
}

/** Appends n raw bytes (already JSON) from bytes; the buffer copies them. */
static inline bool ph_json_buf_append(ph_json_buf *b, const char *bytes, size_t n) {
    if (!ph_json_buf_reserve(b, n)) return false;
    if (n > 0) memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

/** Appends the NUL-terminated raw text s (already JSON, e.g. "{\"result\":"). */
static inline bool ph_json_buf_append_cstr(ph_json_buf *b, const char *s) {
    return ph_json_buf_append(b, s, strlen(s));
}

/**
 * Appends s[0..n) as a quoted JSON string: escapes quote, backslash and control characters,
 * and replaces invalid UTF-8 (overlong, surrogate, > U+10FFFF, truncated) with U+FFFD.
 */
static inline bool ph_json_buf_string(ph_json_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *run;
    const unsigned char *end = n > 0 ? p + n : p; /* s may be NULL when n is 0 */
    if (!ph_json_buf_append(b, "\"", 1)) return false;
    while (p < end) {
        run = p;
        /* Copy a run of plain ASCII at once. */
        while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
        if (p > run && !ph_json_buf_append(b, (const char *)run, (size_t)(p - run))) return false;
        if (p >= end) break;
        if (*p < 0x80) {
            char esc[6] = {'\\', 'u', '0', '0', '0', '0'};
            size_t esc_len = 2;
            switch (*p) {
            case '"': esc[1] = '"'; break;
            case '\\': esc[1] = '\\'; break;
            case '\b': esc[1] = 'b'; break;
            case '\f': esc[1] = 'f'; break;
            case '\n': esc[1] = 'n'; break;
            case '\r': esc[1] = 'r'; break;
            case '\t': esc[1] = 't'; break;
            default:
                esc[4] = hex[*p >> 4];
                esc[5] = hex[*p & 0xF];
                esc_len = 6;
            }
            if (!ph_json_buf_append(b, esc, esc_len)) return false;
            p++;
        } else {
            /* Validate one UTF-8 sequence (RFC 3629); copy it or write U+FFFD. */
            size_t need, k, left = (size_t)(end - p);
            uint32_t cp, min;
            bool ok = true;
            if (*p >= 0xC2 && *p <= 0xDF) { need = 2; cp = *p & 0x1Fu; min = 0x80; }
            else if (*p >= 0xE0 && *p <= 0xEF) { need = 3; cp = *p & 0x0Fu; min = 0x800; }
            else if (*p >= 0xF0 && *p <= 0xF4) { need = 4; cp = *p & 0x07u; min = 0x10000; }
            else { need = 1; cp = 0; min = 1; ok = false; }
            for (k = 1; ok && k < need; k++) {
                if (k >= left || (p[k] & 0xC0) != 0x80) { ok = false; need = k; break; }
                cp = (cp << 6) | (p[k] & 0x3Fu);
            }
            if (ok && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) { ok = false; need = 1; }
            if (ok) {
                if (!ph_json_buf_append(b, (const char *)p, need)) return false;
            } else if (!ph_json_buf_append(b, "\xEF\xBF\xBD", 3)) {
                return false;
            }
            p += need;
        }
    }
    return ph_json_buf_append(b, "\"", 1);
}

/** Appends v as a JSON number (see ph_json_format_double); false and `failed` for NaN/inf. */
static inline bool ph_json_buf_double(ph_json_buf *b, double v) {
    char text[PH_JSON_NUMBER_MAX];
    size_t n = ph_json_format_double(v, text, sizeof text);
    if (n == 0) { b->failed = true; return false; }
    return ph_json_buf_append(b, text, n);
}

/** Appends v as a JSON integer, exactly. */
static inline bool ph_json_buf_int64(ph_json_buf *b, int64_t v) {
    char text[PH_JSON_NUMBER_MAX];
    int n = snprintf(text, sizeof text, "%lld", (long long)v);
    return ph_json_buf_append(b, text, (size_t)n);
}

/** Frees the buffer's memory and empties it (safe to call twice or on an empty buffer). */
static inline void ph_json_buf_free(ph_json_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
}

#ifdef __cplusplus
}
#endif

#endif /* PLUGIN_HOST_PARAMS_H */
