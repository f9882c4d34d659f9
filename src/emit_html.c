/* The merged feed as an HTML5 page, the "river of news" served at "/": newest first, one
 * <article class="story"> per entry with its title, date, source, summary, the link to the
 * original and the other sources that carried it. Server-rendered, no JavaScript, readable
 * on a phone; the same doc always gives the same bytes (no clock, no locale: dates in UTC).
 *
 * What is markup and what is text. The summary and content were sanitised by emit_doc_new()
 * (sanitize.c's allowlist) and are inserted as markup, as they are: never sanitised again
 * here. Everything else a source controls (titles, source names, authors, URLs) and every
 * configured label goes through emit_put_text(), escaped. Every href written here is a public
 * link (emit_public_link: absolute http or https, no userinfo) or a path of our own outputs.
 * Our own elements carry a class; the sanitiser drops class attributes, so a summary's own
 * <article> or <h2> can never pass for one of ours (in CSS or in a test).
 *
 * Content-Security-Policy, as a <meta> so the static index.html carries it too (a header
 * would only cover the listener): default-src 'none' forbids every script, frame, object,
 * font and fetch; our one inline <style> needs style-src 'unsafe-inline' (the sanitiser drops
 * <style> and style=, so only ours is left); images and media may come from the sources' own
 * hosts. base-uri and form-action are not covered by default-src: 'none' for both, so not
 * even a sanitiser miss can rebase the page's links or post a phishing form. A page that
 * runs no script at all loses nothing to this, and a bug in the sanitiser becomes a broken
 * tag instead of someone else's code in the reader's browser. */
#include "autoconf.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "emit.h"
#include "emit_int.h"
#include "util.h"

#define HTML_CSP                                                                                   \
	"default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "              \
	"media-src https: http:; base-uri 'none'; form-action 'none'"

/* Links whose href a source chose: no ranking lent to them, no window handed to them. */
#define HTML_REL "nofollow noopener"

#define HTML_EMPTY "Nothing yet: the sources have not been read, or carried no stories."

/* System fonts, a readable measure, dark mode; media from summaries never wider than the
 * screen (the sanitiser keeps width/height, height:auto keeps their ratio). */
static const char html_css[] =
    ":root{color-scheme:light dark}\n"
    "body{margin:0 auto;max-width:42rem;padding:0 1rem 2rem;line-height:1.6;"
    "font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",Arial,sans-serif;"
    "color:#1b1b1b;background:#fff;overflow-wrap:break-word}\n"
    "a{color:#0b57d0}\n"
    "header.page{padding:1rem 0;border-bottom:2px solid #ddd}\n"
    "h1{font-size:1.6rem;line-height:1.25;margin:0 0 .25rem}\n"
    ".feeds,.meta,.also,.original{font-size:.875rem;color:#555}\n"
    ".feeds a{margin-right:.75rem}\n"
    ".story{padding:1rem 0;border-bottom:1px solid #ddd}\n"
    ".story h2{font-size:1.2rem;line-height:1.3;margin:0 0 .25rem}\n"
    ".story h2 a{text-decoration:none}\n"
    ".meta,.also,.original{margin:.25rem 0}\n"
    ".summary{margin:.5rem 0}\n"
    ".summary h1,.summary h2,.summary h3{font-size:1.05rem}\n"
    ".summary img,.summary video{max-width:100%;height:auto}\n"
    ".summary pre,.summary table{display:block;overflow-x:auto}\n"
    "@media (prefers-color-scheme:dark){body{color:#e3e3e3;background:#121212}"
    "a{color:#8ab4f8}header.page,.story{border-color:#333}"
    ".feeds,.meta,.also,.original{color:#aaa}}\n";

/* Appends name="value" (value escaped; nothing when value is NULL). */
static void put_attr(struct buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	buf_printf(b, " %s=\"", name);
	emit_put_text(b, value, 1);
	buf_puts(b, "\"");
}

/* Appends <a href=... rel=...>text</a>, or the text alone without a public href. */
static void put_source_link(struct buf *b, const char *href, const char *text)
{
	if (href == NULL) {
		emit_put_text(b, text, 0);
		return;
	}
	buf_puts(b, "<a");
	put_attr(b, "href", href);
	buf_puts(b, " rel=\"" HTML_REL "\">");
	emit_put_text(b, text, 0);
	buf_puts(b, "</a>");
}

/* Appends <time datetime="2026-12-03T06:30:00Z">2026-12-03 06:30 UTC</time>. */
static void put_time(struct buf *b, int64_t t)
{
	char iso[DATE_ISO_SIZE];
	date_format_iso(emit_clamp_time(t), iso);
	buf_printf(b, "<time datetime=\"%s\">%.10s %.5s UTC</time>", iso, iso, iso + 11);
}

/* The name a credit shows: its title, else its site. */
static const char *credit_name(const struct emit_credit *c)
{
	if (!emit_blank(c->title))
		return c->title;
	return !emit_blank(c->site) ? c->site : NULL;
}

static void html_item(struct buf *b, const struct emit_doc *d, const struct emit_item *it)
{
	const struct emit_credit *c = &it->credit;
	buf_puts(b, "<article class=\"story\"");
	if (c->lang != NULL && (d->lang == NULL || strcasecmp(c->lang, d->lang) != 0))
		put_attr(b, "lang", c->lang);
	buf_puts(b, ">\n<h2>");
	put_source_link(b, it->link, it->title);
	buf_puts(b, "</h2>\n<p class=\"meta\">");
	put_time(b, it->date);
	const char *name = credit_name(c);
	if (name != NULL) {
		buf_puts(b, " · <span class=\"source\">");
		if (d->meta.attribution[0] != '\0') {
			emit_put_text(b, d->meta.attribution, 0);
			buf_puts(b, ": ");
		}
		put_source_link(b, c->site, name);
		buf_puts(b, "</span>");
	}
	/* The entry's own author; the feed's (every entry's fallback) would only repeat. */
	if (!emit_blank(it->me->e.author)) {
		buf_puts(b, " · <span class=\"author\">");
		emit_put_text(b, it->author, 0);
		buf_puts(b, "</span>");
	}
	buf_puts(b, "</p>\n");

	/* The summary when there is one; the content (maybe long, kept whole) only without. */
	const char *html = it->summary != NULL ? it->summary : it->content;
	if (html != NULL) {
		buf_puts(b, "<div class=\"summary\">");
		buf_puts(b, html);
		buf_puts(b, "</div>\n");
	}
	if (it->link != NULL) {
		buf_puts(b, "<p class=\"original\">");
		put_source_link(b, it->link, d->meta.original_label);
		buf_puts(b, "</p>\n");
	}
	int also = 0;
	for (size_t k = 0; k < it->nalso; k++) {
		const char *n = credit_name(&it->also[k]);
		if (n == NULL)
			continue;
		if (also++ == 0) {
			buf_puts(b, "<p class=\"also\">");
			emit_put_text(b, d->meta.also_label, 0);
			buf_puts(b, ": ");
		} else {
			buf_puts(b, ", ");
		}
		put_source_link(b, it->also[k].site, n);
	}
	if (also > 0)
		buf_puts(b, "</p>\n");
	buf_puts(b, "</article>\n");
}

/* Returns a new HTML5 document (the page at "/") and its length in *len. */
char *emit_html(const struct emit_doc *d, const char *self, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, "<!DOCTYPE html>\n<html");
	put_attr(&b, "lang", d->lang);
	buf_puts(&b, ">\n<head>\n<meta charset=\"utf-8\">\n"
	             "<meta http-equiv=\"Content-Security-Policy\" content=\"" HTML_CSP "\">\n"
	             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	             "<meta name=\"generator\" content=\"feedmerge " PACKAGE_VERSION "\">\n"
	             "<title>");
	emit_put_text(&b, d->meta.title, 0);
	buf_puts(&b, "</title>\n");
	/* Feed links are relative: right under public_url, on the listener and in output_dir. */
	for (size_t i = 0; i < d->meta.nlinks; i++) {
		const struct emit_link *l = &d->meta.links[i];
		if (strcmp(l->path, self) == 0)
			continue;
		buf_puts(&b, "<link rel=\"alternate\"");
		put_attr(&b, "type", l->type);
		put_attr(&b, "href", l->path);
		put_attr(&b, "title", l->title);
		buf_puts(&b, ">\n");
	}
	buf_printf(&b, "<style>\n%s</style>\n</head>\n<body>\n<header class=\"page\">\n<h1>",
	           html_css);
	emit_put_text(&b, d->meta.title, 0);
	buf_puts(&b, "</h1>\n");
	if (d->meta.nlinks > 0) {
		buf_puts(&b, "<nav class=\"feeds\">");
		for (size_t i = 0; i < d->meta.nlinks; i++) {
			const struct emit_link *l = &d->meta.links[i];
			if (strcmp(l->path, self) == 0)
				continue;
			if (i > 0)
				buf_puts(&b, " ");
			buf_puts(&b, "<a rel=\"alternate\"");
			put_attr(&b, "type", l->type);
			put_attr(&b, "href", l->path);
			buf_puts(&b, ">");
			emit_put_text(&b, l->title, 0);
			buf_puts(&b, "</a>");
		}
		buf_puts(&b, "</nav>\n");
	}
	buf_puts(&b, "</header>\n<main>\n");
	if (d->nitems == 0)
		buf_puts(&b, "<p class=\"empty\">" HTML_EMPTY "</p>\n");
	for (size_t i = 0; i < d->nitems; i++)
		html_item(&b, d, &d->items[i]);
	buf_puts(&b, "</main>\n</body>\n</html>\n");
	return buf_steal(&b, len);
}
