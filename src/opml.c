/* OPML 2.0 subscription lists, read and written with libxml2.
 *
 * Its own module rather than a part of parse*.c: those read untrusted feeds from the network
 * into struct feed through a recovering SAX parser; an OPML file is local, hand-made or exported
 * by another reader, and is read whole as a tree, strictly (a broken list is an error with its
 * line, as in the config file), to become config. libxml2 strings never leave this file.
 *
 * Safety: no DTD is loaded, nothing is fetched (XML_PARSE_NONET), and a document declaring
 * entities is refused before it is parsed: an attribute value read through the tree expands
 * entity references without the SAX parser's budget (a "billion laughs" in an xmlUrl). */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "opml.h"
#include "log.h"
#include "util.h"

/* Subscription lists run to thousands of outlines, never to this. */
#define OPML_MAX_BYTES (16 * 1024 * 1024)

void opml_feeds_free(struct opml_feed *feeds, size_t n)
{
	if (feeds == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(feeds[i].title);
		free(feeds[i].url);
		free(feeds[i].folder);
	}
	free(feeds);
}

static int name_is(const xmlNode *node, const char *name)
{
	return node->type == XML_ELEMENT_NODE && strcmp((const char *)node->name, name) == 0;
}

static int line_of(const xmlNode *node)
{
	long line = xmlGetLineNo(node);
	return line > 0 && line <= 0x7fffffff ? (int)line : 0;
}

/* A new copy of attribute name of node: controls made spaces, trimmed; NULL when absent or
 * empty. */
static char *attr_dup(xmlNode *node, const char *name)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
	if (v == NULL)
		return NULL;
	const char *s = (const char *)v;
	while (*s == ' ' || (*s > 0 && *s < 0x20))
		s++;
	size_t n = strlen(s);
	while (n > 0 && ((unsigned char)s[n - 1] <= 0x20 || s[n - 1] == 0x7f))
		n--;
	char *out = n > 0 ? xstrndup(s, n) : NULL;
	xmlFree(v);
	for (char *p = out; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

struct opml_list {
	struct opml_feed *feeds;
	size_t n, size;
};

/* Collects the feed outlines under parent, whose folder is folder (borrowed; NULL: none). */
static void collect(xmlNode *parent, const char *folder, struct opml_list *l)
{
	for (xmlNode *node = parent->children; node != NULL; node = node->next) {
		if (!name_is(node, "outline"))
			continue;
		char *url = attr_dup(node, "xmlUrl");
		if (url == NULL) {
			/* A folder: its feeds take its text (or title) as their folder. */
			char *text = attr_dup(node, "text");
			if (text == NULL)
				text = attr_dup(node, "title");
			collect(node, text != NULL ? text : folder, l);
			free(text);
			continue;
		}
		if (l->n == l->size) {
			l->size = l->size ? 2 * l->size : 64;
			l->feeds = xreallocarray(l->feeds, l->size, sizeof *l->feeds);
		}
		struct opml_feed *f = &l->feeds[l->n++];
		f->url = url;
		f->title = attr_dup(node, "title");
		if (f->title == NULL)
			f->title = attr_dup(node, "text");
		f->folder = xstrdup_or_null(folder);
		f->line = line_of(node);
	}
}

/* libxml2's report of the first error (xmlCtxtGetLastError keeps the last, often a
 * consequence of the first). */
struct opml_error {
	char msg[256];
	int line;
};

static void error_cb(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = data;
	struct opml_error *first = ctxt->_private;
	if (e == NULL || e->level < XML_ERR_ERROR || first->line != 0)
		return;
	const char *msg = e->message != NULL ? e->message : "not well-formed";
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	snprintf(first->msg, sizeof first->msg, "%.*s", (int)n, msg);
	first->line = e->line > 0 ? e->line : 1;
}

/* Reads path whole (at most OPML_MAX_BYTES); NULL with a reason in err. */
static char *slurp(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	if (fp == NULL || fstat(fileno(fp), &st) != 0) {
		snprintf(err, errlen, "cannot read: %s", strerror(errno));
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	if (S_ISDIR(st.st_mode) || st.st_size > OPML_MAX_BYTES) {
		snprintf(err, errlen, "cannot read: %s",
		         S_ISDIR(st.st_mode) ? strerror(EISDIR) : "larger than 16 MiB");
		fclose(fp);
		return NULL;
	}
	char *data = read_stream(fp, len);
	int e = errno;
	fclose(fp);
	if (data == NULL)
		snprintf(err, errlen, "cannot read: %s", strerror(e));
	return data;
}

int opml_read(const char *path, struct opml_feed **feeds, size_t *nfeeds, int *line, char *err,
              size_t errlen)
{
	*feeds = NULL;
	*nfeeds = 0;
	*line = 0;
	size_t len = 0;
	char *data = slurp(path, &len, err, errlen);
	if (data == NULL)
		return -1;
	const char *decl = strstr(data, "<!ENTITY");
	if (decl != NULL || len > 0x7fffffff) {
		*line = 1;
		for (const char *p = data; decl != NULL && p < decl; p++)
			*line += *p == '\n';
		snprintf(err, errlen, "%s",
		         decl != NULL ? "entity declarations are not allowed"
		                      : "larger than 16 MiB");
		free(data);
		return -1;
	}
	xmlInitParser();
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		fatalx("libxml2: out of memory");
	struct opml_error first = {"", 0};
	ctxt->_private = &first;
	ctxt->sax->serror = error_cb;
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, data, (int)len, path, NULL,
	                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
	                                      XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
	free(data);
	int rc = -1;
	if (doc == NULL || first.line != 0) {
		snprintf(err, errlen, "not well-formed XML: %s",
		         first.line != 0 ? first.msg : "cannot parse it");
		*line = first.line != 0 ? first.line : 1;
		goto out;
	}
	xmlNode *root = xmlDocGetRootElement(doc);
	if (root == NULL || !name_is(root, "opml")) {
		snprintf(err, errlen, "not an OPML document: the root element is <%s>, not <opml>",
		         root != NULL ? (const char *)root->name : "");
		*line = root != NULL ? line_of(root) : 1;
		goto out;
	}
	xmlNode *body = NULL;
	for (xmlNode *node = root->children; node != NULL && body == NULL; node = node->next)
		if (name_is(node, "body"))
			body = node;
	if (body == NULL) {
		snprintf(err, errlen, "no <body> in <opml>");
		*line = line_of(root);
		goto out;
	}
	struct opml_list l = {0};
	collect(body, NULL, &l);
	*feeds = l.feeds;
	*nfeeds = l.n;
	rc = 0;
out:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

/* One feed's <outline>. */
static int write_feed(xmlTextWriterPtr w, const struct opml_feed *f)
{
	const xmlChar *title = (const xmlChar *)(f->title != NULL ? f->title : f->url);
	if (xmlTextWriterStartElement(w, (const xmlChar *)"outline") < 0 ||
	    xmlTextWriterWriteAttribute(w, (const xmlChar *)"type", (const xmlChar *)"rss") < 0 ||
	    xmlTextWriterWriteAttribute(w, (const xmlChar *)"text", title) < 0 ||
	    xmlTextWriterWriteAttribute(w, (const xmlChar *)"title", title) < 0 ||
	    xmlTextWriterWriteAttribute(w, (const xmlChar *)"xmlUrl", (const xmlChar *)f->url) <
	        0 ||
	    xmlTextWriterEndElement(w) < 0)
		return -1;
	return 0;
}

static int write_body(xmlTextWriterPtr w, const struct opml_feed *feeds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *folder = feeds[i].folder;
		if (folder == NULL) {
			if (write_feed(w, &feeds[i]) < 0)
				return -1;
			continue;
		}
		int seen = 0;
		for (size_t k = 0; k < i && !seen; k++)
			seen = feeds[k].folder != NULL && strcmp(feeds[k].folder, folder) == 0;
		if (seen)
			continue;
		if (xmlTextWriterStartElement(w, (const xmlChar *)"outline") < 0 ||
		    xmlTextWriterWriteAttribute(w, (const xmlChar *)"text",
		                                (const xmlChar *)folder) < 0 ||
		    xmlTextWriterWriteAttribute(w, (const xmlChar *)"title",
		                                (const xmlChar *)folder) < 0)
			return -1;
		for (size_t k = i; k < n; k++)
			if (feeds[k].folder != NULL && strcmp(feeds[k].folder, folder) == 0 &&
			    write_feed(w, &feeds[k]) < 0)
				return -1;
		if (xmlTextWriterEndElement(w) < 0)
			return -1;
	}
	return 0;
}

int opml_write(FILE *fp, const char *title, const struct opml_feed *feeds, size_t n)
{
	xmlBufferPtr buf = xmlBufferCreate();
	if (buf == NULL)
		fatalx("libxml2: out of memory");
	xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
	if (w == NULL)
		fatalx("libxml2: out of memory");
	int rc = -1;
	if (xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterSetIndentString(w, (const xmlChar *)"  ") < 0 ||
	    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, (const xmlChar *)"opml") < 0 ||
	    xmlTextWriterWriteAttribute(w, (const xmlChar *)"version", (const xmlChar *)"2.0") <
	        0 ||
	    xmlTextWriterStartElement(w, (const xmlChar *)"head") < 0 ||
	    xmlTextWriterWriteElement(w, (const xmlChar *)"title", (const xmlChar *)title) < 0 ||
	    xmlTextWriterEndElement(w) < 0 ||
	    xmlTextWriterStartElement(w, (const xmlChar *)"body") < 0 ||
	    write_body(w, feeds, n) < 0 || xmlTextWriterEndDocument(w) < 0)
		goto out;
	xmlFreeTextWriter(w); /* flushes into buf */
	w = NULL;
	size_t len = (size_t)xmlBufferLength(buf);
	if (fwrite(xmlBufferContent(buf), 1, len, fp) == len && fflush(fp) == 0)
		rc = 0;
out:
	xmlFreeTextWriter(w);
	xmlBufferFree(buf);
	return rc;
}
