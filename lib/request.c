/*
 * request.c - faultline_requests' platform-neutral half: the queue of
 * requests, their names, the checks of the public calls.
 */
#include "request.h"
#include "platform.h"

#include <errno.h>
#include <stddef.h>

/* Each slot's sequence number says whose turn it is: pos (free for the
 * producer of position pos), pos + 1 (filled, for the consumer of pos).
 * Stored minus the slot's index so that the zeroed array is the initial
 * state (slot i free for position i) without an initialiser. */
static struct slot {
	unsigned long seq;
	int req;
} ring[FL_REQUEST_RING];
static unsigned long tail; /* next position to fill */
static unsigned long head; /* next position to take */
static unsigned long overflow[FL_REQUEST_KINDS];

static unsigned long slot_seq(unsigned long pos)
{
	unsigned long i = pos % FL_REQUEST_RING;
	return __atomic_load_n(&ring[i].seq, __ATOMIC_ACQUIRE) + i;
}

static void set_slot_seq(unsigned long pos, unsigned long seq)
{
	unsigned long i = pos % FL_REQUEST_RING;
	__atomic_store_n(&ring[i].seq, seq - i, __ATOMIC_RELEASE);
}

void fl_request_post(enum faultline_request req)
{
	unsigned long pos = __atomic_load_n(&tail, __ATOMIC_RELAXED);

	for (;;) {
		long ahead = (long)(slot_seq(pos) - pos);
		if (ahead == 0) {
			if (__atomic_compare_exchange_n(&tail, &pos, pos + 1, 0,
							__ATOMIC_RELAXED,
							__ATOMIC_RELAXED)) {
				ring[pos % FL_REQUEST_RING].req = (int)req;
				set_slot_seq(pos, pos + 1);
				return;
			}
		} else if (ahead < 0) {
			/* Full: count it, the order of the excess is lost. */
			__atomic_add_fetch(&overflow[req], 1, __ATOMIC_RELEASE);
			return;
		} else {
			pos = __atomic_load_n(&tail, __ATOMIC_RELAXED);
		}
	}
}

static int take_counted(enum faultline_request *req)
{
	for (int k = 1; k < FL_REQUEST_KINDS; k++) {
		unsigned long n =
			__atomic_load_n(&overflow[k], __ATOMIC_ACQUIRE);
		while (n)
			if (__atomic_compare_exchange_n(&overflow[k], &n, n - 1,
							0, __ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE)) {
				*req = (enum faultline_request)k;
				return 1;
			}
	}
	return 0;
}

int fl_request_take(enum faultline_request *req)
{
	unsigned long pos = __atomic_load_n(&head, __ATOMIC_RELAXED);

	for (;;) {
		long ahead = (long)(slot_seq(pos) - (pos + 1));
		if (ahead == 0) {
			if (__atomic_compare_exchange_n(&head, &pos, pos + 1, 0,
							__ATOMIC_RELAXED,
							__ATOMIC_RELAXED)) {
				*req = (enum faultline_request)
					       ring[pos % FL_REQUEST_RING]
						       .req;
				set_slot_seq(pos, pos + FL_REQUEST_RING);
				return 1;
			}
		} else if (ahead < 0) {
			/* Empty, or its producer is still writing it (it
			 * sets the waitable once done). */
			return take_counted(req);
		} else {
			pos = __atomic_load_n(&head, __ATOMIC_RELAXED);
		}
	}
}

void fl_request_discard(void)
{
	enum faultline_request req;

	while (fl_request_take(&req))
		;
}

/* --- the callback ------------------------------------------------------
 * A spin lock: held for a few loads and stores, never across a call. */

static int callback_lock;
static faultline_request_callback callback;
static void *callback_data;
static unsigned long generation;

static void lock_callback(void)
{
	while (__atomic_exchange_n(&callback_lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock_callback(void)
{
	__atomic_store_n(&callback_lock, 0, __ATOMIC_RELEASE);
}

void fl_request_set_callback(faultline_request_callback fn, void *data)
{
	lock_callback();
	callback = fn;
	callback_data = data;
	unlock_callback();
}

int fl_request_has_callback(void)
{
	return __atomic_load_n(&callback, __ATOMIC_ACQUIRE) != NULL;
}

unsigned long fl_request_generation(void)
{
	return __atomic_load_n(&generation, __ATOMIC_ACQUIRE);
}

unsigned long fl_request_new_generation(void)
{
	return __atomic_add_fetch(&generation, 1, __ATOMIC_ACQ_REL);
}

/* The callback and the next request, while gen is current: 1, or 0. */
static int next_for(unsigned long gen, faultline_request_callback *fn,
		    void **data, enum faultline_request *req)
{
	int got;

	lock_callback();
	*fn = callback;
	*data = callback_data;
	got = generation == gen && *fn && fl_request_take(req);
	unlock_callback();
	return got;
}

void fl_request_dispatch(unsigned long gen, void (*after)(void))
{
	faultline_request_callback fn;
	enum faultline_request req;
	void *data;

	while (next_for(gen, &fn, &data, &req)) {
		fn(req, data);
		if (after)
			after();
	}
}

const char *faultline_request_name(enum faultline_request req)
{
	static const char *const names[FL_REQUEST_KINDS] = {
		NULL,	  "interrupt", "break",	  "terminate",
		"hangup", "logoff",    "shutdown"};

	if ((unsigned)req >= FL_REQUEST_KINDS)
		return NULL;
	return names[req];
}

size_t fl_request_idle_memory(struct fl_span *out)
{
	out[0] = (struct fl_span){ring, sizeof(ring)};
	return 1;
}
