/* Logging to stderr: one line per event, prefixed with the level. */
#ifndef FEEDMERGE_LOG_H
#define FEEDMERGE_LOG_H

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* 0 = warnings only, 1 = info (default), 2 = debug. */
void log_set_verbosity(int level);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Appends ": strerror(errno)". */
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Logs and exits with status 3 (runtime error). */
_Noreturn void fatal(const char *fmt, ...) LOG_PRINTF(1, 2);
_Noreturn void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif
