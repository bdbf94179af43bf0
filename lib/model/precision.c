/*
 * precision.c - what a model computes in: the "precision" option's
 * vocabulary (fp32, bf16, int8), its older spelling "dtype", and the CPU
 * features a reduced precision
 * needs, read with cpuid at run time (the build machine says nothing about
 * the one the library runs on).
 */
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "model/model_internal.h"

static const char *const precisions[] = { "fp32", "bf16", "int8" };

const char *ms_precision_canonical(const char *text)
{
    for (size_t i = 0; i < MS_ARRAY_LEN(precisions); i++)
        if (ms_str_ieq(text, precisions[i]))
            return precisions[i];
    return NULL;
}

/* dtype is how version 1 spelt the two precisions it knew. */
static ms_status precision_of_dtype(const char *dtype, const char **out)
{
    if (ms_str_ieq(dtype, "float32"))
        *out = "fp32";
    else if (ms_str_ieq(dtype, "bfloat16"))
        *out = "bf16";
    else
        return ms_error(MS_ERR_INVALID_ARG, "dtype '%s': expected float32 or bfloat16", dtype);
    return MS_OK;
}

/* Options > default, like every other option (the environment comes in
 * through ms_model_options_from_env); an explicit dtype counts as an
 * explicit precision, and the two must then agree. */
ms_status ms_precision_resolve(ms_model_options *resolved)
{
    const char *from_dtype = NULL;
    if (resolved->dtype != NULL) {
        ms_status status = precision_of_dtype(resolved->dtype, &from_dtype);
        if (status != MS_OK)
            return status;
    }
    const char *precision = NULL;
    if (resolved->precision != NULL) {
        precision = ms_precision_canonical(resolved->precision);
        if (precision == NULL)
            return ms_error(MS_ERR_INVALID_ARG, "precision '%s': expected fp32, bf16 or int8",
                            resolved->precision);
        if (from_dtype != NULL && strcmp(from_dtype, precision) != 0)
            return ms_error(MS_ERR_INVALID_ARG, "dtype '%s' contradicts precision '%s' "
                            "(dtype is the older spelling: set only precision)",
                            resolved->dtype, precision);
    } else if (from_dtype != NULL) {
        precision = from_dtype;
    } else {
        precision = "fp32";
    }
    resolved->precision = precision;
    resolved->dtype = strcmp(precision, "bf16") == 0 ? "bfloat16" : "float32";
    return MS_OK;
}

#if defined(__x86_64__) || defined(__i386__)
/* XCR0: which register states the operating system saves on a context
 * switch; a feature the OS does not enable faults however cpuid reports it. */
static uint64_t enabled_states(void)
{
    uint32_t eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE))
        return 0;
    uint32_t low, high;
    __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return ((uint64_t)high << 32) | low;
}

ms_cpu_features ms_cpu_features_detect(void)
{
    ms_cpu_features cpu = { false, false, false };
    uint32_t eax, ebx, ecx, edx;
    if (__get_cpuid_max(0, NULL) < 7 || !__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
        return cpu;
    uint32_t leaf7_ecx = ecx, leaf7_edx = edx;
    uint64_t states = enabled_states();
    /* SSE, AVX, opmask, upper ZMM halves, upper 16 ZMM registers. */
    bool avx512_state = (states & 0xe6) == 0xe6;
    /* XTILECFG and XTILEDATA. */
    bool amx_state = (states & 0x60000) == 0x60000;
    bool avx512f = avx512_state && (ebx & (1u << 16));
    cpu.avx512_vnni = avx512f && (leaf7_ecx & (1u << 11));
    cpu.amx_bf16 = amx_state && (leaf7_edx & (1u << 22)) && (leaf7_edx & (1u << 24));
    if (eax >= 1 && __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx))
        cpu.avx512_bf16 = avx512f && (eax & (1u << 5));
    return cpu;
}
#else
ms_cpu_features ms_cpu_features_detect(void)
{
    return (ms_cpu_features){ false, false, false };
}
#endif

const char *ms_precision_missing_cpu_feature(const char *precision, const ms_cpu_features *cpu)
{
    if (strcmp(precision, "bf16") == 0 && !cpu->avx512_bf16 && !cpu->amx_bf16)
        return "AVX512_BF16 or AMX-BF16";
    return NULL;
}

ms_status ms_precision_check_device(const ms_model_options *resolved)
{
    if (strcmp(resolved->device, "cuda") == 0) {
        if (strcmp(resolved->precision, "int8") == 0)
            return ms_error(MS_ERR_UNSUPPORTED, "precision 'int8' runs on device 'cpu' only "
                            "(use bf16 on cuda)");
        return MS_OK;
    }
    ms_cpu_features cpu = ms_cpu_features_detect();
    const char *missing = ms_precision_missing_cpu_feature(resolved->precision, &cpu);
    if (missing != NULL)
        return ms_error(MS_ERR_UNSUPPORTED, "precision '%s' on the CPU needs %s, which this "
                        "CPU lacks (use fp32 or int8)", resolved->precision, missing);
    return MS_OK;
}
