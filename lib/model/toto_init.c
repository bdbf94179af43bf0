/*
 * toto_init.c - random-weight Toto checkpoints (`marketsim model init`), in
 * the published format: config.json plus one F32 model.safetensors with the
 * "model." prefix and the fused SwiGLU names, so they load wherever the
 * published checkpoint does.
 *
 * Weights follow the official model's default initialisation, the one
 * Toto(**config) gets before training: every torch.nn.Linear(in -> out)
 * draws weight and bias uniformly in +-1/sqrt(in) (kaiming_uniform with
 * a = sqrt(5) reduces to that bound), RMSNorm scales are 1. Activations then
 * keep unit order of magnitude through the layers, so forward passes of
 * random checkpoints are numerically sane. Tensor i draws from core's
 * random stream (seed, i): a seed gives the same checkpoint on every
 * platform, and one tensor's values do not depend on the others' sizes.
 *
 * The directory appears whole or not at all (see ms_toto_checkpoint_init).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "model/checkpoint.h"

static void init_tensor(const ms_toto_tensor_spec *spec, uint64_t seed, uint64_t stream,
                        float *values)
{
    if (spec->fan_in == 0) {
        for (size_t i = 0; i < spec->elements; i++)
            values[i] = 1.0f;
        return;
    }
    double bound = 1.0 / sqrt((double)spec->fan_in);
    ms_rng rng;
    ms_rng_init(&rng, seed, stream);
    for (size_t i = 0; i < spec->elements; i++)
        values[i] = (float)((2.0 * ms_rng_uniform(&rng) - 1.0) * bound);
}

/* The weights of every spec, named as in the published file. */
static ms_status write_weights(const char *path, const ms_toto_config *config,
                               const ms_toto_tensor_spec *specs, size_t count, uint64_t seed)
{
    size_t parameters = ms_toto_config_parameters(config);
    float *values = malloc(parameters * sizeof *values);
    ms_tensor_out *tensors = calloc(count, sizeof *tensors);
    typedef char published_name[sizeof MS_TOTO_PUBLISHED_PREFIX + sizeof specs[0].name];
    published_name *names = calloc(count, sizeof *names);
    ms_status status = MS_OK;
    if (values == NULL || tensors == NULL || names == NULL)
        status = ms_error(MS_ERR_NOMEM, "%s: no memory for %zu parameters", path, parameters);
    for (size_t i = 0, offset = 0; i < count && status == MS_OK; offset += specs[i].elements, i++) {
        snprintf(names[i], sizeof names[i], MS_TOTO_PUBLISHED_PREFIX "%s", specs[i].name);
        init_tensor(&specs[i], seed, i, values + offset);
        tensors[i] = (ms_tensor_out){ names[i], specs[i].ndim, { specs[i].shape[0],
                                      specs[i].shape[1] }, values + offset };
    }
    if (status == MS_OK)
        status = ms_safetensors_write(path, tensors, count);
    free(values);
    free(tensors);
    free(names);
    return status;
}

/* Both files go into a staging directory renamed onto `dir` at the end
 * (core's ms_atomic_dir): a failure at any point, a full disk while the
 * weights are written included, leaves no config.json without weights and
 * no partial file. */
ms_status ms_toto_checkpoint_init(const char *dir, const ms_toto_config *config,
                                  uint64_t seed)
{
    if (dir == NULL || config == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_toto_checkpoint_init: dir and config must not "
                        "be NULL");
    ms_status status = ms_toto_config_check(config, dir);
    ms_atomic_dir staging = { NULL, NULL };
    if (status == MS_OK)
        status = ms_atomic_dir_open(&staging, dir);
    if (status != MS_OK)
        return status;
    char *config_path = ms_atomic_dir_file(&staging, "config.json");
    char *weights_path = ms_atomic_dir_file(&staging, "model.safetensors");
    ms_toto_tensor_spec *specs = NULL;
    size_t count = 0;
    if (config_path == NULL || weights_path == NULL)
        status = ms_error(MS_ERR_NOMEM, "%s: no memory", dir);
    if (status == MS_OK)
        status = ms_toto_config_write(config_path, config);
    if (status == MS_OK)
        status = ms_toto_tensor_specs(config, &specs, &count);
    if (status == MS_OK)
        status = write_weights(weights_path, config, specs, count, seed);
    if (status == MS_OK)
        status = ms_atomic_dir_commit(&staging);
    else
        ms_atomic_dir_discard(&staging);
    free(specs);
    free(config_path);
    free(weights_path);
    return status;
}
