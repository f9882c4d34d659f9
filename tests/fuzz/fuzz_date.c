/* libFuzzer target: date_parse() on an arbitrary string, without and with a zone for
 * zone-less dates, and date_format_iso/rfc822 of whatever it returns. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	char iso[DATE_ISO_SIZE], rfc[DATE_RFC822_SIZE];
	if (date_parse(s, NULL, &t) == 0) {
		date_format_iso(t, iso);
		date_format_rfc822(t, rfc);
	}
	struct date_opts opts = {.zone = zone};
	if (date_parse(s, &opts, &t) == 0) {
		date_format_iso(t, iso);
		date_format_rfc822(t, rfc);
	}
	free(s);
	return 0;
}
