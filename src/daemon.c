/* STUB */
#include "autoconf.h"
#include <stdio.h>
#include "daemon.h"
int daemon_once(const struct config *c)
{
	(void)c;
	fprintf(stderr, "once: not written yet\n");
	return 3;
}
int daemon_run(const struct config *c)
{
	(void)c;
	fprintf(stderr, "run: not written yet\n");
	return 3;
}
