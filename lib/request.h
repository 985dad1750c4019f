/*
 * request.h - the queue of requests (faultline_requests) between the
 * place a request arrives and the thread that hands it on.
 *
 * Requests arrive in a signal handler (POSIX) or on the console's control
 * thread (Windows), several at once on several threads; one consumer
 * takes them on a normal thread.  The queue is a bounded lock-free ring
 * (Vyukov's): posting is a compare-and-swap and two stores, no lock, no
 * allocation, so it is async-signal-safe.  A request that finds the ring
 * full is counted per kind instead: none is lost, only the order of the
 * excess.
 */
#ifndef FL_REQUEST_H
#define FL_REQUEST_H

#include "faultline.h"

#define FL_REQUEST_RING 1024
#define FL_REQUEST_KINDS (FAULTLINE_REQUEST_SHUTDOWN + 1)

/* [fatal] Queue req (async-signal-safe, lock-free).  Any thread. */
void fl_request_post(enum faultline_request req);
/* Take the oldest request: 1 and *req, or 0 when none is ready.  Any
 * number of threads. */
int fl_request_take(enum faultline_request *req);
/* Drop what is queued (faultline_requests(0)). */
void fl_request_discard(void);

/* The callback in force, for the backend's dispatcher thread.  Each
 * dispatcher serves one generation and ends once it is not current any
 * more: a new one can start while an old one, stopped from its own
 * callback, is still finishing that call.  Set with the backend's lock
 * held; fl_request_new_generation retires the running dispatcher. */
void fl_request_set_callback(faultline_request_callback fn, void *data);
int fl_request_has_callback(void);
unsigned long fl_request_generation(void);
unsigned long fl_request_new_generation(void);
/* In the dispatcher of generation gen: call the callback for every
 * request queued, one at a time, then after() (may be NULL) for each;
 * stop as soon as gen is retired. */
void fl_request_dispatch(unsigned long gen, void (*after)(void));

#endif
