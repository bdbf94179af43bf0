/*
 * options_versions.c - the versions of ms_analyzer_options a caller may
 * hold. Versions 2 and 3 are prefixes of the newest struct (version 3
 * appended fills to cache_max_entries), read and written through core's
 * ms_options_*. Version 1 predates that rule: version 2 inserted
 * position_size and as_of in the middle and made -1, not 0, the unset fee
 * and buying power. So version 1 keeps its own layout here, translated
 * field by field both ways; tests/api_v1 is a caller built against it.
 */
#include <stddef.h>
#include <string.h>

#include "analyze_internal.h"
#include "core/core_internal.h"

/* ms_analyzer_options as the version 1 header declared it. */
typedef struct analyzer_options_v1 {
    int version;
    size_t simulations, eval_days, context_length, min_context;
    int parallel, workers;
    const char *aggregate;
    size_t num_samples;
    uint64_t seed;
    double stock_fee, crypto_fee;     /* 0: the default */
    size_t max_positions, min_positions;
    double equity, buying_power;      /* 0: the default */
    int warmup;
    size_t batch_size;
    unsigned ablations;
    void (*progress)(void *context, size_t done, size_t total, const char *symbol);
    void *progress_context;
} analyzer_options_v1;

/* The layout alone: the init function below writes version 1 its own way. */
MS_OPTIONS_LAYOUT(ms_analyzer_options, analyzer, MS_ANALYZER_OPTIONS, sizeof(analyzer_options_v1),
                  offsetof(ms_analyzer_options, fills), sizeof(ms_analyzer_options));

/* Version 1's 0 ("the default") is the newest version's -1 ("unset"). */
static double unset_from_v1(double value)
{
    return value == 0 ? -1 : value;
}

static void import_v1(const analyzer_options_v1 *v1, ms_analyzer_options *out)
{
    *out = analyzer_defaults;
    out->simulations = v1->simulations;
    out->eval_days = v1->eval_days;
    out->context_length = v1->context_length;
    out->min_context = v1->min_context;
    out->parallel = v1->parallel;
    out->workers = v1->workers;
    out->aggregate = v1->aggregate;
    out->num_samples = v1->num_samples;
    out->seed = v1->seed;
    out->stock_fee = unset_from_v1(v1->stock_fee);
    out->crypto_fee = unset_from_v1(v1->crypto_fee);
    out->max_positions = v1->max_positions;
    out->min_positions = v1->min_positions;
    out->equity = v1->equity;
    out->buying_power = unset_from_v1(v1->buying_power);
    out->warmup = v1->warmup;
    out->batch_size = v1->batch_size;
    out->ablations = v1->ablations;
    out->progress = v1->progress;
    out->progress_context = v1->progress_context;
}

/* Unset money fields go back as version 1's 0. */
static void export_v1(const ms_analyzer_options *opts, analyzer_options_v1 *v1)
{
    *v1 = (analyzer_options_v1){
        .version = 1, .simulations = opts->simulations, .eval_days = opts->eval_days,
        .context_length = opts->context_length, .min_context = opts->min_context,
        .parallel = opts->parallel, .workers = opts->workers, .aggregate = opts->aggregate,
        .num_samples = opts->num_samples, .seed = opts->seed,
        .stock_fee = opts->stock_fee < 0 ? 0 : opts->stock_fee,
        .crypto_fee = opts->crypto_fee < 0 ? 0 : opts->crypto_fee,
        .max_positions = opts->max_positions, .min_positions = opts->min_positions,
        .equity = opts->equity, .buying_power = opts->buying_power < 0 ? 0 : opts->buying_power,
        .warmup = opts->warmup, .batch_size = opts->batch_size, .ablations = opts->ablations,
        .progress = opts->progress, .progress_context = opts->progress_context,
    };
}

/* Writes the newest-version `opts` into a caller's struct of `version`
 * (checked), never beyond that version's size. */
static void export_version(const ms_analyzer_options *opts, void *dst, int version)
{
    if (version == 1) {
        analyzer_options_v1 v1;
        export_v1(opts, &v1);
        memcpy(dst, &v1, sizeof v1);
        return;
    }
    memcpy(dst, opts, analyzer_sizes[version - 1]);
    memcpy(dst, &version, sizeof version);
}

MS_API ms_status ms_analyzer_options_init(ms_analyzer_options *opts, int version)
{
    if (opts == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_options init: NULL options");
    ms_status status = ms_options_version_check(&analyzer_layout, version);
    if (status == MS_OK)
        export_version(&analyzer_defaults, opts, version);
    return status;
}

ms_status ms_analyzer_options_import(const ms_analyzer_options *opts, ms_analyzer_options *out)
{
    if (opts == NULL || opts->version != 1)
        return ms_options_import(&analyzer_layout, out, &analyzer_defaults, opts);
    analyzer_options_v1 v1;
    memcpy(&v1, opts, sizeof v1);
    import_v1(&v1, out);
    return MS_OK;
}

MS_API ms_status ms_report_get_options(const ms_report *report, ms_analyzer_options *out)
{
    if (report == NULL || out == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_report_get_options: NULL argument");
    ms_status status = ms_options_version_check(&analyzer_layout, out->version);
    if (status == MS_OK)
        export_version(ms_report_options(report), out, out->version);
    return status;
}

MS_API ms_status ms_analyzer_options_resolve(ms_analyzer_options *opts)
{
    if (opts == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "ms_analyzer_options_resolve: NULL options");
    ms_analyzer_options resolved;
    ms_status status = ms_analyzer_options_copy_resolved(opts, &resolved);
    if (status == MS_OK)
        export_version(&resolved, opts, opts->version);
    return status;
}
