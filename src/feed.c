#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feed.h"
#include "util.h"

const char *feed_format_name(enum feed_format f)
{
	switch (f) {
	case FEED_FORMAT_RSS20:
		return "rss2.0";
	case FEED_FORMAT_RSS09X:
		return "rss0.9x";
	case FEED_FORMAT_RSS10:
		return "rss1.0";
	case FEED_FORMAT_ATOM10:
		return "atom1.0";
	case FEED_FORMAT_ATOM03:
		return "atom0.3";
	case FEED_FORMAT_JSONFEED1:
		return "jsonfeed1";
	}
	return "unknown";
}

static const char *const day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

const char *feed_day_name(unsigned day)
{
	return day < sizeof day_names / sizeof day_names[0] ? day_names[day] : NULL;
}

int feed_day_of_name(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof day_names / sizeof day_names[0]; i++)
		if (strlen(day_names[i]) == len && strncasecmp(s, day_names[i], len) == 0)
			return (int)i;
	return -1;
}

struct feed *feed_new(void)
{
	struct feed *f = xcalloc(1, sizeof *f);
	f->updated = FEED_TIME_NONE;
	f->ttl_s = -1;
	f->update_period_s = -1;
	return f;
}

void entry_clear(struct entry *e)
{
	free(e->id);
	free(e->link);
	free(e->link_proxy);
	free(e->title);
	free(e->summary);
	free(e->content);
	free(e->author);
	free(e->author_email);
	for (size_t i = 0; i < e->ncategories; i++)
		free(e->categories[i]);
	free(e->categories);
	for (size_t i = 0; i < e->nenclosures; i++) {
		free(e->enclosures[i].url);
		free(e->enclosures[i].type);
	}
	free(e->enclosures);
	if (e->source != NULL) {
		free(e->source->title);
		free(e->source->feed_url);
		free(e->source->link);
		free(e->source);
	}
	memset(e, 0, sizeof *e);
	e->published = FEED_TIME_NONE;
	e->updated = FEED_TIME_NONE;
}

void feed_free(struct feed *f)
{
	if (f == NULL)
		return;
	free(f->title);
	free(f->link);
	free(f->id);
	free(f->language);
	for (size_t i = 0; i < f->nentries; i++)
		entry_clear(&f->entries[i]);
	free(f->entries);
	free(f);
}

struct entry *feed_add_entry(struct feed *f)
{
	if (f->nentries == f->entries_size) {
		f->entries_size = f->entries_size ? f->entries_size * 2 : 16;
		f->entries = xreallocarray(f->entries, f->entries_size, sizeof *f->entries);
	}
	struct entry *e = &f->entries[f->nentries++];
	memset(e, 0, sizeof *e);
	e->published = FEED_TIME_NONE;
	e->updated = FEED_TIME_NONE;
	return e;
}

/* Arrays grow to the next power of two, so n appends cost O(n) without a capacity field. */
static void *grow_pow2(void *p, size_t n, size_t size)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return p;
	return xreallocarray(p, n == 0 ? 1 : n * 2, size);
}

void entry_add_category(struct entry *e, const char *term)
{
	if (e->ncategories >= ENTRY_MAX_CATEGORIES)
		return;
	e->categories = grow_pow2(e->categories, e->ncategories, sizeof *e->categories);
	e->categories[e->ncategories++] = xstrdup(term);
}

void entry_add_enclosure(struct entry *e, const char *url, const char *type, int64_t length)
{
	if (e->nenclosures >= ENTRY_MAX_ENCLOSURES)
		return;
	e->enclosures = grow_pow2(e->enclosures, e->nenclosures, sizeof *e->enclosures);
	struct enclosure *enc = &e->enclosures[e->nenclosures++];
	enc->url = xstrdup(url);
	enc->type = xstrdup_or_null(type);
	enc->length = length;
}

void merged_free(struct merged *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nsources; i++) {
		free(m->sources[i].name);
		free(m->sources[i].title);
		free(m->sources[i].feed_url);
		free(m->sources[i].site_link);
		free(m->sources[i].language);
	}
	free(m->sources);
	for (size_t i = 0; i < m->nentries; i++) {
		entry_clear(&m->entries[i].e);
		free(m->entries[i].atom_id);
		free(m->entries[i].carriers);
	}
	free(m->entries);
	m->sources = NULL;
	m->entries = NULL;
	m->nsources = m->nentries = 0;
}

void health_events_free(struct health_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ev[i].source);
		free(ev[i].state);
		free(ev[i].detail);
	}
	free(ev);
}
