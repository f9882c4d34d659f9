/* Unit tests of log.c: the three line formats, priorities and levels, the journal check and
 * the escaping of text that came from a feed. */
#include "autoconf.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "../tap.h"

static char *captured;
static size_t captured_len;
static FILE *capture;

static void capture_start(void)
{
	capture = open_memstream(&captured, &captured_len);
	log_set_stream(capture);
}

/* The captured lines (a static copy), the capture closed. */
static const char *capture_end(void)
{
	static char copy[8192];
	fclose(capture);
	log_set_stream(NULL);
	snprintf(copy, sizeof copy, "%s", captured != NULL ? captured : "");
	free(captured);
	captured = NULL;
	return copy;
}

static int matches(const char *text, const char *pattern)
{
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	int m = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return m;
}

static void test_escape(void)
{
	char out[256];
	log_escape(out, sizeof out, "source x: title \"a\nb\r\tc\x7f\"");
	is_str(out, "source x: title \"a\\x0ab\\x0d\\x09c\\x7f\"", "C0 controls and DEL as \\xNN");
	log_escape(out, sizeof out,
	           "csi \xc2\x9b"
	           "31m red");
	is_str(out, "csi \\xc2\\x9b31m red", "a C1 control (U+009B) as its two bytes");
	log_escape(out, sizeof out, "Tin t\xe1\xbb\x95ng h\xe1\xbb\xa3p \xc2\xa0ok");
	is_str(out, "Tin t\xe1\xbb\x95ng h\xe1\xbb\xa3p \xc2\xa0ok",
	       "UTF-8 text (and U+00A0) kept");
	log_escape(out, sizeof out, "\x1b[2J");
	is_str(out, "\\x1b[2J", "an ANSI escape is defused");

	/* Cut where it does not fit: never inside an escape or a UTF-8 sequence. */
	char small[8];
	size_t n = log_escape(small, sizeof small, "abcd\n");
	is_str(small, "abcd", "an escape that does not fit is left out whole");
	is_int((int64_t)n, 4, "its length");
	log_escape(small, sizeof small, "abcde\xe1\xbb\x95");
	is_str(small, "abcde", "a UTF-8 character that does not fit is left out whole");
	log_escape(small, 1, "abc");
	is_str(small, "", "a one-byte buffer holds the NUL");
}

static void test_formats(void)
{
	log_set_level(LOG_LEVEL_DEBUG);
	log_set_verbosity(0);

	log_set_format(LOG_FORMAT_JOURNAL);
	capture_start();
	log_errorx("e %d", 1);
	log_warnx("source x: w");
	log_info("source x: i");
	log_debug("d");
	log_line(LOG_LEVEL_WARNING, "f.conf:3: warning: w");
	is_str(capture_end(),
	       "<3>error: e 1\n<4>warning: source x: w\n<6>source x: i\n<7>debug: d\n"
	       "<4>f.conf:3: warning: w\n",
	       "journal: <N> priority prefixes");

	log_set_format(LOG_FORMAT_PLAIN);
	capture_start();
	log_warnx("source x: w");
	log_info("listening on http://127.0.0.1:8080/");
	is_str(capture_end(), "warning: source x: w\nlistening on http://127.0.0.1:8080/\n",
	       "plain: the message alone");

	log_set_format(LOG_FORMAT_TIMESTAMP);
	capture_start();
	log_warnx("source x: w");
	log_info("i");
	const char *t = capture_end();
	ok(matches(t,
	           "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z warning: source x: w\n"
	           "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z i\n$"),
	   "timestamp: an ISO-8601 UTC time first");

	/* Text from a feed cannot make a second line. */
	log_set_format(LOG_FORMAT_JOURNAL);
	capture_start();
	log_info("source x: title '%s'", "evil\n<3>forged line");
	is_str(capture_end(), "<6>source x: title 'evil\\x0a<3>forged line'\n",
	       "a line break from a feed is escaped: one line, no forged priority");
	log_set_format(LOG_FORMAT_PLAIN);
}

static void test_levels(void)
{
	is_int(log_level_parse("debug"), LOG_LEVEL_DEBUG, "parse debug");
	is_int(log_level_parse("info"), LOG_LEVEL_INFO, "parse info");
	is_int(log_level_parse("warning"), LOG_LEVEL_WARNING, "parse warning");
	is_int(log_level_parse("error"), LOG_LEVEL_ERROR, "parse error");
	is_int(log_level_parse("verbose"), -1, "parse refuses others");
	is_str(log_level_name(LOG_LEVEL_WARNING), "warning", "name of warning");
	is_str(log_level_name(5), "warning", "name of notice: the next known one");

	log_set_format(LOG_FORMAT_PLAIN);
	log_set_level(LOG_LEVEL_WARNING);
	log_set_verbosity(0);
	capture_start();
	log_info("no");
	log_debug("no");
	log_warnx("yes");
	log_errorx("yes");
	is_str(capture_end(), "warning: yes\nerror: yes\n",
	       "log_level = warning drops info, debug");

	log_set_level(LOG_LEVEL_INFO);
	log_set_verbosity(1);
	is_int(log_get_level(), LOG_LEVEL_DEBUG, "info and -v: debug");
	log_set_verbosity(-1);
	is_int(log_get_level(), LOG_LEVEL_WARNING, "info and -q: warning");
	log_set_verbosity(-2);
	is_int(log_get_level(), LOG_LEVEL_ERROR, "info and -q -q: error");
	log_set_verbosity(-5);
	is_int(log_get_level(), LOG_LEVEL_ERROR, "no quieter than error");
	log_set_level(LOG_LEVEL_ERROR);
	log_set_verbosity(3);
	is_int(log_get_level(), LOG_LEVEL_DEBUG, "error and -v -v -v: debug");
	log_set_level(LOG_LEVEL_DEBUG);
	log_set_verbosity(-1);
	is_int(log_get_level(), LOG_LEVEL_INFO, "debug and -q: info");
	log_set_level(LOG_LEVEL_INFO);
	log_set_verbosity(0);
}

static void test_format_for(void)
{
	char path[] = "/tmp/feedmerge-test-log.XXXXXX";
	int fd = mkstemp(path);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		ok(0, "temp file");
		return;
	}
	unlink(path);
	char js[64], wrong[64];
	snprintf(js, sizeof js, "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	snprintf(wrong, sizeof wrong, "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino + 1);
	is_int(log_format_for(fd, js, NULL), LOG_FORMAT_JOURNAL,
	       "JOURNAL_STREAM naming the stream: journal");
	is_int(log_format_for(fd, js, "1"), LOG_FORMAT_JOURNAL, "the journal wins over plain");
	is_int(log_format_for(fd, wrong, NULL), LOG_FORMAT_TIMESTAMP,
	       "JOURNAL_STREAM naming another stream (inherited): timestamps");
	is_int(log_format_for(fd, "junk", NULL), LOG_FORMAT_TIMESTAMP, "a bad JOURNAL_STREAM");
	is_int(log_format_for(fd, NULL, NULL), LOG_FORMAT_TIMESTAMP, "a file: timestamps");
	is_int(log_format_for(fd, NULL, "1"), LOG_FORMAT_PLAIN, "FEEDMERGE_LOG_PLAIN=1: plain");
	is_int(log_format_for(fd, NULL, "0"), LOG_FORMAT_TIMESTAMP, "FEEDMERGE_LOG_PLAIN=0");
	close(fd);
}

int main(void)
{
	test_escape();
	test_formats();
	test_levels();
	test_format_for();
	return done_testing();
}
