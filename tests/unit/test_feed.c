/* The data model: entry arrays, their caps, and ownership (run under valgrind/ASan). */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>

#include "feed.h"
#include "../tap.h"

static void test_caps(void)
{
	struct feed *f = feed_new();
	struct entry *e = feed_add_entry(f);
	is_int(e->published, FEED_TIME_NONE, "a new entry has no published date");
	char term[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(term, sizeof term, "c%d", i);
		entry_add_category(e, term);
		entry_add_enclosure(e, term, i % 2 ? "audio/mpeg" : NULL, i);
	}
	is_int((int64_t)e->ncategories, ENTRY_MAX_CATEGORIES, "categories stop at the cap");
	is_int((int64_t)e->nenclosures, ENTRY_MAX_ENCLOSURES, "enclosures stop at the cap");
	is_str(e->categories[0], "c0", "the first category is kept");
	is_str(e->categories[ENTRY_MAX_CATEGORIES - 1], "c255", "and the ones up to the cap");
	is_str(e->enclosures[1].type, "audio/mpeg", "enclosure type copied");
	ok(e->enclosures[0].type == NULL, "a NULL type stays NULL");
	is_int(e->enclosures[63].length, 63, "enclosure length kept");
	feed_free(f);
}

static void test_growth(void)
{
	struct feed *f = feed_new();
	for (int i = 0; i < 1000; i++) {
		struct entry *e = feed_add_entry(f);
		e->title = NULL;
		entry_add_category(e, "x");
	}
	is_int((int64_t)f->nentries, 1000, "a thousand entries");
	is_str(f->entries[999].categories[0], "x", "the last one intact");
	feed_free(f);
	feed_free(NULL);
	ok(1, "feed_free(NULL) does nothing");
}

static void test_format_names(void)
{
	is_str(feed_format_name(FEED_FORMAT_RSS20), "rss2.0", "rss2.0");
	is_str(feed_format_name(FEED_FORMAT_RSS09X), "rss0.9x", "rss0.9x");
	is_str(feed_format_name(FEED_FORMAT_RSS10), "rss1.0", "rss1.0");
	is_str(feed_format_name(FEED_FORMAT_ATOM10), "atom1.0", "atom1.0");
	is_str(feed_format_name(FEED_FORMAT_ATOM03), "atom0.3", "atom0.3");
	is_str(feed_format_name(FEED_FORMAT_JSONFEED1), "jsonfeed1", "jsonfeed1");
}

int main(void)
{
	test_caps();
	test_growth();
	test_format_names();
	return done_testing();
}
