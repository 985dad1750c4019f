/*
 * sysunwind_generic.c - which module answers the program's calls to the
 * system's generic libunwind (unw_create_addr_space is _Ux86_64_... or
 * _Uaarch64_..., the name faultline's private copy uses too).
 */
#include <dlfcn.h>
#include <stddef.h>

#include <libunwind.h>

const char *sysunwind_generic_owner(void);
const char *sysunwind_generic_owner(void)
{
	unw_accessors_t none = {0};
	unw_addr_space_t as = unw_create_addr_space(&none, 0);
	Dl_info info;

	if (as == NULL)
		return "(unw_create_addr_space failed)";
	unw_destroy_addr_space(as);
	if (dladdr((void *)unw_create_addr_space, &info) == 0 ||
	    info.dli_fname == NULL)
		return "(unknown)";
	return info.dli_fname;
}
