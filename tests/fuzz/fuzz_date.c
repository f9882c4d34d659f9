/* libFuzzer target: date_parse() on an arbitrary string, without and with a zone for zone-less
 * dates, and date_format_iso/rfc822 of whatever it returns. Aborts when a formatted date is
 * not of its fixed form, or when the ISO form of a parsed instant does not parse back to the
 * same instant (for years 0001-9999, which the ISO form can write), nor the RFC 822 form from
 * 1970 on. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Seconds from 0001-01-01 and to 9999-12-31T23:59:59Z. */
#define DATE_MIN (-62135596800LL)
#define DATE_MAX 253402300799LL

static void check(const char *in, int64_t t)
{
	char iso[DATE_ISO_SIZE], rfc[DATE_RFC822_SIZE];
	date_format_iso(t, iso);
	date_format_rfc822(t, rfc);
	if (strlen(iso) != DATE_ISO_SIZE - 1 || iso[4] != '-' || iso[10] != 'T' || iso[19] != 'Z' ||
	    strlen(rfc) != 29 || strcmp(rfc + 26, "GMT") != 0) {
		fprintf(stderr, "bad format\nin:  %s\nt:   %lld\niso: %s\nrfc: %s\n", in,
		        (long long)t, iso, rfc);
		abort();
	}
	int64_t back;
	if (t >= DATE_MIN && t <= DATE_MAX && (date_parse(iso, NULL, &back) != 0 || back != t)) {
		fprintf(stderr, "ISO form does not read back\nin:  %s\nt:   %lld\niso: %s\n", in,
		        (long long)t, iso);
		abort();
	}
	/* The RFC 822 form too, from 1970 on (what HTTP dates and RSS pubDates hold). */
	if (t >= 0 && t <= DATE_MAX && (date_parse(rfc, NULL, &back) != 0 || back != t)) {
		fprintf(stderr, "RFC 822 form does not read back\nin:  %s\nt:   %lld\nrfc: %s\n",
		        in, (long long)t, rfc);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct date_zone *zone;
	if (!zone) {
		char err[256];
		zone = date_zone_new("+07:00", err, sizeof err);
		if (!zone)
			abort();
	}
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	int64_t t;
	if (date_parse(s, NULL, &t) == 0)
		check(s, t);
	struct date_opts opts = {.zone = zone};
	if (date_parse(s, &opts, &t) == 0)
		check(s, t);
	free(s);
	return 0;
}
