/*
 * arch.h - what the POSIX backend needs to know about the CPU: see
 * fl_arch_fill in posix.h.  One arch_<cpu>.c per architecture.
 */
#ifndef FL_ARCH_H
#define FL_ARCH_H
#include "posix.h"
#endif
