/* feedmerge: argv, subcommands, start-up and tear-down. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "date.h"
#include "feed_json.h"
#include "log.h"
#include "opml.h"
#include "parse.h"
#include "status.h"
#include "store.h"
#include "util.h"

enum { EXIT_OK = 0, EXIT_CONFIG = 1, EXIT_USAGE = 2, EXIT_RUNTIME = 3 };

/* The binary knows only its installed paths: a build that was never installed is run with
 * -c (the README's quick start says `-c conf/feedmerge.conf`). */
#define INSTALLED_CONFIG SYSCONFDIR "/feedmerge/feedmerge.conf"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: feedmerge COMMAND [OPTIONS]\n"
	    "\n"
	    "Polls RSS/Atom/JSON feeds, deduplicates their items by link into SQLite and serves "
	    "one\n"
	    "merged feed in which every item says where it came from.\n"
	    "\n"
	    "commands:\n"
	    "  run   [-c FILE] [-v|-q]   run the daemon in the foreground, logging to stderr\n"
	    "  once  [-c FILE] [-v|-q]   poll every source once, store, write the outputs, exit\n"
	    "  check [-c FILE] [--env]   validate the config, printing every problem as FILE:LINE\n"
	    "                            (--env: also the database folder, output_dir, listen)\n"
	    "  opml  [-c FILE]           print the configured sources as an OPML 2.0 list\n"
	    "  status [-c FILE]          print every source's state from the database\n"
	    "  parse [--url URL] [--content-type TYPE] [--charset CHARSET]\n"
	    "        [--timezone ZONE] [--date-format FORMAT] [--pretty] FILE|-\n"
	    "                            parse one feed document and print it as JSON\n"
	    "\n"
	    "  -c FILE   config file; default %s\n"
	    "  -v, -q    more or less logging than the config's log_level (default info)\n"
	    "  --help, --version\n"
	    "\n"
	    "exit status: 0 ok, 1 config or input error, 2 usage error, 3 runtime error,\n"
	    "             4 (once) some source failed\n"
	    "\n"
	    "environment: NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID (systemd), JOURNAL_STREAM\n"
	    "             (priority prefixes), FEEDMERGE_LOG_PLAIN=1 (no timestamps)\n",
	    INSTALLED_CONFIG);
}

/* what and arg make one message: "unknown command" + "'frob'". */
static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "feedmerge: %s '%s'\nTry 'feedmerge --help'.\n", what, arg);
	return EXIT_USAGE;
}

/* Options shared by run, once and check; *steps counts -v (+1) and -q (-1). */
static int parse_common(int argc, char **argv, const char **config_path, int allow_verbosity,
                        int *steps)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int verbosity = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+c:vqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			*config_path = optarg;
			break;
		case 'v':
		case 'q':
			if (!allow_verbosity)
				return usage_error("unknown option", ch == 'v' ? "-v" : "-q");
			verbosity += ch == 'v' ? 1 : -1;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			return usage_error("bad option for", argv[0]);
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument", argv[optind]);
	*steps = verbosity;
	return 0;
}

/* In the journal (run, once, and check as the unit's ExecStartPre=): the config reader's lines
 * with their priorities, so that `journalctl -p warning` shows why the service did not start. */
static struct config *load_config_journal(const char *path, int *nerrors)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (mem == NULL)
		return config_load(path, stderr, nerrors);
	struct config *c = config_load(path, mem, nerrors);
	fclose(mem);
	for (const char *t = text; t != NULL && *t != '\0';) {
		size_t n = strcspn(t, "\n");
		const char *w = strstr(t, ": warning: ");
		int warning = w != NULL && w < t + n;
		log_line(warning ? LOG_LEVEL_WARNING : LOG_LEVEL_ERROR, "%.*s", (int)n, t);
		t += n + (t[n] == '\n');
	}
	free(text);
	return c;
}

static struct config *load_config(const char *path)
{
	int nerrors = 0;
	int journal = log_get_format() == LOG_FORMAT_JOURNAL;
	struct config *c =
	    journal ? load_config_journal(path, &nerrors) : config_load(path, stderr, &nerrors);
	if (c == NULL && journal)
		log_line(LOG_LEVEL_ERROR, "feedmerge: %s: %d error%s", path, nerrors,
		         nerrors == 1 ? "" : "s");
	else if (c == NULL)
		fprintf(stderr, "feedmerge: %s: %d error%s\n", path, nerrors,
		        nerrors == 1 ? "" : "s");
	return c;
}

/* The options of check and opml: -c FILE, and --env where env is not NULL. */
static int parse_config_opts(int argc, char **argv, const char **config_path, int *env)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"env", no_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			*config_path = optarg;
			break;
		case 'e':
			if (env == NULL)
				return usage_error("unknown option", "--env");
			*env = 1;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			return usage_error("bad option for", argv[0]);
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument", argv[optind]);
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	const char *path = INSTALLED_CONFIG;
	int env = 0;
	int rc = parse_config_opts(argc, argv, &path, &env);
	if (rc != 0)
		return rc;
	struct config *c = load_config(path);
	if (c == NULL)
		return EXIT_CONFIG;
	int nenv = env ? config_check_env(c, 1, stderr) : 0;
	if (nenv > 0) {
		fprintf(stderr, "feedmerge: %s: %d error%s\n", path, nenv, nenv == 1 ? "" : "s");
		config_free(c);
		return EXIT_CONFIG;
	}
	size_t paused = 0;
	for (size_t i = 0; i < c->nsources; i++)
		paused += !c->sources[i].enabled;
	printf("%s: ok, %zu source%s", path, c->nsources, c->nsources == 1 ? "" : "s");
	if (paused > 0) {
		printf(" (%zu paused:", paused);
		for (size_t i = 0; i < c->nsources; i++)
			if (!c->sources[i].enabled)
				printf(" %s", c->sources[i].name);
		printf(")");
	}
	printf("\n");
	config_free(c);
	return EXIT_OK;
}

/* The sources' state as the database has it (the daemon may be running: WAL lets this read
 * beside it), one line each. */
static int cmd_status(int argc, char **argv)
{
	const char *path = INSTALLED_CONFIG;
	int rc = parse_config_opts(argc, argv, &path, NULL);
	if (rc != 0)
		return rc;
	struct config *c = load_config(path);
	if (c == NULL)
		return EXIT_CONFIG;
	if (access(c->database, F_OK) != 0) {
		fprintf(stderr, "feedmerge: %s: no database yet (the daemon has not run)\n",
		        c->database);
		config_free(c);
		return EXIT_RUNTIME;
	}
	char err[512] = "";
	struct store *s = store_open(c->database, err, sizeof err);
	if (s == NULL) {
		fprintf(stderr, "feedmerge: %s\n", err);
		config_free(c);
		return EXIT_RUNTIME;
	}
	int64_t now = (int64_t)time(NULL);
	struct store_status st;
	rc = EXIT_RUNTIME;
	if (store_load_status(s, now / 86400 - STATUS_DAYS + 1, &st) == 0) {
		int *enabled = xcalloc(st.nsources ? st.nsources : 1, sizeof *enabled);
		for (size_t i = 0; i < st.nsources; i++) {
			enabled[i] = 1;
			for (size_t k = 0; k < c->nsources; k++)
				if (strcmp(c->sources[k].name, st.sources[i].name) == 0)
					enabled[i] = c->sources[k].enabled;
		}
		size_t len;
		char *text = status_text(&st, enabled, now, &len);
		fwrite(text, 1, len, stdout);
		free(text);
		free(enabled);
		store_status_free(&st);
		rc = EXIT_OK;
	}
	store_close(s);
	config_free(c);
	return rc;
}

/* `feedmerge opml`: the configured sources as OPML 2.0 on stdout, their groups as folders. */
static int cmd_opml(int argc, char **argv)
{
	const char *path = INSTALLED_CONFIG;
	int rc = parse_config_opts(argc, argv, &path, NULL);
	if (rc != 0)
		return rc;
	struct config *c = load_config(path);
	if (c == NULL)
		return EXIT_CONFIG;
	struct opml_feed *feeds = xcalloc(c->nsources + 1, sizeof *feeds);
	for (size_t i = 0; i < c->nsources; i++) {
		const struct source_conf *s = &c->sources[i];
		/* Borrowed: opml_write only reads them. */
		feeds[i] = (struct opml_feed){
		    .title = s->title != NULL ? s->title : s->name,
		    .url = s->url,
		    .folder = s->group,
		};
	}
	rc = EXIT_OK;
	if (opml_write(stdout, c->feed_title, feeds, c->nsources) != 0) {
		fprintf(stderr, "feedmerge: writing output: %s\n", strerror(errno));
		rc = EXIT_RUNTIME;
	}
	free(feeds);
	config_free(c);
	return rc;
}

/* What `run` (listener) and `once` need of the system, all of it at once, before any of it is
 * opened: check --env's problems. Returns 0, or EXIT_RUNTIME after printing them. */
static int startup_check(const struct config *c, const char *path, int listener)
{
	int n = config_check_env(c, listener, stderr);
	if (n == 0)
		return 0;
	fprintf(stderr, "feedmerge: %s: %d error%s: not starting\n", path, n, n == 1 ? "" : "s");
	return EXIT_RUNTIME;
}

static int cmd_daemon(int argc, char **argv, int once)
{
	const char *path = INSTALLED_CONFIG;
	int steps = 0;
	int rc = parse_common(argc, argv, &path, 1, &steps);
	if (rc != 0)
		return rc;
	log_set_verbosity(steps);
	struct config *c = load_config(path);
	if (c == NULL)
		return EXIT_CONFIG;
	log_set_level(c->log_level);
	if ((rc = startup_check(c, path, !once)) != 0) {
		config_free(c);
		return rc;
	}
	char why[1024];
	rc = once ? daemon_once(c, why, sizeof why) : daemon_run(c, why, sizeof why);
	if (why[0] != '\0')
		fatalx("cannot start: %s", why); /* exits 3, EXIT_RUNTIME */
	return rc;
}

/* Reads all of a file (or stdin for "-"). NULL with errno set on failure. */
static char *read_all(const char *path, size_t *len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	char *data = read_stream(fp, len);
	if (fp != stdin)
		fclose(fp);
	return data;
}

/* A regular file is mapped rather than read: no copy of it and no zeroed anonymous pages (a
 * quarter of `parse`'s system time on a 24 MB feed); anything else (stdin, a pipe, an empty
 * file) is read. *mapped says which, for the caller's munmap() or free(). A file truncated
 * while mapped would raise SIGBUS: acceptable for this one-shot tool, never used by the daemon. */
static char *map_file(const char *path, size_t *len, int *mapped)
{
	*mapped = 0;
	if (strcmp(path, "-") == 0)
		return read_all(path, len);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat sb;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
	    (uintmax_t)sb.st_size > SIZE_MAX) {
		close(fd);
		return read_all(path, len);
	}
	int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
	flags |= MAP_POPULATE;
#endif
	void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, flags, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return read_all(path, len);
	*len = (size_t)sb.st_size;
	*mapped = 1;
	return p;
}

static int cmd_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"url", required_argument, NULL, 'u'},
	    {"content-type", required_argument, NULL, 't'},
	    {"charset", required_argument, NULL, 'C'},
	    {"timezone", required_argument, NULL, 'z'},
	    {"date-format", required_argument, NULL, 'd'},
	    {"pretty", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct parse_opts opts = {0};
	const char *timezone = NULL;
	int pretty = 0, ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			opts.url = optarg;
			break;
		case 't':
			opts.content_type = optarg;
			break;
		case 'C':
			opts.charset = optarg;
			break;
		case 'z':
			timezone = optarg;
			break;
		case 'd':
			opts.date_format = optarg;
			break;
		case 'p':
			pretty = 1;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			return usage_error("bad option for", "parse");
		}
	}
	if (optind != argc - 1)
		return usage_error("exactly one FILE (or - for stdin) is needed by", "parse");
	const char *path = argv[optind];

	char err[512] = "";
	struct date_zone *zone = NULL;
	if (timezone != NULL) {
		zone = date_zone_new(timezone, err, sizeof err);
		if (zone == NULL) {
			fprintf(stderr, "feedmerge: --timezone %s: %s\n", timezone, err);
			return EXIT_USAGE;
		}
		opts.zone = zone;
	}
	size_t len = 0;
	int mapped = 0;
	char *data = map_file(path, &len, &mapped);
	if (data == NULL) {
		fprintf(stderr, "feedmerge: %s: %s\n", path, strerror(errno));
		date_zone_free(zone);
		return EXIT_CONFIG;
	}
	struct feed *f = parse_feed(data, len, &opts, err, sizeof err);
	if (mapped)
		munmap(data, len);
	else
		free(data);
	date_zone_free(zone);
	if (f == NULL) {
		fprintf(stderr, "feedmerge: %s: %s\n", path, err);
		return EXIT_CONFIG;
	}
	if (err[0] != '\0')
		fprintf(stderr, "feedmerge: %s: warning: %s\n", path, err);
	int rc = EXIT_OK;
	if (feed_json_write(stdout, f, pretty) < 0 || fflush(stdout) == EOF) {
		fprintf(stderr, "feedmerge: writing output: %s\n", strerror(errno));
		rc = EXIT_RUNTIME;
	}
	feed_free(f);
	return rc;
}

int main(int argc, char **argv)
{
	log_init();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("feedmerge %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_daemon(argc - 1, argv + 1, 0);
	if (strcmp(cmd, "once") == 0)
		return cmd_daemon(argc - 1, argv + 1, 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(cmd, "opml") == 0)
		return cmd_opml(argc - 1, argv + 1);
	if (strcmp(cmd, "parse") == 0)
		return cmd_parse(argc - 1, argv + 1);
	return usage_error("unknown command", cmd);
}
