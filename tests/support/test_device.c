/*
 * test_device.c - the model suites' device and dtype from the environment
 * (see test_device.h).
 */
#include <stdlib.h>

#include "support/test_device.h"

void test_device_options(ms_model_options *opts)
{
    const char *device = getenv("MARKETSIM_TEST_DEVICE");
    const char *dtype = getenv("MARKETSIM_TEST_DTYPE");
    opts->device = device != NULL && device[0] != '\0' ? device : "cpu";
    opts->dtype = dtype != NULL && dtype[0] != '\0' ? dtype : "float32";
}
