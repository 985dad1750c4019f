/*
 * frames.c - deep backtraces keep their head and their tail: the first
 * FAULTLINE_FRAMES_HEAD frames and the last FAULTLINE_FRAMES_TAIL, with a
 * count of those in between.  The unwinders feed every frame through it.
 */
#include "snapshot.h"

void fl_frames_begin(struct fl_frame_collector *c, struct faultline_fault *f)
{
	c->fault = f;
	c->seen = 0;
	f->frame_count = 0;
	f->frames_omitted = 0;
}

void fl_frames_begin_tail(struct fl_frame_collector *c,
			  struct faultline_fault *f)
{
	c->fault = f;
	c->seen = FAULTLINE_FRAMES_HEAD;
	c->limit = 0;
}

void fl_frames_add(struct fl_frame_collector *c, uintptr_t pc)
{
	if (c->seen < FAULTLINE_FRAMES_HEAD)
		c->fault->frames[c->seen] = pc;
	else
		c->tail[(c->seen - FAULTLINE_FRAMES_HEAD) %
			FAULTLINE_FRAMES_TAIL] = pc;
	c->seen++;
}

void fl_frames_finish(struct fl_frame_collector *c)
{
	struct faultline_fault *f = c->fault;
	size_t extra, ntail;

	if (c->seen <= FAULTLINE_FRAMES_HEAD) {
		f->frame_count = c->seen;
		f->frames_omitted = 0;
		return;
	}
	extra = c->seen - FAULTLINE_FRAMES_HEAD;
	ntail = extra < FAULTLINE_FRAMES_TAIL ? extra : FAULTLINE_FRAMES_TAIL;
	for (size_t i = 0; i < ntail; i++) {
		size_t seq = c->seen - ntail + i - FAULTLINE_FRAMES_HEAD;
		f->frames[FAULTLINE_FRAMES_HEAD + i] =
			c->tail[seq % FAULTLINE_FRAMES_TAIL];
	}
	f->frame_count = FAULTLINE_FRAMES_HEAD + ntail;
	f->frames_omitted = extra - ntail;
}

void fl_frames_start_at(struct faultline_fault *f, uintptr_t caller)
{
	size_t skip = 0;

	while (skip < f->frame_count && f->frames[skip] != caller)
		skip++;
	if (skip == 0 || skip == f->frame_count || f->frames_omitted)
		return; /* not found: keep every frame */
	for (size_t i = skip; i < f->frame_count; i++)
		f->frames[i - skip] = f->frames[i];
	f->frame_count -= skip;
}
