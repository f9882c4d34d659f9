/* `feedmerge check --env`, and `run` and `once` before they start: what the daemon will need of
 * the system, checked without changing anything, so that a missing folder, a read-only
 * output_dir and a port in use are all reported at once, each at the line of its key, rather
 * than one at a time by a start that fails.
 *
 * access(2) answers for the real user, which is the daemon's own (feedmerge is not set-uid). */
#include "autoconf.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

__attribute__((format(printf, 3, 4))) static void env_error(FILE *errs, struct config_pos at,
                                                            const char *fmt, ...)
{
	if (errs == NULL)
		return;
	if (at.line > 0)
		fprintf(errs, "%s:%d: error: ", at.file, at.line);
	else
		fprintf(errs, "%s: error: ", at.file);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(errs, fmt, ap);
	va_end(ap);
	fputc('\n', errs);
}

/* A new string: the folder of path ("." when it has none). */
static char *folder_dup(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* SQLite creates the database, and its -wal and -shm files beside it, in its folder; feedmerge
 * does not create the folder (systemd's StateDirectory= or the package does). */
static int check_database(const struct config *c, FILE *errs)
{
	const char *db = c->database;
	char *dir = folder_dup(db);
	struct stat st;
	int bad = 1;
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT)
			env_error(errs, c->database_at,
			          "database %s: its folder %s does not exist (feedmerge does not "
			          "create it)",
			          db, dir);
		else
			env_error(errs, c->database_at, "database %s: %s: %s", db, dir,
			          strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		env_error(errs, c->database_at, "database %s: %s is not a folder", db, dir);
	} else if (access(dir, W_OK | X_OK) != 0) {
		env_error(errs, c->database_at, "database %s: cannot write in its folder %s: %s",
		          db, dir, strerror(errno));
	} else if (stat(db, &st) == 0 && !S_ISREG(st.st_mode)) {
		env_error(errs, c->database_at, "database %s: not a regular file", db);
	} else if (stat(db, &st) == 0 && access(db, R_OK | W_OK) != 0) {
		env_error(errs, c->database_at, "database %s: %s", db, strerror(errno));
	} else {
		bad = 0;
	}
	free(dir);
	return bad;
}

/* The publisher creates output_dir and its missing parents (mkdir -p) and replaces files in
 * it: the nearest folder that exists must let it. */
static int check_output_dir(const struct config *c, FILE *errs)
{
	const char *out = c->output_dir;
	if (out == NULL)
		return 0;
	char *p = xstrdup(out);
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	struct stat st;
	int missing = 0, bad = 1;
	while (stat(p, &st) != 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			env_error(errs, c->output_dir_at, "output_dir %s: %s: %s", out, p,
			          strerror(errno));
			goto done;
		}
		missing = 1;
		char *up = folder_dup(p);
		free(p);
		p = up;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (missing)
			env_error(errs, c->output_dir_at,
			          "output_dir %s cannot be created: %s is not a folder", out, p);
		else
			env_error(errs, c->output_dir_at, "output_dir %s is not a folder", out);
	} else if (access(p, W_OK | X_OK) != 0) {
		if (missing)
			env_error(errs, c->output_dir_at,
			          "output_dir %s cannot be created in %s: %s", out, p,
			          strerror(errno));
		else
			env_error(errs, c->output_dir_at, "output_dir %s: cannot write in it: %s",
			          out, strerror(errno));
	} else {
		bad = 0;
	}
done:
	free(p);
	return bad;
}

/* Binds a socket as libmicrohttpd will (SO_REUSEADDR, IPv6 only on an IPv6 address), and
 * closes it at once. */
static int check_listen(const struct config *c, FILE *errs)
{
	if (c->listen == NULL || c->listen[0] == '\0')
		return 0;
	struct sockaddr_storage addr;
	socklen_t addrlen = 0;
	if (parse_listen_addr(c->listen, &addr, &addrlen) != NULL)
		return 0; /* the config reader reported it */
	int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		env_error(errs, c->listen_at, "listen %s: %s", c->listen, strerror(errno));
		return 1;
	}
	int one = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (addr.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	int bad = 0;
	if (bind(fd, (struct sockaddr *)&addr, addrlen) != 0) {
		int e = errno;
		bad = 1;
		const char *hint = e == EADDRINUSE      ? " (another feedmerge, or another server?)"
		                   : e == EACCES        ? " (a port below 1024 needs "
		                                          "CAP_NET_BIND_SERVICE)"
		                   : e == EADDRNOTAVAIL ? " (not an address of this host)"
		                                        : "";
		env_error(errs, c->listen_at, "listen %s: %s%s", c->listen, strerror(e), hint);
	}
	close(fd);
	return bad;
}

int config_check_env(const struct config *c, int listener, FILE *errs)
{
	int n = check_database(c, errs) + check_output_dir(c, errs);
	if (listener)
		n += check_listen(c, errs);
	if (errs != NULL)
		fflush(errs);
	return n;
}
