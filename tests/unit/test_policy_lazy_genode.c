/*
 * test_policy_lazy_genode.c - every test of `lazy` on its Genode C++ port
 * (`lazy-genode`, port/): the C bookkeeping's checker after every call,
 * the differential runs against the reference model, the same figures.
 */
#define WIN_POLICY pol_lazy_genode
#include "test_policy_lazy.c"
