/* Internal interface between parse.c and the per-format parsers. */
#ifndef FEEDMERGE_PARSE_INT_H
#define FEEDMERGE_PARSE_INT_H
#endif
