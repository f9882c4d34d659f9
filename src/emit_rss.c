/* The merged feed as RSS 2.0: <source url> for the primary attribution, a guid whose
 * isPermaLink says whether it is a link, RFC 822 dates, atom:link rel=self, <language> when the
 * sources agree; the other carriers as fm:carrier elements, as in Atom. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "emit.h"
#include "emit_int.h"
#include "util.h"

static void put_rfc822(struct buf *b, const char *name, int64_t t)
{
	char date[DATE_RFC822_SIZE];
	date_format_rfc822(emit_clamp_time(t), date);
	buf_printf(b, "<%s>%s</%s>\n", name, date, name);
}

static void rss_item(struct buf *b, const struct emit_item *it)
{
	const struct entry *e = &it->me->e;
	const struct emit_credit *c = &it->credit;
	buf_puts(b, "<item>\n");
	emit_put_elem(b, "title", it->title);
	if (it->link != NULL)
		emit_put_elem(b, "link", it->link);
	buf_printf(b, "<guid isPermaLink=\"%s\">",
	           emit_public_link(it->id) != NULL ? "true" : "false");
	emit_put_text(b, it->id, 0);
	buf_puts(b, "</guid>\n");
	put_rfc822(b, "pubDate", it->date);
	char *description = emit_with_attribution_dup(
	    it->content != NULL ? it->content : it->summary, it->attribution);
	if (!emit_blank(description))
		emit_put_elem(b, "description", description);
	free(description);
	emit_put_elem(b, "dc:creator", it->author);
	/* RSS 2.0's <author> is an address, with the name in parentheses by custom. */
	if (it->author_email != NULL) {
		buf_puts(b, "<author>");
		emit_put_text(b, it->author_email, 0);
		buf_puts(b, " (");
		emit_put_text(b, it->author, 0);
		buf_puts(b, ")</author>\n");
	}
	for (size_t i = 0; i < e->ncategories; i++)
		if (!emit_blank(e->categories[i]))
			emit_put_elem(b, "category", e->categories[i]);
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct enclosure *enc = &e->enclosures[i];
		if (emit_public_link(enc->url) == NULL)
			continue;
		/* RSS 2.0 allows one enclosure per item, with all three attributes. */
		buf_puts(b, "<enclosure url=\"");
		emit_put_text(b, enc->url, 1);
		buf_printf(b, "\" length=\"%" PRId64 "\" type=\"",
		           enc->length >= 0 ? enc->length : 0);
		emit_put_text(
		    b, emit_media_type_ok(enc->type) ? enc->type : "application/octet-stream", 1);
		buf_puts(b, "\"/>\n");
		break;
	}
	if (!emit_blank(c->feed_url)) {
		buf_puts(b, "<source url=\"");
		emit_put_text(b, c->feed_url, 1);
		buf_puts(b, "\">");
		emit_put_text(b, !emit_blank(c->title) ? c->title : c->feed_url, 0);
		buf_puts(b, "</source>\n");
	}
	for (size_t k = 0; k < it->nalso; k++)
		emit_put_carrier(b, &it->also[k]);
	buf_puts(b, "</item>\n");
}

/* Returns a new RSS 2.0 document and its length in *len. */
char *emit_rss(const struct emit_doc *d, const char *self, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	char *self_url = emit_url_dup(d, self);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	             "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\""
	             " xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:fm=\"" EMIT_NS
	             "\">\n<channel>\n");
	emit_put_elem(&b, "title", d->meta.title);
	emit_put_elem(&b, "link", d->meta.public_url);
	emit_put_elem(&b, "description", d->meta.title);
	if (d->lang != NULL)
		emit_put_elem(&b, "language", d->lang);
	put_rfc822(&b, "lastBuildDate", d->updated);
	emit_put_elem(&b, "generator", "feedmerge " PACKAGE_VERSION);
	emit_put_link(&b, "atom:link", "self", self_url, "application/rss+xml");
	for (size_t i = 0; i < d->nitems; i++)
		rss_item(&b, &d->items[i]);
	buf_puts(&b, "</channel>\n</rss>\n");
	free(self_url);
	return buf_steal(&b, len);
}
