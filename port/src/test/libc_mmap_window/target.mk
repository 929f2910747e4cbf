TARGET = test-libc_mmap_window
SRC_CC = main.cc
LIBS   = posix
