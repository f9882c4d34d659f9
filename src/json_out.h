/* Writing JSON documents (the JSON Feed output, /status): a thin layer over yajl's generator
 * that cleans every string to valid UTF-8 and treats a generator error as our bug. */
#ifndef FEEDMERGE_JSON_OUT_H
#define FEEDMERGE_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>

struct json_out;

/* A new document; pretty: indented with two spaces. */
struct json_out *json_out_new(int pretty);
/* Frees j and returns the document written (the caller frees it) and its length. */
char *json_out_steal(struct json_out *j, size_t *len);

void json_map_open(struct json_out *j);
void json_map_close(struct json_out *j);
void json_array_open(struct json_out *j);
void json_array_close(struct json_out *j);
void json_key(struct json_out *j, const char *key);
/* A string value, whatever its bytes (invalid UTF-8 becomes U+FFFD); NULL writes null. */
void json_str(struct json_out *j, const char *s);
void json_int(struct json_out *j, int64_t v);
void json_double(struct json_out *j, double v);
void json_bool(struct json_out *j, int v);
void json_null(struct json_out *j);
/* "key": "value"; nothing when value is NULL. */
void json_member(struct json_out *j, const char *key, const char *value);
/* "key": "RFC 3339 time" (UTC). */
void json_date(struct json_out *j, const char *key, int64_t t);

#endif
