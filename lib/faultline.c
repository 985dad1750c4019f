/*
 * faultline.c - the public API: options in, platform backend out.
 */
#include "annotations.h"
#include "platform.h"
#include "request.h"
#include "sink.h"

#include <errno.h>
#include <stddef.h>

const char *faultline_version(void)
{
	return FAULTLINE_VERSION_STRING;
}

void faultline_options_init(struct faultline_options *opts)
{
	fl_memset(opts, 0, sizeof(*opts));
	opts->size = sizeof(*opts);
	opts->signals = FAULTLINE_SIGNALS_DEFAULT;
	opts->output_fd = 2;
	opts->format = FAULTLINE_FORMAT_TEXT;
	opts->include = FAULTLINE_INCLUDE_DEFAULT;
	opts->threads = FAULTLINE_THREADS_ALL;
	opts->thread_backtraces = FAULTLINE_THREAD_BACKTRACES_DEFAULT;
}

#define FL_INCLUDE_ALL                                                         \
	(FAULTLINE_INCLUDE_REGISTERS | FAULTLINE_INCLUDE_MODULES |             \
	 FAULTLINE_INCLUDE_MEMORY_MAP)
/* SIGKILL (9) and SIGSTOP (19) cannot be caught; bit 0 is no signal. */
#define FL_UNCATCHABLE                                                         \
	(FAULTLINE_SIGNAL_BIT(0) | FAULTLINE_SIGNAL_BIT(9) |                   \
	 FAULTLINE_SIGNAL_BIT(19))
#define FL_SIGNALS_VALID ((FAULTLINE_SIGNAL_BIT(32) - 1) & ~FL_UNCATCHABLE)

/* The size of struct faultline_options before faultline_dump came. */
#define FL_OPTIONS_SIZE_0 offsetof(struct faultline_options, threads)

/* The size before minidumps came. */
#define FL_OPTIONS_SIZE_1 offsetof(struct faultline_options, minidump)

/* The member that came with minidumps, when opts has it. */
static int minidump_option(struct fl_config *cfg,
			   const struct faultline_options *opts)
{
	if (opts->size < sizeof(*opts) || !opts->minidump)
		return 0;
	if (fl_check_path_template(opts->minidump) != 0)
		return -1;
	fl_strlcpy(cfg->minidump_path, opts->minidump,
		   sizeof(cfg->minidump_path));
	return 0;
}

/* The members that came with faultline_dump, when opts has them. */
static int thread_options(struct fl_config *cfg,
			  const struct faultline_options *opts)
{
	if (opts->size < FL_OPTIONS_SIZE_1)
		return 0; /* an older caller: the defaults */
	if ((opts->threads != FAULTLINE_THREADS_ALL &&
	     opts->threads != FAULTLINE_THREADS_CRASHED) ||
	    opts->thread_backtraces > FAULTLINE_THREAD_BACKTRACES_MAX ||
	    (opts->dump_signal &&
	     fl_check_dump_signal(opts->dump_signal, opts->signals) != 0))
		return -1;
	cfg->all_threads = opts->threads == FAULTLINE_THREADS_ALL;
	cfg->thread_backtraces = opts->thread_backtraces;
	cfg->dump_signal = opts->dump_signal;
	cfg->timeout = opts->timeout;
	return 0;
}

/* Validate opts into cfg; 0, or -1 with errno = EINVAL. */
static int config_from_options(struct fl_config *cfg,
			       const struct faultline_options *opts)
{
	if ((opts->size != sizeof(*opts) && opts->size != FL_OPTIONS_SIZE_1 &&
	     opts->size != FL_OPTIONS_SIZE_0) ||
	    !opts->signals || (opts->signals & ~FL_SIGNALS_VALID) ||
	    (opts->format != FAULTLINE_FORMAT_TEXT &&
	     opts->format != FAULTLINE_FORMAT_JSON) ||
	    (opts->include & ~FL_INCLUDE_ALL) ||
	    (opts->output_path &&
	     fl_check_path_template(opts->output_path) != 0)) {
		errno = EINVAL;
		return -1;
	}
	cfg->signals = opts->signals;
	cfg->output = fl_platform_handle_from_fd(opts->output_fd);
	cfg->output_fd = opts->output_fd;
	if (cfg->output == FL_NO_HANDLE) {
		errno = EINVAL;
		return -1;
	}
	if (opts->output_path)
		fl_strlcpy(cfg->output_path, opts->output_path,
			   sizeof(cfg->output_path));
	cfg->format = opts->format;
	cfg->include = opts->include;
	cfg->altstack_size = opts->altstack_size;
	cfg->callback = opts->callback;
	cfg->callback_data = opts->callback_data;
	if (thread_options(cfg, opts) != 0 || minidump_option(cfg, opts) != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

FL_STARTUP_TEXT int faultline_install(const struct faultline_options *opts)
{
	struct fl_config cfg;

	fl_config_defaults(&cfg);
	if (opts) {
		if (config_from_options(&cfg, opts) != 0)
			return -1;
		if (fl_env_disabled())
			return 0;
	} else if (fl_config_from_env(&cfg)) {
		return 0; /* FAULTLINE_DISABLE */
	}
	cfg.chain = fl_env_chain();
	fl_annotations_from_env();
	return fl_platform_install(&cfg);
}

int faultline_uninstall(void)
{
	return fl_platform_uninstall();
}

int faultline_thread_init(void)
{
	return fl_platform_thread_init();
}

int faultline_write_report(int fd, const struct faultline_fault *fault,
			   enum faultline_format format)
{
	fl_handle_t h = fl_platform_handle_from_fd(fd);

	if (h == FL_NO_HANDLE || !fault ||
	    (format != FAULTLINE_FORMAT_TEXT &&
	     format != FAULTLINE_FORMAT_JSON)) {
		errno = EBADF;
		return -1;
	}
	if (fl_write_report_handle(h, fault, format) != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int faultline_dump(int fd)
{
	/* Where the caller's backtrace starts (a tail call to the backend
	 * below would otherwise lose it). */
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);
	fl_handle_t h = FL_NO_HANDLE;

	if (fd != -1 && (h = fl_platform_handle_from_fd(fd)) == FL_NO_HANDLE) {
		errno = EBADF;
		return -1;
	}
	return fl_platform_dump(h, caller);
}

int faultline_watchdog(unsigned seconds)
{
	return fl_platform_watchdog(seconds);
}

/* --- requests (lib/request.c, the backends' requests.c and console.c) */

int faultline_requests(unsigned mask, faultline_request_callback fn, void *data)
{
	if (mask & ~FAULTLINE_REQUESTS_ALL) {
		errno = EINVAL;
		return -1;
	}
	return fl_platform_requests(mask, fn, data);
}

intptr_t faultline_request_waitable(void)
{
	return fl_platform_request_waitable();
}

int faultline_request_next(enum faultline_request *req)
{
	if (!req) {
		errno = EINVAL;
		return -1;
	}
	fl_platform_request_rearm();
	return fl_request_take(req);
}

#define FL_REQUEST_FLAGS (FAULTLINE_REQUEST_GROUP | FAULTLINE_REQUEST_FORCE)

int faultline_request(long pid, enum faultline_request req, unsigned flags)
{
	if (!faultline_request_name(req) || req == 0 ||
	    (flags & ~FL_REQUEST_FLAGS) ||
	    ((flags & FAULTLINE_REQUEST_FORCE) &&
	     req != FAULTLINE_REQUEST_TERMINATE) ||
	    ((flags & FAULTLINE_REQUEST_GROUP) && pid <= 0) || pid < 0) {
		errno = EINVAL;
		return -1;
	}
	return fl_platform_request_send(pid, req, flags);
}
