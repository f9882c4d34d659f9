/* Entities for the XML parser: the HTML named entities through the getEntity hook, short flat
 * internal declarations kept and everything else ignored (no external entity is ever loaded,
 * nothing nests, so nothing can be fetched or amplified), and the test parse_fixup.c uses to
 * tell a reference libxml2 can resolve from a bare '&'. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "parse_int.h"
#include "parse_xml_int.h"
#include "util.h"

static xmlEntityPtr entity_new(const char *name, const char *content, size_t len, int for_attr)
{
	xmlEntityPtr e = xcalloc(1, sizeof *e);
	e->type = XML_ENTITY_DECL;
	e->name = (const xmlChar *)xstrdup(name);
	e->content = (xmlChar *)xstrndup(content, len);
	e->length = (int)len;
	/* In text, a "predefined" entity is handed to the characters callback as is; in an
	 * attribute value an internal one is left as "&name;", which parse_names_attr_decode()
	 * decodes. */
	e->etype = for_attr ? XML_INTERNAL_GENERAL_ENTITY : XML_INTERNAL_PREDEFINED_ENTITY;
	e->checked = 2; /* checked, no '<' */
	return e;
}

static void entity_free(xmlEntityPtr e)
{
	if (e == NULL)
		return;
	free((char *)(uintptr_t)e->name);
	free(e->content);
	/* libxml2 hands a declared entity's raw value to the entity getEntity returns. */
	if (e->orig != NULL)
		xmlFree(e->orig);
	free(e);
}

static int in_attribute(const struct xml_state *st)
{
	return st->ctxt->instate == XML_PARSER_START_TAG ||
	       st->ctxt->instate == XML_PARSER_ATTRIBUTE_VALUE;
}

/* Whether declared entity e may expand once more within the document's budget. Past it,
 * references expand to nothing, reported once as an error. */
static int expansion_allowed(struct xml_state *st, xmlEntityPtr e)
{
	size_t len = (size_t)e->length;
	if (!st->ent_refused && st->ent_budget - st->ent_expanded >= len) {
		st->ent_expanded += len;
		return 1;
	}
	if (!st->ent_refused) {
		st->ent_refused = 1;
		st->ent_empty = entity_new((const char *)e->name, "", 0, 0);
		st->nerrors++;
		if (st->nerrors == 1) {
			st->first_error_line = st->ctxt->input != NULL ? st->ctxt->input->line : 0;
			snprintf(st->first_error, sizeof st->first_error,
			         "entity expansion beyond %zu bytes refused", st->ent_budget);
		}
	}
	return 0;
}

xmlEntityPtr parse_entities_get_cb(void *ctx, const xmlChar *name)
{
	struct xml_state *st = ctx;
	int for_attr = in_attribute(st);
	for (int i = 0; i < st->ndecl; i++)
		if (strcmp((const char *)st->decl[i]->name, (const char *)name) == 0) {
			if (for_attr)
				return st->decl_attr[i]; /* left as "&name;", not expanded */
			return expansion_allowed(st, st->decl[i]) ? st->decl[i] : st->ent_empty;
		}
	const htmlEntityDesc *d = htmlEntityLookup(name);
	if (d == NULL)
		return NULL;
	uint64_t h = hash64(name, strlen((const char *)name));
	size_t slot = (size_t)(h % XML_ENT_SLOTS);
	xmlEntityPtr *tab = for_attr ? st->ent_attr : st->ent_content;
	for (size_t k = 0; k < XML_ENT_SLOTS; k++) {
		size_t s = (slot + k) % XML_ENT_SLOTS;
		if (tab[s] == NULL) {
			struct buf b;
			buf_init(&b, 0);
			parse_put_utf8(&b, d->value);
			tab[s] = entity_new((const char *)name, b.data, b.len, for_attr);
			buf_free(&b);
			return tab[s];
		}
		if (strcmp((const char *)tab[s]->name, (const char *)name) == 0)
			return tab[s];
	}
	return NULL;
}

/* Keeps short, flat internal entity declarations; everything else (external, parameter,
 * nested) is ignored, so nothing can be fetched or amplified. */
void parse_entities_decl_cb(void *ctx, const xmlChar *name, int type, const xmlChar *publicId,
                            const xmlChar *systemId, xmlChar *content)
{
	struct xml_state *st = ctx;
	(void)publicId;
	(void)systemId;
	if (type != XML_INTERNAL_GENERAL_ENTITY || content == NULL || name == NULL)
		return;
	size_t len = strlen((const char *)content);
	if (len > XML_DECL_ENT_MAX_BYTES || strchr((const char *)content, '&') != NULL ||
	    strchr((const char *)content, '<') != NULL || st->ndecl >= XML_DECL_ENT_MAX)
		return;
	for (int i = 0; i < st->ndecl; i++)
		if (strcmp((const char *)st->decl[i]->name, (const char *)name) == 0)
			return; /* the first declaration wins */
	st->decl[st->ndecl] = entity_new((const char *)name, (const char *)content, len, 0);
	st->decl_attr[st->ndecl] = entity_new((const char *)name, (const char *)content, len, 1);
	st->ndecl++;
}

void parse_entities_reference_cb(void *ctx, const xmlChar *name)
{
	(void)ctx;
	(void)name;
}

xmlParserInputPtr parse_entities_resolve_cb(void *ctx, const xmlChar *publicId,
                                            const xmlChar *systemId)
{
	(void)ctx;
	(void)publicId;
	(void)systemId;
	return NULL;
}

xmlParserInputPtr parse_entities_no_external_loader(const char *url, const char *id,
                                                    xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/* Whether "&..." at s is a reference libxml2 can resolve: numeric, predefined, HTML 4, or
 * declared in the internal subset. Returns 1 yes, 0 no, -1 when more bytes are needed. */
int parse_entities_known_ref(struct xml_state *st, const char *s, size_t n, int final)
{
	size_t i = 1;
	char name[40];
	size_t k = 0;
	if (n < 2)
		return final ? 0 : -1;
	if (s[1] == '#') {
		int hex = 0;
		i = 2;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		size_t digits = 0;
		for (; i < n && digits < 10; i++, digits++) {
			unsigned char c = (unsigned char)s[i];
			if (!((c >= '0' && c <= '9') ||
			      (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))))
				break;
		}
		if (i >= n)
			return final ? 0 : -1;
		return digits > 0 && s[i] == ';';
	}
	for (; i < n && k < sizeof name - 1; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			break;
		name[k++] = (char)c;
	}
	if (i >= n && k < sizeof name - 1)
		return final ? 0 : -1;
	if (k == 0 || i >= n || s[i] != ';')
		return 0;
	name[k] = '\0';
	if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 || strcmp(name, "gt") == 0 ||
	    strcmp(name, "quot") == 0 || strcmp(name, "apos") == 0)
		return 1;
	/* Declarations first: at most XML_DECL_ENT_MAX, where the HTML table is a linear scan. */
	for (int d = 0; d < st->ndecl; d++)
		if (strcmp((const char *)st->decl[d]->name, name) == 0)
			return 1;
	if (htmlEntityLookup((const xmlChar *)name) != NULL)
		return 1;
	/* An internal subset in this chunk may declare it: let libxml2 decide. */
	return st->has_subset;
}

/* Frees the entities handed to libxml2 during the document. */
void parse_entities_free(struct xml_state *st)
{
	for (size_t i = 0; i < XML_ENT_SLOTS; i++) {
		entity_free(st->ent_content[i]);
		entity_free(st->ent_attr[i]);
	}
	for (int i = 0; i < st->ndecl; i++) {
		entity_free(st->decl[i]);
		entity_free(st->decl_attr[i]);
	}
	entity_free(st->ent_empty);
}
