/*
 * unwind.c - a backtrace from an exception CONTEXT.
 *
 * RtlVirtualUnwind does the x64 unwinding from a function's unwind codes;
 * the function entry it needs is found here, in the image's own exception
 * directory (.pdata, which gcc emits for every non-leaf function), instead
 * of with RtlLookupFunctionEntry: that one also consults the dynamic
 * function tables under a lock, and the crashed thread may hold it.
 * No function entry means a leaf function: its return address is at
 * [Rsp] (the x64 ABI rule).
 */
#include "win.h"

#include "frame.h"

/* Deep recursion is kept by its head and tail (fl_frames_*): walk far
 * enough to see the bottom of a 1 MB stack of small frames. */
#define FL_UNWIND_MAX_STEPS 200000

/* The RUNTIME_FUNCTION of the image at base that covers rva, or NULL. */
static PRUNTIME_FUNCTION find_entry(uintptr_t base, size_t size, DWORD rva)
{
	IMAGE_DOS_HEADER *dos = (IMAGE_DOS_HEADER *)base;
	IMAGE_NT_HEADERS64 *nt;
	IMAGE_DATA_DIRECTORY *dir;
	PRUNTIME_FUNCTION tab;
	size_t lo = 0, hi;

	/* fl_win_image_of checked the headers are readable and valid. */
	nt = (IMAGE_NT_HEADERS64 *)(base + (uintptr_t)dos->e_lfanew);
	if (nt->OptionalHeader.NumberOfRvaAndSizes <=
	    IMAGE_DIRECTORY_ENTRY_EXCEPTION)
		return NULL;
	dir = &nt->OptionalHeader
		       .DataDirectory[IMAGE_DIRECTORY_ENTRY_EXCEPTION];
	if (dir->VirtualAddress == 0 || dir->Size < sizeof(RUNTIME_FUNCTION) ||
	    (size_t)dir->VirtualAddress + dir->Size > size)
		return NULL;
	tab = (PRUNTIME_FUNCTION)(base + dir->VirtualAddress);
	hi = dir->Size / sizeof(RUNTIME_FUNCTION);
	if (!fl_win_readable((uintptr_t)tab, hi * sizeof(RUNTIME_FUNCTION)))
		return NULL;
	/* Entries are sorted by BeginAddress (the PE specification). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rva < tab[mid].BeginAddress)
			hi = mid;
		else if (rva >= tab[mid].EndAddress)
			lo = mid + 1;
		else
			return &tab[mid];
	}
	return NULL;
}

static void walk(const CONTEXT *start, uintptr_t stack_hi, unsigned skip,
		 size_t limit, struct faultline_fault *fault)
{
	static CONTEXT ctx; /* reporter thread only; 1.2 KB off its stack */
	struct fl_frame_collector c;
	uintptr_t prev_sp = 0;

	ctx = *start;
	fl_frames_begin(&c, fault);
	c.limit = limit;
	for (unsigned long n = 0;
	     n < FL_UNWIND_MAX_STEPS && !fl_frames_full(&c); n++) {
		uintptr_t pc = ctx.Rip, sp = ctx.Rsp, base, lookup;
		PRUNTIME_FUNCTION fe = NULL;
		size_t size = 0;

		if (pc == 0)
			break;
		if (n > 0 && (sp <= prev_sp || sp >= stack_hi))
			break; /* no progress, or left the thread's stack */
		if (skip)
			skip--;
		else
			fl_frames_add(&c, pc);
		prev_sp = sp;
		/* The caller's entry, for a return address (frame.h). */
		lookup = fl_frame_lookup(pc, n);
		base = fl_win_image_of(lookup, &size);
		if (base)
			fe = find_entry(base, size, (DWORD)(lookup - base));
		if (!fe) {
			/* Leaf function: the return address is at [Rsp]. */
			uintptr_t ret;

			if (fl_win_safe_read(&ret, sp, sizeof(ret)) != 0)
				break;
			ctx.Rip = ret;
			ctx.Rsp = sp + 8;
		} else {
			PVOID handler_data;
			DWORD64 frame;

			/* RtlVirtualUnwind reads the stack directly: make sure
			 * a frame's worth of it is there. */
			if (!fl_win_readable(sp, 64))
				break;
			RtlVirtualUnwind(UNW_FLAG_NHANDLER, base, pc, fe, &ctx,
					 &handler_data, &frame, NULL);
		}
	}
	fl_frames_finish(&c);
}

void fl_win_unwind(const CONTEXT *start, uintptr_t stack_hi, unsigned skip,
		   struct faultline_fault *fault)
{
	walk(start, stack_hi, skip, 0, fault);
}

void fl_win_unwind_limit(const CONTEXT *start, uintptr_t stack_hi, size_t limit,
			 struct faultline_fault *fault)
{
	walk(start, stack_hi, 0, limit, fault);
}

/* One step up from ctx with the system's unwinder (n: ctx is a return
 * address, not the frame where the thread stands).  0, or -1. */
static int step_up(CONTEXT *ctx, unsigned n)
{
	DWORD64 pc = ctx->Rip, base = 0, frame;
	/* A call that never returns may be a function's last instruction:
	 * look a return address up one byte back. */
	PRUNTIME_FUNCTION fe =
		RtlLookupFunctionEntry(n ? pc - 1 : pc, &base, NULL);
	PVOID handler_data;

	if (!fe) { /* leaf */
		if (!fl_win_readable(ctx->Rsp, sizeof(DWORD64)))
			return -1;
		ctx->Rip = *(DWORD64 *)ctx->Rsp;
		ctx->Rsp += 8;
	} else {
		RtlVirtualUnwind(UNW_FLAG_NHANDLER, base, pc, fe, ctx,
				 &handler_data, &frame, NULL);
	}
	return ctx->Rip ? 0 : -1;
}

/* The start of the function ctx stands in (n as for step_up), or 0. */
static uintptr_t function_start(const CONTEXT *ctx, unsigned n)
{
	DWORD64 base = 0;
	PRUNTIME_FUNCTION fe = RtlLookupFunctionEntry(
		n ? ctx->Rip - 1 : ctx->Rip, &base, NULL);

	return fe ? (uintptr_t)(base + fe->BeginAddress) : 0;
}

int fl_win_called_from(uintptr_t fn, unsigned depth)
{
	CONTEXT ctx;

	RtlCaptureContext(&ctx);
	for (unsigned n = 0; n < depth; n++) {
		if (function_start(&ctx, n) == fn)
			return 1;
		if (step_up(&ctx, n) != 0)
			break;
	}
	return 0;
}

/* noinline: its own frame is the one step_up leaves first. */
__attribute__((noinline)) int fl_win_context_in(CONTEXT *ctx, HMODULE mod,
						unsigned depth)
{
	size_t size = 0;
	uintptr_t base = fl_win_image_of((uintptr_t)mod, &size);
	CONTEXT caller;

	RtlCaptureContext(ctx);
	/* Our caller's frame stays valid after we return, ours does not. */
	if (step_up(ctx, 0) != 0)
		return -1;
	caller = *ctx;
	for (unsigned n = 1; base && n < depth; n++) {
		if (ctx->Rip >= base && ctx->Rip < base + size)
			return 0;
		if (step_up(ctx, n) != 0)
			break;
	}
	*ctx = caller;
	return -1;
}
