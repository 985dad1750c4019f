# Windows backend (mingw-w64, x86-64).
if FL_WINDOWS
endif
