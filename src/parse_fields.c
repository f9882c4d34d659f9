/* Field mapping for the XML feed formats: where a finished field, link, enclosure or author
 * goes in the feed or entry, and the fallbacks applied when an entry ends. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse_int.h"
#include "parse_xml_int.h"
#include "util.h"
#include "url.h"

void parse_fields_entry_begin(struct xml_state *st)
{
	struct entry *e = feed_add_entry(st->feed);
	st->entry_index = (size_t)(e - st->feed->entries);
	st->in_entry = 1;
	st->entry_depth = st->depth;
	st->link_prio = 0;
	st->published_weak = 0;
	st->source_depth = 0;
}

void parse_fields_entry_end(struct xml_state *st)
{
	struct entry *e = cur_entry(st);
	if (e->author == NULL && st->entry_dc_creator != NULL) {
		e->author = st->entry_dc_creator;
		st->entry_dc_creator = NULL;
	}
	if (e->author == NULL && st->entry_itunes_author != NULL) {
		e->author = st->entry_itunes_author;
		st->entry_itunes_author = NULL;
	}
	if (e->author == NULL && st->source_author != NULL) {
		e->author = st->source_author;
		st->source_author = NULL;
	}
	if (e->title == NULL && st->entry_dc_title != NULL) {
		e->title = st->entry_dc_title;
		st->entry_dc_title = NULL;
	}
	if (e->link == NULL && st->entry_guid_link != NULL) {
		e->link = st->entry_guid_link;
		st->entry_guid_link = NULL;
	}
	free(st->entry_dc_creator);
	free(st->entry_itunes_author);
	free(st->entry_dc_title);
	free(st->entry_guid_link);
	free(st->source_author);
	st->entry_dc_creator = st->entry_itunes_author = NULL;
	st->entry_dc_title = st->entry_guid_link = st->source_author = NULL;
	st->in_entry = 0;
}

/* feedburner:origLink outranks every other link: the real article's address is the better
 * dedup key (a feedproxy address is per subscriber feed and dies with the proxy). */
#define LINK_PRIO_ORIGLINK 6

/* Keeps the first link origLink replaced (or outranked), when it is another address, as the
 * entry's link_proxy: the store can then hold both for one article. */
static void keep_proxy_link(struct entry *e, const char *proxy, const char *orig)
{
	if (e == NULL || proxy == NULL || e->link_proxy != NULL ||
	    (orig != NULL && strcmp(proxy, orig) == 0))
		return;
	e->link_proxy = xstrdup(proxy);
}

/* Atom link (also atom:link inside RSS): rel, type, href, length. */
void parse_fields_atom_link(struct xml_state *st, enum owner own, const xmlChar **attrs, int nattrs,
                            int in_rss)
{
	char *href = parse_names_attr_dup(st, attrs, nattrs, "href");
	if (href == NULL)
		return;
	char *rel = parse_names_attr_dup(st, attrs, nattrs, "rel");
	char *type = parse_names_attr_dup(st, attrs, nattrs, "type");
	if (rel != NULL && strncasecmp(rel, "http://www.iana.org/assignments/relation/", 41) == 0)
		memmove(rel, rel + 41, strlen(rel + 41) + 1);
	/* Registered relation names compare case-insensitively (RFC 8288 2.1.1). */
	if (rel != NULL && strchr(rel, ':') == NULL)
		for (char *c = rel; *c != '\0'; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	const char *r = rel != NULL ? rel : "alternate";
	char *abs = resolve(st, href);
	struct entry *e = cur_entry(st);
	if (own == OWN_SOURCE && e != NULL && e->source != NULL) {
		if (strcmp(r, "self") == 0)
			set_str(&e->source->feed_url, abs);
		else if (strcmp(r, "alternate") == 0)
			set_str(&e->source->link, abs);
		else
			free(abs);
		abs = NULL;
	} else if (strcmp(r, "alternate") == 0) {
		int prio = 4;
		if (type == NULL)
			prio = 4;
		else if (strcasecmp(type, "text/html") == 0 ||
		         strcasecmp(type, "application/xhtml+xml") == 0)
			prio = 5;
		else
			prio = 3;
		if (in_rss)
			prio -= 1;
		int *cur = own == OWN_ENTRY ? &st->link_prio : &st->feed_link_prio;
		char **dst = own == OWN_ENTRY ? &e->link : &st->feed->link;
		if (own == OWN_ENTRY && *cur == LINK_PRIO_ORIGLINK)
			keep_proxy_link(e, abs, *dst);
		if (own == OWN_ENTRY || own == OWN_FEED) {
			if (prio > *cur) {
				free(*dst);
				*dst = abs;
				abs = NULL;
				*cur = prio;
			}
		}
	} else if (strcmp(r, "enclosure") == 0 && own == OWN_ENTRY) {
		int64_t length = -1;
		size_t llen;
		const char *l = parse_names_attr_find(st, attrs, nattrs, "length", NS_NONE, &llen);
		if (l != NULL) {
			char *ls = parse_names_attr_decode(l, llen);
			char *t = trim_dup(ls, strlen(ls));
			if (t != NULL && strspn(t, "0123456789") == strlen(t) && strlen(t) < 19)
				length = strtoll(t, NULL, 10);
			free(t);
			free(ls);
		}
		entry_add_enclosure(e, abs, type, length);
	}
	free(abs);
	free(href);
	free(rel);
	free(type);
}

void parse_fields_rss_enclosure(struct xml_state *st, const xmlChar **attrs, int nattrs)
{
	char *url = parse_names_attr_dup(st, attrs, nattrs, "url");
	if (url == NULL)
		return;
	char *type = parse_names_attr_dup(st, attrs, nattrs, "type");
	char *len = parse_names_attr_dup(st, attrs, nattrs, "length");
	int64_t length = -1;
	if (len != NULL && strspn(len, "0123456789") == strlen(len) && strlen(len) < 19)
		length = strtoll(len, NULL, 10);
	char *abs = resolve(st, url);
	entry_add_enclosure(cur_entry(st), abs, type, length);
	free(abs);
	free(url);
	free(type);
	free(len);
}

/* Where the raw-text element (script or style) starting at s[i] ("<script ...>") ends: past
 * its end tag. 0 when s[i] starts no such element, or one without an end tag: an HTML reader
 * would hide the rest of the title, but "Why <script> tags matter" is text that lost its
 * escaping more often than code. */
static size_t raw_element_end(const char *s, size_t len, size_t i)
{
	static const char *const names[] = {"script", "style"};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t n = strlen(names[k]);
		if (len - i < n + 2 || strncasecmp(s + i + 1, names[k], n) != 0 ||
		    !(s[i + 1 + n] == '>' || s[i + 1 + n] == '/' ||
		      is_ws((unsigned char)s[i + 1 + n])))
			continue;
		for (size_t j = i + 1 + n; j + n + 2 <= len; j++) {
			if (s[j] == '<' && s[j + 1] == '/' &&
			    strncasecmp(s + j + 2, names[k], n) == 0 &&
			    (j + 2 + n == len || s[j + 2 + n] == '>' || s[j + 2 + n] == '/' ||
			     is_ws((unsigned char)s[j + 2 + n]))) {
				const char *gt = memchr(s + j, '>', len - j);
				return gt != NULL ? (size_t)(gt - s) + 1 : len;
			}
		}
		return 0;
	}
	return 0;
}

/* A new copy of the HTML s without its script and style elements, whose content is code, not
 * text (HTML 5: raw text elements); NULL when it has none. */
static char *drop_raw_elements(const char *s, size_t len)
{
	struct buf b;
	int found = 0;
	size_t done = 0;
	buf_init(&b, 0);
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '<')
			continue;
		size_t end = raw_element_end(s, len, i);
		if (end == 0)
			continue;
		found = 1;
		buf_append(&b, s + done, i - done);
		done = end;
		i = end - 1;
	}
	if (!found) {
		buf_free(&b);
		return NULL;
	}
	buf_append(&b, s + done, len - done);
	return buf_steal(&b, NULL);
}

/* The decimal number s[0..len) is, white space around it allowed, when at most max; else -1. */
static int64_t small_number(const char *s, size_t len, int64_t max)
{
	trim_range(&s, &len);
	if (len == 0)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* A <ttl> over a year is a mistake, not a wish to be polled yearly. */
#define HINT_TTL_MAX_MIN (365 * 24 * 60)
/* sy:updateFrequency is "how many times in that period": more than a billion is no count. */
#define HINT_SY_FREQUENCY_MAX 1000000000

/* The seconds of an sy:updatePeriod value (trimmed, any case), -1 when it is none of them.
 * A month and a year are taken as 30 and 365 days: the scheduler needs a rough interval. */
static int64_t sy_period_seconds(const char *s, size_t len)
{
	static const struct {
		const char *name;
		int64_t seconds;
	} periods[] = {{"hourly", 3600},
	               {"daily", 86400},
	               {"weekly", 7 * 86400},
	               {"monthly", 30 * 86400},
	               {"yearly", 365 * 86400}};
	trim_range(&s, &len);
	for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++)
		if (strlen(periods[i].name) == len && strncasecmp(s, periods[i].name, len) == 0)
			return periods[i].seconds;
	return -1;
}

/* Keeps the first readable value v of a hint in *dst (0 absent, -1 only unreadable ones). */
static void hint_keep(int64_t *dst, int64_t v)
{
	if (v > 0 && *dst <= 0)
		*dst = v;
	else if (v <= 0 && *dst == 0)
		*dst = -1;
}

void parse_fields_hints_end(struct xml_state *st)
{
	/* The Syndication module: updatePeriod defaults to daily, updateFrequency to 1; a value
	 * given but unreadable makes the whole hint unreadable. */
	if ((st->sy_period_s == 0 && st->sy_frequency == 0) || st->sy_period_s < 0 ||
	    st->sy_frequency < 0)
		return;
	int64_t period = st->sy_period_s > 0 ? st->sy_period_s : 86400;
	int64_t freq = st->sy_frequency > 0 ? st->sy_frequency : 1;
	st->feed->update_period_s = period / freq > 0 ? period / freq : 1;
}

/* The end of a captured field: store it where it belongs. */
void parse_fields_end(struct xml_state *st)
{
	struct entry *e = cur_entry(st);
	struct feed *f = st->feed;
	const char *s = st->text.data ? st->text.data : "";
	size_t len = st->text.len;
	enum owner own = st->field_owner;
	char *v = NULL;

	switch (st->field) {
	case F_TITLE:
	case F_DC_TITLE:
	case F_RSS_SOURCE:
		if (st->kind == K_SKIP)
			break;
		if (st->kind == K_BASE64) {
			/* Decoded, it is what its type says: HTML and XHTML lose their markup. */
			char *d = parse_text_base64_decode(s, len);
			if (d != NULL) {
				char *r = st->base64_markup && memchr(d, '<', strlen(d)) != NULL
				              ? drop_raw_elements(d, strlen(d))
				              : NULL;
				v = r != NULL ? parse_plain_text(r, strlen(r), 1)
				              : parse_plain_text(d, strlen(d), st->base64_markup);
				free(r);
			}
			free(d);
		} else if (st->kind == K_HTML || st->kind == K_XHTML) {
			char *d = memchr(s, '<', len) != NULL ? drop_raw_elements(s, len) : NULL;
			v = d != NULL ? parse_plain_text(d, strlen(d), 1)
			              : parse_plain_text(s, len, 1);
			free(d);
		} else {
			v = parse_plain_text(s, len, 0);
		}
		if (st->field == F_RSS_SOURCE) {
			if (e != NULL && e->source != NULL)
				set_str(&e->source->title, v);
			else
				free(v);
		} else if (st->field == F_DC_TITLE) {
			if (own == OWN_ENTRY)
				set_str(&st->entry_dc_title, v);
			else if (own == OWN_FEED)
				set_str(&f->title, v);
			else
				free(v);
		} else if (own == OWN_ENTRY) {
			set_str(&e->title, v);
		} else if (own == OWN_SOURCE) {
			set_str(&e->source->title, v);
		} else {
			set_str(&f->title, v);
		}
		break;
	case F_LINK:
	case F_ORIGLINK: {
		char *t = trim_dup(s, len);
		if (t == NULL)
			break;
		v = resolve(st, t);
		free(t);
		int prio = st->field == F_ORIGLINK ? LINK_PRIO_ORIGLINK : 5;
		int *cur = own == OWN_ENTRY ? &st->link_prio : &st->feed_link_prio;
		char **dst = own == OWN_ENTRY ? &e->link : &f->link;
		if (prio > *cur) {
			if (own == OWN_ENTRY && prio == LINK_PRIO_ORIGLINK)
				keep_proxy_link(e, *dst, v);
			free(*dst);
			*dst = v;
			*cur = prio;
		} else {
			if (own == OWN_ENTRY && *cur == LINK_PRIO_ORIGLINK)
				keep_proxy_link(e, v, *dst);
			free(v);
		}
		break;
	}
	case F_GUID:
		v = trim_dup(s, len);
		if (v == NULL)
			break;
		if (!st->guid_not_permalink && url_is_http(v))
			set_str(&st->entry_guid_link, xstrdup(v));
		set_str(&e->id, v);
		break;
	case F_ID:
		v = trim_dup(s, len);
		if (own == OWN_ENTRY)
			set_str(&e->id, v);
		else
			set_str(&f->id, v);
		break;
	case F_SUMMARY:
		v = parse_text_html_value(st);
		set_str(&e->summary, v);
		break;
	case F_CONTENT:
		v = parse_text_html_value(st);
		set_str(&e->content, v);
		break;
	case F_AUTHOR:
		v = parse_plain_text(s, len, 0);
		set_str(&e->author, v);
		break;
	case F_DC_CREATOR:
		v = parse_plain_text(s, len, 0);
		set_str(&st->entry_dc_creator, v);
		break;
	case F_ITUNES_AUTHOR:
		v = parse_plain_text(s, len, 0);
		set_str(&st->entry_itunes_author, v);
		break;
	case F_NAME:
		set_str(&st->author.name, parse_plain_text(s, len, 0));
		break;
	case F_EMAIL:
		set_str(&st->author.email, parse_plain_text(s, len, 0));
		break;
	case F_PUBLISHED:
	case F_UPDATED:
	case F_DC_DATE: {
		char *t = trim_dup(s, len);
		int64_t d = parse_date(t, st->opts);
		free(t);
		if (d == FEED_TIME_NONE)
			break;
		if (own == OWN_ENTRY) {
			if (st->field == F_UPDATED) {
				if (e->updated == FEED_TIME_NONE)
					e->updated = d;
			} else if (e->published == FEED_TIME_NONE ||
			           (st->published_weak && st->field == F_PUBLISHED)) {
				/* pubDate / published / issued win over dc:date / created. */
				e->published = d;
				st->published_weak = st->field == F_DC_DATE;
			}
		} else if (own == OWN_FEED) {
			if (st->field == F_UPDATED) {
				if (f->updated == FEED_TIME_NONE)
					f->updated = d;
			} else if (st->feed_pubdate == FEED_TIME_NONE) {
				st->feed_pubdate = d;
			}
		}
		break;
	}
	case F_CATEGORY: {
		char *t = parse_plain_text(s, len, 0);
		if (t != NULL)
			entry_add_category(e, t);
		free(t);
		break;
	}
	case F_LANGUAGE:
		if (own == OWN_FEED)
			set_str(&f->language, trim_dup(s, len));
		break;
	case F_TTL: {
		int64_t min = small_number(s, len, HINT_TTL_MAX_MIN);
		if (min >= 0 && f->ttl_s < 0)
			f->ttl_s = min * 60;
		break;
	}
	case F_SKIP_HOUR: {
		/* RSS 2.0 says 0-23 (GMT); 24 is how some write midnight. */
		int64_t h = small_number(s, len, 24);
		if (h >= 0)
			f->skip_hours |= (uint32_t)1 << (h % 24);
		break;
	}
	case F_SKIP_DAY: {
		trim_range(&s, &len);
		int d = feed_day_of_name(s, len);
		if (d >= 0)
			f->skip_days = (uint8_t)(f->skip_days | 1u << d);
		break;
	}
	case F_SY_PERIOD:
		hint_keep(&st->sy_period_s, sy_period_seconds(s, len));
		break;
	case F_SY_FREQUENCY:
		hint_keep(&st->sy_frequency, small_number(s, len, HINT_SY_FREQUENCY_MAX));
		break;
	case F_NONE:
		break;
	}
	st->field = F_NONE;
	st->cap_depth = 0;
	st->xhtml_div = 0;
	buf_reset(&st->text);
}

char *parse_fields_author_string(struct author_acc *a)
{
	char *v = NULL;
	if (a->name != NULL && a->email != NULL)
		v = xasprintf("%s (%s)", a->name, a->email);
	else if (a->name != NULL)
		v = xstrdup(a->name);
	else if (a->email != NULL)
		v = xstrdup(a->email);
	free(a->name);
	free(a->email);
	a->name = a->email = NULL;
	return v;
}
