/*
 * test_device.h - the device and dtype the model suites run on, so one
 * build runs the same tests on the CPU here and on a GPU (scripts/gpu-check):
 * MARKETSIM_TEST_DEVICE (cpu or cuda, default cpu) and MARKETSIM_TEST_DTYPE
 * (float32 or bfloat16, default float32).
 */
#ifndef MS_TEST_DEVICE_H
#define MS_TEST_DEVICE_H

#include "marketsim/model.h"

/* Sets opts->device and opts->dtype from the environment (the model checks
 * the values when it opens). */
void test_device_options(ms_model_options *opts);

#endif
