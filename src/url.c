/* STUB: replaced by the url module. */
#include "autoconf.h"
#include <string.h>
#include "url.h"
#include "util.h"
int url_is_absolute(const char *s)
{
	return strstr(s, ":") != NULL;
}
int url_is_http(const char *s)
{
	return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}
char *url_resolve(const char *base, const char *ref)
{
	(void)base;
	return xstrdup_or_null(ref);
}
char *url_canonical(const char *url)
{
	return xstrdup(url);
}
