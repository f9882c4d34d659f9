/* The direct reads of parse_direct.c must never change what the parser returns: every XML
 * fixture of tests/parse, and variants that move its bytes around chunk boundaries and line
 * ends, is parsed twice, once as usual and once with libxml2 reading all character data
 * (parse_opts.libxml2_only), and the two results (JSON and warning) must be identical. */
#include "autoconf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tap.h"
#include "feed_json.h"
#include "parse.h"
#include "util.h"

static char *read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	char *data = read_stream(fp, len);
	fclose(fp);
	return data;
}

/* Parses data both ways; returns 1 when the results agree, else prints why. */
static int same_both_ways(const char *name, const char *variant, const char *data, size_t len)
{
	struct parse_opts direct = {.url = "https://example.org/feed/index.xml"};
	struct parse_opts plain = direct;
	plain.libxml2_only = 1;
	char err_d[512], err_p[512];
	struct feed *fd = parse_feed(data, len, &direct, err_d, sizeof err_d);
	struct feed *fp = parse_feed(data, len, &plain, err_p, sizeof err_p);
	char *jd = fd != NULL ? feed_json_new(fd, 1) : NULL;
	char *jp = fp != NULL ? feed_json_new(fp, 1) : NULL;
	int same = strcmp(err_d, err_p) == 0 && ((jd == NULL && jp == NULL) ||
	                                         (jd != NULL && jp != NULL && strcmp(jd, jp) == 0));
	if (!same) {
		printf("# %s (%s): direct and libxml2-only differ\n", name, variant);
		printf("#   warnings: \"%s\" vs \"%s\"\n", err_d, err_p);
		if (jd != NULL && jp != NULL && strcmp(jd, jp) != 0) {
			size_t k = 0;
			while (jd[k] != '\0' && jd[k] == jp[k])
				k++;
			size_t from = k > 60 ? k - 60 : 0;
			printf("#   at byte %zu: \"%.120s\" vs \"%.120s\"\n", k, jd + from,
			       jp + from);
		}
	}
	free(jd);
	free(jp);
	feed_free(fd);
	feed_free(fp);
	return same;
}

/* data with every LF made CR LF. */
static char *with_crlf(const char *data, size_t len, size_t *outlen)
{
	struct buf b;
	buf_init(&b, 0);
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n')
			buf_append(&b, "\r", 1);
		buf_append(&b, data + i, 1);
	}
	return buf_steal(&b, outlen);
}

/* data with pad bytes of white space after its XML declaration (or at the start), which moves
 * every later byte across the parser's 64 KiB chunk boundaries. */
static char *shifted(const char *data, size_t len, size_t pad, size_t *outlen)
{
	size_t at = 0;
	if (len > 5 && memcmp(data, "<?xml", 5) == 0) {
		const char *end = strstr(data, "?>");
		if (end != NULL && (size_t)(end - data) < len)
			at = (size_t)(end - data) + 2;
	}
	struct buf b;
	buf_init(&b, 0);
	buf_append(&b, data, at);
	for (size_t i = 0; i < pad; i++)
		buf_append(&b, i % 61 == 60 ? "\n" : " ", 1);
	buf_append(&b, data + at, len - at);
	return buf_steal(&b, outlen);
}

static int is_xml_input(const char *name)
{
	static const char *const ext[] = {".xml", ".rss", ".atom", ".rdf"};
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t e = strlen(ext[i]);
		if (n > e && strcmp(name + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *env = getenv("TESTS_SRCDIR");
	char *dir = xasprintf("%s/parse", env != NULL ? env : SRCDIR "/tests");
	DIR *d = opendir(dir);
	if (!ok(d != NULL, "open %s", dir)) {
		free(dir);
		return done_testing();
	}
	char **names = NULL;
	size_t nnames = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (is_xml_input(de->d_name)) {
			names = xreallocarray(names, nnames + 1, sizeof *names);
			names[nnames++] = xstrdup(de->d_name);
		}
	closedir(d);
	qsort(names, nnames, sizeof *names, by_name);
	ok(nnames > 100, "%zu XML fixtures found", nnames);

	for (size_t i = 0; i < nnames; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		size_t len = 0;
		char *data = read_file(path, &len);
		int same = data != NULL && same_both_ways(names[i], "as is", data, len);
		if (data != NULL) {
			size_t n2;
			char *v = with_crlf(data, len, &n2);
			same &= same_both_ways(names[i], "CR LF", v, n2);
			free(v);
			/* Odd shifts, so that a chunk boundary lands inside runs, references and
			 * "]]>" of the larger fixtures. */
			v = shifted(data, len, 65536 - 4093 + i % 7, &n2);
			same &= same_both_ways(names[i], "shifted", v, n2);
			free(v);
		}
		ok(same, "%s: the same with and without direct reads", names[i]);
		free(data);
		free(path);
		free(names[i]);
	}
	free(names);
	free(dir);
	return done_testing();
}
