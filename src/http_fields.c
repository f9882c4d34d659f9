/* The Accept-Encoding and If-None-Match field values (see http_fields.h). */
#include "autoconf.h"

#include <string.h>
#include <strings.h>

#include "http_fields.h"

void http_inm_field(struct http_inm *m, const char *p, const char *const *etags, size_t netags)
{
	if (netags > 32)
		netags = 32;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return;
		if (*p == '*') {
			m->star = 1;
			return;
		}
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		if (*p != '"')
			return;
		const char *end = strchr(p + 1, '"');
		if (end == NULL)
			return;
		size_t n = (size_t)(end - p + 1); /* with the quotes */
		for (size_t k = 0; k < netags; k++)
			if (etags[k] != NULL && strlen(etags[k]) == n &&
			    memcmp(etags[k], p, n) == 0)
				m->matched |= 1u << k;
		p = end + 1;
	}
}

int http_qvalue(const char *p, size_t n)
{
	if (n == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	int q = (p[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (p[1] != '.' || n > 5)
		return -1;
	int scale = 100;
	for (size_t i = 2; i < n; i++, scale /= 10) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		q += (p[i] - '0') * scale;
	}
	return q > 1000 ? -1 : q;
}

void http_accept_field(struct http_accept *a, const char *p)
{
	while (*p != '\0') {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, " \t,;");
		if (n == 0) {
			p += strcspn(p, ",");
			continue;
		}
		const char *coding = p;
		p += n;
		int q = 1000;
		/* Parameters: only q counts. */
		for (;;) {
			p += strspn(p, " \t");
			if (*p != ';')
				break;
			p++;
			p += strspn(p, " \t");
			size_t plen = strcspn(p, " \t,;");
			if (plen > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
				q = http_qvalue(p + 2, plen - 2);
			p += plen;
		}
		p += strcspn(p, ",");
		if (q < 0)
			continue; /* an element we cannot read says nothing */
		if ((n == 4 && strncasecmp(coding, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(coding, "x-gzip", 6) == 0))
			a->q_gzip = q > a->q_gzip ? q : a->q_gzip;
		else if (n == 8 && strncasecmp(coding, "identity", 8) == 0)
			a->q_identity = q;
		else if (n == 1 && coding[0] == '*')
			a->q_star = q;
	}
}
