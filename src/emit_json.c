/* The merged feed as JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), from the same
 * prepared items as Atom and RSS: the same ids, titles, sanitised HTML and attribution line.
 *
 * Each item's attribution is the "_source" extension object (JSON Feed: keys starting with
 * '_' are extensions, which readers that do not know them skip): the primary source as Atom's
 * atom:source names it, and the other sources that carried the story as "also", as Atom's and
 * RSS's fm:carrier elements do. README.md, "JSON Feed extension", documents it; its "about"
 * points there.
 *
 * yajl's generator writes the JSON (escaping, nesting, commas), into our buffer through its
 * print callback. It is given only valid UTF-8: every string goes through xml_clean_dup()
 * first, so invalid bytes become U+FFFD and the characters XML forbids are dropped, and the
 * JSON Feed carries exactly the text the Atom and RSS feeds carry. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_gen.h>

#include "date.h"
#include "emit.h"
#include "emit_int.h"
#include "log.h"
#include "util.h"

#define EMIT_JSON_VERSION "https://jsonfeed.org/version/1.1"
/* The documentation of the "_source" extension (JSON Feed: an extension object should have
 * an "about" URL): the README's section, on the project's home that AC_INIT names. */
#define EMIT_JSON_SOURCE_ABOUT "https://github.com/feedmerge/feedmerge#json-feed-extension"
/* What an enclosure whose type is missing or malformed is published as (mime_type is
 * required in an attachment). */
#define EMIT_JSON_DEFAULT_TYPE "application/octet-stream"

/* A failure of yajl_gen here is our bug (a key without a value, a string that is not UTF-8
 * after cleaning), never the data's. */
static void gen_check(yajl_gen_status st, const char *what)
{
	if (st != yajl_gen_status_ok)
		fatalx("emit_json: yajl_gen %s failed (status %d)", what, (int)st);
}

static void gen_print_cb(void *ctx, const char *s, size_t len)
{
	(void)buf_append(ctx, s, len); /* no cap: fails only by aborting */
}

/* Writes s (valid UTF-8 or not) as a JSON string. */
static void put_str(yajl_gen g, const char *s)
{
	char *clean = xml_clean_dup(s != NULL ? s : "");
	gen_check(yajl_gen_string(g, (const unsigned char *)clean, strlen(clean)), "string");
	free(clean);
}

static void put_key(yajl_gen g, const char *key)
{
	gen_check(yajl_gen_string(g, (const unsigned char *)key, strlen(key)), "key");
}

/* Writes "key": "value"; nothing when value is NULL. */
static void put_member(yajl_gen g, const char *key, const char *value)
{
	if (value == NULL)
		return;
	put_key(g, key);
	put_str(g, value);
}

/* Writes "key": "RFC 3339 time". */
static void put_date(yajl_gen g, const char *key, int64_t t)
{
	char iso[DATE_ISO_SIZE];
	date_format_iso(emit_clamp_time(t), iso);
	put_key(g, key);
	gen_check(yajl_gen_string(g, (const unsigned char *)iso, strlen(iso)), "date");
}

static void map_open(yajl_gen g)
{
	gen_check(yajl_gen_map_open(g), "map open");
}

static void map_close(yajl_gen g)
{
	gen_check(yajl_gen_map_close(g), "map close");
}

static void array_open(yajl_gen g)
{
	gen_check(yajl_gen_array_open(g), "array open");
}

static void array_close(yajl_gen g)
{
	gen_check(yajl_gen_array_close(g), "array close");
}

/* Writes "authors": [{"name": name}]. */
static void put_authors(yajl_gen g, const char *name)
{
	put_key(g, "authors");
	array_open(g);
	map_open(g);
	put_member(g, "name", name);
	map_close(g);
	array_close(g);
}

/* Writes the members of one credit: the source's title, feed and site, and when it first
 * carried the entry. */
static void put_credit(yajl_gen g, const struct emit_credit *c)
{
	if (!emit_blank(c->title))
		put_member(g, "title", c->title);
	put_member(g, "feed_url", c->feed_url);
	put_member(g, "home_page_url", c->site);
	if (c->first_seen != FEED_TIME_NONE)
		put_date(g, "first_seen", c->first_seen);
}

/* Writes the "_source" extension object: the primary credit, then the other carriers. */
static void put_source(yajl_gen g, const struct emit_item *it)
{
	put_key(g, "_source");
	map_open(g);
	put_member(g, "about", EMIT_JSON_SOURCE_ABOUT);
	put_credit(g, &it->credit);
	put_key(g, "also");
	array_open(g);
	for (size_t k = 0; k < it->nalso; k++) {
		map_open(g);
		put_credit(g, &it->also[k]);
		map_close(g);
	}
	array_close(g);
	map_close(g);
}

static void put_tags(yajl_gen g, const struct entry *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->ncategories; i++) {
		if (emit_blank(e->categories[i]))
			continue;
		if (n++ == 0) {
			put_key(g, "tags");
			array_open(g);
		}
		put_str(g, e->categories[i]);
	}
	if (n > 0)
		array_close(g);
}

static void put_attachments(yajl_gen g, const struct entry *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct enclosure *enc = &e->enclosures[i];
		if (emit_public_link(enc->url) == NULL)
			continue;
		if (n++ == 0) {
			put_key(g, "attachments");
			array_open(g);
		}
		map_open(g);
		put_member(g, "url", enc->url);
		put_member(g, "mime_type",
		           emit_media_type_ok(enc->type) ? enc->type : EMIT_JSON_DEFAULT_TYPE);
		if (enc->length >= 0) {
			put_key(g, "size_in_bytes");
			gen_check(yajl_gen_integer(g, (long long)enc->length), "integer");
		}
		map_close(g);
	}
	if (n > 0)
		array_close(g);
}

static void json_item(yajl_gen g, const struct emit_doc *d, const struct emit_item *it)
{
	const struct entry *e = &it->me->e;
	map_open(g);
	put_member(g, "id", it->id);
	put_member(g, "url", it->link);
	put_member(g, "title", it->title);

	/* JSON Feed wants content_html or content_text: the attribution ends the content, else
	 * the summary, else stands alone; "" when there is nothing at all. */
	char *html = emit_with_attribution_dup(it->content != NULL ? it->content : it->summary,
	                                       it->attribution);
	put_member(g, "content_html", html);
	free(html);
	if (it->content != NULL && it->summary != NULL && strcmp(it->content, it->summary) != 0) {
		char *text = emit_html_text_dup(it->summary, SIZE_MAX);
		if (!emit_blank(text))
			put_member(g, "summary", text);
		free(text);
	}

	put_date(g, "date_published", it->published != FEED_TIME_NONE ? it->published : it->date);
	put_date(g, "date_modified", it->updated);
	put_authors(g, it->author);
	put_tags(g, e);
	put_attachments(g, e);
	const char *lang = it->credit.lang;
	if (lang != NULL && (d->lang == NULL || strcasecmp(lang, d->lang) != 0))
		put_member(g, "language", lang);
	put_source(g, it);
	map_close(g);
}

/* Returns a new JSON Feed 1.1 document and its length in *len. */
char *emit_json(const struct emit_doc *d, const char *self, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	yajl_gen g = yajl_gen_alloc(NULL);
	if (g == NULL)
		fatalx("out of memory (yajl_gen_alloc)");
	if (!yajl_gen_config(g, yajl_gen_beautify, 1) ||
	    !yajl_gen_config(g, yajl_gen_indent_string, "  ") ||
	    !yajl_gen_config(g, yajl_gen_print_callback, gen_print_cb, &b))
		fatalx("emit_json: yajl_gen_config failed");

	map_open(g);
	put_member(g, "version", EMIT_JSON_VERSION);
	put_member(g, "title", d->meta.title);
	/* Both URLs only when public_url may be published: a relative or credentialed one
	 * would be no URL a reader can use. */
	if (emit_public_link(d->meta.public_url) != NULL) {
		char *feed_url = emit_url_dup(d, self);
		put_member(g, "home_page_url", d->meta.public_url);
		put_member(g, "feed_url", feed_url);
		free(feed_url);
	}
	put_member(g, "language", d->lang);
	put_authors(g, d->meta.author);
	put_key(g, "items");
	array_open(g);
	for (size_t i = 0; i < d->nitems; i++)
		json_item(g, d, &d->items[i]);
	array_close(g);
	map_close(g);
	yajl_gen_free(g);
	return buf_steal(&b, len);
}
