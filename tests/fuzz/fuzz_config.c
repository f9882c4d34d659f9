/* libFuzzer target: config_load() on arbitrary bytes, written to a file in a private temporary
 * folder (config_load reads a path: relative database, output_dir and auth_file paths resolve
 * into that empty folder). Its messages go to a memory stream and must each be one line of
 * valid UTF-8 without control characters (tabs aside) that names the file and a line of the
 * input ("PATH:LINE: ..."; "PATH: ..." only about the whole file), and there must be one at
 * least per error counted. A config that loads is compared with the defaults
 * (config_global_changes) and freed; LeakSanitizer does the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];
static struct config *defaults;

static void fail(const char *what, const char *msgs)
{
	fprintf(stderr, "%s\nmessages:\n%s\n", what, msgs);
	abort();
}

static void write_input(const uint8_t *data, size_t size)
{
	FILE *fp = fopen(path, "wb");
	if (fp == NULL || fwrite(data, 1, size, fp) != size || fclose(fp) != 0) {
		perror(path);
		abort();
	}
}

static void cleanup(void)
{
	unlink(path);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	rmdir(path);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/fuzz_config.XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(path) == NULL) {
		perror(path);
		abort();
	}
	strcat(path, "/feedmerge.conf");
	atexit(cleanup);
	write_input((const uint8_t *)"", 0);
	int nerr;
	defaults = config_load(path, NULL, &nerr);
	if (defaults == NULL)
		abort();
}

static int utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t len = c < 0x80                 ? 1
		             : c >= 0xC2 && c <= 0xDF ? 2
		             : c >= 0xE0 && c <= 0xEF ? 3
		             : c >= 0xF0 && c <= 0xF4 ? 4
		                                      : 0;
		if (len == 0 || n - i < len)
			return 0;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += len;
	}
	return 1;
}

static void changed(void *ctx, const char *key, const char *old_value, const char *new_value)
{
	if (key == NULL || old_value == NULL || new_value == NULL)
		abort();
	++*(size_t *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (defaults == NULL)
		setup();
	write_input(data, size);
	long nlines = 1;
	for (size_t i = 0; i < size; i++)
		nlines += data[i] == '\n';

	char *msgs = NULL;
	size_t msgs_len = 0;
	FILE *errs = open_memstream(&msgs, &msgs_len);
	if (errs == NULL)
		abort();
	int nerrors = -1;
	struct config *c = config_load(path, errs, &nerrors);
	fclose(errs);

	if (nerrors < 0 || (c == NULL) != (nerrors > 0))
		fail("the error count and the result disagree", msgs);
	if (!utf8_ok((const unsigned char *)msgs, msgs_len))
		fail("a message is not valid UTF-8", msgs);
	size_t plen = strlen(path), nmsgs = 0;
	for (const char *line = msgs; *line != '\0'; nmsgs++) {
		const char *nl = strchr(line, '\n');
		if (nl == NULL)
			fail("a message does not end with a newline", msgs);
		for (const char *p = line; p < nl; p++)
			if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
				fail("a message holds a control character", msgs);
		if (strncmp(line, path, plen) != 0 || line[plen] != ':')
			fail("a message does not start with the file's path", msgs);
		const char *p = line + plen + 1;
		if (*p != ' ') {
			char *end;
			long n = strtol(p, &end, 10);
			if (end == p || *end != ':' || end[1] != ' ' || n < 1 || n > nlines)
				fail("a message names no line of the file", msgs);
		}
		line = nl + 1;
	}
	if (nmsgs < (size_t)nerrors)
		fail("fewer messages than errors", msgs);
	if (c != NULL) {
		size_t nchanged = 0;
		config_global_changes(defaults, c, changed, &nchanged);
		size_t before = nchanged;
		config_global_changes(c, c, changed, &nchanged);
		if (nchanged != before)
			fail("a config differs from itself", msgs);
		config_free(c);
	}
	free(msgs);
	return 0;
}
