/*
 * test_policy_window_genode.c - every test of `window` on its Genode C++ port
 * (`window-genode`, port/): the C bookkeeping's checker after every call,
 * the differential runs against the reference model, the same figures.
 */
#define WIN_POLICY pol_window_genode
#include "test_policy_window.c"
