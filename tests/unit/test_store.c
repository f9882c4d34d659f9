/* The store against a temporary database: schema, dedup and attribution, dates, validators,
 * the merged view and the error paths. The sqlite3 shell (when installed) inspects the file and
 * injects faults; those checks are skipped without it. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "feed.h"
#include "store.h"
#include "../tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/feedmerge-store-XXXXXX";
static int have_sqlite3;

/* Runs one SQL statement with the sqlite3 shell; returns its first output line (new string)
 * or NULL. The SQL must not contain double quotes. */
static char *sql1(const char *db, const char *sql)
{
	char *cmd = xasprintf("sqlite3 '%s' \"%s\" 2>&1", db, sql);
	FILE *p = popen(cmd, "r");
	free(cmd);
	if (p == NULL)
		return NULL;
	char line[1024];
	char *out = NULL;
	if (fgets(line, sizeof line, p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		out = xstrdup(line);
	}
	pclose(p);
	return out;
}

static struct entry *add(struct feed *f, const char *link, const char *title, int64_t published)
{
	struct entry *e = feed_add_entry(f);
	e->link = xstrdup_or_null(link);
	e->title = xstrdup_or_null(title);
	e->published = published;
	return e;
}

static const struct merged_entry *find(const struct merged *m, const char *link)
{
	for (size_t i = 0; i < m->nentries; i++)
		if (m->entries[i].e.link != NULL && strcmp(m->entries[i].e.link, link) == 0)
			return &m->entries[i];
	return NULL;
}

static const struct merged_entry *find_title(const struct merged *m, const char *title)
{
	for (size_t i = 0; i < m->nentries; i++)
		if (m->entries[i].e.title != NULL && strcmp(m->entries[i].e.title, title) == 0)
			return &m->entries[i];
	return NULL;
}

static const char *source_of(const struct merged *m, const struct merged_entry *me)
{
	if (me == NULL || me->source >= m->nsources)
		return "(none)";
	return m->sources[me->source].name;
}

int main(void)
{
	char err[512];
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	have_sqlite3 = system("sqlite3 -version >/dev/null 2>&1") == 0;
	char *db = xasprintf("%s/test.db", tmpdir);

	/* Schema creation and reopening. */
	struct store *s = store_open(db, err, sizeof err);
	ok(s != NULL, "store_open creates a new database");
	store_close(s);
	s = store_open(db, err, sizeof err);
	ok(s != NULL, "store_open reopens it");
	if (have_sqlite3) {
		char *v = sql1(db, "PRAGMA user_version");
		is_str(v, "3", "schema version recorded in user_version");
		free(v);
		v = sql1(db, "PRAGMA journal_mode");
		is_str(v, "wal", "database in WAL mode");
		free(v);
	} else {
		ok(1, "# SKIP no sqlite3 shell");
		ok(1, "# SKIP no sqlite3 shell");
	}

	static char n_alpha[] = "alpha", u_alpha[] = "http://a.test/feed", t_alpha[] = "Alpha News";
	static char n_beta[] = "beta", u_beta[] = "http://b.test/rss";
	static char n_gamma[] = "gamma", u_gamma[] = "http://c.test/rss";
	struct store_source sc[3] = {
	    {.name = n_alpha, .url = u_alpha, .title = t_alpha},
	    {.name = n_beta, .url = u_beta},
	    {.name = n_gamma, .url = u_gamma},
	};
	ok(store_sync_sources(s, sc, 3, 1000) == 0, "sources recorded");

	/* beta sees L1 first (round 1000); an entry without a date; one with a future date;
	 * one without link (keyed by id), one without link or id (keyed by hash). */
	struct feed *f = feed_new();
	f->title = xstrdup("Beta feed");
	f->link = xstrdup("http://b.test/");
	struct entry *e = add(f, "http://b.test/one#comments", "One", 500);
	entry_add_category(e, "World");
	add(f, "http://b.test/undated", "Undated", FEED_TIME_NONE);
	e = add(f, "http://b.test/future", "Future", 999999);
	entry_add_category(e, "World");
	entry_add_category(e, "Asia");
	entry_add_enclosure(e, "http://b.test/one.mp3", "audio/mpeg", 1234);
	entry_add_enclosure(e, "http://b.test/one.ogg", NULL, -1);
	e->author = xstrdup("Reporter");
	e->summary = xstrdup("<p>Future summary</p>");
	e->content = xstrdup("<p>Future content</p>");
	e = add(f, NULL, "By id", 400);
	e->id = xstrdup("gioitre-7233");
	e = add(f, NULL, "By hash", 300);
	e->summary = xstrdup("hashed");
	add(f, "http://b.test/one", "One again (dup in feed)", 450);
	e = add(f, "http://b.test/stacked", "Stacked", 200);
	e->source = xcalloc(1, sizeof *e->source);
	e->source->title = xstrdup("Origin");
	e->source->feed_url = xstrdup("http://origin.test/feed");
	size_t nnew = 99;
	ok(store_commit_fetch(s, "beta", "http://b.test/rss", f, "\"etag-b\"",
	                      "Mon, 01 Jan 2024 00:00:00 GMT", 1000, &nnew) == 0,
	   "beta commit");
	is_int((int64_t)nnew, 6, "six new entries (duplicate inside the feed skipped)");
	feed_free(f);

	/* alpha carries L1 too, later, and gamma as well. */
	f = feed_new();
	add(f, "HTTP://B.TEST/one", "One from alpha", 100);
	ok(store_commit_fetch(s, "alpha", "http://a.test/feed", f, NULL, NULL, 2000, &nnew) == 0,
	   "alpha commit");
	is_int((int64_t)nnew, 0, "same link from another source is not new");
	ok(store_commit_fetch(s, "gamma", "http://c.test/rss", f, NULL, NULL, 2000, &nnew) == 0,
	   "gamma commit");
	feed_free(f);

	/* Same round 3000: gamma (listed third) stores L2 before beta (second) and alpha
	 * (first): alpha takes it. L3: alpha first, then beta: alpha keeps it. */
	f = feed_new();
	add(f, "http://shared.test/two", "Two", FEED_TIME_NONE);
	add(f, "http://shared.test/three", "Three", FEED_TIME_NONE);
	ok(store_commit_fetch(s, "gamma", "http://c.test/rss", f, NULL, NULL, 3000, &nnew) == 0 &&
	       nnew == 2,
	   "gamma commits L2, L3 in round 3000");
	feed_free(f);
	f = feed_new();
	add(f, "http://shared.test/two", "Two by beta", 2500);
	ok(store_commit_fetch(s, "beta", "http://b.test/rss", f, "\"etag-b\"", NULL, 3000, NULL) ==
	       0,
	   "beta commits L2 in round 3000");
	feed_free(f);
	f = feed_new();
	add(f, "http://shared.test/two", "Two by alpha", FEED_TIME_NONE);
	add(f, "http://shared.test/three", "Three by alpha", FEED_TIME_NONE);
	ok(store_commit_fetch(s, "alpha", "http://a.test/feed", f, NULL, NULL, 3000, NULL) == 0,
	   "alpha commits L2, L3 in round 3000");
	feed_free(f);

	/* Re-poll of beta later: corrections show, dates do not move. */
	f = feed_new();
	add(f, "http://b.test/one", "One (corrected)", 600);
	add(f, "http://b.test/undated", "Undated", FEED_TIME_NONE);
	e = add(f, NULL, "By id", 401);
	e->id = xstrdup("gioitre-7233");
	e = add(f, NULL, "By hash", 300);
	e->summary = xstrdup("hashed");
	ok(store_commit_fetch(s, "beta", "http://b.test/rss", f, "\"etag-b2\"", NULL, 5000,
	                      &nnew) == 0,
	   "beta re-poll");
	is_int((int64_t)nnew, 0, "re-poll finds nothing new");
	feed_free(f);

	struct merged m;
	ok(store_load_merged(s, 100, &m) == 0, "load merged");
	is_int((int64_t)m.nentries, 8, "eight rows in all");
	const struct merged_entry *me = find(&m, "http://b.test/one");
	ok(me != NULL, "L1 is one row");
	if (me != NULL) {
		is_str(source_of(&m, me), "beta",
		       "L1 attributed to the source that carried it first");
		is_int(me->date, 500, "L1 date is published and did not change on re-poll");
		is_int(me->first_seen, 1000, "L1 first seen");
		is_str(me->e.title, "One (corrected)",
		       "title refreshed from the attributed source");
		is_str(me->atom_id, "http://b.test/one", "atom_id is the canonical link");
		ok(me->e.ncategories == 0 && me->e.nenclosures == 0,
		   "refresh replaced categories and enclosures with the new (none)");
	}
	ok(find(&m, "http://b.test/one#comments") == NULL, "link stored as last seen");
	me = find(&m, "http://b.test/undated");
	ok(me != NULL && me->date == 1000, "undated entry dated by first seen, kept on re-poll");
	me = find(&m, "http://b.test/future");
	ok(me != NULL && me->date == 1000 && me->e.published == 999999,
	   "date after first seen clamped; published kept");
	if (me != NULL) {
		ok(me->e.ncategories == 2 && strcmp(me->e.categories[0], "World") == 0 &&
		       strcmp(me->e.categories[1], "Asia") == 0,
		   "categories round trip");
		ok(me->e.nenclosures == 2 &&
		       strcmp(me->e.enclosures[0].url, "http://b.test/one.mp3") == 0 &&
		       strcmp(me->e.enclosures[0].type, "audio/mpeg") == 0 &&
		       me->e.enclosures[0].length == 1234 && me->e.enclosures[1].type == NULL &&
		       me->e.enclosures[1].length == -1,
		   "enclosures round trip");
		is_str(me->e.author, "Reporter", "author round trip");
		is_str(me->e.summary, "<p>Future summary</p>", "summary round trip");
		is_str(me->e.content, "<p>Future content</p>", "content round trip");
	}
	me = find(&m, "http://shared.test/two");
	ok(me != NULL, "L2 loaded");
	is_str(source_of(&m, me), "alpha", "same round: the source listed first wins");
	if (me != NULL) {
		is_str(me->e.title, "Two by alpha", "its data is the winner's");
		is_int(me->date, 3000, "its date is the round's");
	}
	me = find(&m, "http://shared.test/three");
	is_str(source_of(&m, me), "alpha", "same round, first listed stored first: keeps it");
	me = find_title(&m, "By id");
	ok(me != NULL && me->e.link == NULL && me->date == 400, "entry without link keyed by id");
	if (me != NULL)
		ok(strncmp(me->atom_id, "urn:feedmerge:", 14) == 0 && strlen(me->atom_id) == 30,
		   "its atom_id is a urn: IRI (%s)", me->atom_id);
	me = find_title(&m, "By hash");
	ok(me != NULL && me->date == 300, "entry without link or id keyed by hash");
	me = find_title(&m, "Stacked");
	ok(me != NULL && me->e.source != NULL && strcmp(me->e.source->title, "Origin") == 0 &&
	       me->e.source->link == NULL,
	   "carried atom:source round trip");

	/* Order: date DESC, first_seen DESC, id DESC. */
	int sorted = 1;
	for (size_t i = 1; i < m.nentries; i++) {
		const struct merged_entry *a = &m.entries[i - 1], *b = &m.entries[i];
		if (a->date < b->date || (a->date == b->date && a->first_seen < b->first_seen))
			sorted = 0;
	}
	ok(sorted, "entries newest first");
	ok(m.nentries > 0 && m.entries[0].date == 3000, "newest is of round 3000");

	/* Sources: configured ones by position; titles and site links. */
	ok(m.nsources == 3, "three sources");
	if (m.nsources == 3) {
		is_str(m.sources[0].name, "alpha", "sources in config order");
		is_str(m.sources[0].title, "Alpha News", "config title wins");
		is_str(m.sources[0].site_link, "http://a.test/feed", "no site link: feed url");
		is_str(m.sources[1].title, "Beta feed", "else the feed's title");
		is_str(m.sources[1].site_link, "http://b.test/", "site link from the feed");
		is_str(m.sources[2].title, "gamma", "else the name");
		is_int(m.sources[1].updated, 5000, "updated = last successful fetch");
	}
	merged_free(&m);

	ok(store_load_merged(s, 2, &m) == 0 && m.nentries == 2, "limit honoured");
	ok(m.nentries == 2 && m.entries[0].date == 3000 && m.entries[1].date == 3000 &&
	       m.entries[0].first_seen == 3000,
	   "limit keeps the newest");
	merged_free(&m);

	if (have_sqlite3) {
		char *sql = xasprintf("SELECT count(*) FROM entry_sources es JOIN entries e ON"
		                      " e.id = es.entry_id WHERE e.key = 'http://b.test/one'");
		char *v = sql1(db, sql);
		is_str(v, "3", "every source that carried L1 recorded");
		free(v);
		free(sql);
	} else {
		ok(1, "# SKIP no sqlite3 shell");
	}

	/* Validators. */
	char *etag, *lm;
	ok(store_get_validators(s, "beta", "http://b.test/rss", &etag, &lm) == 0, "get validators");
	is_str(etag, "\"etag-b2\"", "etag of the last fetch");
	is_str(lm, NULL, "last-modified replaced (none in the last fetch)");
	free(etag);
	free(lm);
	ok(store_get_validators(s, "beta", "http://b.test/other", &etag, &lm) == 0 &&
	       etag == NULL && lm == NULL,
	   "no validators for another url");
	ok(store_get_validators(s, "nosuch", "http://x.test/", &etag, &lm) == 0 && etag == NULL,
	   "no validators for an unknown source");

	/* 304. */
	ok(store_mark_not_modified(s, "gamma", 7000) == 0, "mark not modified");
	ok(store_load_merged(s, 100, &m) == 0 && m.nsources == 3 && m.sources[2].updated == 3000,
	   "a 304 leaves the source's updated (its last change) alone");
	merged_free(&m);

	/* A poll bringing the same entries changes nothing, not even the source's updated. */
	f = feed_new();
	add(f, "http://shared.test/two", "Two by alpha", FEED_TIME_NONE);
	add(f, "http://shared.test/three", "Three by alpha", FEED_TIME_NONE);
	ok(store_commit_fetch(s, "alpha", "http://a.test/feed", f, NULL, NULL, 6000, &nnew) == 0 &&
	       nnew == 0,
	   "alpha re-polled with the same entries");
	feed_free(f);
	ok(store_load_merged(s, 100, &m) == 0 && m.sources[0].updated == 3000,
	   "unchanged poll: source updated unchanged");
	merged_free(&m);

	/* A source dropped from the config: its entries leave the merged view, except those a
	 * remaining source also carried, which that source takes over. */
	ok(store_sync_sources(s, sc, 1, 6500) == 0, "sync with beta and gamma removed");
	ok(store_load_merged(s, 100, &m) == 0, "load after removal");
	ok(m.nsources == 1 && strcmp(m.sources[0].name, "alpha") == 0,
	   "only the remaining source is listed");
	ok(m.nentries == 3 && find(&m, "http://b.test/one") != NULL &&
	       find(&m, "http://b.test/undated") == NULL,
	   "beta's entries leave, but for the one alpha also carried");
	ok(m.nentries == 3 && m.entries[0].source == 0 && m.entries[1].source == 0 &&
	       m.entries[2].source == 0,
	   "that one is attributed to alpha now");
	merged_free(&m);
	ok(store_sync_sources(s, sc, 3, 6600) == 0, "sync all back");
	ok(store_load_merged(s, 100, &m) == 0 && m.nentries == 8 && m.nsources == 3,
	   "listed again within removed_keep: every entry is back");
	merged_free(&m);

	/* A failing commit rolls back and keeps what was stored. */
	if (have_sqlite3) {
		char *v =
		    sql1(db, "CREATE TRIGGER boom BEFORE INSERT ON entries WHEN"
		             " NEW.title = 'boom' BEGIN SELECT RAISE(ABORT, 'injected'); END;");
		free(v);
		f = feed_new();
		add(f, "http://new.test/ok", "fine", 8000);
		add(f, "http://new.test/boom", "boom", 8000);
		fprintf(stderr, "# a warning about 'injected' is expected next:\n");
		ok(store_commit_fetch(s, "alpha", "http://a.test/other", f, "\"x\"", NULL, 8000,
		                      &nnew) == -1,
		   "commit failing midway returns -1");
		feed_free(f);
		ok(store_load_merged(s, 100, &m) == 0 && m.nentries == 8 &&
		       find(&m, "http://new.test/ok") == NULL,
		   "nothing of the failed commit stored, earlier data intact");
		ok(m.nsources == 3 && m.sources[0].updated == 3000,
		   "source fetch time unchanged by the failed commit");
		merged_free(&m);
		ok(store_get_validators(s, "alpha", "http://a.test/other", &etag, &lm) == 0 &&
		       etag == NULL,
		   "validators unchanged by the failed commit");
		free(etag);
		free(lm);
	} else {
		for (int i = 0; i < 4; i++)
			ok(1, "# SKIP no sqlite3 shell");
	}
	store_close(s);

	/* Reopen: everything persisted. */
	s = store_open(db, err, sizeof err);
	ok(s != NULL && store_load_merged(s, 100, &m) == 0 && m.nentries == 8,
	   "data persists across reopen");
	if (s != NULL)
		merged_free(&m);
	store_close(s);

	/* Error paths. */
	s = store_open(tmpdir, err, sizeof err);
	ok(s == NULL, "a directory is not a database");
	ok(strstr(err, tmpdir) != NULL && strstr(err, "cannot open database") != NULL,
	   "message names the path: %s", err);
	char *junk = xasprintf("%s/junk.db", tmpdir);
	FILE *fp = fopen(junk, "w");
	for (int i = 0; i < 512; i++)
		fputs("this is not an SQLite database\n", fp);
	fclose(fp);
	s = store_open(junk, err, sizeof err);
	ok(s == NULL && strstr(err, junk) != NULL && strstr(err, "cannot open database") != NULL,
	   "a corrupt file is refused: %s", err);
	store_close(s);
	if (have_sqlite3) {
		char *newer = xasprintf("%s/newer.db", tmpdir);
		free(sql1(newer, "PRAGMA user_version = 99"));
		s = store_open(newer, err, sizeof err);
		ok(s == NULL && strstr(err, "newer") != NULL, "a newer schema is refused: %s", err);
		store_close(s);
		free(newer);
	} else {
		ok(1, "# SKIP no sqlite3 shell");
	}
	if (have_sqlite3) {
		/* A version 1 database (as 0.1 development builds wrote it) gains versions 2 and 3;
		 * a source it kept at the "no longer configured" position counts as removed. */
		char *old = xasprintf("%s/v1.db", tmpdir);
		s = store_open(old, err, sizeof err);
		store_close(s);
		free(sql1(old, "ALTER TABLE sources DROP COLUMN changed_at;"
		               "ALTER TABLE sources DROP COLUMN removed_at;"
		               "ALTER TABLE sources DROP COLUMN last_attempt_at;"
		               "ALTER TABLE sources DROP COLUMN next_due_at;"
		               "ALTER TABLE sources DROP COLUMN failures;"
		               "ALTER TABLE sources DROP COLUMN retry_until;"
		               "ALTER TABLE sources DROP COLUMN last_status;"
		               "ALTER TABLE sources DROP COLUMN last_error;"
		               "INSERT INTO sources(name, position) VALUES('kept', 0),"
		               " ('gone', 1000000000); PRAGMA user_version = 1"));
		char *v = sql1(old, "PRAGMA user_version");
		is_str(v, "1", "downgraded to version 1 for the test");
		free(v);
		s = store_open(old, err, sizeof err);
		ok(s != NULL, "a version 1 database opens");
		v = sql1(
		    old,
		    "SELECT count(*) FROM pragma_table_info('sources') WHERE name = 'changed_at'");
		is_str(v, "1", "migrated: changed_at added");
		free(v);
		v = sql1(old, "PRAGMA user_version");
		is_str(v, "3", "migrated: user_version 3");
		free(v);
		v = sql1(old,
		         "SELECT group_concat(name) FROM sources WHERE removed_at IS NOT NULL");
		is_str(v, "gone", "migrated: the unconfigured source is removed as of now");
		free(v);
		store_close(s);
		free(old);
	} else {
		for (int i = 0; i < 5; i++)
			ok(1, "# SKIP no sqlite3 shell");
	}
	char *missing = xasprintf("%s/no/such/dir/x.db", tmpdir);
	s = store_open(missing, err, sizeof err);
	ok(s == NULL && strstr(err, missing) != NULL, "missing parent directory: %s", err);
	free(missing);
	free(junk);
	store_close(NULL);

	char *rm = xasprintf("rm -rf '%s'", tmpdir);
	if (system(rm) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(rm);
	free(db);
	return done_testing();
}
