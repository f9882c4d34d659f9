/* libFuzzer target: sanitize_html_dup() on arbitrary bytes (up to the first NUL, as a C string
 * carries them), without a base and with one. Aborts, with input and output on stderr, when
 * the output is not well-formed XML inside one root element, or sanitising it again changes
 * it (the output must be a fixed point). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *in, const char *base)
{
	char *out = sanitize_html_dup(in, base);
	if (out == NULL)
		abort();
	size_t n = strlen(out);
	char *doc_text = malloc(n + 8);
	if (doc_text == NULL)
		abort();
	memcpy(doc_text, "<r>", 3);
	memcpy(doc_text + 3, out, n);
	memcpy(doc_text + 3 + n, "</r>", 5);
	xmlDocPtr doc = xmlReadMemory(doc_text, (int)(n + 7), NULL, "UTF-8",
	                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	char *again = sanitize_html_dup(out, base);
	if (doc == NULL || again == NULL || strcmp(again, out) != 0) {
		fprintf(stderr, "in:    %s\nout:   %s\nagain: %s\n%s\n", in, out,
		        again ? again : "(null)",
		        doc == NULL ? "not well-formed" : "not a fixed point");
		abort();
	}
	xmlFreeDoc(doc);
	free(again);
	free(doc_text);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check(s, NULL);
	check(s, "https://example.org/dir/feed.xml");
	free(s);
	return 0;
}
