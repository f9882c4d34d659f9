/* Logging to stderr: priorities, the three line formats, escaping, and a status line at a
 * terminal. See log.h. */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int log_level = LOG_LEVEL_INFO; /* in force: log_base_level moved by log_steps */
static int log_base_level = LOG_LEVEL_INFO;
static int log_steps;
static enum log_format log_format = LOG_FORMAT_PLAIN;
static FILE *log_stream; /* NULL: stderr */
static char log_status_text[512];

static FILE *log_out(void)
{
	return log_stream != NULL ? log_stream : stderr;
}

/* JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected to the journal; it is
 * inherited by children whose stderr may be elsewhere, hence the comparison. */
static int log_is_journal(int fd, const char *journal_stream)
{
	uintmax_t dev, ino;
	char end;
	struct stat st;
	if (journal_stream == NULL || sscanf(journal_stream, "%ju:%ju%c", &dev, &ino, &end) != 2 ||
	    fstat(fd, &st) != 0)
		return 0;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

enum log_format log_format_for(int fd, const char *journal_stream, const char *plain)
{
	if (log_is_journal(fd, journal_stream))
		return LOG_FORMAT_JOURNAL;
	if ((plain != NULL && strcmp(plain, "1") == 0) || isatty(fd))
		return LOG_FORMAT_PLAIN;
	return LOG_FORMAT_TIMESTAMP;
}

void log_init(void)
{
	log_format =
	    log_format_for(STDERR_FILENO, getenv("JOURNAL_STREAM"), getenv("FEEDMERGE_LOG_PLAIN"));
}

void log_set_format(enum log_format format)
{
	log_format = format;
}

enum log_format log_get_format(void)
{
	return log_format;
}

static const struct {
	const char *name;
	int level;
} log_levels[] = {
    {"error", LOG_LEVEL_ERROR},
    {"warning", LOG_LEVEL_WARNING},
    {"info", LOG_LEVEL_INFO},
    {"debug", LOG_LEVEL_DEBUG},
};
enum { LOG_NLEVELS = sizeof log_levels / sizeof log_levels[0] };

static void log_level_update(void)
{
	int i = 0;
	while (i + 1 < LOG_NLEVELS && log_levels[i + 1].level <= log_base_level)
		i++;
	i += log_steps;
	i = i < 0 ? 0 : i >= LOG_NLEVELS ? LOG_NLEVELS - 1 : i;
	log_level = log_levels[i].level;
}

void log_set_level(int level)
{
	log_base_level = level;
	log_level_update();
}

void log_set_verbosity(int steps)
{
	log_steps = steps;
	log_level_update();
}

int log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *name)
{
	for (int i = 0; i < LOG_NLEVELS; i++)
		if (strcmp(name, log_levels[i].name) == 0)
			return log_levels[i].level;
	return -1;
}

const char *log_level_name(int level)
{
	const char *name = "error";
	for (int i = 0; i < LOG_NLEVELS; i++)
		if (log_levels[i].level <= level)
			name = log_levels[i].name;
	return name;
}

void log_set_stream(FILE *fp)
{
	log_stream = fp;
}

/* The length of the UTF-8 sequence that lead byte c starts (1 for anything else). */
static size_t utf8_len(unsigned char c)
{
	return c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

size_t log_escape(char *dst, size_t dstsize, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (dstsize == 0)
		return 0;
	for (const unsigned char *s = (const unsigned char *)src; *s != '\0';) {
		unsigned char esc[2];
		size_t nesc = 0, n = 1;
		if (*s < 0x20 || *s == 0x7f) {
			esc[nesc++] = *s;
		} else if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
			/* A C1 control such as U+009B, a terminal's CSI. */
			esc[nesc++] = s[0];
			esc[nesc++] = s[1];
			n = 2;
		} else if (*s >= 0x80) {
			n = utf8_len(*s);
			for (size_t k = 1; k < n; k++)
				if (s[k] == '\0')
					n = k; /* a cut sequence: its bytes as they are */
		}
		size_t need = nesc > 0 ? 4 * nesc : n;
		if (o + need >= dstsize)
			break;
		if (nesc > 0) {
			for (size_t k = 0; k < nesc; k++) {
				dst[o++] = '\\';
				dst[o++] = 'x';
				dst[o++] = hex[esc[k] >> 4];
				dst[o++] = hex[esc[k] & 15];
			}
		} else {
			memcpy(dst + o, s, n);
			o += n;
		}
		s += n;
	}
	dst[o] = '\0';
	return o;
}

/* The prefix of a line in the current format: "<4>" or "2026-01-31T08:00:00Z ". */
static void log_prefix(char *buf, size_t size, int priority)
{
	buf[0] = '\0';
	if (log_format == LOG_FORMAT_JOURNAL) {
		snprintf(buf, size, "<%d>", priority);
	} else if (log_format == LOG_FORMAT_TIMESTAMP) {
		time_t now = time(NULL);
		struct tm tm;
		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ ", &tm) == 0)
			buf[0] = '\0';
	}
}

static int log_status_shown(void)
{
	return log_status_text[0] != '\0' && log_stream == NULL;
}

static void log_vline(int priority, const char *word, const char *fmt, va_list ap,
                      const char *suffix)
{
	char raw[2048], text[4096], prefix[64];
	if (priority > log_level)
		return;
	int n = vsnprintf(raw, sizeof raw, fmt, ap);
	if (n >= 0 && suffix != NULL && (size_t)n < sizeof raw)
		snprintf(raw + n, sizeof raw - (size_t)n, ": %s", suffix);
	log_escape(text, sizeof text, raw);
	log_prefix(prefix, sizeof prefix, priority);
	/* One fprintf per line keeps lines whole when stderr is shared; a status line at the
	 * terminal is cleared first and written again after. */
	FILE *out = log_out();
	if (log_status_shown())
		fprintf(out, "\r\033[K%s%s%s\n%s", prefix, word, text, log_status_text);
	else
		fprintf(out, "%s%s%s\n", prefix, word, text);
	fflush(out);
}

void log_status(const char *fmt, ...)
{
	if (log_stream != NULL || !isatty(STDERR_FILENO))
		return;
	char raw[sizeof log_status_text];
	raw[0] = '\0';
	if (fmt != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(raw, sizeof raw, fmt, ap);
		va_end(ap);
	}
	int had = log_status_text[0] != '\0';
	log_escape(log_status_text, sizeof log_status_text, raw);
	if (had || log_status_text[0] != '\0')
		fprintf(stderr, "\r\033[K%s", log_status_text);
	fflush(stderr);
}

void log_line(int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(priority, "", fmt, ap, NULL);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_ERROR, "error: ", fmt, ap, err);
	va_end(ap);
}

void log_errorx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_ERROR, "error: ", fmt, ap, NULL);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_INFO, "", fmt, ap, NULL);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_WARNING, "warning: ", fmt, ap, err);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_WARNING, "warning: ", fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_DEBUG, "debug: ", fmt, ap, NULL);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_ERROR, "fatal: ", fmt, ap, err);
	va_end(ap);
	exit(3);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline(LOG_LEVEL_ERROR, "fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(3);
}
