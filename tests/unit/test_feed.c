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

static void test_hints(void)
{
	struct feed *f = feed_new();
	is_int(f->ttl_s, -1, "a new feed has no ttl");
	is_int(f->update_period_s, -1, "nor an update period");
	is_int(f->skip_hours, 0, "nor hours to skip");
	is_int(f->skip_days, 0, "nor days to skip");
	feed_free(f);

	is_str(feed_day_name(0), "Sunday", "day 0 is Sunday");
	is_str(feed_day_name(6), "Saturday", "day 6 is Saturday");
	ok(feed_day_name(7) == NULL, "there is no day 7");
	is_int(feed_day_of_name("Monday", 6), 1, "Monday is day 1");
	is_int(feed_day_of_name("sATURDAY", 8), 6, "names are case-insensitive");
	is_int(feed_day_of_name("Sundayx", 6), 0, "only len bytes are read");
	is_int(feed_day_of_name("Sun", 3), -1, "abbreviations are not names");
	is_int(feed_day_of_name("Mondays", 7), -1, "nor are longer words");
	is_int(feed_day_of_name("", 0), -1, "nor is nothing");
}

int main(void)
{
	test_caps();
	test_hints();
	test_growth();
	test_format_names();
	return done_testing();
}
