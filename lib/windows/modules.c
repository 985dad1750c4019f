/*
 * modules.c - loaded PE images, their identity and their symbol names.
 *
 * Modules are found by walking our own address space with VirtualQuery:
 * every MEM_IMAGE allocation that starts with a valid PE header is one.
 * That takes no lock at all.  The loader's own list (PEB_LDR_DATA, which
 * GetModuleFileName, EnumProcessModules and Toolhelp read) is guarded by
 * the loader lock, and the crashed thread may hold it - in DllMain, in
 * LoadLibrary - or may have crashed while changing it.  The path comes
 * from the kernel's name of the mapped section (NtQueryVirtualMemory,
 * MemoryMappedFilenameInformation), an NT device path turned back into a
 * drive path with a table made at install.
 *
 * Names: the PE export table, read from memory, always; dbghelp's names
 * (DWARF or COFF symbols for mingw code, PDBs for MSVC code) when the
 * symbol thread found them in time.
 */
#include "win.h"

#include <dbghelp.h>
#include <winternl.h>

#include "frame.h"
#include "platform.h"
#include "sink.h"

/* MEMORY_INFORMATION_CLASS value; winternl.h does not have it. */
#define FL_MEMORY_MAPPED_FILENAME 2
typedef LONG(NTAPI *nt_query_vm_fn)(HANDLE, PVOID, int, PVOID, SIZE_T, PSIZE_T);
static nt_query_vm_fn nt_query_vm;

/* "\Device\HarddiskVolume3" -> 'C', made at install. */
#define FL_DEVICE_MAX 26
static struct {
	WCHAR prefix[128];
	size_t len;
	WCHAR letter;
} devices[FL_DEVICE_MAX];
static size_t device_count;

void fl_win_modules_prepare(void)
{
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	DWORD drives = GetLogicalDrives();

	if (ntdll)
		nt_query_vm = (nt_query_vm_fn)(void (*)(void))GetProcAddress(
			ntdll, "NtQueryVirtualMemory");
	device_count = 0;
	for (int i = 0; i < 26 && device_count < FL_DEVICE_MAX; i++) {
		WCHAR drive[3] = {(WCHAR)(L'A' + i), L':', 0};
		DWORD n;

		if (!(drives & (1u << i)))
			continue;
		n = QueryDosDeviceW(drive, devices[device_count].prefix,
				    sizeof(devices[0].prefix) / sizeof(WCHAR));
		if (n == 0)
			continue;
		devices[device_count].len =
			lstrlenW(devices[device_count].prefix);
		devices[device_count].letter = drive[0];
		device_count++;
	}
}

/* Validated PE32+ headers of the image at base, or NULL. */
static IMAGE_NT_HEADERS64 *pe_headers(uintptr_t base)
{
	IMAGE_DOS_HEADER dos;
	IMAGE_NT_HEADERS64 *nt;

	if (fl_win_safe_read(&dos, base, sizeof(dos)) != 0 ||
	    dos.e_magic != IMAGE_DOS_SIGNATURE || dos.e_lfanew <= 0 ||
	    dos.e_lfanew > 0x10000)
		return NULL;
	nt = (IMAGE_NT_HEADERS64 *)(base + (uintptr_t)dos.e_lfanew);
	if (!fl_win_readable((uintptr_t)nt, sizeof(*nt)) ||
	    nt->Signature != IMAGE_NT_SIGNATURE ||
	    nt->OptionalHeader.Magic != IMAGE_NT_OPTIONAL_HDR64_MAGIC)
		return NULL;
	return nt;
}

uintptr_t fl_win_image_of(uintptr_t addr, size_t *size)
{
	MEMORY_BASIC_INFORMATION mbi;
	IMAGE_NT_HEADERS64 *nt;
	uintptr_t base;

	if (VirtualQuery((void *)addr, &mbi, sizeof(mbi)) == 0 ||
	    mbi.Type != MEM_IMAGE || mbi.AllocationBase == NULL)
		return 0;
	base = (uintptr_t)mbi.AllocationBase;
	nt = pe_headers(base);
	if (!nt || addr - base >= nt->OptionalHeader.SizeOfImage)
		return 0;
	*size = nt->OptionalHeader.SizeOfImage;
	return base;
}

/* The data directory idx of the image, checked against its size. */
static const IMAGE_DATA_DIRECTORY *directory(uintptr_t base, unsigned idx)
{
	IMAGE_NT_HEADERS64 *nt = pe_headers(base);
	const IMAGE_DATA_DIRECTORY *d;

	if (!nt || nt->OptionalHeader.NumberOfRvaAndSizes <= idx)
		return NULL;
	d = &nt->OptionalHeader.DataDirectory[idx];
	if (d->VirtualAddress == 0 || d->Size == 0 ||
	    (size_t)d->VirtualAddress + d->Size >
		    nt->OptionalHeader.SizeOfImage)
		return NULL;
	return d;
}

/*
 * CodeView (RSDS) identity: the PDB GUID and age that symbol servers key
 * on, stored as the bytes of the symbol-server key (GUID fields
 * big-endian, then the age), so the hex in the report reads the same as
 * the key `symchk` prints.  mingw ld writes one with --build-id.
 */
static size_t codeview_id(uintptr_t base, unsigned char *out, size_t cap)
{
	const IMAGE_DATA_DIRECTORY *d =
		directory(base, IMAGE_DIRECTORY_ENTRY_DEBUG);
	size_t n;

	if (!d || cap < 20)
		return 0;
	n = d->Size / sizeof(IMAGE_DEBUG_DIRECTORY);
	for (size_t i = 0; i < n && i < 32; i++) {
		IMAGE_DEBUG_DIRECTORY dd;
		unsigned char cv[24];

		if (fl_win_safe_read(&dd,
				     base + d->VirtualAddress + i * sizeof(dd),
				     sizeof(dd)) != 0)
			return 0;
		if (dd.Type != IMAGE_DEBUG_TYPE_CODEVIEW ||
		    dd.AddressOfRawData == 0 || dd.SizeOfData < sizeof(cv) ||
		    fl_win_safe_read(cv, base + dd.AddressOfRawData,
				     sizeof(cv)) != 0 ||
		    cv[0] != 'R' || cv[1] != 'S' || cv[2] != 'D' ||
		    cv[3] != 'S')
			continue;
		/* GUID Data1 (4), Data2 (2), Data3 (2) are little-endian. */
		static const unsigned char order[20] = {
			7,  6,	5,  4,	9,  8,	11, 10, 12, 13,
			14, 15, 16, 17, 18, 19, 23, 22, 21, 20};
		for (size_t k = 0; k < 20; k++)
			out[k] = cv[order[k]];
		return 20;
	}
	return 0;
}

size_t fl_win_mapped_file(uintptr_t addr, char *out, size_t cap)
{
	static union {
		UNICODE_STRING us;
		WCHAR raw[1024 + 16];
	} buf;
	const WCHAR *w;
	size_t n;
	SIZE_T got = 0;

	if (cap < 3 || !nt_query_vm ||
	    nt_query_vm(GetCurrentProcess(), (PVOID)addr,
			FL_MEMORY_MAPPED_FILENAME, &buf, sizeof(buf), &got) < 0)
		return 0;
	w = buf.us.Buffer;
	n = buf.us.Length / sizeof(WCHAR);
	if (!w)
		return 0;
	if (n >= 4 && w[0] == L'\\' && w[1] == L'?' && w[2] == L'?' &&
	    w[3] == L'\\') {
		/* "\??\C:\dir\x.dll" (Wine gives this form). */
		w += 4;
		n -= 4;
	} else {
		for (size_t i = 0; i < device_count; i++) {
			size_t pl = devices[i].len, k;

			if (n <= pl || w[pl] != L'\\')
				continue;
			for (k = 0; k < pl; k++)
				if (w[k] != devices[i].prefix[k])
					break;
			if (k < pl)
				continue;
			/* "X:" where the device name was. */
			out[0] = (char)devices[i].letter;
			out[1] = ':';
			return 2 + fl_win_utf16_to_utf8(w + pl, n - pl, out + 2,
							cap - 2);
		}
	}
	return fl_win_utf16_to_utf8(w, n, out, cap);
}

/* The file name of the image mapped at base into the table's arena. */
static const char *module_path(struct fl_module_table *t, uintptr_t base)
{
	static char utf8[3 * 1024];
	size_t len = fl_win_mapped_file(base, utf8, sizeof(utf8));

	return len ? fl_module_intern(t, utf8, len) : "";
}

void fl_platform_collect_modules(struct fl_module_table *t)
{
	uintptr_t addr = FL_WIN_USER_LOW;

	while (addr < FL_WIN_USER_TOP && t->count < FL_MAX_MODULES) {
		MEMORY_BASIC_INFORMATION mbi;
		uintptr_t next;

		if (VirtualQuery((void *)addr, &mbi, sizeof(mbi)) == 0)
			break;
		next = (uintptr_t)mbi.BaseAddress + mbi.RegionSize;
		if (mbi.Type == MEM_IMAGE &&
		    mbi.BaseAddress == mbi.AllocationBase) {
			uintptr_t base = (uintptr_t)mbi.BaseAddress;
			IMAGE_NT_HEADERS64 *nt = pe_headers(base);

			if (nt) {
				struct fl_module *m = &t->modules[t->count++];

				m->base = base;
				m->bias = base; /* offsets are RVAs */
				m->end = base + nt->OptionalHeader.SizeOfImage;
				m->path = module_path(t, base);
				m->build_id_len = codeview_id(
					base, m->build_id, sizeof(m->build_id));
				if (m->end > next)
					next = m->end;
			}
		}
		if (next <= addr)
			break;
		addr = next;
	}
}

/* --- names ------------------------------------------------------------ */

/* dbghelp's answers for this report, one slot per distinct address of
 * its backtraces (the first thread's, then the other threads').  The
 * symbol thread fills a slot, then publishes it; the reporter reads only
 * published slots, so a symbol thread that is still busy after the
 * timeout cannot tear a name being printed. */
#define FL_SYMCACHE_SLOTS 2048
static struct {
	uintptr_t addr;
	uintptr_t disp;
	volatile LONG ready;
	char name[FL_SYMBOL_MAX];
} symcache[FL_SYMCACHE_SLOTS];
static volatile LONG symcache_used;

void fl_win_symcache_reset(void)
{
	InterlockedExchange(&symcache_used, 0);
	for (size_t i = 0; i < FL_SYMCACHE_SLOTS; i++)
		InterlockedExchange(&symcache[i].ready, 0);
}

/* A slot for addr: -1 when it has one already, or there is no room. */
static long symcache_slot(uintptr_t addr)
{
	LONG used = symcache_used;

	for (LONG i = 0; i < used; i++)
		if (symcache[i].addr == addr)
			return -1;
	if (used == FL_SYMCACHE_SLOTS)
		return -1;
	symcache[used].addr = addr;
	InterlockedExchange(&symcache_used, used + 1);
	return used;
}

typedef DWORD(WINAPI *sym_set_options_fn)(DWORD);
typedef BOOL(WINAPI *sym_initialize_fn)(HANDLE, PCSTR, BOOL);
typedef BOOL(WINAPI *sym_from_addr_fn)(HANDLE, DWORD64, PDWORD64, PSYMBOL_INFO);
typedef DWORD64(WINAPI *sym_load_module_fn)(HANDLE, HANDLE, PCSTR, PCSTR,
					    DWORD64, DWORD, PMODLOAD_DATA,
					    DWORD);

/* System DLLs are named well enough by their exports (dbghelp has no
 * more without a symbol server), and Wine's dbghelp spends seconds on
 * the DWARF of its builtin kernel32 and ntdll: leave them out. */
static int in_system_dir(const char *path)
{
	static char sys[MAX_PATH];
	static UINT len;
	UINT i;

	if (!len) {
		len = GetSystemDirectoryA(sys, sizeof(sys));
		if (len == 0 || len >= sizeof(sys))
			return 0;
	}
	for (i = 0; i < len; i++) {
		char a = path[i], b = sys[i];
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return path[len] == '\\';
}

/* Load dbghelp's view of the module containing addr, once.  Only the
 * modules on the backtrace: invading the whole process makes Wine's
 * dbghelp read the DWARF of every builtin DLL, seconds of work. */
static void load_module_of(HANDLE self, sym_load_module_fn load, uintptr_t addr)
{
	static uintptr_t loaded[64];
	static size_t nloaded;
	static char path[MAX_PATH * 3];
	size_t size = 0;
	uintptr_t base = fl_win_image_of(addr, &size);
	DWORD n;

	if (!base)
		return;
	for (size_t i = 0; i < nloaded; i++)
		if (loaded[i] == base)
			return;
	if (nloaded < sizeof(loaded) / sizeof(loaded[0]))
		loaded[nloaded++] = base;
	/* The loader lock, maybe: this thread is allowed to block. */
	n = GetModuleFileNameA((HMODULE)base, path, sizeof(path));
	if (n == 0 || n >= sizeof(path) || in_system_dir(path))
		return;
	load(self, NULL, path, NULL, base, (DWORD)size, NULL, 0);
}

void fl_win_dbghelp_resolve(const uintptr_t *frames, size_t count)
{
	static int state; /* 0 untried, 1 ready, -1 unavailable */
	static sym_from_addr_fn from_addr;
	static sym_load_module_fn load_module;
	static union {
		SYMBOL_INFO info;
		char raw[sizeof(SYMBOL_INFO) + FL_SYMBOL_MAX];
	} sym;
	HANDLE self = GetCurrentProcess();

	if (state == 0) {
		/* Loaded only now, on the symbol thread: it may block on the
		 * loader lock or the heap, and the reporter waits for us
		 * only so long. */
		HMODULE dh = LoadLibraryW(L"dbghelp.dll");
		sym_set_options_fn set_options;
		sym_initialize_fn initialize;

		state = -1;
		if (!dh)
			return;
		set_options = (sym_set_options_fn)(void (*)(
			void))GetProcAddress(dh, "SymSetOptions");
		initialize = (sym_initialize_fn)(void (*)(void))GetProcAddress(
			dh, "SymInitialize");
		from_addr = (sym_from_addr_fn)(void (*)(void))GetProcAddress(
			dh, "SymFromAddr");
		load_module = (sym_load_module_fn)(void (*)(
			void))GetProcAddress(dh, "SymLoadModuleEx");
		if (!set_options || !initialize || !from_addr || !load_module)
			return;
		set_options(SYMOPT_UNDNAME | SYMOPT_NO_PROMPTS |
			    SYMOPT_FAIL_CRITICAL_ERRORS);
		if (!initialize(self, NULL, FALSE))
			return;
		state = 1;
	}
	if (state != 1)
		return;
	for (size_t i = 0; i < count; i++) {
		uintptr_t addr = fl_frame_lookup(frames[i], i);
		DWORD64 disp = 0;
		long slot = symcache_slot(addr);

		if (slot < 0)
			continue;
		load_module_of(self, load_module, addr);
		sym.info.SizeOfStruct = sizeof(SYMBOL_INFO);
		sym.info.MaxNameLen = FL_SYMBOL_MAX - 1;
		if (!from_addr(self, addr, &disp, &sym.info) ||
		    sym.info.NameLen == 0)
			continue;
		symcache[slot].disp = (uintptr_t)disp;
		fl_strlcpy(symcache[slot].name, sym.info.Name, FL_SYMBOL_MAX);
		InterlockedExchange(&symcache[slot].ready, 1);
	}
}

/* The nearest exported function at or below rva, or -1. */
static int export_name(uintptr_t base, DWORD rva, char *name, size_t cap,
		       uintptr_t *offset)
{
	const IMAGE_DATA_DIRECTORY *d =
		directory(base, IMAGE_DIRECTORY_ENTRY_EXPORT);
	IMAGE_EXPORT_DIRECTORY ed;
	const DWORD *funcs, *names;
	const WORD *ords;
	DWORD best_rva = 0;
	long best = -1;

	if (!d ||
	    fl_win_safe_read(&ed, base + d->VirtualAddress, sizeof(ed)) != 0)
		return -1;
	funcs = (const DWORD *)(base + ed.AddressOfFunctions);
	names = (const DWORD *)(base + ed.AddressOfNames);
	ords = (const WORD *)(base + ed.AddressOfNameOrdinals);
	if (!fl_win_readable((uintptr_t)funcs,
			     (size_t)ed.NumberOfFunctions * 4) ||
	    !fl_win_readable((uintptr_t)names, (size_t)ed.NumberOfNames * 4) ||
	    !fl_win_readable((uintptr_t)ords, (size_t)ed.NumberOfNames * 2))
		return -1;
	for (DWORD i = 0; i < ed.NumberOfNames; i++) {
		DWORD f;

		if (ords[i] >= ed.NumberOfFunctions)
			continue;
		f = funcs[ords[i]];
		/* An RVA inside the export directory is a forwarder
		 * string ("NTDLL.RtlAllocateHeap"), not code. */
		if (f >= d->VirtualAddress && f < d->VirtualAddress + d->Size)
			continue;
		if (f <= rva && (best < 0 || f > best_rva)) {
			best = (long)i;
			best_rva = f;
		}
	}
	if (best < 0)
		return -1;
	{
		uintptr_t s = base + names[best];
		size_t k = 0;

		/* Copy the name byte by byte through checked reads: the
		 * string may cross into a page we have not checked. */
		for (; k + 1 < cap; k++) {
			char ch;

			if (fl_win_safe_read(&ch, s + k, 1) != 0 || ch == '\0')
				break;
			name[k] = ch;
		}
		name[k] = '\0';
		if (k == 0)
			return -1;
	}
	*offset = rva - best_rva;
	return 0;
}

/* dbghelp's names come from the symbol thread (fl_win_dbghelp_resolve),
 * export names need no preparation. */
void fl_platform_symbols_begin(const struct faultline_fault *f)
{
	(void)f;
}

void fl_platform_symbols_end(void)
{
}

int fl_platform_symbolize(const struct fl_module *m, uintptr_t pc, char *name,
			  size_t cap, uintptr_t *offset)
{
	LONG used = symcache_used;

	for (LONG i = 0; i < used; i++) {
		if (symcache[i].ready && symcache[i].addr == pc) {
			fl_strlcpy(name, symcache[i].name, cap);
			*offset = symcache[i].disp;
			return 0;
		}
	}
	if (pc < m->base || (m->end && pc >= m->end))
		return -1;
	return export_name(m->base, (DWORD)(pc - m->base), name, cap, offset);
}
