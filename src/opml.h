/* OPML 2.0 subscription lists: the feed outlines of a file, and a list written out. */
#ifndef FEEDMERGE_OPML_H
#define FEEDMERGE_OPML_H

#include <stddef.h>
#include <stdio.h>

struct opml_feed {
	char *title;  /* owned: its title attribute, else its text; NULL when both are empty */
	char *url;    /* owned: its xmlUrl, trimmed */
	char *folder; /* owned: the text of the nearest outline around it; NULL at the top */
	int line;     /* of its <outline> tag */
};

/* Reads the OPML document at path. Returns 0 with its outlines that have an xmlUrl, in
 * document order, in *feeds (free with opml_feeds_free); or -1 with a one-line reason in err
 * and the line it applies to in *line (0: the file could not be read at all). */
int opml_read(const char *path, struct opml_feed **feeds, size_t *nfeeds, int *line, char *err,
              size_t errlen);
/* Frees n feeds and the array; NULL does nothing. */
void opml_feeds_free(struct opml_feed *feeds, size_t n);

/* Writes an OPML 2.0 document titled title to fp: one outline per feed (text and title its
 * title, type="rss", its xmlUrl), those with a folder inside one outline per folder, placed
 * where the folder's first feed is. Returns 0, or -1 when writing failed. */
int opml_write(FILE *fp, const char *title, const struct opml_feed *feeds, size_t n);

#endif
