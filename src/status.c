/* The sources' status in three forms. The HTML page is server-rendered with inline SVG (no
 * script, no outside resource), every text escaped: a source's last error quotes what a
 * server said. URLs are shown without their credentials. */
#include "autoconf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "json_out.h"
#include "status.h"
#include "url.h"
#include "util.h"

const char *status_state(const struct store_source_status *ss, int enabled)
{
	const struct store_poll_state *ps = &ss->state;
	if (!enabled)
		return "paused";
	if (ps->gone_since != FEED_TIME_NONE)
		return "gone";
	if (ps->failures > 0 && ps->error_class != NULL && strcmp(ps->error_class, "blocked") == 0)
		return "blocked";
	if (ps->failures > 0)
		return "failing";
	if (ps->last_ok_at == FEED_TIME_NONE)
		return "new";
	return "ok";
}

static int enabled_at(const int *enabled, size_t i)
{
	return enabled == NULL || enabled[i];
}

/* "3m", "2h", "5d": how long d seconds are, roughly. */
static void span(int64_t d, char *out, size_t size)
{
	if (d < 0)
		d = -d;
	if (d < 120)
		snprintf(out, size, "%llds", (long long)d);
	else if (d < 7200)
		snprintf(out, size, "%lldm", (long long)(d / 60));
	else if (d < 172800)
		snprintf(out, size, "%lldh", (long long)(d / 3600));
	else
		snprintf(out, size, "%lldd", (long long)(d / 86400));
}

static void ago(int64_t t, int64_t now, char *out, size_t size)
{
	if (t == FEED_TIME_NONE) {
		snprintf(out, size, "never");
		return;
	}
	char s[24];
	span(now - t, s, sizeof s);
	snprintf(out, size, "%s ago", s);
}

static void in(int64_t t, int64_t now, char *out, size_t size)
{
	if (t == FEED_TIME_NONE) {
		snprintf(out, size, "-");
		return;
	}
	if (t <= now) {
		snprintf(out, size, "due");
		return;
	}
	char s[24];
	span(t - now, s, sizeof s);
	snprintf(out, size, "in %s", s);
}

/* The day's figures for day (zeros when the source was not polled that day). */
static struct store_day day_of(const struct store_source_status *ss, int64_t day)
{
	for (size_t k = 0; k < ss->ndays; k++)
		if (ss->days[k].day == day)
			return ss->days[k];
	struct store_day none = {.day = day};
	return none;
}

char *status_json(const struct store_status *st, const int *enabled, int64_t now, size_t *len)
{
	struct json_out *j = json_out_new(1);
	json_map_open(j);
	json_date(j, "generated_at", now);
	json_key(j, "entries");
	json_int(j, (int64_t)st->entries);
	json_key(j, "database_bytes");
	json_int(j, st->db_bytes);
	json_key(j, "sources");
	json_array_open(j);
	for (size_t i = 0; i < st->nsources; i++) {
		const struct store_source_status *ss = &st->sources[i];
		const struct store_poll_state *ps = &ss->state;
		json_map_open(j);
		json_member(j, "name", ss->name);
		json_member(j, "title", ss->title);
		char *url = ss->url != NULL ? url_public_dup(ss->url) : NULL;
		json_member(j, "url", url);
		free(url);
		json_member(j, "state", status_state(ss, enabled_at(enabled, i)));
		json_key(j, "enabled");
		json_bool(j, enabled_at(enabled, i));
		const char *const time_keys[] = {"last_ok_at", "last_attempt_at", "next_due_at",
		                                 "retry_until", "gone_since"};
		const int64_t times[] = {ps->last_ok_at, ps->last_attempt_at, ps->next_due_at,
		                         ps->retry_until, ps->gone_since};
		for (size_t k = 0; k < 5; k++) {
			if (times[k] != FEED_TIME_NONE)
				json_date(j, time_keys[k], times[k]);
			else {
				json_key(j, time_keys[k]);
				json_null(j);
			}
		}
		json_key(j, "failures");
		json_int(j, ps->failures);
		json_key(j, "last_status");
		json_int(j, ps->last_status);
		json_key(j, "last_error");
		json_str(j, ps->last_error);
		json_key(j, "error_class");
		json_str(j, ps->error_class);
		json_key(j, "entries");
		json_int(j, (int64_t)ss->entries);
		json_key(j, "days");
		json_array_open(j);
		for (size_t k = 0; k < ss->ndays; k++) {
			const struct store_day *d = &ss->days[k];
			json_map_open(j);
			char date[DATE_ISO_SIZE];
			date_format_iso(d->day * 86400, date);
			date[10] = '\0';
			json_member(j, "day", date);
			json_key(j, "polls");
			json_int(j, d->polls);
			json_key(j, "failures");
			json_int(j, d->failures);
			json_key(j, "not_modified");
			json_int(j, d->not_modified);
			json_key(j, "entries_new");
			json_int(j, (int64_t)d->entries_new);
			json_key(j, "fetch_ms_avg");
			json_int(j, d->polls ? d->fetch_ms_sum / d->polls : 0);
			json_key(j, "fetch_ms_max");
			json_int(j, d->fetch_ms_max);
			json_map_close(j);
		}
		json_array_close(j);
		json_map_close(j);
	}
	json_array_close(j);
	json_map_close(j);
	return json_out_steal(j, len);
}

/* Appends s escaped for HTML text and attribute values. */
static void put_html(struct buf *b, const char *s)
{
	char *clean = xml_clean_dup(s != NULL ? s : "");
	for (const char *p = clean; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		default:
			buf_append(b, p, 1);
		}
	}
	free(clean);
}

/* Bars of one figure per day over the last STATUS_DAYS days, scaled to the largest. */
static void svg_bars(struct buf *b, const struct store_source_status *ss, int64_t today,
                     int latency, const char *label)
{
	int64_t v[STATUS_DAYS], max = 0;
	for (int k = 0; k < STATUS_DAYS; k++) {
		struct store_day d = day_of(ss, today - (STATUS_DAYS - 1) + k);
		v[k] = latency ? (d.polls ? d.fetch_ms_sum / d.polls : 0) : (int64_t)d.entries_new;
		if (v[k] > max)
			max = v[k];
	}
	buf_printf(b,
	           "<svg class=\"spark\" width=\"%d\" height=\"20\" viewBox=\"0 0 %d 20\" "
	           "role=\"img\"><title>",
	           STATUS_DAYS * 4, STATUS_DAYS * 4);
	put_html(b, label);
	buf_printf(b, ", largest %" PRId64 "%s</title>", max, latency ? " ms" : "");
	for (int k = 0; k < STATUS_DAYS; k++) {
		if (v[k] == 0)
			continue;
		int64_t h = max > 0 ? (v[k] * 20 + max - 1) / max : 0;
		buf_printf(b,
		           "<rect x=\"%d\" y=\"%" PRId64 "\" width=\"3\" height=\"%" PRId64
		           "\"></rect>",
		           k * 4, 20 - h, h);
	}
	buf_puts(b, "</svg>");
}

char *status_html(const struct store_status *st, const int *enabled, int64_t now, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	char iso[DATE_ISO_SIZE];
	date_format_iso(now, iso);
	size_t sick = 0;
	for (size_t i = 0; i < st->nsources; i++) {
		const char *s = status_state(&st->sources[i], enabled_at(enabled, i));
		sick += strcmp(s, "ok") != 0 && strcmp(s, "new") != 0 && strcmp(s, "paused") != 0;
	}
	buf_puts(&b,
	         "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	         "style-src 'unsafe-inline'\">\n<title>feedmerge: sources</title>\n<style>"
	         "body{font:14px system-ui,sans-serif;margin:1rem}table{border-collapse:collapse}"
	         "td,th{padding:.2rem .5rem;border-bottom:1px solid #ddd;text-align:left;"
	         "vertical-align:top}.ok{color:#176f2c}.failing,.gone,.blocked{color:#b00020}"
	         ".spark rect{fill:currentColor}.err{max-width:30rem;overflow-wrap:anywhere}"
	         "</style></head>\n<body>\n<h1>Sources</h1>\n");
	buf_printf(&b,
	           "<p>%zu sources, %zu not well; %zu entries stored, database %" PRId64
	           " bytes; <time datetime=\"%s\">%s</time>.</p>\n",
	           st->nsources, sick, st->entries, st->db_bytes, iso, iso);
	buf_puts(&b, "<table>\n<thead><tr><th>source</th><th>state</th><th>last ok</th>"
	             "<th>next poll</th><th>failures</th><th>status</th><th>entries</th>"
	             "<th>new per day</th><th>fetch time</th><th>last error</th></tr></thead>\n"
	             "<tbody>\n");
	int64_t today = now / 86400;
	for (size_t i = 0; i < st->nsources; i++) {
		const struct store_source_status *ss = &st->sources[i];
		const struct store_poll_state *ps = &ss->state;
		const char *state = status_state(ss, enabled_at(enabled, i));
		char last_ok[32], next[32];
		ago(ps->last_ok_at, now, last_ok, sizeof last_ok);
		in(ps->next_due_at, now, next, sizeof next);
		buf_puts(&b, "<tr><td title=\"");
		char *url = ss->url != NULL ? url_public_dup(ss->url) : NULL;
		put_html(&b, url);
		free(url);
		buf_puts(&b, "\">");
		put_html(&b, ss->name);
		buf_printf(&b, "</td><td class=\"%s\">%s</td><td>%s</td><td>%s</td><td>%u</td>",
		           state, state, last_ok, next, ps->failures);
		if (ps->last_status > 0)
			buf_printf(&b, "<td>%ld</td>", ps->last_status);
		else
			buf_puts(&b, "<td>-</td>");
		buf_printf(&b, "<td>%zu</td><td>", ss->entries);
		svg_bars(&b, ss, today, 0, "entries first stored per day");
		buf_puts(&b, "</td><td>");
		svg_bars(&b, ss, today, 1, "average fetch time per day");
		buf_puts(&b, "</td><td class=\"err\">");
		put_html(&b, ps->last_error);
		buf_puts(&b, "</td></tr>\n");
	}
	buf_puts(&b, "</tbody></table>\n<p><a href=\"status.json\">JSON</a> · "
	             "<a href=\"metrics\">metrics</a></p>\n</body></html>\n");
	return buf_steal(&b, len);
}

char *status_text(const struct store_status *st, const int *enabled, int64_t now, size_t *len)
{
	struct buf b;
	buf_init(&b, 0);
	int w = 6;
	for (size_t i = 0; i < st->nsources; i++) {
		int n = (int)strlen(st->sources[i].name);
		if (n > w)
			w = n > 40 ? 40 : n;
	}
	buf_printf(&b, "%-*s  %-7s  %-10s  %-8s  %4s  %6s  %7s  %s\n", w, "SOURCE", "STATE",
	           "LAST OK", "NEXT", "FAIL", "STATUS", "ENTRIES", "LAST ERROR");
	for (size_t i = 0; i < st->nsources; i++) {
		const struct store_source_status *ss = &st->sources[i];
		const struct store_poll_state *ps = &ss->state;
		char last_ok[32], next[32], status[24];
		ago(ps->last_ok_at, now, last_ok, sizeof last_ok);
		in(ps->next_due_at, now, next, sizeof next);
		if (ps->last_status > 0)
			snprintf(status, sizeof status, "%ld", ps->last_status);
		else
			snprintf(status, sizeof status, "-");
		/* A source's name and error come from the config and a server: print no
		 * control character of theirs. */
		char *name = xml_clean_dup(ss->name);
		char *err = xml_clean_dup(ps->last_error != NULL ? ps->last_error : "");
		for (char *p = err; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
		buf_printf(&b, "%-*s  %-7s  %-10s  %-8s  %4u  %6s  %7zu  %s\n", w, name,
		           status_state(ss, enabled_at(enabled, i)), last_ok, next, ps->failures,
		           status, ss->entries, err);
		free(name);
		free(err);
	}
	buf_printf(&b, "%zu sources, %zu entries, database %" PRId64 " bytes\n", st->nsources,
	           st->entries, st->db_bytes);
	return buf_steal(&b, len);
}
