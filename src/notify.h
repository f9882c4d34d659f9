/* The service manager's notification protocol (sd_notify(3)), without libsystemd: datagrams
 * of "KEY=VALUE" lines to the unix socket named by $NOTIFY_SOCKET ('@' for the abstract
 * namespace), and sd_watchdog_enabled(3)'s reading of $WATCHDOG_USEC and $WATCHDOG_PID. */
#ifndef FEEDMERGE_NOTIFY_H
#define FEEDMERGE_NOTIFY_H

#include <stdint.h>

/* Sends one message ("READY=1\nSTATUS=..."), formatted like printf. Returns 1 when sent, 0
 * when there is no $NOTIFY_SOCKET, -1 on an error (errno set). */
int notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether $NOTIFY_SOCKET is set (and so worth building a STATUS= for). */
int notify_enabled(void);
/* The watchdog interval in microseconds, 0 when none is asked of this process: $WATCHDOG_USEC
 * when it is a positive number and $WATCHDOG_PID, if set, is our pid. */
uint64_t notify_watchdog_usec(void);
/* CLOCK_MONOTONIC in microseconds, for "RELOADING=1\nMONOTONIC_USEC=...". */
uint64_t notify_monotonic_usec(void);

#endif
