/* The merged feed as JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), from the same
 * prepared items as Atom and RSS: the same ids, titles, sanitised HTML and attribution line.
 *
 * Each item's attribution is the "_source" extension object (JSON Feed: keys starting with
 * '_' are extensions, which readers that do not know them skip): the primary source as Atom's
 * atom:source names it, and the other sources that carried the story as "also", as Atom's and
 * RSS's fm:carrier elements do. README.md, "JSON Feed extension", documents it; its "about"
 * points there.
 *
 * json_out.c writes the JSON; every string goes through xml_clean_dup() there, so invalid
 * bytes become U+FFFD and the characters XML forbids are dropped, and the JSON Feed carries
 * exactly the text the Atom and RSS feeds carry. */
#include "autoconf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "emit.h"
#include "emit_int.h"
#include "json_out.h"
#include "log.h"
#include "util.h"

#define EMIT_JSON_VERSION "https://jsonfeed.org/version/1.1"
/* The documentation of the "_source" extension (JSON Feed: an extension object should have
 * an "about" URL): the README's section, on the project's home that AC_INIT names. */
#define EMIT_JSON_SOURCE_ABOUT "https://github.com/feedmerge/feedmerge#json-feed-extension"
/* What an enclosure whose type is missing or malformed is published as (mime_type is
 * required in an attachment). */
#define EMIT_JSON_DEFAULT_TYPE "application/octet-stream"

/* Writes "authors": [{"name": name}]. */
static void put_authors(struct json_out *g, const char *name)
{
	json_key(g, "authors");
	json_array_open(g);
	json_map_open(g);
	json_member(g, "name", name);
	json_map_close(g);
	json_array_close(g);
}

/* Writes the members of one credit: the source's title, feed and site, and when it first
 * carried the entry. */
static void put_credit(struct json_out *g, const struct emit_credit *c)
{
	if (!emit_blank(c->title))
		json_member(g, "title", c->title);
	json_member(g, "feed_url", c->feed_url);
	json_member(g, "home_page_url", c->site);
	if (c->first_seen != FEED_TIME_NONE)
		json_date(g, "first_seen", emit_clamp_time(c->first_seen));
}

/* Writes the "_source" extension object: the primary credit, then the other carriers. */
static void put_source(struct json_out *g, const struct emit_item *it)
{
	json_key(g, "_source");
	json_map_open(g);
	json_member(g, "about", EMIT_JSON_SOURCE_ABOUT);
	put_credit(g, &it->credit);
	json_key(g, "also");
	json_array_open(g);
	for (size_t k = 0; k < it->nalso; k++) {
		json_map_open(g);
		put_credit(g, &it->also[k]);
		json_map_close(g);
	}
	json_array_close(g);
	json_map_close(g);
}

static void put_tags(struct json_out *g, const struct entry *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->ncategories; i++) {
		if (emit_blank(e->categories[i]))
			continue;
		if (n++ == 0) {
			json_key(g, "tags");
			json_array_open(g);
		}
		json_str(g, e->categories[i]);
	}
	if (n > 0)
		json_array_close(g);
}

static void put_attachments(struct json_out *g, const struct entry *e)
{
	size_t n = 0;
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct enclosure *enc = &e->enclosures[i];
		if (emit_public_link(enc->url) == NULL)
			continue;
		if (n++ == 0) {
			json_key(g, "attachments");
			json_array_open(g);
		}
		json_map_open(g);
		json_member(g, "url", enc->url);
		json_member(g, "mime_type",
		            emit_media_type_ok(enc->type) ? enc->type : EMIT_JSON_DEFAULT_TYPE);
		if (enc->length >= 0) {
			json_key(g, "size_in_bytes");
			json_int(g, enc->length);
		}
		json_map_close(g);
	}
	if (n > 0)
		json_array_close(g);
}

static void json_item(struct json_out *g, const struct emit_doc *d, const struct emit_item *it)
{
	const struct entry *e = &it->me->e;
	json_map_open(g);
	json_member(g, "id", it->id);
	json_member(g, "url", it->link);
	json_member(g, "title", it->title);

	/* JSON Feed wants content_html or content_text: the attribution ends the content, else
	 * the summary, else stands alone; "" when there is nothing at all. */
	char *html = emit_with_attribution_dup(it->content != NULL ? it->content : it->summary,
	                                       it->attribution);
	json_member(g, "content_html", html);
	free(html);
	if (it->content != NULL && it->summary != NULL && strcmp(it->content, it->summary) != 0) {
		char *text = emit_html_text_dup(it->summary, SIZE_MAX);
		if (!emit_blank(text))
			json_member(g, "summary", text);
		free(text);
	}

	json_date(g, "date_published",
	          emit_clamp_time(it->published != FEED_TIME_NONE ? it->published : it->date));
	json_date(g, "date_modified", emit_clamp_time(it->updated));
	put_authors(g, it->author);
	put_tags(g, e);
	put_attachments(g, e);
	const char *lang = it->credit.lang;
	if (lang != NULL && (d->lang == NULL || strcasecmp(lang, d->lang) != 0))
		json_member(g, "language", lang);
	put_source(g, it);
	json_map_close(g);
}

/* Returns a new JSON Feed 1.1 document and its length in *len. */
char *emit_json(const struct emit_doc *d, const char *self, size_t *len)
{
	struct json_out *g = json_out_new(1);

	json_map_open(g);
	json_member(g, "version", EMIT_JSON_VERSION);
	json_member(g, "title", d->meta.title);
	/* Both URLs only when public_url may be published: a relative or credentialed one
	 * would be no URL a reader can use. */
	if (emit_public_link(d->meta.public_url) != NULL) {
		char *feed_url = emit_url_dup(d, self);
		json_member(g, "home_page_url", d->meta.public_url);
		json_member(g, "feed_url", feed_url);
		free(feed_url);
	}
	json_member(g, "language", d->lang);
	put_authors(g, d->meta.author);
	json_key(g, "items");
	json_array_open(g);
	for (size_t i = 0; i < d->nitems; i++)
		json_item(g, d, &d->items[i]);
	json_array_close(g);
	json_map_close(g);
	return json_out_steal(g, len);
}
