/* URL resolution and the canonical form of links used as dedup keys (wraps libcurl's CURLU). */
#ifndef FEEDMERGE_URL_H
#define FEEDMERGE_URL_H

#include <stddef.h>

/* True when s starts with a URI scheme ("https:", "tag:", "urn:"). */
int url_is_absolute(const char *s);
/* True for absolute http: and https: URLs. */
int url_is_http(const char *s);
/* True when s carries userinfo ("user:password@" or "user@") in its authority, read as a
 * browser reads it: for http, https and scheme-less references, backslashes count as slashes
 * and "http:user@host" has an authority too. NULL is false. */
int url_has_userinfo(const char *s);
/* Resolves ref against base (RFC 3986). Returns a new string: the absolute URL, or a copy of
 * ref when it is already absolute or cannot be resolved (base NULL, relative or opaque). NULL
 * ref gives NULL. Surrounding whitespace is trimmed, tabs and line breaks inside dropped,
 * spaces and other controls percent-encoded; non-ASCII bytes stay as they are. */
char *url_resolve(const char *base, const char *ref);
/* Returns a new string: the dedup key form of an absolute URL (fragment removed, scheme and
 * host lowercased), or NULL when url is not an absolute URL. For http and https also: default
 * port and dot segments removed, empty path "/", tracking query parameters (utm_*, fbclid,
 * gclid, ...) dropped, percent-escapes normalised; NULL when libcurl refuses the URL. Other
 * schemes (tag:, urn:, which CURLU refuses) come back whole with only the scheme lowercased. */
char *url_canonical(const char *url);

/* Which query parameters are tracking ones (tracking_params). */
struct url_tracking;
/* Parses a list of parameter names separated by spaces or commas; a name ending in '*' is a
 * prefix ("utm_*"). NULL spec: the default list (url_tracking_default_spec). NULL with a
 * one-line reason in err (may be NULL) for a bad name. url_tracking_free() frees it. */
struct url_tracking *url_tracking_new(const char *spec, char *err, size_t errlen);
void url_tracking_free(struct url_tracking *t);
const char *url_tracking_default_spec(void);
/* t's names, normalised (separated by one space); t NULL: the default list. Borrowed. */
const char *url_tracking_spec(const struct url_tracking *t);
/* url_canonical dropping t's parameters (NULL: the default list). */
char *url_canonical_with(const char *url, const struct url_tracking *t);
/* url_canonical_with() for http and https URLs through libcurl's URL API alone, without the
 * fast path for plain links: what that path must agree with (tests and fuzzing). NULL for any
 * other URL. */
char *url_canonical_reference(const char *url, const struct url_tracking *t);

/* A new string: url as it may be shown or published, without its user:password@ (a copy of
 * url when it has none); NULL for NULL. */
char *url_public_dup(const char *url);
/* A new string: url's host, lowercased (IPv6 in brackets as libcurl writes it), or NULL when
 * libcurl cannot read the URL. */
char *url_host_dup(const char *url);

/* What two links of one story may differ in and still be the same story (same_story_across). */
#define URL_FOLD_SCHEME 1u /* http:// and https:// */
#define URL_FOLD_WWW 2u    /* a leading "www." of the host */
/* A new string: the dedup key of a story from its canonical link (url_canonical): with
 * URL_FOLD_SCHEME the scheme is http, with URL_FOLD_WWW the host loses a leading "www.". Other
 * URLs (tag:, urn:) come back as they are. Folding is for the key only: the published link
 * keeps its own scheme and host. */
char *url_story_key(const char *canonical, unsigned fold);

#endif
