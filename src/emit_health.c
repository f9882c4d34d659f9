/* The health feed: one Atom entry per change of a source's state (failing, recovered, moved,
 * gone, blocked), so an operator subscribes to their sources' health in the reader they
 * already use. Every text is the daemon's own log wording or a configured name. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdlib.h>

#include "emit.h"
#include "emit_int.h"
#include "util.h"

/* Returns a new Atom document of the events (newest first) and its length in *len. */
char *emit_health_atom(const struct health_event *ev, size_t n, const struct emit_meta *meta,
                       const char *self, int64_t created_at, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	const char *base = meta->public_url != NULL ? meta->public_url : "";
	const char *title = !emit_blank(meta->title) ? meta->title : "feedmerge";
	char *self_url = xasprintf("%s%s", base, self);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	             "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
	emit_put_elem(&b, "id", self_url);
	char *feed_title = xasprintf("%s: source health", title);
	emit_put_elem(&b, "title", feed_title);
	free(feed_title);
	emit_put_iso(&b, "updated", n > 0 ? ev[0].at : created_at);
	buf_puts(&b, "<author><name>feedmerge</name></author>\n");
	emit_put_link(&b, "link", "self", self_url, "application/atom+xml");
	emit_put_link(&b, "link", "alternate", base, "text/html");
	buf_puts(&b, "<generator version=\"" PACKAGE_VERSION "\">feedmerge</generator>\n");
	for (size_t i = 0; i < n; i++) {
		const struct health_event *e = &ev[i];
		buf_puts(&b, "<entry>\n");
		/* Event ids only grow, and the feed's own URL makes them unique across instances.
		 */
		char *id = xasprintf("%s#%" PRId64, self_url, e->id);
		emit_put_elem(&b, "id", id);
		free(id);
		char *t = xasprintf("%s: %s", e->source, e->state);
		emit_put_elem(&b, "title", t);
		free(t);
		emit_put_iso(&b, "updated", e->at);
		if (!emit_blank(e->detail)) {
			buf_puts(&b, "<content type=\"text\">");
			emit_put_text(&b, e->detail, 0);
			buf_puts(&b, "</content>\n");
		}
		buf_puts(&b, "<category term=\"");
		emit_put_text(&b, e->state, 1);
		buf_puts(&b, "\"/>\n</entry>\n");
	}
	buf_puts(&b, "</feed>\n");
	free(self_url);
	return buf_steal(&b, len);
}
