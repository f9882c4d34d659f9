/* Logging to stderr: one line per event, the source name first where there is one.
 *
 * Priorities are syslog's (sd-daemon.h): 3 error, 4 warning, 6 info, 7 debug. Each line is
 * written in one of three formats, chosen once by log_init():
 *   - journal:   "<4>warning: source x: ..."            (stderr is the journal: JOURNAL_STREAM)
 *   - timestamp: "2026-01-31T08:00:00Z warning: ..."    (stderr is a file or a pipe)
 *   - plain:     "warning: ..."                         (a TTY, or FEEDMERGE_LOG_PLAIN=1)
 * The formatted text is escaped: control characters (line breaks included), DEL and the C1
 * controls become \xNN, so text from a feed can neither forge a line nor drive a terminal. */
#ifndef FEEDMERGE_LOG_H
#define FEEDMERGE_LOG_H

#include <stddef.h>
#include <stdio.h>

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum log_level {
	LOG_LEVEL_ERROR = 3,
	LOG_LEVEL_WARNING = 4,
	LOG_LEVEL_INFO = 6,
	LOG_LEVEL_DEBUG = 7,
};

enum log_format {
	LOG_FORMAT_PLAIN,
	LOG_FORMAT_TIMESTAMP,
	LOG_FORMAT_JOURNAL,
};

/* Chooses the format for stderr: journal when JOURNAL_STREAM is stderr's "DEV:INODE", plain
 * when stderr is a TTY or FEEDMERGE_LOG_PLAIN=1, else timestamps. */
void log_init(void);
/* The format log_init() would choose for a stream with fd's identity, given the environment
 * values (NULL: unset). For tests and for log_init. */
enum log_format log_format_for(int fd, const char *journal_stream, const char *plain);
void log_set_format(enum log_format format);
enum log_format log_get_format(void);
/* Lines with a priority above the level (less important) are dropped. The level is the
 * config's log_level (default info) moved by the command line's -v/-q: steps > 0 towards
 * debug, < 0 towards error (log_set_verbosity), one step per -v or -q. */
void log_set_level(int level);
void log_set_verbosity(int steps);
/* The level in force: log_set_level's moved by log_set_verbosity's steps. */
int log_get_level(void);
/* "error", "warning", "info", "debug" -> its level; -1 for anything else. */
int log_level_parse(const char *name);
/* The name of a level (the nearest known one below it). */
const char *log_level_name(int level);
/* Where lines go; NULL: stderr (the default). For tests. */
void log_set_stream(FILE *fp);

/* Copies src into dst (of dstsize bytes, NUL-terminated, cut at a character boundary when it
 * does not fit) with C0 controls, DEL and C1 controls (U+0080..U+009F) written as \xNN.
 * Returns the length written. */
size_t log_escape(char *dst, size_t dstsize, const char *src);

/* A status line at a terminal (`once`'s progress): written to stderr without a newline, and
 * cleared and written again around every log line. NULL or "" removes it. Only when stderr is
 * a TTY; elsewhere it does nothing. */
void log_status(const char *fmt, ...) LOG_PRINTF(1, 2);

/* A line at priority with no level word ("error: ", "warning: "): for text that says its own
 * level, such as the config reader's "FILE:LINE: warning: ..." lines. */
void log_line(int priority, const char *fmt, ...) LOG_PRINTF(2, 3);
/* "error: ..."; log_error appends ": strerror(errno)". */
void log_error(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_errorx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Appends ": strerror(errno)". */
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Logs at error priority ("fatal: ...") and exits with status 3 (runtime error). */
_Noreturn void fatal(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif
