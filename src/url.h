/* URL resolution and the canonical form of links used as dedup keys (wraps libcurl's CURLU). */
#ifndef FEEDMERGE_URL_H
#define FEEDMERGE_URL_H

/* True when s starts with a URI scheme ("https:", "tag:", "urn:"). */
int url_is_absolute(const char *s);
/* True for absolute http: and https: URLs. */
int url_is_http(const char *s);
/* Resolves ref against base (RFC 3986). Returns a new string: the absolute URL, or a copy of
 * ref when it is already absolute or cannot be resolved (base NULL or unusable). NULL ref
 * gives NULL. */
char *url_resolve(const char *base, const char *ref);
/* Returns a new string: the dedup key form of an absolute URL (fragment removed, scheme and
 * host lowercased), or NULL when url is not an absolute URL. */
char *url_canonical(const char *url);

#endif
