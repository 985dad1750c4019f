/*
 * annotations.c - the crash annotations: a fixed table of key/value
 * slots reserved statically.
 *
 * The crash handler must never wait for a writer (the writer may be the
 * crashed thread, or a thread stopped for the report), so every slot is
 * a sequence lock: a writer makes the slot's counter odd, writes, makes
 * it even again; a reader copies the slot and keeps the copy only when
 * the counter was even and unchanged around it, retrying a few times and
 * then leaving a slot that stays busy out.  Writers take turns on one
 * flag, so that two threads setting the same key cannot both add it.
 * The bytes are copied with relaxed atomics: a reader racing a writer
 * is expected here, and thread sanitizers must see it as intended.
 */
#include <errno.h>

#include "annotations.h"
#include "platform.h"
#include "sink.h"

struct slot {
	unsigned seq; /* odd while being written */
	char key[64]; /* "" free */
	char value[256];
};

static struct slot slots[FL_ANNOTATIONS_MAX];
/* Slots [0, slots_used) have been written at some time: readers and
 * writers look no further, so that a program with no annotations has a
 * crash touch none of the table's pages (a page fault each). */
static size_t slots_used;
static int writer_busy;

/* Reads of a slot that is being written before it is left out. */
#define READ_TRIES 64
/* Turns a writer waits for another one (each a yield): seconds. */
#define WRITER_TRIES (1u << 22)

static size_t load_str(char *dst, const char *src, size_t cap)
{
	size_t i = 0;
	for (; i + 1 < cap; i++) {
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
		if (!dst[i])
			return i;
	}
	dst[i] = '\0';
	return i;
}

static void store_str(char *dst, const char *src)
{
	size_t i = 0;
	do
		__atomic_store_n(&dst[i], src[i], __ATOMIC_RELAXED);
	while (src[i++]);
}

/* A consistent copy of slot s into out; 0 when it is free, or busy for
 * all the tries. */
static int read_slot(const struct slot *s, struct fl_annotation *out)
{
	for (int tries = 0; tries < READ_TRIES; tries++) {
		unsigned seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (seq & 1)
			continue;
		int used = load_str(out->key, s->key, sizeof(out->key)) != 0;
		if (used)
			load_str(out->value, s->value, sizeof(out->value));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq)
			return used;
	}
	return 0;
}

size_t fl_annotations_read(struct fl_annotation *out, size_t max)
{
	size_t n = 0, used = __atomic_load_n(&slots_used, __ATOMIC_ACQUIRE);

	for (size_t i = 0; i < used && n < max; i++)
		n += (size_t)read_slot(&slots[i], &out[n]);
	return n;
}

size_t fl_annotations_idle_memory(struct fl_span *out)
{
	out[0] = (struct fl_span){slots, sizeof(slots)};
	return 1;
}

/* With the writer flag held: no other writer, only readers. */
static void write_slot(struct slot *s, const char *key, const char *value)
{
	unsigned seq = s->seq;

	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (!value) {
		__atomic_store_n(&s->key[0], '\0', __ATOMIC_RELAXED);
	} else {
		if (key)
			store_str(s->key, key);
		store_str(s->value, value);
	}
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

static int set_locked(const char *key, const char *value)
{
	struct slot *free_slot = NULL;
	size_t used = slots_used;

	for (size_t i = 0; i < used; i++) {
		struct slot *s = &slots[i];
		if (fl_streq(s->key, key)) {
			write_slot(s, NULL, value);
			return 0;
		}
		if (!s->key[0] && !free_slot)
			free_slot = s;
	}
	if (!value)
		return 0;
	if (!free_slot) {
		if (used == FL_ANNOTATIONS_MAX) {
			errno = ENOSPC;
			return -1;
		}
		free_slot = &slots[used];
	}
	write_slot(free_slot, key, value);
	/* After the slot's contents: a reader that sees the new bound sees
	 * a complete slot (or its odd counter, never a torn one). */
	if (free_slot == &slots[used])
		__atomic_store_n(&slots_used, used + 1, __ATOMIC_RELEASE);
	return 0;
}

static int valid(const char *key, const char *value)
{
	size_t len = 0;

	if (!key || !key[0])
		return 0;
	for (; key[len]; len++)
		if (key[len] == '=' || len == FAULTLINE_ANNOTATION_KEY_MAX)
			return 0;
	return !value || fl_strlen(value) <= FAULTLINE_ANNOTATION_VALUE_MAX;
}

int faultline_annotate(const char *key, const char *value)
{
	unsigned tries = 0;
	int rc;

	if (!valid(key, value)) {
		errno = EINVAL;
		return -1;
	}
	while (__atomic_exchange_n(&writer_busy, 1, __ATOMIC_ACQUIRE)) {
		if (++tries == WRITER_TRIES) {
			errno = EBUSY;
			return -1;
		}
		fl_platform_yield();
	}
	rc = set_locked(key, value);
	__atomic_store_n(&writer_busy, 0, __ATOMIC_RELEASE);
	return rc;
}

/* --- FAULTLINE_ANNOTATIONS ------------------------------------------ */

struct entry {
	char key[FAULTLINE_ANNOTATION_KEY_MAX + 1];
	char value[FAULTLINE_ANNOTATION_VALUE_MAX + 1];
	int has_value; /* an '=' was seen */
	int too_long;
};

/* One entry from p up to the next unescaped ',' (or the end); where the
 * next one starts.  Only "\," and "\\" are escapes: other backslashes
 * (Windows paths) stay as they are. */
static const char *parse_entry(const char *p, struct entry *e)
{
	size_t kn = 0, vn = 0;

	e->has_value = e->too_long = 0;
	for (; *p && *p != ','; p++) {
		char c = *p;
		if (c == '\\' && (p[1] == ',' || p[1] == '\\'))
			c = *++p;
		else if (c == '=' && !e->has_value) {
			e->has_value = 1;
			continue;
		}
		if (!e->has_value && kn < sizeof(e->key) - 1)
			e->key[kn++] = c;
		else if (e->has_value && vn < sizeof(e->value) - 1)
			e->value[vn++] = c;
		else
			e->too_long = 1;
	}
	e->key[kn] = e->value[vn] = '\0';
	return p;
}

static void warn_bad(const char *first, size_t len, size_t bad)
{
	struct fl_sink s;
	char entry[80];

	fl_strlcpy(entry, first,
		   len + 1 < sizeof(entry) ? len + 1 : sizeof(entry));
	fl_sink_init(&s, fl_platform_stderr());
	fl_sink_str(&s, "faultline: ignoring ");
	fl_sink_udec(&s, bad);
	fl_sink_str(&s, bad == 1 ? " entry" : " entries");
	fl_sink_str(&s, " of FAULTLINE_ANNOTATIONS, the first '");
	fl_sink_text_str(&s, entry);
	fl_sink_str(&s, "' (expected KEY=VALUE,...: KEY 1-63 bytes without "
			"'=', VALUE up to 255 bytes, '\\,' for a comma, "
			"at most 64 keys); the others are kept\n");
	fl_sink_flush(&s);
}

FL_STARTUP_TEXT void fl_annotations_from_env(void)
{
	FL_STARTUP_RODATA static const char name[] = "FAULTLINE_ANNOTATIONS";
	const char *p = fl_platform_getenv(name);
	const char *first_bad = NULL;
	size_t first_bad_len = 0, bad = 0;
	struct entry e;

	while (p && *p) {
		const char *start = p;
		p = parse_entry(p, &e);
		size_t len = (size_t)(p - start);
		if (*p == ',')
			p++;
		if (len == 0) /* "a=1,,b=2" or a trailing comma */
			continue;
		if (e.has_value && !e.too_long &&
		    faultline_annotate(e.key, e.value) == 0)
			continue;
		if (bad++ == 0) {
			first_bad = start;
			first_bad_len = len;
		}
	}
	if (bad)
		warn_bad(first_bad, first_bad_len, bad);
}
