#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int log_verbosity = 1;

void log_set_verbosity(int level)
{
	log_verbosity = level;
}

static void log_vline(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	/* One fprintf per line keeps lines whole when stderr is shared. */
	char buf[2048];
	vsnprintf(buf, sizeof buf, fmt, ap);
	if (suffix != NULL)
		fprintf(stderr, "%s%s: %s\n", prefix, buf, suffix);
	else
		fprintf(stderr, "%s%s\n", prefix, buf);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	if (log_verbosity < 1)
		return;
	va_start(ap, fmt);
	log_vline("", fmt, ap, NULL);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);
	va_start(ap, fmt);
	log_vline("warning: ", fmt, ap, err);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;
	if (log_verbosity < 2)
		return;
	va_start(ap, fmt);
	log_vline("debug: ", fmt, ap, NULL);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	const char *err = strerror(errno);
	va_start(ap, fmt);
	log_vline("fatal: ", fmt, ap, err);
	va_end(ap);
	exit(3);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vline("fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(3);
}
