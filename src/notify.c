/* sd_notify(3) and sd_watchdog_enabled(3) in a few lines: see notify.h. */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"

int notify_enabled(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	return path != NULL && (path[0] == '/' || path[0] == '@') && path[1] != '\0';
}

int notify_send(const char *fmt, ...)
{
	if (!notify_enabled())
		return 0;
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (len > sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] =
		    '\0'; /* abstract: the name is the bytes after a NUL, unterminated */
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);

	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	size_t msglen = (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	ssize_t sent = sendto(fd, msg, msglen, MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	int saved = errno;
	close(fd);
	errno = saved;
	return sent == (ssize_t)msglen ? 1 : -1;
}

uint64_t notify_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	char *end;
	if (usec == NULL || *usec < '0' || *usec > '9')
		return 0;
	errno = 0;
	unsigned long long v = strtoull(usec, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		return 0;
	if (pid != NULL) {
		unsigned long long p = strtoull(pid, &end, 10);
		if (*pid == '\0' || *end != '\0' || p != (unsigned long long)getpid())
			return 0;
	}
	return (uint64_t)v;
}

uint64_t notify_monotonic_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
