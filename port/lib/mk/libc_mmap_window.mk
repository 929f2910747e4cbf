#
# The window policies for libc's anonymous mmap (<libc><mmap policy=".."
# base=".." size=".."/></libc>): rmsim's C bookkeeping, built unchanged
# from the rmsim tree this repository lives in, and the Genode C++ side.
#
RMSIM_DIR := $(REP_DIR)/..

SRC_C  := win_core.c win_madv.c win_remap.c win_lock.c win_check.c
SRC_C  += win_vma.c win_back.c win_view.c win_zero.c win_pool.c ranges.c
SRC_CC := backend.cc mmap_window.cc

INC_DIR += $(REP_DIR)/src/lib/mmap_window
INC_DIR += $(RMSIM_DIR)/sim/policy $(RMSIM_DIR)/sim $(RMSIM_DIR)/include

# the C files use libc's headers (malloc, memset, snprintf); libc links
# this library, so only its headers are imported, not the library
include $(call select_from_repositories,lib/import/import-libc.mk)

vpath win_%.c  $(RMSIM_DIR)/sim/policy
vpath ranges.c $(RMSIM_DIR)/sim/ranges
vpath %.cc     $(REP_DIR)/src/lib/mmap_window
