/* The merged feed as Atom 1.0 (RFC 4287), valid against its RELAX NG schema. Each entry ends
 * with atom:source for its primary attribution; the other sources that carried it follow as
 * fm:carrier extension elements (RFC 4287 6.4: readers that do not know them skip them). */
#include "autoconf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "emit.h"
#include "emit_int.h"
#include "util.h"

/* RFC 5005's feed history namespace. */
#define EMIT_FH_NS "http://purl.org/syndication/history/1.0"

static void put_rel(struct buf *b, const struct emit_doc *d, const char *rel, const char *path)
{
	if (path == NULL)
		return;
	char *u = emit_url_dup(d, path);
	emit_put_link(b, "link", rel, u, "application/atom+xml");
	free(u);
}

static void atom_entry(struct buf *b, const struct emit_doc *d, const struct emit_item *it)
{
	const struct entry *e = &it->me->e;
	const struct emit_credit *c = &it->credit;
	buf_puts(b, "<entry");
	if (c->lang != NULL && (d->lang == NULL || strcasecmp(c->lang, d->lang) != 0)) {
		buf_puts(b, " xml:lang=\"");
		emit_put_text(b, c->lang, 1);
		buf_puts(b, "\"");
	}
	buf_puts(b, ">\n");
	emit_put_elem(b, "id", it->id);
	emit_put_elem(b, "title", it->title);
	emit_put_link(b, "link", "alternate", it->link, NULL);
	if (it->published != FEED_TIME_NONE)
		emit_put_iso(b, "published", it->published);
	emit_put_iso(b, "updated", it->updated);
	buf_puts(b, "<author><name>");
	emit_put_text(b, it->author, 0);
	buf_puts(b, "</name>");
	if (it->author_email != NULL) {
		buf_puts(b, "<email>");
		emit_put_text(b, it->author_email, 0);
		buf_puts(b, "</email>");
	}
	buf_puts(b, "</author>\n");
	for (size_t i = 0; i < e->ncategories; i++) {
		if (emit_blank(e->categories[i]))
			continue;
		buf_puts(b, "<category term=\"");
		emit_put_text(b, e->categories[i], 1);
		buf_puts(b, "\"/>\n");
	}
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct enclosure *enc = &e->enclosures[i];
		if (emit_public_link(enc->url) == NULL)
			continue;
		buf_puts(b, "<link rel=\"enclosure\" href=\"");
		emit_put_text(b, enc->url, 1);
		buf_puts(b, "\"");
		if (emit_media_type_ok(enc->type)) {
			buf_puts(b, " type=\"");
			emit_put_text(b, enc->type, 1);
			buf_puts(b, "\"");
		}
		if (enc->length >= 0)
			buf_printf(b, " length=\"%" PRId64 "\"", enc->length);
		buf_puts(b, "/>\n");
	}

	/* The attribution ends the content, else the summary; an entry without an alternate
	 * link must have content (RFC 4287 4.1.1), so then the summary becomes the content. */
	char *summary = NULL, *content = NULL;
	if (it->content != NULL) {
		content = emit_with_attribution_dup(it->content, it->attribution);
		if (it->summary != NULL)
			summary = xstrdup(it->summary);
	} else if (it->summary != NULL && it->link != NULL) {
		summary = emit_with_attribution_dup(it->summary, it->attribution);
	} else if (it->summary != NULL || it->attribution != NULL || it->link == NULL) {
		content = emit_with_attribution_dup(it->summary, it->attribution);
	}
	if (summary != NULL) {
		buf_puts(b, "<summary type=\"html\">");
		emit_put_text(b, summary, 0);
		buf_puts(b, "</summary>\n");
	}
	if (content != NULL) {
		buf_puts(b, "<content type=\"html\">");
		emit_put_text(b, content, 0);
		buf_puts(b, "</content>\n");
	}
	free(summary);
	free(content);

	buf_puts(b, "<source>\n");
	if (c->feed_url != NULL)
		emit_put_elem(b, "id", c->feed_url);
	if (!emit_blank(c->title))
		emit_put_elem(b, "title", c->title);
	emit_put_iso(b, "updated", c->updated);
	emit_put_link(b, "link", "self", c->feed_url, NULL);
	emit_put_link(b, "link", "alternate", c->site, NULL);
	buf_puts(b, "</source>\n");
	for (size_t k = 0; k < it->nalso; k++)
		emit_put_carrier(b, &it->also[k]);
	buf_puts(b, "</entry>\n");
}

/* Returns a new Atom 1.0 document and its length in *len. */
char *emit_atom(const struct emit_doc *d, const char *self, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	char *self_url = emit_url_dup(d, self);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	             "<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:fm=\"" EMIT_NS "\"");
	if (d->meta.prev_archive != NULL || d->meta.current != NULL)
		buf_puts(&b, " xmlns:fh=\"" EMIT_FH_NS "\"");
	if (d->lang != NULL) {
		buf_puts(&b, " xml:lang=\"");
		emit_put_text(&b, d->lang, 1);
		buf_puts(&b, "\"");
	}
	buf_puts(&b, ">\n");
	emit_put_elem(&b, "id", self_url);
	emit_put_elem(&b, "title", d->meta.title);
	emit_put_iso(&b, "updated", d->updated);
	buf_puts(&b, "<author><name>");
	emit_put_text(&b, d->meta.author, 0);
	buf_puts(&b, "</name></author>\n");
	emit_put_link(&b, "link", "self", self_url, "application/atom+xml");
	emit_put_link(&b, "link", "alternate", d->meta.public_url, "text/html");
	for (size_t i = 0; i < d->meta.nlinks; i++) {
		const struct emit_link *l = &d->meta.links[i];
		if (strcmp(l->path, self) == 0 || strcmp(l->type, "text/html") == 0 ||
		    strcmp(l->type, "application/atom+xml") == 0)
			continue;
		char *u = emit_url_dup(d, l->path);
		emit_put_link(&b, "link", "alternate", u, l->type);
		free(u);
	}
	put_rel(&b, d, "current", d->meta.current);
	put_rel(&b, d, "prev-archive", d->meta.prev_archive);
	put_rel(&b, d, "next-archive", d->meta.next_archive);
	if (d->meta.current != NULL)
		buf_puts(&b, "<fh:archive/>\n");
	buf_puts(&b, "<generator version=\"" PACKAGE_VERSION "\">feedmerge</generator>\n");
	for (size_t i = 0; i < d->nitems; i++)
		atom_entry(&b, d, &d->items[i]);
	buf_puts(&b, "</feed>\n");
	free(self_url);
	return buf_steal(&b, len);
}
