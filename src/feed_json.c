/* The `feedmerge parse` JSON contract: one object per feed, every key always present, null for
 * what the document did not say. Built with json-c so escaping is never ours to get wrong;
 * strings are UTF-8 already (the parser guarantees it) and are written as is, '/' unescaped. */
#include "autoconf.h"

#include <json-c/json.h>

#include "date.h"
#include "feed_json.h"
#include "util.h"

static struct json_object *json_str_or_null(const char *s)
{
	return s == NULL ? NULL : json_object_new_string(s);
}

static struct json_object *json_date_or_null(int64_t t)
{
	if (t == FEED_TIME_NONE)
		return NULL;
	char buf[DATE_ISO_SIZE];
	date_format_iso(t, buf);
	return json_object_new_string(buf);
}

/* json_object_object_add() takes ownership of v, including NULL (a JSON null). */
static void json_put(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *feed_json_source(const struct entry_source *s)
{
	if (s == NULL)
		return NULL;
	struct json_object *o = json_object_new_object();
	json_put(o, "title", json_str_or_null(s->title));
	json_put(o, "feed_url", json_str_or_null(s->feed_url));
	json_put(o, "link", json_str_or_null(s->link));
	return o;
}

static struct json_object *feed_json_entry(const struct entry *e)
{
	struct json_object *o = json_object_new_object();
	json_put(o, "id", json_str_or_null(e->id));
	json_put(o, "link", json_str_or_null(e->link));
	json_put(o, "title", json_str_or_null(e->title));
	json_put(o, "summary", json_str_or_null(e->summary));
	json_put(o, "content", json_str_or_null(e->content));
	json_put(o, "author", json_str_or_null(e->author));
	json_put(o, "published", json_date_or_null(e->published));
	json_put(o, "updated", json_date_or_null(e->updated));

	struct json_object *cats = json_object_new_array_ext((int)e->ncategories);
	for (size_t i = 0; i < e->ncategories; i++)
		json_object_array_add(cats, json_object_new_string(e->categories[i]));
	json_put(o, "categories", cats);

	struct json_object *encs = json_object_new_array_ext((int)e->nenclosures);
	for (size_t i = 0; i < e->nenclosures; i++) {
		const struct enclosure *en = &e->enclosures[i];
		struct json_object *eo = json_object_new_object();
		json_put(eo, "url", json_object_new_string(en->url != NULL ? en->url : ""));
		json_put(eo, "type", json_str_or_null(en->type));
		json_put(eo, "length", en->length < 0 ? NULL : json_object_new_int64(en->length));
		json_object_array_add(encs, eo);
	}
	json_put(o, "enclosures", encs);
	json_put(o, "source", feed_json_source(e->source));
	return o;
}

/* Returns a new string holding one JSON object for f (pretty-printed when pretty). */
char *feed_json_new(const struct feed *f, int pretty)
{
	struct json_object *root = json_object_new_object();
	json_put(root, "format", json_object_new_string(feed_format_name(f->format)));
	json_put(root, "title", json_str_or_null(f->title));
	json_put(root, "link", json_str_or_null(f->link));
	json_put(root, "id", json_str_or_null(f->id));
	json_put(root, "updated", json_date_or_null(f->updated));
	json_put(root, "language", json_str_or_null(f->language));

	struct json_object *entries = json_object_new_array_ext((int)f->nentries);
	for (size_t i = 0; i < f->nentries; i++)
		json_object_array_add(entries, feed_json_entry(&f->entries[i]));
	json_put(root, "entries", entries);

	int flags =
	    JSON_C_TO_STRING_NOSLASHESCAPE |
	    (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
	char *s = xstrdup(json_object_to_json_string_ext(root, flags));
	json_object_put(root);
	return s;
}
