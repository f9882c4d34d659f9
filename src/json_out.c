/* The only user of yajl's generator. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "date.h"
#include "json_out.h"
#include "log.h"
#include "util.h"

struct json_out {
	yajl_gen g;
	struct buf b;
};

/* A failure of yajl_gen is our bug (a key without a value, a string not UTF-8 after
 * cleaning), never the data's. */
static void check(yajl_gen_status st, const char *what)
{
	if (st != yajl_gen_status_ok)
		fatalx("json_out: yajl_gen %s failed (status %d)", what, (int)st);
}

static void print_cb(void *ctx, const char *s, size_t len)
{
	(void)buf_append(ctx, s, len);
}

struct json_out *json_out_new(int pretty)
{
	struct json_out *j = xcalloc(1, sizeof *j);
	buf_init(&j->b, 0);
	j->g = yajl_gen_alloc(NULL);
	if (j->g == NULL)
		fatalx("out of memory (yajl_gen_alloc)");
	if ((pretty && (!yajl_gen_config(j->g, yajl_gen_beautify, 1) ||
	                !yajl_gen_config(j->g, yajl_gen_indent_string, "  "))) ||
	    !yajl_gen_config(j->g, yajl_gen_print_callback, print_cb, &j->b))
		fatalx("json_out: yajl_gen_config failed");
	return j;
}

char *json_out_steal(struct json_out *j, size_t *len)
{
	yajl_gen_free(j->g);
	char *out = buf_steal(&j->b, len);
	free(j);
	return out;
}

void json_map_open(struct json_out *j)
{
	check(yajl_gen_map_open(j->g), "map open");
}

void json_map_close(struct json_out *j)
{
	check(yajl_gen_map_close(j->g), "map close");
}

void json_array_open(struct json_out *j)
{
	check(yajl_gen_array_open(j->g), "array open");
}

void json_array_close(struct json_out *j)
{
	check(yajl_gen_array_close(j->g), "array close");
}

void json_key(struct json_out *j, const char *key)
{
	check(yajl_gen_string(j->g, (const unsigned char *)key, strlen(key)), "key");
}

void json_str(struct json_out *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	char *clean = xml_clean_dup(s);
	check(yajl_gen_string(j->g, (const unsigned char *)clean, strlen(clean)), "string");
	free(clean);
}

void json_int(struct json_out *j, int64_t v)
{
	check(yajl_gen_integer(j->g, (long long)v), "integer");
}

void json_double(struct json_out *j, double v)
{
	check(yajl_gen_double(j->g, v), "double");
}

void json_bool(struct json_out *j, int v)
{
	check(yajl_gen_bool(j->g, v), "bool");
}

void json_null(struct json_out *j)
{
	check(yajl_gen_null(j->g), "null");
}

void json_member(struct json_out *j, const char *key, const char *value)
{
	if (value == NULL)
		return;
	json_key(j, key);
	json_str(j, value);
}

void json_date(struct json_out *j, const char *key, int64_t t)
{
	char iso[DATE_ISO_SIZE];
	date_format_iso(t, iso);
	json_key(j, key);
	check(yajl_gen_string(j->g, (const unsigned char *)iso, strlen(iso)), "date");
}
