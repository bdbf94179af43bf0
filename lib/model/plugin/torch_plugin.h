/*
 * torch_plugin.h - the boundary between libmarketsim.so and its libtorch
 * plugin (libmarketsim-torch.so: the Toto and Kronos ports of
 * lib/model/toto/ and lib/model/kronos/), so that the library and the CLI
 * do not link libtorch and pay its start-up (hundreds of shared libraries)
 * only when a libtorch model is opened (docs/performance.md).
 *
 * Both sides are C, and the boundary is two tables of function pointers:
 * - the host table: every library function the C++ backends call. The
 *   library's internal functions are hidden (only MS_API is exported), so
 *   the plugin cannot link them; instead torch_imports.c (in the plugin)
 *   defines each under its own name as a call through this table. The
 *   backends' sources stay as they are, and an error recorded in the
 *   plugin lands in the library's own thread-local message.
 * - the plugin table: the backend entry points the library calls
 *   (torch_loader.c defines them in the library as calls that load the
 *   plugin first).
 * Adding a call from the C++ backends to a library function: one line in
 * MS_TORCH_IMPORTS (the plugin is linked with --no-undefined, so a missing
 * line fails its link). Adding an entry point the library calls: a field
 * in ms_torch_plugin and its function in torch_loader.c.
 *
 * Only the shared library and the plugin use this boundary: the static
 * archive (tests, benchmarks) links the backends directly.
 */
#ifndef MS_TORCH_PLUGIN_H
#define MS_TORCH_PLUGIN_H

#include "core/core_internal.h"
#include "model/checkpoint.h"
#include "model/kronos/kronos_internal.h"
#include "model/model_internal.h"

/* Raised whenever either table changes. */
#define MS_TORCH_PLUGIN_ABI 1

/* The plugin's file name, in the "marketsim" folder beside the library. */
#define MS_TORCH_PLUGIN_FILE "marketsim/libmarketsim-torch.so"

/* X(type, name, (parameters), (arguments)) for every library function the
 * backends call that returns a value; MS_TORCH_VOID_IMPORTS for the rest
 * (C forbids `return f();` in a void function). ms_error and ms_error_wrap
 * are variadic: the host table carries their formatted forms. */
#define MS_TORCH_IMPORTS(X)                                                                        \
    X(size_t, ms_cpu_count, (void), ())                                                            \
    X(ms_cpu_features, ms_cpu_features_detect, (void), ())                                         \
    X(ms_status, ms_precision_check_device, (const ms_model_options *resolved), (resolved))        \
    X(size_t, ms_mixture_batch_index,                                                              \
      (const ms_mixture_batch *batch, size_t series, size_t variate, size_t step),                 \
      (batch, series, variate, step))                                                              \
    X(double, ms_mixture_sample,                                                                   \
      (const ms_mixture *mixture, const double *cumulative, ms_rng *rng),                          \
      (mixture, cumulative, rng))                                                                  \
    X(ms_status, ms_toto_checkpoint_open, (ms_toto_checkpoint **out, const char *dir),            \
      (out, dir))                                                                                  \
    X(ms_toto_checkpoint *, ms_toto_checkpoint_retain, (const ms_toto_checkpoint *checkpoint),    \
      (checkpoint))                                                                                \
    X(const ms_toto_config *, ms_toto_checkpoint_config,                                          \
      (const ms_toto_checkpoint *checkpoint), (checkpoint))                                        \
    X(size_t, ms_toto_checkpoint_parameters, (const ms_toto_checkpoint *checkpoint),              \
      (checkpoint))                                                                                \
    X(const float *, ms_toto_checkpoint_weight,                                                    \
      (const ms_toto_checkpoint *checkpoint, const char *name, size_t *elements),                  \
      (checkpoint, name, elements))                                                                \
    X(bool, ms_toto_layer_is_spacewise, (const ms_toto_config *config, int layer),                \
      (config, layer))                                                                             \
    X(const ms_kronos_tokenizer_config *, ms_kronos_checkpoint_tokenizer_config,                  \
      (const ms_kronos_checkpoint *checkpoint), (checkpoint))                                      \
    X(const ms_kronos_model_config *, ms_kronos_checkpoint_model_config,                          \
      (const ms_kronos_checkpoint *checkpoint), (checkpoint))                                      \
    X(const float *, ms_kronos_tokenizer_weight,                                                   \
      (const ms_kronos_checkpoint *checkpoint, const char *name, size_t *elements),                \
      (checkpoint, name, elements))                                                                \
    X(const float *, ms_kronos_model_weight,                                                       \
      (const ms_kronos_checkpoint *checkpoint, const char *name, size_t *elements),                \
      (checkpoint, name, elements))

#define MS_TORCH_VOID_IMPORTS(X)                                                                   \
    X(void, ms_rng_init, (ms_rng *rng, uint64_t seed, uint64_t stream), (rng, seed, stream))       \
    X(void, ms_mixture_cumulative, (const ms_mixture *mixture, double *cumulative),               \
      (mixture, cumulative))                                                                       \
    X(void, ms_toto_checkpoint_close, (ms_toto_checkpoint *checkpoint), (checkpoint))

#define MS_TORCH_IMPORT_FIELD(type, name, parameters, arguments) type(*name) parameters;

/* What the library gives the plugin (filled by torch_loader.c). */
typedef struct ms_torch_host {
    int abi;              /* MS_TORCH_PLUGIN_ABI */
    size_t size;          /* sizeof(ms_torch_host) */
    /* ms_error and ms_error_wrap with the message already formatted. */
    ms_status (*error)(ms_status status, const char *message);
    ms_status (*error_wrap)(ms_status status, const char *context);
    MS_TORCH_IMPORTS(MS_TORCH_IMPORT_FIELD)
    MS_TORCH_VOID_IMPORTS(MS_TORCH_IMPORT_FIELD)
} ms_torch_host;

/* What the plugin gives the library: the entry points it calls. */
typedef struct ms_torch_plugin {
    int abi;              /* MS_TORCH_PLUGIN_ABI */
    size_t size;          /* sizeof(ms_torch_plugin) */
    const char *version;  /* MS_VERSION_STRING the plugin was built with */
    ms_status (*toto_open)(const char *path, const ms_model_options *opts, ms_forecaster *out);
    ms_status (*kronos_open)(ms_kronos **out, const ms_kronos_checkpoint *checkpoint);
    void (*kronos_free)(ms_kronos *kronos);
    ms_status (*kronos_generate)(ms_kronos *kronos, const float *x_norm, const float *x_stamp,
                                 const float *y_stamp, size_t batch, size_t length, size_t steps,
                                 size_t max_context, double clip,
                                 const ms_kronos_sampling *sampling, bool use_cache, float *preds,
                                 float *paths, ms_kronos_trace *trace);
    ms_status (*kronos_set_threads)(ms_kronos *kronos, int threads);
} ms_torch_plugin;

/* The plugin's one exported symbol: keeps `host` (which outlives the
 * plugin: it is never unloaded) and returns the plugin's table. The
 * library checks the table's abi, size and version before using it. */
#define MS_TORCH_PLUGIN_ENTRY "ms_torch_plugin_entry"
typedef const ms_torch_plugin *(*ms_torch_plugin_entry_fn)(const ms_torch_host *host);
const ms_torch_plugin *ms_torch_plugin_entry(const ms_torch_host *host);

#endif
