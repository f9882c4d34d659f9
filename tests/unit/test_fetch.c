/* Unit tests of the fetcher's pure functions: fetch_max_age_s (Cache-Control max-age, quoted,
 * no-store and no-cache, Expires - Date, an invalid Expires, nothing said) and fetch_is_bot_wall
 * (the challenge pages' markers, case-insensitive, bounded by len; ordinary pages and feeds are
 * not walls). */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "../tap.h"

static void test_max_age(void)
{
	is_int(fetch_max_age_s(NULL, NULL, NULL), -1, "nothing said: -1");
	is_int(fetch_max_age_s("", NULL, NULL), -1, "an empty Cache-Control: -1");
	is_int(fetch_max_age_s("public", NULL, NULL), -1, "Cache-Control without max-age: -1");
	is_int(fetch_max_age_s("max-age=3600", NULL, NULL), 3600, "max-age=3600");
	is_int(fetch_max_age_s("max-age=0", NULL, NULL), 0, "max-age=0");
	is_int(fetch_max_age_s("public, max-age=300", NULL, NULL), 300,
	       "max-age after another directive");
	is_int(fetch_max_age_s("max-age=120, must-revalidate", NULL, NULL), 120,
	       "max-age before another directive");
	is_int(fetch_max_age_s("private,\tmax-age=45", NULL, NULL), 45, "a tab after the comma");
	is_int(fetch_max_age_s("max-age=\"600\"", NULL, NULL), 600, "quoted: max-age=\"600\"");
	is_int(fetch_max_age_s("Max-Age=60", NULL, NULL), 60,
	       "directive names are case-insensitive");
	is_int(fetch_max_age_s("s-maxage=100", NULL, NULL), -1, "s-maxage is not max-age");
	is_int(fetch_max_age_s("max-age=", NULL, NULL), -1, "max-age without a value: nothing");
	is_int(fetch_max_age_s("max-age=soon", NULL, NULL), -1, "max-age=soon: nothing");
	int64_t huge = fetch_max_age_s("max-age=99999999999999999999999", NULL, NULL);
	ok(huge >= 100000000 && huge < 10000000000LL,
	   "a huge max-age is bounded, no overflow (%lld)", (long long)huge);

	is_int(fetch_max_age_s("no-store", NULL, NULL), 0, "no-store: 0");
	is_int(fetch_max_age_s("no-cache", NULL, NULL), 0, "no-cache: 0");
	is_int(fetch_max_age_s("private, no-cache", NULL, NULL), 0, "no-cache after another: 0");
	is_int(fetch_max_age_s("NO-STORE", NULL, NULL), 0, "NO-STORE: 0");
	is_int(fetch_max_age_s("no-cache, max-age=600", NULL, NULL), 0,
	       "no-cache then max-age=600: 0");
	is_int(fetch_max_age_s("max-age=600, no-cache", NULL, NULL), 0,
	       "max-age=600 then no-cache: 0, as with the other order");
	is_int(fetch_max_age_s("max-age=600, no-store", NULL, NULL), 0,
	       "max-age=600 then no-store: 0");

	const char *date = "Mon, 01 Jan 2024 00:00:00 GMT";
	is_int(fetch_max_age_s(NULL, "Mon, 01 Jan 2024 01:00:00 GMT", date), 3600,
	       "Expires - Date: 3600");
	is_int(fetch_max_age_s(NULL, "Mon, 01 Jan 2024 00:00:00 GMT", date), 0,
	       "Expires = Date: 0");
	is_int(fetch_max_age_s(NULL, "Sun, 31 Dec 2023 23:00:00 GMT", date), 0,
	       "Expires before Date: 0");
	is_int(fetch_max_age_s(NULL, "0", date), 0, "Expires: 0 (invalid, already expired): 0");
	is_int(fetch_max_age_s(NULL, "-1", NULL), 0, "Expires: -1: 0");
	is_int(fetch_max_age_s(NULL, "tomorrow", date), 0, "Expires: garbage: 0");
	is_int(fetch_max_age_s("public", "Mon, 01 Jan 2024 00:10:00 GMT", date), 600,
	       "Cache-Control without max-age: Expires counts");
	is_int(fetch_max_age_s("max-age=60", "Mon, 01 Jan 2024 01:00:00 GMT", date), 60,
	       "max-age wins over Expires");
	is_int(fetch_max_age_s("no-cache", "Mon, 01 Jan 2024 01:00:00 GMT", date), 0,
	       "no-cache wins over Expires");
	is_int(fetch_max_age_s(NULL, "Sat, 01 Jan 2000 00:00:00 GMT", NULL), 0,
	       "Expires in the past, no Date (now): 0");
	int64_t ahead = fetch_max_age_s(NULL, "Fri, 01 Jan 2100 00:00:00 GMT", NULL);
	int64_t want = 4102444800LL - (int64_t)time(NULL);
	ok(ahead >= want - 5 && ahead <= want + 5,
	   "Expires in 2100, no Date: counted from now (%lld)", (long long)ahead);
	is_int(fetch_max_age_s(NULL, "Mon, 01 Jan 2024 01:00:00 GMT", "yesterday"), 0,
	       "an unreadable Date: counted from now (this Expires is past): 0");
}

static int wall(const char *s)
{
	return fetch_is_bot_wall(s, strlen(s));
}

static void test_bot_wall(void)
{
	static const char *const walls[] = {
	    "<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
	    "<div id=\"cf-browser-verification\"></div>",
	    "<script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1\"></script>",
	    "<form action=\"/?__cf_chl_tk=abc\"></form>",
	    "<title>Attention Required! | Cloudflare</title>",
	    "<title>DDoS-Guard</title>",
	    "<script src=\"https://check.ddos-guard.net/check.js\"></script>",
	    "<h1>Checking your browser before accessing example.com.</h1>",
	    "<script src=\"/_Incapsula_Resource?SWJIYLWA=1\"></script>",
	    "Request unsuccessful. Incapsula incident ID: 123",
	    "<a href=\"https://sucuri.net\">Sucuri WebSite Firewall</a> - Access Denied",
	    "<div class=\"g-recaptcha\" data-sitekey=\"x\"></div>",
	    "<script src=\"https://hcaptcha.com/1/api.js\"></script>",
	    "<noscript>Please enable JavaScript and cookies to continue</noscript>",
	};
	for (size_t i = 0; i < sizeof walls / sizeof walls[0]; i++)
		ok(wall(walls[i]) == 1, "a wall: %.60s", walls[i]);
	ok(wall("<TITLE>JUST A MOMENT...</TITLE>") == 1, "markers are case-insensitive (upper)");
	ok(wall("<div id=\"CF-Browser-Verification\">") == 1,
	   "markers are case-insensitive (mixed)");

	ok(fetch_is_bot_wall(NULL, 0) == 0, "NULL: not a wall");
	ok(fetch_is_bot_wall("", 0) == 0, "empty: not a wall");
	ok(fetch_is_bot_wall("Just a moment...", 5) == 0, "only len bytes are read");
	ok(wall("<!DOCTYPE html><html><head><title>Forbidden</title></head><body><h1>403 "
	        "Forbidden</h1><p>You don't have permission.</p></body></html>") == 0,
	   "an ordinary 403 page: not a wall");
	ok(wall(
	       "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Tin</title><item>"
	       "<title>Bão số 3</title><link>https://example.vn/1</link></item></channel></rss>") ==
	       0,
	   "a feed: not a wall");
	ok(wall("Service Unavailable\n") == 0, "a plain 503 text: not a wall");

	/* A big page with the marker early: found. */
	size_t n = 1024 * 1024;
	char *big = malloc(n + 1);
	if (big == NULL)
		exit(99);
	memset(big, 'x', n);
	big[n] = '\0';
	memcpy(big + 100, "Just a moment...", 16);
	ok(fetch_is_bot_wall(big, n) == 1, "a 1 MiB page with the marker near the start");
	memset(big + 100, 'x', 16);
	ok(fetch_is_bot_wall(big, n) == 0, "a 1 MiB page without a marker");
	free(big);
}

int main(void)
{
	test_max_age();
	test_bot_wall();
	return done_testing();
}
