/* The data model: a parsed feed and its entries, and the merged view read back from the store.
 * Every char * here is owned by the struct that holds it, NUL-terminated UTF-8, or NULL. */
#ifndef FEEDMERGE_FEED_H
#define FEEDMERGE_FEED_H

#include <stddef.h>
#include <stdint.h>

/* Unix seconds (UTC); FEED_TIME_NONE when the document has no readable date. */
#define FEED_TIME_NONE INT64_MIN

enum feed_format {
	FEED_FORMAT_RSS20,
	FEED_FORMAT_RSS09X,
	FEED_FORMAT_RSS10,
	FEED_FORMAT_ATOM10,
	FEED_FORMAT_ATOM03,
	FEED_FORMAT_JSONFEED1,
};

struct enclosure {
	char *url;
	char *type;
	int64_t length; /* -1 when absent or unreadable */
};

/* An atom:source an entry already carried: its original publisher. */
struct entry_source {
	char *title;
	char *feed_url;
	char *link;
};

struct entry {
	char *id;           /* exactly as the document has it (guid, atom:id, rdf:about) */
	char *link;         /* absolute where a base was known */
	char *link_proxy;   /* the link feedburner:origLink replaced (a feedproxy address):
	                       the same article, for deduplication; NULL when there is none */
	char *title;        /* plain text */
	char *summary;      /* HTML */
	char *content;      /* HTML */
	char *author;       /* plain text: the name, else the e-mail address */
	char *author_email; /* the author's e-mail address when the document gives one */
	int64_t published;
	int64_t updated;
	char **categories;
	size_t ncategories;
	struct enclosure *enclosures;
	size_t nenclosures;
	struct entry_source *source; /* NULL unless the entry carried atom:source */
};

struct feed {
	enum feed_format format;
	char *title;
	char *link;
	char *id;
	char *language;
	int64_t updated;
	/* What the feed says about how often to poll it (RSS <ttl>, <skipHours>, <skipDays>;
	 * the Syndication module's sy:updatePeriod / sy:updateFrequency), feed level only. */
	int64_t ttl_s;           /* <ttl> in seconds; -1 when absent or unreadable */
	uint32_t skip_hours;     /* bit h: skip hour h (0-23, GMT); 0 when absent */
	uint8_t skip_days;       /* bit d: skip day d (0 Sunday ... 6 Saturday); 0 when absent */
	int64_t update_period_s; /* seconds between updates (period / frequency), -1 when absent */
	struct entry *entries;
	size_t nentries;
	size_t entries_size; /* allocated slots */
};

/* "rss2.0", "atom1.0", … as in the parse JSON contract. */
const char *feed_format_name(enum feed_format f);

/* "Sunday" ... "Saturday" for day 0 ... 6 (the skip_days bits), NULL past 6. */
const char *feed_day_name(unsigned day);
/* The day (0 Sunday ... 6 Saturday) named by s[0..len), ASCII case-insensitive; -1 if none. */
int feed_day_of_name(const char *s, size_t len);

/* Returns a new empty feed (dates FEED_TIME_NONE, no polling hints); feed_free() frees it. */
struct feed *feed_new(void);
void feed_free(struct feed *f);
/* Appends a zeroed entry (dates FEED_TIME_NONE) and returns it; the feed owns it. */
struct entry *feed_add_entry(struct feed *f);
void entry_clear(struct entry *e);
/* Hostile feeds repeat these without end: past the caps, appends are dropped. */
#define ENTRY_MAX_CATEGORIES 256
#define ENTRY_MAX_ENCLOSURES 64
/* Adds a category (copied). */
void entry_add_category(struct entry *e, const char *term);
/* Adds an enclosure; url is copied, type may be NULL. */
void entry_add_enclosure(struct entry *e, const char *url, const char *type, int64_t length);

/* One source of the merged feed, as the store knows it. */
struct merged_source {
	char *name;      /* config name */
	char *title;     /* config title, else the feed's own title, else the name */
	char *feed_url;  /* the URL polled */
	char *site_link; /* the feed's link to its site, else feed_url */
	int64_t updated; /* last fetch that changed something, FEED_TIME_NONE if never */
	char *language;  /* the feed's own language tag as it says it, NULL if none */
};

/* A source that carried an entry, and when it first did. */
struct merged_carrier {
	size_t source; /* index into merged.sources */
	int64_t first_seen;
};

/* One entry of the merged feed. */
struct merged_entry {
	struct entry e;
	char *atom_id;      /* stable absolute IRI derived from the dedup key */
	int64_t date;       /* published, else updated, else first seen; never after first seen */
	int64_t first_seen; /* when the store first saw it */
	size_t source;      /* index into merged.sources: its primary attribution */
	struct merged_carrier *carriers; /* every remaining source that carried it, primary first */
	size_t ncarriers;
};

struct merged {
	struct merged_source *sources;
	size_t nsources;
	struct merged_entry *entries; /* newest first */
	size_t nentries;
	int64_t created_at;   /* when the database began: the date of a feed with no entry */
	int64_t max_entry_id; /* the newest entry's id (insertion order): archive pages */
};

void merged_free(struct merged *m);

/* A change of a source's state, as the health feed shows it. */
struct health_event {
	int64_t id; /* increasing */
	char *source;
	int64_t at;
	char *state;  /* failing, recovered, moved, gone, blocked */
	char *detail; /* what happened, as the log said it; may be NULL */
};
/* Frees n events and the array. */
void health_events_free(struct health_event *ev, size_t n);

#endif
