/* `once`'s progress line and per-source summary at a terminal: see progress.h. */
#include "autoconf.h"

#include <string.h>
#include <unistd.h>

#include "log.h"
#include "progress.h"
#include "source.h"

void progress_update(size_t done, size_t total, size_t new_entries, size_t failed)
{
	log_status("once: %zu of %zu source%s, %zu new entr%s, %zu failed", done, total,
	           total == 1 ? "" : "s", new_entries, new_entries == 1 ? "y" : "ies", failed);
}

void progress_end(void)
{
	log_status(NULL);
}

size_t progress_summary(FILE *out, const struct source_set *set)
{
	struct source_summary s;
	size_t width = 6, n = 0;
	if (!isatty(fileno(out)))
		return 0;
	for (size_t i = 0; source_set_summary(set, i, &s) == 0; i++)
		if (s.enabled && strlen(s.name) > width)
			width = strlen(s.name);
	fprintf(out, "%-*s  %-6s  %5s  %s\n", (int)width, "source", "result", "new", "detail");
	for (size_t i = 0; source_set_summary(set, i, &s) == 0; i++) {
		if (!s.enabled)
			continue;
		char detail[512] = "";
		/* The error can quote a server or a feed: escaped like a log line. */
		if (s.failed > 0 && s.last_error != NULL)
			log_escape(detail, sizeof detail, s.last_error);
		else if (s.last_status == 304)
			snprintf(detail, sizeof detail, "not modified");
		else if (s.last_status > 0)
			snprintf(detail, sizeof detail, "HTTP %ld", s.last_status);
		fprintf(out, "%-*s  %-6s  %5zu  %s\n", (int)width, s.name,
		        s.failed > 0 ? "FAILED"
		        : s.ok > 0   ? "ok"
		                     : "-",
		        s.new_entries, detail);
		n++;
	}
	return n;
}
