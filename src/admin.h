/* The operator's endpoints on the listener: /healthz, /metrics, /status (HTML), /status.json.
 * Registered on the public listener, or on admin_listen's when it is set (then the public one
 * keeps /healthz only). */
#ifndef FEEDMERGE_ADMIN_H
#define FEEDMERGE_ADMIN_H

#include <stdint.h>

struct store;
struct source_set;
struct http_server;
struct admin;

/* All borrowed; must outlive the admin. */
struct admin *admin_new(struct store *store, struct source_set *sources, int64_t started_at);
void admin_free(struct admin *a);
/* Serves the endpoints on h: all of them, or (health_only) /healthz alone. */
void admin_attach(struct admin *a, struct http_server *h, int health_only);
/* Stops serving them on h. */
void admin_detach(struct admin *a, struct http_server *h);

#endif
