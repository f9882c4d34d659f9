/* Untrusted HTML in, safe HTML out: an allowlist sanitiser (elements, attributes, URL schemes)
 * for the summaries and content a source carries, run before anything of it is published. */
#ifndef FEEDMERGE_SANITIZE_H
#define FEEDMERGE_SANITIZE_H

/* Deepest element nesting kept; deeper elements lose their tags, never their text. */
#define SANITIZE_MAX_DEPTH 256

/* Returns a new string: the HTML fragment html (UTF-8; invalid bytes become U+FFFD) with only
 * allowlisted elements, attributes and URLs left, serialised from the parsed tree so it is
 * always well-formed (void elements as <br />, every attribute value double-quoted, & < > "
 * escaped), hence also well-formed XML once wrapped in one root element. Relative URLs are
 * resolved against base_url when it is not NULL, else kept relative. NULL html gives NULL. */
char *sanitize_html_dup(const char *html, const char *base_url);

/* Returns a new string: the URL value v (an attribute value, character references already
 * decoded) as a browser reads it, when it is http, https, mailto (mailto_ok) or relative and
 * carries no credentials; relative ones resolved against base_url when not NULL. NULL when
 * the attribute must go. */
char *sanitize_url_dup(const char *v, const char *base_url, int mailto_ok);

#endif
