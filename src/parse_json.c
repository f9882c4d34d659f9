/* JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) to struct feed, with yajl's streaming
 * parser: the only user of yajl. JSON Feed says what each field means, so the mapping is direct:
 *   home_page_url -> link; items[].url (else external_url) -> link; title -> plain text;
 *   summary and content_text are plain text, HTML-escaped so every summary/content is HTML;
 *   content_html as is, but for relative URLs in its attributes, resolved as the XML parser
 *   does; authors[0].name (1.1), else author.name (1.0), item before feed;
 *   tags -> categories; attachments -> enclosures; the feed has no id and no date of its own;
 *   items[]._source (feedmerge's extension, README "JSON Feed extension": title, feed_url,
 *   home_page_url) -> the entry's source, as atom:source, so an instance stacked over another's
 *   feed.json keeps the original attribution.
 * No tree of the document is built: callbacks follow a short path of keys (root, items[],
 * authors[], attachments[], _source) and skip every other subtree by counting depth, so peak memory
 * is the document plus the entries kept. JSON Feed allows its members in any order, so what depends
 * on another member (the version, the base URL from feed_url, the feed's author) is decided at the
 * end, over the items read so far. A document cut off or broken mid-way keeps the items that were
 * complete before the break, as the XML parser does for truncated XML. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "log.h"
#include "parse_int.h"
#include "url.h"
#include "util.h"

#define PARSE_JSON_NOT_A_FEED "not a feed: JSON document is not a JSON Feed"

/* Containers on the path that is read; everything else is skipped. */
enum json_kind {
	JSON_TOP,     /* outside the root value */
	JSON_ROOT,    /* the root object */
	JSON_ITEMS,   /* root.items */
	JSON_ITEM,    /* root.items[i] */
	JSON_AUTHORS, /* authors (root or item) */
	JSON_AUTHOR,  /* authors[i] or author (root or item) */
	JSON_TAGS,    /* items[i].tags */
	JSON_ATTS,    /* items[i].attachments */
	JSON_ATT,     /* items[i].attachments[j] */
	JSON_SOURCE,  /* items[i]._source */
};

/* Member names that matter, where they matter. */
enum json_key {
	KEY_NONE,
	KEY_VERSION,
	KEY_TITLE,
	KEY_HOME_PAGE_URL,
	KEY_FEED_URL,
	KEY_LANGUAGE,
	KEY_AUTHORS,
	KEY_AUTHOR,
	KEY_ITEMS,
	KEY_ID,
	KEY_URL,
	KEY_EXTERNAL_URL,
	KEY_SUMMARY,
	KEY_CONTENT_HTML,
	KEY_CONTENT_TEXT,
	KEY_DATE_PUBLISHED,
	KEY_DATE_MODIFIED,
	KEY_TAGS,
	KEY_ATTACHMENTS,
	KEY_NAME,
	KEY_MIME_TYPE,
	KEY_SIZE_IN_BYTES,
	KEY_SOURCE,
};

/* The authors of the feed or of an item. */
struct json_who {
	char *authors_name; /* owned: the first authors[] member with a name (1.1) */
	char *author_name;  /* owned: author.name (1.0) */
};

struct json_frame {
	enum json_kind kind;
	enum json_key key;    /* the member whose value comes next (objects) */
	struct json_who *who; /* JSON_AUTHORS, JSON_AUTHOR: whose (borrowed) */
	int in_authors;       /* JSON_AUTHOR: a member of authors[], not author */
};

struct json_state {
	yajl_handle h;
	const struct parse_opts *opts; /* borrowed; may be NULL */
	struct feed *f;                /* owned: items are appended as they end */
	struct json_frame stack[PARSE_JSON_MAX_DEPTH + 1]; /* stack[0] is JSON_TOP */
	size_t nframes;                                    /* frames in use, >= 1 */
	size_t skip;             /* depth inside a skipped subtree; 0 when not skipping */
	int too_deep;            /* a container past PARSE_JSON_MAX_DEPTH was refused */
	int root_object;         /* the root value is an object */
	int root_done;           /* the root value ended */
	int items_array;         /* root.items is an array */
	int version;             /* 0 absent, 1 a jsonfeed.org version 1 URL, -1 anything else */
	enum parse_json_lex lex; /* where json_feed_bytes() is in the text */
	/* root members that wait for the end (owned) */
	char *home_page_url;
	char *feed_url;
	struct json_who feed_who;
	/* the item being read (owned) */
	struct json_who item_who;
	char *url, *external_url, *content_html, *content_text;
	char *name; /* the author object being read: its name */
	/* the attachment being read */
	char *att_url, *att_type;
	int64_t att_size;
};

static struct entry *json_item(struct json_state *st)
{
	return &st->f->entries[st->f->nentries - 1];
}

static void json_who_clear(struct json_who *w)
{
	free(w->authors_name);
	free(w->author_name);
	w->authors_name = w->author_name = NULL;
}

/* Returns a new string: the author's name, 1.1's authors[] before 1.0's author. */
static char *json_who_steal(struct json_who *w)
{
	char *name = w->authors_name != NULL ? w->authors_name : w->author_name;
	if (name == w->authors_name)
		free(w->author_name);
	w->authors_name = w->author_name = NULL;
	return name;
}

static void json_set(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

static void json_add_tag(struct entry *e, const char *s, size_t len)
{
	char *t = parse_json_text_dup(s, len);
	char *plain = t != NULL ? parse_plain_text(t, strlen(t), 0) : NULL;
	if (plain != NULL)
		entry_add_category(e, plain);
	free(plain);
	free(t);
}

/* Drops the entry's source (a _source member again: the last one counts). */
static void json_source_clear(struct entry *e)
{
	if (e->source == NULL)
		return;
	free(e->source->title);
	free(e->source->feed_url);
	free(e->source->link);
	free(e->source);
	e->source = NULL;
}

static enum json_key json_key_of(enum json_kind kind, const char *k, size_t len)
{
	static const struct {
		enum json_kind kind;
		enum json_key key;
		const char *name;
	} keys[] = {
	    {JSON_ROOT, KEY_VERSION, "version"},
	    {JSON_ROOT, KEY_TITLE, "title"},
	    {JSON_ROOT, KEY_HOME_PAGE_URL, "home_page_url"},
	    {JSON_ROOT, KEY_FEED_URL, "feed_url"},
	    {JSON_ROOT, KEY_LANGUAGE, "language"},
	    {JSON_ROOT, KEY_AUTHORS, "authors"},
	    {JSON_ROOT, KEY_AUTHOR, "author"},
	    {JSON_ROOT, KEY_ITEMS, "items"},
	    {JSON_ITEM, KEY_ID, "id"},
	    {JSON_ITEM, KEY_URL, "url"},
	    {JSON_ITEM, KEY_EXTERNAL_URL, "external_url"},
	    {JSON_ITEM, KEY_TITLE, "title"},
	    {JSON_ITEM, KEY_SUMMARY, "summary"},
	    {JSON_ITEM, KEY_CONTENT_HTML, "content_html"},
	    {JSON_ITEM, KEY_CONTENT_TEXT, "content_text"},
	    {JSON_ITEM, KEY_DATE_PUBLISHED, "date_published"},
	    {JSON_ITEM, KEY_DATE_MODIFIED, "date_modified"},
	    {JSON_ITEM, KEY_AUTHORS, "authors"},
	    {JSON_ITEM, KEY_AUTHOR, "author"},
	    {JSON_ITEM, KEY_TAGS, "tags"},
	    {JSON_ITEM, KEY_ATTACHMENTS, "attachments"},
	    {JSON_ITEM, KEY_SOURCE, "_source"},
	    {JSON_SOURCE, KEY_TITLE, "title"},
	    {JSON_SOURCE, KEY_FEED_URL, "feed_url"},
	    {JSON_SOURCE, KEY_HOME_PAGE_URL, "home_page_url"},
	    {JSON_AUTHOR, KEY_NAME, "name"},
	    {JSON_ATT, KEY_URL, "url"},
	    {JSON_ATT, KEY_MIME_TYPE, "mime_type"},
	    {JSON_ATT, KEY_SIZE_IN_BYTES, "size_in_bytes"},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (keys[i].kind == kind && strlen(keys[i].name) == len &&
		    memcmp(keys[i].name, k, len) == 0)
			return keys[i].key;
	return KEY_NONE;
}

/* A member name: what it held before is dropped (the last of duplicate members counts, as in
 * most JSON readers). */
static int json_map_key_cb(void *ctx, const unsigned char *k, size_t len)
{
	struct json_state *st = ctx;
	if (st->skip > 0)
		return 1;
	struct json_frame *fr = &st->stack[st->nframes - 1];
	fr->key = json_key_of(fr->kind, (const char *)k, len);
	if (fr->kind == JSON_ROOT) {
		struct feed *f = st->f;
		switch (fr->key) {
		case KEY_VERSION:
			st->version = -1;
			break;
		case KEY_TITLE:
			json_set(&f->title, NULL);
			break;
		case KEY_HOME_PAGE_URL:
			json_set(&st->home_page_url, NULL);
			break;
		case KEY_FEED_URL:
			json_set(&st->feed_url, NULL);
			break;
		case KEY_LANGUAGE:
			json_set(&f->language, NULL);
			break;
		case KEY_AUTHORS:
			json_set(&st->feed_who.authors_name, NULL);
			break;
		case KEY_AUTHOR:
			json_set(&st->feed_who.author_name, NULL);
			break;
		case KEY_ITEMS:
			for (size_t i = 0; i < f->nentries; i++)
				entry_clear(&f->entries[i]);
			f->nentries = 0;
			st->items_array = 0;
			break;
		default:
			break;
		}
	} else if (fr->kind == JSON_ITEM) {
		struct entry *e = json_item(st);
		switch (fr->key) {
		case KEY_ID:
			json_set(&e->id, NULL);
			break;
		case KEY_URL:
			json_set(&st->url, NULL);
			break;
		case KEY_EXTERNAL_URL:
			json_set(&st->external_url, NULL);
			break;
		case KEY_TITLE:
			json_set(&e->title, NULL);
			break;
		case KEY_SUMMARY:
			json_set(&e->summary, NULL);
			break;
		case KEY_CONTENT_HTML:
			json_set(&st->content_html, NULL);
			break;
		case KEY_CONTENT_TEXT:
			json_set(&st->content_text, NULL);
			break;
		case KEY_DATE_PUBLISHED:
			e->published = FEED_TIME_NONE;
			break;
		case KEY_DATE_MODIFIED:
			e->updated = FEED_TIME_NONE;
			break;
		case KEY_AUTHORS:
			json_set(&st->item_who.authors_name, NULL);
			break;
		case KEY_AUTHOR:
			json_set(&st->item_who.author_name, NULL);
			break;
		case KEY_TAGS:
			for (size_t i = 0; i < e->ncategories; i++)
				free(e->categories[i]);
			e->ncategories = 0;
			break;
		case KEY_ATTACHMENTS:
			for (size_t i = 0; i < e->nenclosures; i++) {
				free(e->enclosures[i].url);
				free(e->enclosures[i].type);
			}
			e->nenclosures = 0;
			break;
		case KEY_SOURCE:
			json_source_clear(e);
			break;
		default:
			break;
		}
	} else if (fr->kind == JSON_SOURCE) {
		struct entry_source *src = json_item(st)->source;
		if (fr->key == KEY_TITLE)
			json_set(&src->title, NULL);
		else if (fr->key == KEY_FEED_URL)
			json_set(&src->feed_url, NULL);
		else if (fr->key == KEY_HOME_PAGE_URL)
			json_set(&src->link, NULL);
	} else if (fr->kind == JSON_AUTHOR && fr->key == KEY_NAME) {
		json_set(&st->name, NULL);
	} else if (fr->kind == JSON_ATT) {
		if (fr->key == KEY_URL)
			json_set(&st->att_url, NULL);
		else if (fr->key == KEY_MIME_TYPE)
			json_set(&st->att_type, NULL);
		else if (fr->key == KEY_SIZE_IN_BYTES)
			st->att_size = -1;
	}
	return 1;
}

/* The version member: a jsonfeed.org version 1.x URL, over http or https. */
static int json_version_ok(const char *s, size_t len)
{
	static const char https[] = "https://jsonfeed.org/version/";
	static const char http[] = "http://jsonfeed.org/version/";
	if (len > sizeof https - 1 && memcmp(s, https, sizeof https - 1) == 0)
		return s[sizeof https - 1] == '1';
	if (len > sizeof http - 1 && memcmp(s, http, sizeof http - 1) == 0)
		return s[sizeof http - 1] == '1';
	return 0;
}

/* A string (is_string) or number (s != NULL), or another scalar (s == NULL). */
static void json_scalar(struct json_state *st, const char *s, size_t len, int is_string)
{
	if (st->skip > 0)
		return;
	struct json_frame *fr = &st->stack[st->nframes - 1];
	const char *str = is_string ? s : NULL; /* only strings count for most members */
	switch (fr->kind) {
	case JSON_TOP:
		st->root_done = 1;
		break;
	case JSON_ROOT:
		switch (fr->key) {
		case KEY_VERSION:
			st->version = str != NULL && json_version_ok(str, len) ? 1 : -1;
			break;
		case KEY_TITLE:
			if (str != NULL)
				json_set(&st->f->title, parse_json_text_dup_title(str, len));
			break;
		case KEY_HOME_PAGE_URL:
			if (str != NULL)
				json_set(&st->home_page_url, parse_json_text_dup_url(str, len));
			break;
		case KEY_FEED_URL:
			if (str != NULL)
				json_set(&st->feed_url, parse_json_text_dup_url(str, len));
			break;
		case KEY_LANGUAGE:
			/* Trimmed, as in XML: generators pad these values. */
			if (str != NULL)
				json_set(&st->f->language, parse_json_text_dup_url(str, len));
			break;
		default:
			break;
		}
		break;
	case JSON_ITEM: {
		struct entry *e = json_item(st);
		char *date;
		switch (fr->key) {
		case KEY_ID:
			/* Ids are strings in the spec, but numbers are common ("id": 1234): keep
			 * their text. */
			if (str != NULL)
				json_set(&e->id, parse_json_text_dup_url(str, len));
			else if (s != NULL)
				json_set(&e->id, parse_json_text_number(s, len));
			break;
		case KEY_URL:
			if (str != NULL)
				json_set(&st->url, parse_json_text_dup_url(str, len));
			break;
		case KEY_EXTERNAL_URL:
			if (str != NULL)
				json_set(&st->external_url, parse_json_text_dup_url(str, len));
			break;
		case KEY_TITLE:
			if (str != NULL)
				json_set(&e->title, parse_json_text_dup_title(str, len));
			break;
		case KEY_SUMMARY:
			if (str != NULL)
				json_set(&e->summary,
				         parse_json_text_to_html(parse_json_text_dup(str, len)));
			break;
		case KEY_CONTENT_HTML:
			if (str != NULL)
				json_set(&st->content_html, parse_json_text_dup(str, len));
			break;
		case KEY_CONTENT_TEXT:
			if (str != NULL)
				json_set(&st->content_text, parse_json_text_dup(str, len));
			break;
		case KEY_DATE_PUBLISHED:
		case KEY_DATE_MODIFIED:
			date = str != NULL ? parse_json_text_dup(str, len) : NULL;
			if (date != NULL) {
				int64_t t = parse_date(date, st->opts);
				if (fr->key == KEY_DATE_PUBLISHED)
					e->published = t;
				else
					e->updated = t;
			}
			free(date);
			break;
		case KEY_TAGS:
			/* A lone string is taken as one tag. */
			if (str != NULL)
				json_add_tag(e, str, len);
			break;
		default:
			break;
		}
		break;
	}
	case JSON_TAGS:
		if (str != NULL)
			json_add_tag(json_item(st), str, len);
		break;
	case JSON_SOURCE: {
		struct entry_source *src = json_item(st)->source;
		if (str == NULL)
			break;
		if (fr->key == KEY_TITLE)
			json_set(&src->title, parse_json_text_dup_title(str, len));
		else if (fr->key == KEY_FEED_URL)
			json_set(&src->feed_url, parse_json_text_dup_url(str, len));
		else if (fr->key == KEY_HOME_PAGE_URL)
			json_set(&src->link, parse_json_text_dup_url(str, len));
		break;
	}
	case JSON_AUTHOR:
		if (fr->key == KEY_NAME && str != NULL)
			json_set(&st->name, parse_json_text_dup_plain(str, len));
		break;
	case JSON_ATT:
		if (fr->key == KEY_URL && str != NULL)
			json_set(&st->att_url, parse_json_text_dup_url(str, len));
		else if (fr->key == KEY_MIME_TYPE && str != NULL)
			json_set(&st->att_type, parse_json_text_dup_url(str, len));
		else if (fr->key == KEY_SIZE_IN_BYTES && s != NULL)
			st->att_size = parse_json_text_size_bytes(s, len, is_string);
		break;
	default:
		break;
	}
}

static int json_null_cb(void *ctx)
{
	json_scalar(ctx, NULL, 0, 0);
	return 1;
}

static int json_boolean_cb(void *ctx, int b)
{
	(void)b;
	json_scalar(ctx, NULL, 0, 0);
	return 1;
}

static int json_number_cb(void *ctx, const char *s, size_t len)
{
	json_scalar(ctx, s, len, 0);
	return 1;
}

static int json_string_cb(void *ctx, const unsigned char *s, size_t len)
{
	json_scalar(ctx, (const char *)s, len, 1);
	return 1;
}

/* A container opens: followed when it is on the path, else skipped. Returns 0 (stopping the
 * parse) past PARSE_JSON_MAX_DEPTH. */
static int json_open(struct json_state *st, int is_map)
{
	if (st->nframes - 1 + st->skip >= PARSE_JSON_MAX_DEPTH) {
		st->too_deep = 1;
		return 0;
	}
	if (st->skip > 0) {
		st->skip++;
		return 1;
	}
	struct json_frame *fr = &st->stack[st->nframes - 1];
	struct json_frame child = {JSON_TOP, KEY_NONE, NULL, 0};
	struct json_who *who = fr->kind == JSON_ROOT ? &st->feed_who : &st->item_who;
	switch (fr->kind) {
	case JSON_TOP:
		if (is_map) {
			child.kind = JSON_ROOT;
			st->root_object = 1;
		}
		break;
	case JSON_ROOT:
	case JSON_ITEM:
		if (fr->key == KEY_AUTHORS && !is_map) {
			child.kind = JSON_AUTHORS;
			child.who = who;
		} else if (fr->key == KEY_AUTHOR && is_map) {
			child.kind = JSON_AUTHOR;
			child.who = who;
			json_set(&st->name, NULL);
		} else if (fr->kind == JSON_ROOT && fr->key == KEY_ITEMS && !is_map) {
			child.kind = JSON_ITEMS;
			st->items_array = 1;
		} else if (fr->kind == JSON_ITEM && fr->key == KEY_TAGS && !is_map) {
			child.kind = JSON_TAGS;
		} else if (fr->kind == JSON_ITEM && fr->key == KEY_ATTACHMENTS && !is_map) {
			child.kind = JSON_ATTS;
		} else if (fr->kind == JSON_ITEM && fr->key == KEY_SOURCE && is_map) {
			child.kind = JSON_SOURCE;
			struct entry *e = json_item(st);
			json_source_clear(e);
			e->source = xcalloc(1, sizeof *e->source);
		}
		break;
	case JSON_ITEMS:
		if (is_map) {
			child.kind = JSON_ITEM;
			feed_add_entry(st->f);
			json_who_clear(&st->item_who);
			json_set(&st->url, NULL);
			json_set(&st->external_url, NULL);
			json_set(&st->content_html, NULL);
			json_set(&st->content_text, NULL);
		}
		break;
	case JSON_AUTHORS:
		/* Only the first author with a name counts: the others are skipped unread. */
		if (is_map && fr->who->authors_name == NULL) {
			child.kind = JSON_AUTHOR;
			child.who = fr->who;
			child.in_authors = 1;
			json_set(&st->name, NULL);
		}
		break;
	case JSON_ATTS:
		if (is_map) {
			child.kind = JSON_ATT;
			json_set(&st->att_url, NULL);
			json_set(&st->att_type, NULL);
			st->att_size = -1;
		}
		break;
	default:
		break;
	}
	if (child.kind == JSON_TOP) {
		st->skip = 1;
		return 1;
	}
	st->stack[st->nframes++] = child;
	return 1;
}

/* An item ends: its link, content and author are chosen now that all its members are read. */
static void json_item_end(struct json_state *st)
{
	struct entry *e = json_item(st);
	if (st->url != NULL) {
		e->link = st->url;
		free(st->external_url);
	} else {
		e->link = st->external_url;
	}
	st->url = st->external_url = NULL;
	e->content = parse_json_text_blank_to_null(st->content_html);
	if (e->content == NULL)
		e->content = parse_json_text_to_html(st->content_text);
	else
		free(st->content_text);
	st->content_html = st->content_text = NULL;
	e->author = json_who_steal(&st->item_who);
}

static int json_close(struct json_state *st)
{
	if (st->skip > 0) {
		if (--st->skip == 0 && st->nframes == 1)
			st->root_done = 1;
		return 1;
	}
	struct json_frame *fr = &st->stack[--st->nframes];
	switch (fr->kind) {
	case JSON_ITEM:
		json_item_end(st);
		break;
	case JSON_AUTHOR:
		if (!fr->in_authors)
			json_set(&fr->who->author_name, st->name);
		else if (fr->who->authors_name == NULL)
			fr->who->authors_name = st->name;
		else
			free(st->name);
		st->name = NULL;
		break;
	case JSON_SOURCE: {
		/* A _source naming nothing is no source: the entry is credited to its feed. */
		struct entry *e = json_item(st);
		if (e->source->title == NULL && e->source->feed_url == NULL &&
		    e->source->link == NULL)
			json_source_clear(e);
		break;
	}
	case JSON_ATT:
		if (st->att_url != NULL)
			entry_add_enclosure(json_item(st), st->att_url, st->att_type, st->att_size);
		json_set(&st->att_url, NULL);
		json_set(&st->att_type, NULL);
		break;
	default:
		break;
	}
	if (st->nframes == 1)
		st->root_done = 1;
	return 1;
}

static int json_start_map_cb(void *ctx)
{
	return json_open(ctx, 1);
}

static int json_start_array_cb(void *ctx)
{
	return json_open(ctx, 0);
}

static int json_end_cb(void *ctx)
{
	return json_close(ctx);
}

static const yajl_callbacks json_callbacks = {
    .yajl_null = json_null_cb,
    .yajl_boolean = json_boolean_cb,
    .yajl_number = json_number_cb,
    .yajl_string = json_string_cb,
    .yajl_start_map = json_start_map_cb,
    .yajl_map_key = json_map_key_cb,
    .yajl_end_map = json_end_cb,
    .yajl_start_array = json_start_array_cb,
    .yajl_end_array = json_end_cb,
};

static void json_state_init(struct json_state *st, const struct parse_opts *opts)
{
	memset(st, 0, sizeof *st);
	st->opts = opts;
	st->f = feed_new();
	st->f->format = FEED_FORMAT_JSONFEED1;
	st->nframes = 1;
	st->stack[0].kind = JSON_TOP;
	st->att_size = -1;
	st->h = yajl_alloc(&json_callbacks, NULL, st);
	if (st->h == NULL)
		fatalx("out of memory (yajl_alloc)");
	/* As forgiving as the reader before it: comments and bytes after the root value are
	 * accepted, and invalid UTF-8 is repaired (parse_json_text_dup), not refused. */
	yajl_config(st->h, yajl_allow_comments, 1);
	yajl_config(st->h, yajl_allow_trailing_garbage, 1);
	yajl_config(st->h, yajl_dont_validate_strings, 1);
}

static void json_state_free(struct json_state *st)
{
	if (st->h != NULL)
		yajl_free(st->h);
	feed_free(st->f);
	free(st->home_page_url);
	free(st->feed_url);
	json_who_clear(&st->feed_who);
	json_who_clear(&st->item_who);
	free(st->url);
	free(st->external_url);
	free(st->content_html);
	free(st->content_text);
	free(st->name);
	free(st->att_url);
	free(st->att_type);
	memset(st, 0, sizeof *st);
}

/* Hands p[0..n) to yajl; on an error, *stop is its offset in the document, p being at off. */
static int json_chunk(struct json_state *st, const char *p, size_t n, size_t off, size_t *stop)
{
	if (n == 0)
		return 0;
	if (yajl_parse(st->h, (const unsigned char *)p, n) == yajl_status_ok)
		return 0;
	size_t used = yajl_get_bytes_consumed(st->h);
	if (st->too_deep && used > 0)
		used--; /* at the bracket refused */
	*stop = off + (used < n ? used : n);
	return -1;
}

/* Feeds data[0..len) (at offset off in the document) to yajl, stopping after the root value.
 * Raw control characters inside strings, which JSON forbids but generators write (a line
 * break in content_html) and which yajl refuses, are handed over as \u escapes: the string
 * then reads as the bytes the document has. Returns 0, or -1 with *stop set. */
static int json_feed_bytes(struct json_state *st, const char *data, size_t len, size_t off,
                           size_t *stop)
{
	size_t start = 0;
	while (!st->root_done) {
		size_t i = start + parse_json_text_scan(&st->lex, data + start, len - start);
		if (i == len)
			return json_chunk(st, data + start, len - start, off + start, stop);
		char esc[8];
		snprintf(esc, sizeof esc, "\\u%04x", (unsigned char)data[i]);
		if (json_chunk(st, data + start, i - start, off + start, stop) < 0 ||
		    json_chunk(st, esc, 6, off + i, stop) < 0)
			return -1;
		start = i + 1;
	}
	return 0; /* what follows the root value is ignored */
}

/* Parses the parts (a document, or a cut document and its closing brackets) into st.
 * Returns 0; or -1 with the offset where reading stopped in *stop, whether the input just
 * ended too soon in *cut_off, and yajl's one-line message in msg. */
static int json_run(struct json_state *st, const char *const *parts, const size_t *lens,
                    size_t nparts, size_t *stop, int *cut_off, char *msg, size_t msglen)
{
	size_t off = 0;
	*cut_off = 0;
	for (size_t i = 0; i < nparts; i++) {
		if (json_feed_bytes(st, parts[i], lens[i], off, stop) < 0)
			goto error;
		off += lens[i];
	}
	if (st->root_done || yajl_complete_parse(st->h) == yajl_status_ok) {
		if (st->root_done)
			return 0;
		snprintf(msg, msglen, "parse error: premature EOF");
	} else {
		unsigned char *e = yajl_get_error(st->h, 0, NULL, 0);
		snprintf(msg, msglen, "%s", e != NULL ? (const char *)e : "parse error");
		yajl_free_error(st->h, e);
	}
	*stop = off;
	*cut_off = 1;
	goto trim;
error:
	if (st->too_deep)
		snprintf(msg, msglen, "nesting too deep");
	else {
		unsigned char *e = yajl_get_error(st->h, 0, NULL, 0);
		snprintf(msg, msglen, "%s", e != NULL ? (const char *)e : "parse error");
		yajl_free_error(st->h, e);
	}
trim:
	msg[strcspn(msg, "\r\n")] = '\0';
	size_t n = strlen(msg);
	while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	return -1;
}

/* True when the document read is a JSON Feed: its version is a jsonfeed.org version URL, or
 * (a document cut off before its version, which JSON Feed allows anywhere) it has no version
 * but an items array. */
static int json_is_feed(const struct json_state *st)
{
	if (!st->root_object)
		return 0;
	if (st->version != 0)
		return st->version > 0;
	return st->items_array;
}

/* Returns the feed of st (st gives it up): links and the relative URLs in content HTML
 * resolved against the base, now known, and the feed's author given to items without one. */
static struct feed *json_finish(struct json_state *st)
{
	struct feed *f = st->f;
	const char *base = NULL;
	/* The document's URL first; else the feed's own statement of where it lives. */
	if (st->opts != NULL && st->opts->url != NULL)
		base = st->opts->url;
	else if (st->feed_url != NULL && url_is_http(st->feed_url))
		base = st->feed_url;
	f->link = url_resolve(base, st->home_page_url);
	char *feed_author = json_who_steal(&st->feed_who);
	for (size_t i = 0; i < f->nentries; i++) {
		struct entry *e = &f->entries[i];
		json_set(&e->link, url_resolve(base, e->link));
		/* Relative URLs inside content_html, as the XML parser resolves them in HTML. */
		if (e->content != NULL && base != NULL && url_is_absolute(base) &&
		    strchr(e->content, '<') != NULL)
			json_set(&e->content, parse_text_html_resolve_urls(
			                          e->content, strlen(e->content), base));
		for (size_t k = 0; k < e->nenclosures; k++)
			json_set(&e->enclosures[k].url, url_resolve(base, e->enclosures[k].url));
		if (e->source != NULL) {
			json_set(&e->source->feed_url, url_resolve(base, e->source->feed_url));
			json_set(&e->source->link, url_resolve(base, e->source->link));
		}
		if (e->author == NULL)
			e->author = xstrdup_or_null(feed_author);
	}
	free(feed_author);
	st->f = NULL;
	return f;
}

/* Parses a JSON Feed. Same contract as parse_feed(). */
struct feed *parse_json_feed(const char *data, size_t len, const struct parse_opts *opts, char *err,
                             size_t errlen)
{
	struct json_state st;
	struct feed *f = NULL;
	char msg[160];
	size_t stop = 0;
	int cut_off = 0;

	err[0] = '\0';
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	json_state_init(&st, opts);
	const char *parts[2] = {data, NULL};
	size_t lens[2] = {len, 0};
	if (json_run(&st, parts, lens, 1, &stop, &cut_off, msg, sizeof msg) == 0) {
		if (json_is_feed(&st))
			f = json_finish(&st);
		else
			snprintf(err, errlen, PARSE_JSON_NOT_A_FEED);
		goto done;
	}

	/* Broken: read again up to the last point where the value being read could be closed
	 * without losing a complete item, then close what is open there. The entries of the
	 * first reading are dropped: the cut decides which items were complete. */
	json_state_free(&st);
	char closers[2];
	size_t cut, nclosers;
	if (parse_json_text_repair_cut(data, stop, &cut, closers, &nclosers) == 0) {
		size_t stop2;
		int cut_off2;
		char msg2[160];
		json_state_init(&st, opts);
		parts[1] = closers;
		lens[0] = cut;
		lens[1] = nclosers;
		if (json_run(&st, parts, lens, 2, &stop2, &cut_off2, msg2, sizeof msg2) == 0 &&
		    json_is_feed(&st))
			f = json_finish(&st);
	}
	if (f == NULL)
		snprintf(err, errlen, "not a feed: JSON syntax error at byte %zu: %s", stop, msg);
	else if (cut_off)
		snprintf(err, errlen, "JSON cut off at byte %zu: kept the %zu complete items", stop,
		         f->nentries);
	else
		snprintf(err, errlen, "JSON error at byte %zu (%s): kept the %zu complete items",
		         stop, msg, f->nentries);

done:
	json_state_free(&st);
	return f;
}
